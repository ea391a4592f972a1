"""What a rule concluded about a target: findings of observed versus expected.

Probes gather facts; pure rule functions turn facts into an :class:`Assessment`.  A check in
``suites/`` hands the assessment to the ``evidence`` fixture, which records it for the reports and
fails the test when it is not ok.  Values must be JSON-safe builtins: they cross the xdist wire.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

JSONValue = Any  # str | int | float | bool | None | list | dict of those


@dataclass(frozen=True)
class Finding:
    """One subject (a table, a header, ``namespace/Kind/name:container``) checked against one rule."""

    subject: str
    observed: JSONValue
    expected: JSONValue
    ok: bool
    note: str = ""


@dataclass(frozen=True)
class Assessment:
    """The findings of one rule over all the subjects it applies to."""

    check: str
    findings: tuple[Finding, ...] = field(default_factory=tuple)
    #: An assessment with no subject at all (no table, no Deployment) passes only if this is True.
    empty_ok: bool = True

    @classmethod
    def of(cls, check: str, findings: Iterable[Finding], *, empty_ok: bool = True) -> Assessment:
        return cls(check=check, findings=tuple(findings), empty_ok=empty_ok)

    @classmethod
    def single(
        cls, check: str, subject: str, observed: JSONValue, expected: JSONValue, ok: bool, note: str = ""
    ) -> Assessment:
        return cls(check=check, findings=(Finding(subject, observed, expected, ok, note),))

    @property
    def failures(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.ok)

    @property
    def ok(self) -> bool:
        if not self.findings:
            return self.empty_ok
        return not self.failures

    def message(self, limit: int = 5) -> str:
        """A short human sentence for the assertion: which subjects failed and why."""
        if not self.findings:
            return f"{self.check}: nothing to check" + ("" if self.empty_ok else " (expected at least one)")
        bad = self.failures
        if not bad:
            return f"{self.check}: ok ({len(self.findings)} checked)"
        parts = [
            f"{f.subject}: observed {_short(f.observed)}, expected {_short(f.expected)}"
            + (f" ({f.note})" if f.note else "")
            for f in bad[:limit]
        ]
        more = f"; +{len(bad) - limit} more" if len(bad) > limit else ""
        return f"{self.check}: {len(bad)} of {len(self.findings)} failed: " + "; ".join(parts) + more


def _short(value: JSONValue, width: int = 120) -> str:
    """Evidence for a person (``rls: off, force: off``), not a Python repr; JSON keeps the data."""
    from pytest_readiness.reporters import render_value

    text = render_value(value)
    return text if len(text) <= width else text[: width - 3] + "..."
