"""The data that crosses from the collector to the reporters: plain ``TypedDict``s.

``RunResult`` is exactly what ``readiness.json`` holds (schema_version 2: the ``unverified`` status,
the gate, the verdict, coverage and applicability reasons; version 1 files lack those keys and are
still read as baselines), so a baseline read back from disk and a fresh run are the same type for
drift, and every reporter reads only this.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

from pytest_readiness.status import ORDER, Status

__all__ = ["SCHEMA_VERSION", "SEVERITY_ORDER", "STATUSES", "ItemResult", "RunResult", "Status", "TestRecord"]

STATUSES: tuple[Status, ...] = ORDER
#: Aggregation order: the worst status of an item's tests wins (index 0 is worst).
SEVERITY_ORDER: dict[str, int] = {s.value: s.rank for s in Status}
SCHEMA_VERSION = 2


class TestRecord(TypedDict):
    nodeid: str
    outcome: str  # passed | failed | error | skipped
    duration_s: float
    message: str


class ItemResult(TypedDict):
    id: str
    section: str
    group: str
    title: str
    severity: str
    kind: str
    status: Status
    reason: str
    evidence: list[dict[str, Any]]
    tests: list[TestRecord]
    remediation: str
    parent: str
    # filled by waivers/attestations when they apply: {"by"/"owner", "expires", "ticket", ...}
    waiver: dict[str, Any] | None
    attestation: dict[str, Any] | None
    #: why an ``unverified`` item did not run: not_configured | missing_tool | refused | skipped (a
    #: plain pytest.skip) (v2)
    unverified_kind: NotRequired[str]


class RunMeta(TypedDict, total=False):
    """Facts about the run beside the items; release features add their notes here."""

    tool: str  # "pytest-readiness X.Y.Z"
    catalog: str
    environment_file: str
    git_revision: str | None
    tests: int
    unmarked_tests: int
    phase: str | None  # --readiness-phase
    #: {"applied": [ids], "expired": [{"id", "expires"}], "unused": [ids]}
    attestations: dict[str, Any]
    #: as attestations, plus "not_applied": [ids]
    waivers: dict[str, Any]
    #: {"baseline", "regressions", "fixed", "still_failing", "new", "removed", "changed"}
    drift: dict[str, Any]
    incomplete: str  # why the run did not complete (interrupted, collection errors)


class RunResult(TypedDict):
    schema_version: int
    environment: str
    started_at: str  # ISO 8601 UTC
    duration_s: float
    ready: bool
    summary: dict[str, int]
    items: list[ItemResult]
    meta: RunMeta
    # schema_version 2
    verdict: NotRequired[str]  # GO | NO-GO | INCOMPLETE
    gate: NotRequired[str]  # lowest severity that must be verified for GO
    #: {"overall": {bucket: n, "total": n}, "by_severity": {severity: {...}}}
    coverage: NotRequired[dict[str, Any]]
    #: {"ID-or-glob": "reason"} as declared in the environment's [applicability] table
    applicability: NotRequired[dict[str, str]]
    #: what keeps an INCOMPLETE verdict from GO: {section: {"items": [ids], "configure": [keys]}}
    missing: NotRequired[dict[str, Any]]
