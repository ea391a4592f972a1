"""Outcome → verdict: pure functions from test records to one status per checklist item.

| test outcome                                   | item status     |
| passed                                         | pass            |
| AssertionError in the call phase               | fail            |
| any other exception, setup/teardown error, crash | error         |
| skipped (target not configured)                | not_applicable  |
| no test ran                                    | manual          |

The worst status of an item's tests wins.  Group items (with sub-items) are derived afterwards from
their sub-items, where ``manual`` ranks above ``pass``: a group is verified only when all of it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pytest_readiness.catalog import Catalog, Item
from pytest_readiness.results import SEVERITY_ORDER, ItemResult, Status, TestRecord

OUTCOME_STATUS: dict[str, Status] = {
    "passed": "pass",
    "failed": "fail",
    "error": "error",
    "skipped": "not_applicable",
}
OUTCOME_ORDER = {"error": 0, "failed": 1, "passed": 2, "skipped": 3}
GROUP_ORDER: dict[str, int] = {
    s: i for i, s in enumerate(("error", "fail", "manual", "waived", "pass", "attested", "not_applicable"))
}


@dataclass
class TestState:
    """What the controller knows of one test, phase by phase."""

    nodeid: str
    ids: list[str] = field(default_factory=list)
    outcome: str = ""
    message: str = ""
    duration_s: float = 0.0
    evidence: list[dict[str, Any]] = field(default_factory=list)

    def merge(self, outcome: str, message: str) -> None:
        """Keep the worst outcome seen over the phases (an error in teardown spoils a pass)."""
        if not self.outcome or OUTCOME_ORDER[outcome] < OUTCOME_ORDER[self.outcome]:
            self.outcome, self.message = outcome, message

    def record(self) -> TestRecord:
        return TestRecord(
            nodeid=self.nodeid,
            outcome=self.outcome or "error",
            duration_s=round(self.duration_s, 4),
            message=self.message,
        )


def worst(statuses: Iterable[str], order: Mapping[str, int] = SEVERITY_ORDER) -> str | None:
    ranked = sorted(statuses, key=lambda s: order[s])
    return ranked[0] if ranked else None


def item_results(catalog: Catalog, tests: Sequence[TestState]) -> list[ItemResult]:
    """One result per catalog item, in catalog order, from the tests that mark it."""
    by_id: dict[str, list[TestState]] = {}
    for test in sorted(tests, key=lambda t: t.nodeid):  # completion order differs under xdist
        for item_id in test.ids:
            by_id.setdefault(item_id, []).append(test)
    return [_item_result(item, by_id.get(item["id"], [])) for item in catalog]


def _item_result(item: Item, tests: list[TestState]) -> ItemResult:
    status: Status
    if tests:
        statuses = [OUTCOME_STATUS[t.outcome or "error"] for t in tests]
        status = worst(statuses)  # type: ignore[assignment]
        deciding = next(t for t, s in zip(tests, statuses, strict=True) if s == status)
        reason = deciding.message if status != "pass" else ""
    else:
        status = "manual"
        reason = "automated check not run" if item["kind"] == "automated" else "to be verified by a person"
    evidence = [dict(record, test=t.nodeid) for t in tests for record in t.evidence]
    return ItemResult(
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
        statuses = [s["status"] for s in subs]
        if item["tests"]:
            statuses.append(item["status"])
        status = worst(statuses, GROUP_ORDER) or "manual"
        counted = sum(1 for s in statuses if s in ("pass", "attested", "waived", "not_applicable"))
        bad = [s["id"] for s in subs if s["status"] == status]
        item["status"] = status  # type: ignore[typeddict-item]
        if status in ("pass", "attested", "not_applicable"):
            item["reason"] = ""
        else:
            item["reason"] = f"{counted} of {len(statuses)} sub-items verified; {status}: {', '.join(bad)}"


def summarize(items: Iterable[ItemResult]) -> dict[str, int]:
    summary = {status: 0 for status in SEVERITY_ORDER}
    for item in items:
        summary[item["status"]] += 1
    return summary


def by_section(items: Iterable[ItemResult]) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {}
    for item in items:
        row = table.setdefault(item["section"], {status: 0 for status in SEVERITY_ORDER})
        row[item["status"]] += 1
    return table
