"""The data that crosses from the collector to the reporters: plain ``TypedDict``s.

``RunResult`` is exactly what ``readiness.json`` holds (schema_version 1), so a baseline read back
from disk and a fresh run are the same type for drift, and every reporter reads only this.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

Status = Literal["pass", "fail", "error", "waived", "attested", "not_applicable", "manual"]
STATUSES: tuple[Status, ...] = ("error", "fail", "waived", "pass", "attested", "not_applicable", "manual")
#: Aggregation order: the worst status of an item's tests wins (index 0 is worst).
SEVERITY_ORDER: dict[str, int] = {s: i for i, s in enumerate(STATUSES)}
SCHEMA_VERSION = 1


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


class RunResult(TypedDict):
    schema_version: int
    environment: str
    started_at: str  # ISO 8601 UTC
    duration_s: float
    ready: bool
    summary: dict[str, int]
    items: list[ItemResult]
    meta: dict[str, Any]  # tool version, git revision, catalog name, phase, waivers notes, drift
