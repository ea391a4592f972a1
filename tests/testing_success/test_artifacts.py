"""JUnit, coverage, k6 and Trivy/Snyk artifacts: real reports produced here, both ways."""

from __future__ import annotations

import pytest

from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.artifacts import coverage_report, junit, vulnerability_report
from pytest_readiness.probes.performance import k6, slo
from tests.support.artifacts import RELEASE, handle_summary, summary_export, trivy, write

# ------------------------------------------------------------------------------------------ JUnit


def test_junit_passing_report_passes(sample_artifacts):
    facts = junit.parse_junit(sample_artifacts["passing"].junit, "backend")
    assert facts.summary() == {"tests": 5, "passed": 5, "failures": 0, "errors": 0, "skipped": 0}
    a = junit.assess_passed(facts)
    assert a.ok and a.findings[0].expected == {"tests": "> 0", "failures": 0, "errors": 0}


def test_junit_failing_report_fails_naming_the_test(sample_artifacts):
    a = junit.assess_passed(junit.parse_junit(sample_artifacts["failing"].junit, "backend"))
    assert not a.ok
    assert a.findings[0].observed["failures"] == 1
    assert "test_add_wrong" in a.findings[0].note


def test_junit_skipped_report_passes_but_fails_no_skipped(sample_artifacts):
    facts = junit.parse_junit(sample_artifacts["skipped"].junit, "backend")
    assert junit.assess_passed(facts).ok
    a = junit.assess_no_skipped([facts])
    assert not a.ok and a.findings[0].observed == {"tests": 2, "skipped": 1}
    assert "test_sub" in a.findings[0].note
    assert junit.assess_no_skipped([junit.parse_junit(sample_artifacts["passing"].junit)]).ok


def test_junit_folder_of_shards_and_single_testsuite_root(tmp_path):
    (tmp_path / "a.xml").write_text(
        '<testsuite name="jest"><testcase classname="App" name="renders"/></testsuite>'
    )
    (tmp_path / "b.xml").write_text(
        '<testsuites><testsuite><testcase name="x"><error message="boom"/></testcase>'
        "</testsuite></testsuites>"
    )
    facts = junit.parse_junit(tmp_path, "frontend")
    assert (facts.files, facts.tests, facts.errors) == (2, 2, 1)
    assert not junit.assess_passed(facts).ok


def test_junit_empty_report_is_not_green(tmp_path):
    (tmp_path / "r.xml").write_text('<testsuites tests="0"></testsuites>')
    a = junit.assess_passed(junit.parse_junit(tmp_path / "r.xml"))
    assert not a.ok and "no test case" in a.findings[0].note


@pytest.mark.parametrize("content", ["<not-junit/>", "<testsuite><testcase", ""])
def test_junit_broken_or_missing_report_is_probe_error(tmp_path, content):
    path = tmp_path / "r.xml"
    path.write_text(content)
    with pytest.raises(ProbeError):
        junit.parse_junit(path)
    with pytest.raises(ProbeError, match="not found"):
        junit.parse_junit(tmp_path / "missing.xml")


def test_junit_huge_report_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(junit, "MAX_BYTES", 10)
    (tmp_path / "r.xml").write_text("<testsuite>" + " " * 20 + "</testsuite>")
    with pytest.raises(ProbeError, match="limit"):
        junit.parse_junit(tmp_path / "r.xml")


@pytest.mark.parametrize(
    ("module", "parse", "text"),
    [
        (coverage_report, coverage_report.parse_coverage, '<coverage line-rate="1"/>'),
        (vulnerability_report, vulnerability_report.parse_reports, '{"Results": []}'),
    ],
)
def test_every_report_kind_refuses_a_huge_file(tmp_path, monkeypatch, module, parse, text):
    report = tmp_path / "report"
    report.write_text(text)
    parse(report)  # within the limit: read
    monkeypatch.setattr(module, "MAX_BYTES", 10)
    with pytest.raises(ProbeError, match=r"report .* is \d+ bytes, above the 10 bytes limit"):
        parse(report)


