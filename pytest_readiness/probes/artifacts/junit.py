"""JUnit XML test reports (pytest ``--junitxml``, jest-junit, vitest, Playwright, Cypress...).

Counts come from the ``<testcase>`` elements and their ``<failure>``/``<error>``/``<skipped>``
children, not from the suite attributes: those are optional (pytest writes a bare ``<testsuites>``)
and some reporters get them wrong.  One exception: errors a ``<testsuite>`` declares beyond its test
cases (a suite that failed to run, as jest-junit reports it with ``tests="0"``) or an ``<error>``
directly under it are counted as errors.  A report with no test case at all proves nothing, so it
fails; one whose counts promise test cases it does not hold is an error.  The path may be one file or a folder
of ``*.xml`` reports (one per shard).  Files are local CI artifacts; size is capped so a runaway
report cannot exhaust memory.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.artifacts import check_size

__all__ = ["JUnitFacts", "assess_no_skipped", "assess_passed", "parse_junit"]

MAX_BYTES = 64 * 1024 * 1024
MAX_LISTED = 20


@dataclass(frozen=True)
class JUnitFacts:
    """What one configured JUnit artifact (file or folder) says."""

    label: str
    path: str
    files: int
    tests: int = 0
    failures: int = 0
    errors: int = 0
    skipped: int = 0
    failed_cases: tuple[str, ...] = field(default_factory=tuple)
    skipped_cases: tuple[str, ...] = field(default_factory=tuple)
    #: Newest modification time of the report files (UTC ISO): how old the evidence is.
    modified: str = ""

    @property
    def passed(self) -> int:
        return self.tests - self.failures - self.errors - self.skipped

    def summary(self) -> dict[str, int]:
        return {
            "tests": self.tests,
            "passed": self.passed,
            "failures": self.failures,
            "errors": self.errors,
            "skipped": self.skipped,
        }


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        found = sorted(p for p in path.rglob("*.xml") if p.is_file())
        if not found:
            raise ProbeError(f"no *.xml JUnit report in folder {path}")
        return found
    if not path.is_file():
        raise ProbeError(f"JUnit report {path} not found")
    return [path]


def _declared(element: ET.Element, attribute: str) -> int:
    """An optional count attribute (``tests``, ``errors``...), 0 when absent or unreadable."""
    try:
        return int(float(element.get(attribute) or 0))
    except ValueError:
        return 0


def _suite_errors(suite: ET.Element) -> int:
    """Errors of ``suite`` not carried by one of its own test cases (a suite that failed to run)."""
    direct = sum(1 for child in suite if child.tag in ("error", "failure"))
    cases = [c for c in suite if c.tag == "testcase"]
    counted = sum(1 for c in cases if any(k.tag in ("error", "failure") for k in c))
    nested = any(child.tag == "testsuite" for child in suite)
    declared = 0 if nested else _declared(suite, "errors") + _declared(suite, "failures")
    return max(direct, declared - counted, 0)


def _case_name(case: ET.Element) -> str:
    cls = case.get("classname") or ""
    name = case.get("name") or "?"
    return f"{cls}::{name}" if cls else name


def parse_junit(path: Path, label: str = "") -> JUnitFacts:
    """Parse a JUnit report (``<testsuites>`` or ``<testsuite>`` root), or every report in a folder."""
    tests = failures = errors = skipped = 0
    failed: list[str] = []
    skipped_names: list[str] = []
    files = _files(path)
    newest = 0.0
    for file in files:
        check_size(file, "JUnit report", MAX_BYTES)
        newest = max(newest, file.stat().st_mtime)
        try:
            root = ET.parse(file).getroot()
        except ET.ParseError as exc:
            raise ProbeError(f"JUnit report {file} is not well-formed XML: {exc}") from None
        if root.tag not in ("testsuites", "testsuite"):
            raise ProbeError(f"{file} is not a JUnit report (root element <{root.tag}>)")
        if not any(True for _ in root.iter("testcase")) and _declared(root, "tests") > 0:
            raise ProbeError(
                f"JUnit report {file} declares {_declared(root, 'tests')} test(s) but holds no <testcase>"
            )
        for suite in root.iter("testsuite"):
            extra = _suite_errors(suite)
            if extra:
                errors += extra
                failed.append(f"suite {suite.get('name') or '?'}: {extra} error(s) outside any test case")
        for case in root.iter("testcase"):
            tests += 1
            kinds = {child.tag for child in case}
            if "failure" in kinds:
                failures += 1
                failed.append(_case_name(case))
            elif "error" in kinds:
                errors += 1
                failed.append(_case_name(case))
            elif "skipped" in kinds:
                skipped += 1
                skipped_names.append(_case_name(case))
    return JUnitFacts(
        label=label or path.name,
        path=str(path),
        files=len(files),
        tests=tests,
        failures=failures,
        errors=errors,
        skipped=skipped,
        failed_cases=tuple(failed[:MAX_LISTED]),
        skipped_cases=tuple(skipped_names[:MAX_LISTED]),
        modified=datetime.fromtimestamp(newest, UTC).isoformat(timespec="seconds") if newest else "",
    )


def assess_passed(facts: JUnitFacts) -> Assessment:
    """At least one test ran and none failed or errored (skips are judged by :func:`assess_no_skipped`)."""
    bad = facts.failures + facts.errors
    ok = facts.tests > 0 and bad == 0
    if facts.tests == 0:
        note = "the report holds no test case: nothing was proved"
    elif bad:
        note = "failed: " + ", ".join(facts.failed_cases) + (" ..." if bad > len(facts.failed_cases) else "")
    else:
        note = f"report of {facts.modified}" if facts.modified else ""
    return Assessment.single(
        f"{facts.label} tests passed",
        f"{facts.label} {facts.path}",
        facts.summary(),
        {"tests": "> 0", "failures": 0, "errors": 0},
        ok,
        note,
    )


def assess_no_skipped(reports: Iterable[JUnitFacts]) -> Assessment:
    """No test case skipped in any of the reports (a skipped test is an untested path)."""
    findings = []
    for facts in reports:
        note = ""
        if facts.skipped:
            more = " ..." if facts.skipped > len(facts.skipped_cases) else ""
            note = "skipped: " + ", ".join(facts.skipped_cases) + more
        elif facts.tests == 0:
            note = "the report holds no test case"
        findings.append(
            Finding(
                f"{facts.label} {facts.path}",
                {"tests": facts.tests, "skipped": facts.skipped},
                {"skipped": 0},
                facts.skipped == 0 and facts.tests > 0,
                note,
            )
        )
    return Assessment.of("no skipped tests", findings, empty_ok=False)
