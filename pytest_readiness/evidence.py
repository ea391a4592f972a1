"""The ``evidence`` fixture: what a check observed versus what was expected, for every report.

Evidence is appended to ``item.user_properties`` as ``("readiness.evidence", {...})`` entries of
JSON-safe builtins, so that it travels with the test report across the pytest-xdist wire and the
controller never needs the item itself.
"""

from __future__ import annotations

import json
import math
from typing import Any, TypedDict

from pytest_readiness.assessment import Assessment, Finding

PROPERTY = "readiness.evidence"
MAX_FAILED_FINDINGS = 50
MAX_PASSED_FINDINGS = 10


class FindingRecord(TypedDict):
    subject: str
    observed: Any
    expected: Any
    ok: bool
    note: str


class EvidenceRecord(TypedDict):
    check: str
    ok: bool
    checked: int
    failed: int
    findings: list[FindingRecord]
    omitted: int


def json_safe(value: Any, depth: int = 0) -> Any:
    """Normalise any value to JSON-safe builtins (str keys, finite floats, lists for tuples/sets)."""
    if depth > 8:
        return repr(value)
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, dict):
        return {str(k): json_safe(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        return [json_safe(v, depth + 1) for v in items]
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return str(value)
    return value


def to_record(assessment: Assessment) -> EvidenceRecord:
    """Keep every failing finding (up to a cap) and a few passing ones: reports stay small."""
    failed = [f for f in assessment.findings if not f.ok]
    passed = [f for f in assessment.findings if f.ok]
    kept = failed[:MAX_FAILED_FINDINGS] + passed[:MAX_PASSED_FINDINGS]
    return EvidenceRecord(
        check=assessment.check,
        ok=assessment.ok,
        checked=len(assessment.findings),
        failed=len(failed),
        findings=[_finding(f) for f in kept],
        omitted=len(assessment.findings) - len(kept),
    )


def _finding(f: Finding) -> FindingRecord:
    return FindingRecord(
        subject=str(f.subject),
        observed=json_safe(f.observed),
        expected=json_safe(f.expected),
        ok=bool(f.ok),
        note=str(f.note),
    )


class Evidence:
    """Handed to each check; records assessments onto the test item."""

    def __init__(self, user_properties: list[tuple[str, object]]) -> None:
        self._props = user_properties

    def add(self, assessment: Assessment) -> Assessment:
        """Record an assessment without asserting (for informational findings)."""
        self._props.append((PROPERTY, to_record(assessment)))
        return assessment

    def record(
        self, subject: str, observed: Any, expected: Any, ok: bool, note: str = "", check: str = ""
    ) -> None:
        """Record one observed/expected pair."""
        self.add(Assessment.single(check or subject, subject, observed, expected, ok, note))

    def check(self, assessment: Assessment) -> None:
        """Record the assessment, then fail the test (``AssertionError``: item ``fail``) if not ok."""
        self.add(assessment)
        if not assessment.ok:
            raise AssertionError(assessment.message())

    def require(self, *assessments: Assessment) -> None:
        """Record several assessments and fail once with all their messages if any is not ok."""
        for a in assessments:
            self.add(a)
        bad = [a.message() for a in assessments if not a.ok]
        if bad:
            raise AssertionError(" | ".join(bad))
