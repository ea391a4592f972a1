"""End to end through pytester: every release state on a real pytest run with the plugin."""

from __future__ import annotations

import json

import pytest

from tests.support.release import REDIS_WAIVERS, SIGNOFF_ATTESTATIONS, ReleaseRun, by_id, waiver

CHECKS = """
import os, pytest
from pytest_readiness.assessment import Assessment
from pytest_readiness.errors import ProbeError

FLIP = os.environ.get("READINESS_TEST_FLIP") == "1"

@pytest.mark.checklist("ENV-REDIS-EVICTION")
def test_eviction(evidence):
    evidence.check(Assessment.single("eviction", "redis", "noeviction" if FLIP else "allkeys-lru",
                                     "allkeys-lru", not FLIP))

@pytest.mark.checklist("ENV-REDIS-MONITORING")
def test_monitoring():
    assert FLIP, "no exporter scrape job"

@pytest.mark.checklist("ENV-REDIS-MAXMEMORY")
def test_maxmemory(evidence):
    evidence.check(Assessment.single("maxmemory", "redis", 0, "> 0", False))

@pytest.mark.checklist("ENV-REDIS-PERSISTENCE")
def test_persistence():
    assert False, "appendonly no"

@pytest.mark.checklist("ENV-REDIS-PROVISIONED")
def test_provisioned():
    raise ProbeError("connection refused")

@pytest.mark.checklist("ENV-POSTGRES-BACKUPS")
def test_backups():
    pass

@pytest.mark.checklist("DEPLOY-VERIFY-NO-ALERTS")
def test_no_firing_alerts():
    pass

@pytest.mark.checklist("DEPLOY-MIGRATION-VERIFY-SCHEMA", "CODE-MIGRATIONS-STAGING")
def test_schema():
    assert False, "migration 0042 not applied"
"""

WAIVERS = REDIS_WAIVERS + waiver(
    "ENV-POSTGRES-BACKUPS", "DBA-9", "2025-06-30", "was broken last month", owner="dba@example.com"
)


@pytest.fixture
def run(release: ReleaseRun, monkeypatch: pytest.MonkeyPatch) -> ReleaseRun:
    monkeypatch.setenv("READINESS_TODAY", "2025-01-15")
    monkeypatch.delenv("READINESS_TEST_FLIP", raising=False)
    release.pytester.makepyfile(test_checks=CHECKS)
    return release


def test_waivers_and_attestations(run: ReleaseRun) -> None:
    run.write("waivers.toml", WAIVERS)  # found in the rootdir without an option
    run.write("attestations.toml", SIGNOFF_ATTESTATIONS)
    result, report = run.run()
    assert report is not None
    assert by_id(report, "ENV-REDIS-MAXMEMORY")["status"] == "waived"
    assert by_id(report, "ENV-REDIS-MAXMEMORY")["waiver"]["ticket"] == "OPS-1"
    expired = by_id(report, "ENV-REDIS-PERSISTENCE")
    assert expired["status"] == "fail" and "expired on 2025-01-14" in expired["reason"]
    assert by_id(report, "ENV-POSTGRES-BACKUPS")["status"] == "pass"
    assert by_id(report, "SIGNOFF-SECURITY")["status"] == "attested"
    assert by_id(report, "SIGNOFF-SECURITY")["attestation"]["by"] == "alice@example.com"
    product = by_id(report, "SIGNOFF-PRODUCT")
    assert product["status"] == "manual" and product["reason"].startswith("attestation expired on 2024-12-31")
    meta = report["meta"]
    assert meta["waivers"]["applied"] == ["ENV-REDIS-MAXMEMORY"]
    assert meta["waivers"]["expired"] == [
        {"id": "ENV-REDIS-PERSISTENCE", "expires": "2025-01-14", "ticket": "OPS-2"}
    ]
    assert meta["waivers"]["unused"] == ["ENV-POSTGRES-BACKUPS"]
    assert meta["attestations"]["applied"] == ["SIGNOFF-SECURITY"]
    assert meta["attestations"]["expired"] == [{"id": "SIGNOFF-PRODUCT", "expires": "2024-12-31"}]
    assert report["summary"]["waived"] == 1 and report["summary"]["attested"] == 1
    result.stdout.fnmatch_lines(
        [
            "*waiver for ENV-REDIS-PERSISTENCE expired on 2025-01-14*",
            "*unused waivers: ENV-POSTGRES-BACKUPS*",
            "*attestation for SIGNOFF-PRODUCT expired on 2024-12-31*",
        ]
    )
    # the Markdown and HTML reports are written beside readiness.json
    out = run.pytester.path / "out"
    md = (out / "checklist.md").read_text()
    assert "**WAIVED** (OPS-1, ops@example.com, until 2025-02-01)" in md
    assert "- [x] Security Team — attested by alice@example.com on 2025-01-10" in md
    assert "Unused waivers (items not failing): ENV-POSTGRES-BACKUPS" in md
    assert "NO-GO" in (out / "readiness.html").read_text()


