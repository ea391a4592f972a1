"""Outcome → verdict: pure functions from test records to one status per checklist item, and the gate.

| test outcome                                      | item status     |
| passed                                            | pass            |
| AssertionError in the call phase                  | fail            |
| any other exception, setup/teardown error, crash  | error           |
| ``outcomes.Unverified`` or a plain skip           | unverified      |
| ``outcomes.NotApplicable`` (declared by the user) | not_applicable  |
| no test ran                                       | manual          |

The worst status of an item's tests wins (``Status.rank``: fail wins over error, and the error is
named beside the failure).  Group items (with sub-items) are derived afterwards from their
sub-items, where ``manual`` ranks above ``pass``: a group is verified only when all of it is.

The gate (:func:`verdict`): GO only if nothing failed and every leaf item of the gate severity or
above is pass, waived, attested or declared not applicable; NO-GO if anything failed; INCOMPLETE
otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pytest_readiness import env_schema
from pytest_readiness.catalog import Catalog, Item
from pytest_readiness.results import ItemResult, TestRecord
from pytest_readiness.status import COVERAGE, GROUP_ORDER, ORDER, SEVERITIES, Outcome, Status, Verdict

#: pytest's outcome of a test (as in the test records) -> the status it gives its items.
OUTCOME_STATUS: dict[str, Status] = {
    Outcome.PASSED: Status.PASS,
    Outcome.FAILED: Status.FAIL,
    Outcome.ERROR: Status.ERROR,
    Outcome.SKIPPED: Status.UNVERIFIED,
}
#: The gate when no environment says otherwise: the schema's default of ``[settings] gate``.
DEFAULT_GATE: str = env_schema.default("settings", "gate")


@dataclass
class TestState:
    """What the controller knows of one test, phase by phase."""

    nodeid: str
    ids: list[str] = field(default_factory=list)
    outcome: str = ""
    message: str = ""
    duration_s: float = 0.0
    evidence: list[dict[str, Any]] = field(default_factory=list)
    #: the status this test gives its items (set with the outcome; a skip may say which kind)
    status: Status | None = None
    #: ``Unverified`` kind and the keys to configure, when the test did not run
    kind: str = ""
    configure: list[str] = field(default_factory=list)
    #: an error seen beside a failure in another phase (reported, never hidden)
    also: str = ""

    def merge(self, outcome: str, message: str, status: Status | None = None) -> None:
        """Keep the worst outcome seen over the phases (an error in teardown spoils a pass)."""
        status = status or OUTCOME_STATUS[outcome]
        if self.status is None or status.rank < self.status.rank:
            if self.status is Status.ERROR and status is Status.FAIL:
                self.also = self.message
            self.outcome, self.message, self.status = outcome, message, status
        elif status is Status.ERROR and self.status is Status.FAIL:
            self.also = message

    def record(self) -> TestRecord:
        return TestRecord(
            nodeid=self.nodeid,
            outcome=self.outcome or Outcome.ERROR,
            duration_s=round(self.duration_s, 4),
            message=self.message,
        )

    @property
    def item_status(self) -> Status:
        return self.status or Status.ERROR


def worst(statuses: Iterable[str], order: Mapping[str, int] | None = None) -> str | None:
    """The worst of ``statuses`` (by ``Status.rank``, or by ``order`` if given)."""
    rank = order if order is not None else {s.value: s.rank for s in Status}
    ranked = sorted(statuses, key=lambda s: rank[s])
    return ranked[0] if ranked else None


def item_results(catalog: Catalog, tests: Sequence[TestState]) -> list[ItemResult]:
    """One result per catalog item, in catalog order, from the tests that mark it."""
    by_id: dict[str, list[TestState]] = {}
    for test in sorted(tests, key=lambda t: t.nodeid):  # completion order differs under xdist
        for item_id in test.ids:
            by_id.setdefault(item_id, []).append(test)
    return [_item_result(item, by_id.get(item["id"], [])) for item in catalog]


def _item_result(item: Item, tests: list[TestState]) -> ItemResult:
    kind = ""
    if tests:
        statuses = [t.item_status for t in tests]
        status = min(statuses, key=lambda s: s.rank)
        deciding = next(t for t, s in zip(tests, statuses, strict=True) if s is status)
        reason = deciding.message if status is not Status.PASS else ""
        if status is Status.FAIL:
            errors = [t.message for t, s in zip(tests, statuses, strict=True) if s is Status.ERROR]
            errors += [t.also for t in tests if t.also]
            if errors:
                reason = f"{reason} [also error: {'; '.join(errors)}]"
        if status is Status.UNVERIFIED:
            kind = deciding.kind or Outcome.SKIPPED.value  # a plain pytest.skip: unverified, kind unknown
    else:
        status = Status.MANUAL
        reason = "automated check not run" if item["kind"] == "automated" else "to be verified by a person"
    evidence = [dict(record, test=t.nodeid) for t in tests for record in t.evidence]
    result = ItemResult(
        id=item["id"],
        section=item["section"],
        group=item["group"],
        title=item["title"],
        severity=item["severity"],
        kind=item["kind"],
        status=status,
        reason=reason,
        evidence=evidence,
        tests=[t.record() for t in tests],
        remediation=item["remediation"],
        parent=item["parent"],
        waiver=None,
        attestation=None,
    )
    if kind:
        result["unverified_kind"] = kind
    return result


def derive_groups(items: list[ItemResult]) -> None:
    """Set each group item's status from its sub-items (and its own tests, if any)."""
    children: dict[str, list[ItemResult]] = {}
    for item in items:
        if item["parent"]:
            children.setdefault(item["parent"], []).append(item)
    for item in items:
        subs = children.get(item["id"])
        if not subs:
            continue
        statuses = [Status(s["status"]) for s in subs]
        if item["tests"]:
            statuses.append(Status(item["status"]))
        status = min(statuses, key=GROUP_ORDER.index) if statuses else Status.MANUAL
        counted = sum(1 for s in statuses if not s.blocks_gate)
        bad = [s["id"] for s in subs if s["status"] == status]
        item["status"] = status
        if status in (Status.PASS, Status.ATTESTED, Status.NOT_APPLICABLE):
            item["reason"] = ""
        else:
            item["reason"] = f"{counted} of {len(statuses)} sub-items verified; {status}: {', '.join(bad)}"