# --------------------------------------------------------------------------------------- coverage


def test_coverage_py_reports_both_formats_agree(sample_artifacts):
    good = sample_artifacts["passing"]
    xml, js = (
        coverage_report.parse_coverage(good.coverage_xml),
        coverage_report.parse_coverage(good.coverage_json),
    )
    assert (xml.format, js.format) == ("cobertura", "coverage.py-json")
    assert xml.percent == pytest.approx(100.0) and js.percent == pytest.approx(100.0)
    assert coverage_report.assess_coverage([xml, js], 70).ok


def test_low_coverage_fails_with_observed_percent(sample_artifacts):
    bad = coverage_report.parse_coverage(sample_artifacts["failing"].coverage_json)
    a = coverage_report.assess_coverage([bad], 70)
    assert not a.ok
    assert a.findings[0].observed < 70 and a.findings[0].expected == "> 70 %"


def test_lcov_info(tmp_path):
    # documented lcov tracefile records: SF, DA, LF (lines found), LH (lines hit), end_of_record
    (tmp_path / "lcov.info").write_text(
        "TN:\nSF:src/a.ts\nDA:1,1\nDA:2,0\nLF:2\nLH:1\nend_of_record\n"
        "SF:src/b.ts\nDA:1,1\nDA:2,1\nLF:8\nLH:8\nend_of_record\n"
    )
    facts = coverage_report.parse_coverage(tmp_path / "lcov.info")
    assert (facts.format, facts.covered, facts.total) == ("lcov", 9, 10)
    assert coverage_report.assess_coverage([facts], 70).ok
    assert not coverage_report.assess_coverage([facts], 95).ok


def test_coverage_unknown_format_and_empty_report(tmp_path):
    (tmp_path / "x.txt").write_text("hello")
    with pytest.raises(ProbeError, match="unrecognised"):
        coverage_report.parse_coverage(tmp_path / "x.txt")
    (tmp_path / "empty.info").write_text("SF:a\nLF:0\nLH:0\nend_of_record\n")
    assert not coverage_report.assess_coverage(
        [coverage_report.parse_coverage(tmp_path / "empty.info")], 70
    ).ok
    assert not coverage_report.assess_coverage([], 70).ok


# -------------------------------------------------------------------------------------------- k6









def test_k6_summary_export_good(tmp_path):
    s = k6.parse_k6_summary(write(tmp_path, "s.json", summary_export()), RELEASE)
    assert s.shape == "summary-export" and s.release_found_in.startswith("metrics.http_reqs{release:")
    assert k6.assess_executed(s, RELEASE).ok
    assert s.thresholds == {
        "http_req_duration: p(95)<2000": True,
        "http_req_failed: rate<0.01": True,
        f"http_reqs{{release:{RELEASE}}}: count>0": True,
    }
    assert slo.assess_throughput(s.figures, 100).ok and slo.assess_latency(s.figures, "p95", 2000).ok
    assert s.figures.p50_ms == 95.0 and s.figures.error_rate_percent == pytest.approx(0.1)
    with pytest.raises(ProbeError, match="p99"):  # default summaryTrendStats has no p(99)
        slo.assess_latency(s.figures, "p99", 5000)


def test_k6_summary_export_bad(tmp_path):
    s = k6.parse_k6_summary(
        write(
            tmp_path, "s.json", summary_export(p95=2600, rate=40, threshold_failed=True, release_metric=False)
        ),
        RELEASE,
    )
    executed = k6.assess_executed(s, RELEASE)
    assert not executed.ok
    failed = {f.subject: f.observed for f in executed.failures}
    assert failed[f"k6 {s.path} release"] == "not recorded"
    assert failed["k6 threshold http_req_duration: p(95)<2000"] == "failed"
    assert not slo.assess_throughput(s.figures, 100).ok
    p95 = slo.assess_latency(s.figures, "p95", 2000)
    assert not p95.ok and p95.findings[0].observed == 2600