def test_waiver_scoped_to_another_environment_is_ignored(run: ReleaseRun) -> None:
    run.write(
        "w.toml", WAIVERS.replace("expires = 2025-02-01", 'expires = 2025-02-01\nenvironments = ["staging"]')
    )
    _, report = run.run("--waivers", "w.toml")
    assert report is not None
    assert by_id(report, "ENV-REDIS-MAXMEMORY")["status"] == "fail"
    assert "ENV-REDIS-MAXMEMORY" not in report["meta"]["waivers"]["unused"]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "waivers.toml",
            WAIVERS.replace("ENV-REDIS-MAXMEMORY", "ENV-REDIS-MAXMEM"),
            "/waivers.toml: waiver[0].id: unknown checklist ID 'ENV-REDIS-MAXMEM' "
            "(closest known: ENV-REDIS-MAXMEMORY",
        ),
        ("waivers.toml", "[[waiver]\n", "/waivers.toml: malformed TOML"),
        (
            "attestations.toml",
            SIGNOFF_ATTESTATIONS.replace("SIGNOFF-SECURITY", "ENV-REDIS-EVICTION"),
            "/attestations.toml: attestation[0] (ENV-REDIS-EVICTION).id: ENV-REDIS-EVICTION is automated",
        ),
    ],
)
def test_bad_files_stop_before_any_probe(run: ReleaseRun, name: str, text: str, message: str) -> None:
    run.write(name, text)
    run.pytester.makeconftest(
        "import pathlib\ndef pytest_runtest_setup(item):\n    pathlib.Path('probed').write_text('yes')\n"
    )
    result, report = run.run()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "ERROR: readiness configuration error: " in result.stderr.str()
    assert message in result.stderr.str()
    assert report is None and not (run.pytester.path / "probed").exists()


def test_drift_against_a_baseline_file(run: ReleaseRun, monkeypatch: pytest.MonkeyPatch) -> None:
    _, first = run.run()
    assert first is not None
    # the baseline comes from an older catalog: one item it did not have, one it had and we dropped
    first["items"] = [i for i in first["items"] if i["id"] != "SUCCESS-PERF-P50"]
    first["items"].append(dict(by_id(first, "ENV-REDIS-EVICTION"), id="ENV-REDIS-CLUSTER-MODE", parent=""))
    run.write("baseline.json", json.dumps(first))
    monkeypatch.setenv("READINESS_TEST_FLIP", "1")
    result, second = run.run("--baseline", "baseline.json", "--fail-on-drift")
    assert second is not None
    drift = second["meta"]["drift"]
    assert drift["baseline"].startswith("baseline.json (")
    assert drift["regressions"] == ["ENV-REDIS-EVICTION"]
    assert drift["fixed"] == ["ENV-REDIS-MONITORING"]
    assert set(drift["still_failing"]) >= {
        "ENV-REDIS-MAXMEMORY",
        "ENV-REDIS-PERSISTENCE",
        "ENV-REDIS-PROVISIONED",
    }
    assert drift["new"] == ["SUCCESS-PERF-P50"]
    assert drift["removed"] == ["ENV-REDIS-CLUSTER-MODE"]
    assert result.ret == 1  # a regression
    result.stdout.fnmatch_lines(["*1 regressed, 1 fixed*", "*regressions: ENV-REDIS-EVICTION*"])
    html_text = (run.pytester.path / "out" / "readiness.html").read_text()
    assert "Regressions (was passing, now failing)" in html_text
    # the same failures again: still failing only, so --fail-on-drift exits 0 although not ready
    run.write("baseline.json", json.dumps(second))
    result, third = run.run("--baseline", "baseline.json", "--fail-on-drift")
    assert third is not None and third["ready"] is False
    assert third["meta"]["drift"]["regressions"] == [] and result.ret == 0
    # without --fail-on-drift the readiness verdict decides
    result, _ = run.run("--baseline", "baseline.json")
    assert result.ret == 1