def summarize(items: Iterable[ItemResult]) -> dict[str, int]:
    summary = {status.value: 0 for status in ORDER}
    for item in items:
        summary[item["status"]] += 1
    return summary


def by_section(items: Iterable[ItemResult]) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {}
    for item in items:
        row = table.setdefault(item["section"], {status.value: 0 for status in ORDER})
        row[item["status"]] += 1
    return table


def leaves(items: Sequence[ItemResult]) -> list[ItemResult]:
    """Items without sub-items (a group's verdict is derived: counting both counts twice)."""
    parents = {i["parent"] for i in items if i["parent"]}
    return [i for i in items if i["id"] not in parents]


def gated(severity: str, gate: str) -> bool:
    """True if an item of ``severity`` is at or above ``gate`` (unknown severities are gated)."""
    if severity not in SEVERITIES:
        return True
    return SEVERITIES.index(severity) <= SEVERITIES.index(gate)


def coverage(items: Sequence[ItemResult]) -> dict[str, Any]:
    """Verification coverage of the leaf items, overall and per severity (readiness.json data)."""

    def empty() -> dict[str, int]:
        return {**{bucket: 0 for bucket, _ in COVERAGE}, "total": 0}

    overall = empty()
    per: dict[str, dict[str, int]] = {}
    for item in leaves(items):
        bucket = Status(item["status"]).coverage
        for row in (overall, per.setdefault(item["severity"], empty())):
            row[bucket] += 1
            row["total"] += 1
    ordered = {s: per[s] for s in (*SEVERITIES, *sorted(set(per) - set(SEVERITIES))) if s in per}
    return {"overall": overall, "by_severity": ordered}


def coverage_line(row: Mapping[str, int]) -> str:
    """``41 verified, 3 attested, 2 declared n/a, 6 unverified of 52`` (zero buckets left out)."""
    parts = [f"{row.get(bucket, 0)} {label}" for bucket, label in COVERAGE if row.get(bucket, 0)]
    return f"{', '.join(parts) or 'nothing'} of {row.get('total', 0)}"


def blocking(items: Sequence[ItemResult], gate: str) -> list[ItemResult]:
    """Leaf items at or above the gate whose status keeps the verdict from GO."""
    return [i for i in leaves(items) if Status(i["status"]).blocks_gate and gated(i["severity"], gate)]


def verdict(items: Sequence[ItemResult], gate: str = DEFAULT_GATE) -> Verdict:
    """NO-GO if anything failed; INCOMPLETE if an item at or above the gate is not verified; else GO."""
    if any(i["status"] == Status.FAIL for i in items):
        return Verdict.NO_GO
    return Verdict.INCOMPLETE if blocking(items, gate) else Verdict.GO


def missing(items: Sequence[ItemResult], gate: str, configure: Mapping[str, list[str]]) -> dict[str, Any]:
    """What keeps the verdict from GO, by section: the blocking IDs and the first keys to configure.

    ``configure`` maps an item ID to the environment keys its unverified check named.
    """
    out: dict[str, Any] = {}
    for item in blocking(items, gate):
        row = out.setdefault(item["section"], {"items": [], "configure": []})
        row["items"].append(item["id"])
        for key in configure.get(item["id"], []):
            if key not in row["configure"]:
                row["configure"].append(key)
    return out