def test_k6_handle_summary_shape(tmp_path):
    good = k6.parse_k6_summary(write(tmp_path, "g.json", handle_summary()), RELEASE)
    assert good.shape == "handleSummary" and good.release_found_in == "setup_data"
    assert k6.assess_executed(good, RELEASE).ok and good.duration_s == pytest.approx(60.0005)
    assert slo.assess_latency(good.figures, "p99", 5000).ok
    bad = k6.parse_k6_summary(
        write(tmp_path, "b.json", handle_summary(ok=False, with_release=False)), RELEASE
    )
    assert not k6.assess_executed(bad, RELEASE).ok
    # another release recorded: not this release
    assert not k6.assess_executed(
        k6.parse_k6_summary(write(tmp_path, "o.json", handle_summary()), "v9"), "v9"
    ).ok


def test_k6_no_thresholds_or_no_release_configured_fails(tmp_path):
    data = summary_export()
    for metric in data["metrics"].values():
        metric.pop("thresholds", None)
    s = k6.parse_k6_summary(write(tmp_path, "s.json", data), "")
    notes = " ".join(f.note for f in k6.assess_executed(s, "").failures)
    assert "without thresholds" in notes and "release" in notes


def test_k6_not_a_summary(tmp_path):
    with pytest.raises(ProbeError, match="http_reqs"):
        k6.parse_k6_summary(write(tmp_path, "x.json", {"metrics": {}}))
    (tmp_path / "y.json").write_text("{")
    with pytest.raises(ProbeError, match="not JSON"):
        k6.parse_k6_summary(tmp_path / "y.json")


# ------------------------------------------------------------------------------------ Trivy/Snyk




def test_trivy_clean_and_critical(tmp_path):
    clean = vulnerability_report.parse_reports(write(tmp_path, "clean.json", trivy([("CVE-2024-1", "HIGH")])))
    assert vulnerability_report.assess_scanned(clean).ok
    assert vulnerability_report.assess_no_severe(clean, "CRITICAL").ok
    assert not vulnerability_report.assess_no_severe(clean, "HIGH").ok  # configurable severity floor
    bad = vulnerability_report.parse_reports(
        write(tmp_path, "bad.json", trivy([("CVE-2024-2", "CRITICAL"), ("CVE-2024-3", "LOW")]))
    )
    a = vulnerability_report.assess_no_severe(bad, "critical")
    assert not a.ok
    assert [(f.subject, f.observed) for f in a.failures][1] == (
        f"registry/app:{RELEASE} (debian 12.5) openssl 3.0.11-1",
        "CVE-2024-2 CRITICAL",
    )


def test_snyk_and_folder(tmp_path):
    (tmp_path / "scans").mkdir()
    write(
        tmp_path / "scans",
        "snyk.json",
        {
            "ok": False,
            "projectName": "web",
            "displayTargetFile": "package-lock.json",
            "dependencyCount": 300,
            "vulnerabilities": [
                {
                    "id": "SNYK-JS-1",
                    "severity": "critical",
                    "packageName": "lodash",
                    "version": "4.17.15",
                    "fixedIn": ["4.17.21"],
                }
            ],
        },
    )
    write(tmp_path / "scans", "trivy.json", trivy([]))
    reports = vulnerability_report.parse_reports(tmp_path / "scans")
    assert {r.scanner for r in reports} == {"snyk", "trivy"}
    assert not vulnerability_report.assess_no_severe(reports, "CRITICAL").ok
    with pytest.raises(ProbeError):
        vulnerability_report.parse_reports(write(tmp_path, "x.json", {"hello": 1}))
    with pytest.raises(ProbeError, match="severity"):
        vulnerability_report.assess_no_severe(reports, "SEVERE")
