"""The one place that knows the item statuses: their order, labels, colours and what they mean.

Every other module (verdicts, reporters, drift, the exit status) asks ``Status`` instead of spelling
status strings.  The values are the strings ``readiness.json`` has always held.

- ``rank``: aggregation order of an item's tests, worst first (fail wins over error: a definite
  failure is news even when another test of the item could not decide).
- ``verified``: a check looked at the item and decided it (pass, fail, or a failure a waiver
  accepts); ``error`` never counts as verified.
- ``coverage``: the bucket of the verification coverage figure (verified, attested, declared n/a,
  unverified (error included: the check did not decide), manual).
- ``blocks_gate``: at or above the gate severity, the item keeps the verdict from GO.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class _Traits(NamedTuple):
    rank: int
    label: str
    colour: str
    verified: bool
    blocks_gate: bool


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    UNVERIFIED = "unverified"
    WAIVED = "waived"
    ATTESTED = "attested"
    NOT_APPLICABLE = "not_applicable"
    MANUAL = "manual"

    @property
    def _traits(self) -> _Traits:
        return _TRAITS[self]

    @property
    def rank(self) -> int:
        """Aggregation order, 0 is worst: the lowest rank of an item's tests is the item's status."""
        return self._traits.rank

    @property
    def label(self) -> str:
        """Short name for tables and badges."""
        return self._traits.label

    @property
    def colour(self) -> str:
        return self._traits.colour

    @property
    def verified(self) -> bool:
        """A check decided the item (pass, fail, waived); error never counts."""
        return self._traits.verified

    @property
    def blocks_gate(self) -> bool:
        """At or above the gate severity, this status keeps the verdict from GO."""
        return self._traits.blocks_gate

    @property
    def coverage(self) -> str:
        """Bucket of the coverage figure: verified, attested, not_applicable, unverified, manual."""
        if self.verified:
            return "verified"
        if self is Status.ERROR:
            return Status.UNVERIFIED.value
        return self.value

    @property
    def done(self) -> bool:
        """Ticked in the checklist: passed or vouched for by a person."""
        return self in (Status.PASS, Status.ATTESTED)

    @property
    def bad(self) -> bool:
        """A definite problem or an undecided check (listed one per line in the terminal)."""
        return self in (Status.FAIL, Status.ERROR)

    @property
    def regressed(self) -> bool:
        """What drift calls failing: ``bad``, or a check that no longer runs.

        A nightly whose check stopped running (a key removed, a tool missing on the runner) lost a
        verification: a regression of the release gate.
        """
        return self.bad or self is Status.UNVERIFIED


_TRAITS: dict[Status, _Traits] = {
    Status.FAIL: _Traits(0, "fail", "#cf222e", True, True),
    Status.ERROR: _Traits(1, "error", "#8250df", False, True),
    Status.UNVERIFIED: _Traits(2, "unverified", "#d4a72c", False, True),
    Status.WAIVED: _Traits(3, "waived", "#bf8700", True, False),
    Status.PASS: _Traits(4, "pass", "#1a7f37", True, False),
    Status.MANUAL: _Traits(5, "manual", "#57606a", False, True),
    Status.ATTESTED: _Traits(6, "attested", "#0969da", False, False),
    Status.NOT_APPLICABLE: _Traits(7, "n/a", "#8c959f", False, False),
}

#: Worst first; the order of summary columns and chart segments.
ORDER: tuple[Status, ...] = tuple(sorted(Status, key=lambda s: s.rank))
#: Order for a group item over its sub-items: a group is verified only when all of it is.
GROUP_ORDER: tuple[Status, ...] = (
    Status.FAIL,
    Status.ERROR,
    Status.UNVERIFIED,
    Status.MANUAL,
    Status.WAIVED,
    Status.PASS,
    Status.ATTESTED,
    Status.NOT_APPLICABLE,
)
#: Buckets of the coverage figure, in display order, with their labels.
COVERAGE: tuple[tuple[str, str], ...] = (
    ("verified", "verified"),
    (Status.ATTESTED.value, "attested"),
    (Status.NOT_APPLICABLE.value, "declared n/a"),
    (Status.UNVERIFIED.value, "unverified"),
    (Status.MANUAL.value, "manual"),
)
#: Severities from highest; a gate of "high" covers critical and high.
SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low")


def worst(statuses: list[Status], order: tuple[Status, ...] = ORDER) -> Status | None:
    ranked = sorted(statuses, key=order.index)
    return ranked[0] if ranked else None


class Outcome(StrEnum):
    """pytest's outcome of one test, as test records hold it (``error`` shares a value with Status)."""

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"


class Verdict(StrEnum):
    """The release verdict and its exit status."""

    GO = "GO"
    NO_GO = "NO-GO"
    INCOMPLETE = "INCOMPLETE"

    @property
    def exit_status(self) -> int:
        return {Verdict.GO: 0, Verdict.NO_GO: 1, Verdict.INCOMPLETE: 3}[self]

    @property
    def colour(self) -> str:
        return {Verdict.GO: "#1a7f37", Verdict.NO_GO: "#cf222e", Verdict.INCOMPLETE: "#bf8700"}[self]