def test_drift_from_the_cache_of_the_last_run(run: ReleaseRun, monkeypatch: pytest.MonkeyPatch) -> None:
    result, first = run.run(cache=True)
    assert first is not None and "drift" not in first["meta"]
    # first run without a baseline: --fail-on-drift keeps the readiness verdict
    monkeypatch.setenv("READINESS_TEST_FLIP", "1")
    result, second = run.run("--fail-on-drift", cache=True)
    assert second is not None
    assert second["meta"]["drift"]["baseline"].startswith("last run of prod (")
    assert second["meta"]["drift"]["regressions"] == ["ENV-REDIS-EVICTION"]
    assert second["meta"]["drift"]["fixed"] == ["ENV-REDIS-MONITORING"]
    assert result.ret == 1
    cached = run.pytester.path / ".pytest_cache" / "v" / "readiness" / "last" / "prod"
    stored = json.loads(cached.read_text())
    assert stored["statuses"]["ENV-REDIS-EVICTION"] == "fail" and "ENV-REDIS" not in stored["statuses"]
    assert cached.stat().st_size < 20_000


def test_phase_selection(run: ReleaseRun) -> None:
    result, report = run.run("--readiness-phase", "verification", "-v")
    assert report is not None
    result.assert_outcomes(passed=1, deselected=7)
    ids = [i["id"] for i in report["items"]]
    assert ids == [
        "DEPLOY-VERIFY-SMOKE",
        "DEPLOY-VERIFY-DASHBOARDS",
        "DEPLOY-VERIFY-NO-ALERTS",
        "DEPLOY-VERIFY-USER-FLOWS",
    ]
    assert by_id(report, "DEPLOY-VERIFY-NO-ALERTS")["status"] == "pass"
    assert report["meta"]["phase"] == "verification"
    # the migration gate: its step fails, and the other item its check proves comes along
    result, report = run.run("--readiness-phase", "migration")
    assert report is not None
    result.assert_outcomes(failed=1, deselected=7)
    assert by_id(report, "DEPLOY-MIGRATION-VERIFY-SCHEMA")["status"] == "fail"
    assert by_id(report, "CODE-MIGRATIONS-STAGING")["status"] == "fail"
    assert len(report["items"]) == 5 and result.ret == 1
    assert (
        "### Phase 2: Database Migration (30 minutes)"
        in (run.pytester.path / "out" / "checklist.md").read_text()
    )


def test_unknown_phase_is_a_usage_error(run: ReleaseRun) -> None:
    result, _ = run.run("--readiness-phase", "launch")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*--readiness-phase: unknown phase 'launch' (the catalog has: deployment, *"]
    )


def test_phase_under_xdist_gives_the_same_verdicts(run: ReleaseRun) -> None:
    _, serial = run.run("--readiness-phase", "migration")
    _result, parallel = run.run("--readiness-phase", "migration", "-n", "2")
    assert serial is not None and parallel is not None
    assert [(i["id"], i["status"]) for i in serial["items"]] == [
        (i["id"], i["status"]) for i in parallel["items"]
    ]


def test_pytest_html_gets_a_summary_and_a_checklist_column(run: ReleaseRun) -> None:
    _result, report = run.run("--html", "out/tests.html")
    assert report is not None
    page = (run.pytester.path / "out" / "tests.html").read_text()
    assert "Checklist" in page and "col-checklist" in page
    assert "ENV-REDIS-EVICTION" in page and "DEPLOY-MIGRATION-VERIFY-SCHEMA, CODE-MIGRATIONS-STAGING" in page
    assert "Readiness NO-GO" in page and "readiness-summary" in page
