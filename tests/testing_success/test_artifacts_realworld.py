"""CI artifacts exactly as real tools write them (tests/data/realworld/artifacts, see SOURCE.txt).

Each is parsed to the figure the tool itself reports, or is a clear ``error`` naming what is
missing; none may pass on a report that proves nothing.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.artifacts import coverage_report, junit
from pytest_readiness.probes.performance import k6, slo

ARTIFACTS = Path(__file__).resolve().parents[1] / "data" / "realworld" / "artifacts"


def windows_copy(src: Path, dest: Path) -> Path:
    """The same report as coverlet writes it on Windows: UTF-8 BOM and CRLF line ends."""
    data = src.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    dest.write_bytes(b"\xef\xbb\xbf" + data)
    return dest


# -------------------------------------------------------------------------------------- coverage


def test_coverlet_cobertura_with_bom_and_crlf(tmp_path):
    src = ARTIFACTS / "coverlet-deterministicbuild.cobertura.xml"
    for path in (src, windows_copy(src, tmp_path / "coverage.cobertura.xml")):
        facts = coverage_report.parse_coverage(path)
        assert (facts.format, facts.percent, facts.covered, facts.total) == ("cobertura", 100.0, 3, 3)
        assert coverage_report.assess_coverage([facts], 70).ok


def test_gcovr_cobertura_with_doctype():
    facts = coverage_report.parse_coverage(ARTIFACTS / "gcovr-example_cobertura.xml")
    assert (facts.covered, facts.total) == (6, 7)
    assert facts.percent == pytest.approx(85.714, abs=0.01)  # gcovr prints 85.7 %
    a = coverage_report.assess_coverage([facts], 90)
    assert not a.ok and a.findings[0].observed == 85.71 and a.findings[0].note == "6/7 covered"


@pytest.mark.parametrize(
    "name", ["llvm-cov-showLineExecutionCounts.lcov", "llvm-cov-showLineExecutionCounts-summary-only.lcov"]
)
def test_llvm_cov_lcov_full_and_summary_only(name, tmp_path):
    src = ARTIFACTS / name
    for path in (src, windows_copy(src, tmp_path / name)):
        facts = coverage_report.parse_coverage(path)
        assert (facts.format, facts.covered, facts.total) == ("lcov", 0, 20)
        a = coverage_report.assess_coverage([facts], 70)
        assert not a.ok and a.findings[0].observed == 0.0 and a.findings[0].note == "0/20 covered"


def test_lcov_without_lf_counts_da_lines(tmp_path):
    # The llvm-cov record without its LF:/LH: summary lines (some generators write only DA:).
    text = (ARTIFACTS / "llvm-cov-showLineExecutionCounts.lcov").read_text()
    text = "\n".join(ln for ln in text.splitlines() if not ln.startswith(("LF:", "LH:")))
    text = text.replace("DA:6,0", "DA:6,3").replace("DA:7,0", "DA:7,1")
    (tmp_path / "lcov.info").write_text(text + "\n")
    facts = coverage_report.parse_coverage(tmp_path / "lcov.info")
    assert (facts.covered, facts.total) == (2, 20) and facts.percent == 10.0


def test_cobertura_without_figures_is_error_naming_them(tmp_path):
    text = (ARTIFACTS / "gcovr-example_cobertura.xml").read_text()
    (tmp_path / "c.xml").write_text(
        text.replace('line-rate="0.8571428571428571" ', "", 1).replace(
            'lines-covered="6" lines-valid="7" ', ""
        )
    )
    with pytest.raises(ProbeError, match="neither lines-valid/lines-covered nor line-rate"):
        coverage_report.parse_coverage(tmp_path / "c.xml")
    (tmp_path / "d.xml").write_text(text.replace('lines-valid="7"', 'lines-valid="seven"'))
    with pytest.raises(ProbeError, match="unreadable line figures"):
        coverage_report.parse_coverage(tmp_path / "d.xml")


# ----------------------------------------------------------------------------------------- JUnit


def test_pytest_testsuites_root_without_counts():
    facts = junit.parse_junit(ARTIFACTS / "pytest-single-case.xml", "backend")
    assert facts.summary() == {"tests": 1, "passed": 1, "failures": 0, "errors": 0, "skipped": 0}
    assert junit.assess_passed(facts).ok


def test_jest_suites_that_failed_to_run_are_errors():
    facts = junit.parse_junit(ARTIFACTS / "jest-junit-suite-failed-to-run.xml", "frontend")
    assert (facts.tests, facts.errors) == (2, 2)
    a = junit.assess_passed(facts)
    assert not a.ok and "Test suite failed to run::libs/foo.spec.ts" in a.findings[0].note


def test_jest_suite_error_without_test_case_is_counted(tmp_path):
    # A suite error with no <testcase> (older jest-junit, reportTestSuiteErrors off), beside a
    # passing suite: the passing suite must not make the report green.
    text = (ARTIFACTS / "jest-junit-suite-failed-to-run.xml").read_text()
    start, end = text.index('<testsuite name="libs/bar.spec.ts"'), text.index("</testsuites>")
    passing = (
        '<testsuite name="libs/ok.spec.ts" errors="0" failures="0" skipped="0" tests="1">\n'
        '    <testcase classname="ok" name="works" time="0.01"/>\n  </testsuite>\n'
    )
    bare = (
        '<testsuite name="libs/bar.spec.ts" errors="1" failures="0" skipped="0" tests="0">\n  </testsuite>\n'
    )
    (tmp_path / "r.xml").write_text(text[:start] + bare + "  " + passing + text[end:])
    facts = junit.parse_junit(tmp_path / "r.xml", "frontend")
    assert facts.summary() == {"tests": 2, "passed": 0, "failures": 0, "errors": 2, "skipped": 0}
    assert "suite libs/bar.spec.ts: 1 error(s) outside any test case" in facts.failed_cases
    assert not junit.assess_passed(facts).ok


def test_jest_empty_suite_fails_and_declared_but_missing_cases_is_error(tmp_path):
    empty = junit.parse_junit(ARTIFACTS / "jest-junit-empty-testsuite.xml")
    a = junit.assess_passed(empty)
    assert not a.ok and a.findings[0].note == "the report holds no test case: nothing was proved"
    shutil.copy(ARTIFACTS / "jest-junit-empty-testsuite.xml", tmp_path / "t.xml")
    (tmp_path / "t.xml").write_text((tmp_path / "t.xml").read_text().replace('tests="0"', 'tests="12"'))
    with pytest.raises(ProbeError, match="declares 12 test"):
        junit.parse_junit(tmp_path / "t.xml")


# -------------------------------------------------------------------------------------------- k6


def k6_export(*, trend_stats: tuple[str, ...] = ("avg", "min", "med", "max", "p(90)", "p(95)"), failed=True):
    """k6's --summary-export shape; ``failed=False`` is k6 before v0.31 (no http_req_failed metric)."""
    duration = {"avg": 120.0, "min": 3.1, "med": 95.0, "max": 2400.0, "p(90)": 300.0, "p(95)": 420.0}
    metrics: dict = {
        "http_reqs": {"count": 9000, "rate": 150.0},
        "http_req_duration": {k: v for k, v in duration.items() if k in trend_stats}
        | {"thresholds": {"avg<500": False}},
        "checks": {"passes": 9000, "fails": 0, "value": 1},
    }
    if failed:
        metrics["http_req_failed"] = {"passes": 9, "fails": 8991, "value": 0.001}
    return {
        "root_group": {"name": "", "path": "", "id": "d41d8cd9", "groups": {}, "checks": {}},
        "metrics": metrics,
    }


def test_k6_without_p95_is_error_not_pass(tmp_path):
    (tmp_path / "s.json").write_text(json.dumps(k6_export(trend_stats=("avg", "min", "med", "max", "p(90)"))))
    s = k6.parse_k6_summary(tmp_path / "s.json")
    assert s.figures.p95_ms is None and s.figures.p50_ms == 95.0
    with pytest.raises(ProbeError, match=r"gives no p95_ms: k6 reports p\(95\) only when summaryTrendStats"):
        slo.assess_latency(s.figures, "p95", 500)
    assert slo.assess_latency(s.figures, "p50", 500).ok


def test_older_k6_without_http_req_failed_is_error_not_pass(tmp_path):
    (tmp_path / "s.json").write_text(json.dumps(k6_export(failed=False)))
    s = k6.parse_k6_summary(tmp_path / "s.json")
    for rule, arg in ((slo.assess_error_rate, 1.0), (slo.assess_availability, 99.0)):
        with pytest.raises(ProbeError, match=r"no metrics\.http_req_failed \(k6 before v0\.31"):
            rule(s.figures, arg)
    assert slo.assess_latency(s.figures, "p95", 500).ok
