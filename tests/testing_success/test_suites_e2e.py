"""End to end: the Testing and Success Criteria suites run by pytest on generated environments,
verdicts read from readiness.json."""

from __future__ import annotations

import json
import threading
import time

import pytest

from tests.support.artifacts import RELEASE, handle_summary, summary_export, trivy, write
from tests.support.readiness import findings, statuses
from tests.support.smoke_app import FLOWS, SmokeApp
from tests.support.technical_postgres import INIT, SETTINGS, provoke_deadlock
from tests.support.testing_success import run_suite

pytestmark = pytest.mark.xdist_group("testing-success-e2e")

TESTING_ITEMS = [
    "TEST-UNIT-FRONTEND",
    "TEST-UNIT-BACKEND",
    "TEST-UNIT-COVERAGE",
    "TEST-UNIT-NO-SKIPPED",
    "TEST-INTEGRATION-E2E",
    "TEST-INTEGRATION-API",
    "TEST-LOAD-EXECUTED",
    "TEST-LOAD-THROUGHPUT",
    "TEST-LOAD-P95",
    "TEST-SECURITY-SCAN",
    "TEST-SECURITY-NO-CRITICAL",
]


def test_testing_suite_good(tmp_path, sample_artifacts):
    good = sample_artifacts["passing"]
    items = run_suite(
        tmp_path,
        "test_testing.py",
        {
            "artifacts": {
                "junit_frontend": str(good.junit),
                "junit_backend": str(good.junit),
                "junit_api": str(good.junit),
                "junit_e2e": str(good.junit),
                "coverage": str(good.coverage_xml),
                "coverage_frontend": str(good.coverage_json),
                "k6_summary": str(write(tmp_path, "k6.json", handle_summary())),
                "vulnerability_report": str(write(tmp_path, "trivy.json", trivy([("CVE-1", "MEDIUM")]))),
                "release": RELEASE,
            },
        },
    )
    assert set(statuses(items, TESTING_ITEMS).values()) == {"pass"}, statuses(items, TESTING_ITEMS)
    assert items["TEST-LOAD-MEMORY-LEAKS"]["status"] == "unverified"
    coverage = findings(items["TEST-UNIT-COVERAGE"])
    assert {f["expected"] for f in coverage} == {"> 70 %"} and len(coverage) == 2


def test_testing_suite_bad(tmp_path, sample_artifacts):
    art = sample_artifacts
    items = run_suite(
        tmp_path,
        "test_testing.py",
        {
            "artifacts": {
                "junit_frontend": str(art["skipped"].junit),
                "junit_backend": str(art["failing"].junit),
                "junit_api": str(art["failing"].junit),
                "junit_e2e": str(tmp_path / "missing.xml"),
                "coverage": str(art["failing"].coverage_xml),
                "k6_summary": str(
                    write(tmp_path, "k6.json", summary_export(p95=2500, rate=50, threshold_failed=True))
                ),
                "vulnerability_report": str(write(tmp_path, "trivy.json", trivy([("CVE-2", "CRITICAL")]))),
                "release": RELEASE,
            },
            "thresholds": {"coverage_percent": 75},
        },
    )
    got = statuses(items, TESTING_ITEMS)
    assert got == {
        "TEST-UNIT-FRONTEND": "pass",  # the skipped variant has no failure...
        "TEST-UNIT-NO-SKIPPED": "fail",  # ...but a skipped test
        "TEST-UNIT-BACKEND": "fail",
        "TEST-UNIT-COVERAGE": "fail",
        "TEST-INTEGRATION-API": "fail",
        "TEST-INTEGRATION-E2E": "error",  # configured artifact missing: cannot decide
        "TEST-LOAD-EXECUTED": "fail",
        "TEST-LOAD-THROUGHPUT": "fail",
        "TEST-LOAD-P95": "fail",
        "TEST-SECURITY-SCAN": "pass",
        "TEST-SECURITY-NO-CRITICAL": "fail",
    }
    p95 = findings(items["TEST-LOAD-P95"])[0]
    assert (p95["observed"], p95["expected"]) == (2500, "< 2000 ms")
    assert "not found" in items["TEST-INTEGRATION-E2E"]["reason"]


def test_builtin_load_probe_feeds_load_items(tmp_path, nginx_server_factory):
    nginx = nginx_server_factory("""
server {
    listen 127.0.0.1:{http_port};
    access_log off;
    location = /ok { return 200 "ok"; }
    location = /broken { return 502; }
}
""")
    load = {"endpoints": [nginx.http_url + "/ok"], "rate": 150, "duration_s": 1.0, "max_requests": 1000}
    # -p registers the fixtures module early so that its command-line options are known
    flags = ("--readiness-load",)
    items = run_suite(tmp_path / "good", "test_testing.py", {"load": load}, *flags)
    ids = ["TEST-LOAD-EXECUTED", "TEST-LOAD-THROUGHPUT", "TEST-LOAD-P95"]
    assert statuses(items, ids) == dict.fromkeys(ids, "pass")
    assert findings(items["TEST-LOAD-THROUGHPUT"])[0]["subject"] == "load-probe throughput_rps"

    items = run_suite(
        tmp_path / "prod", "test_testing.py", {"settings": {"production": True}, "load": load}, *flags
    )
    assert items["TEST-LOAD-EXECUTED"]["status"] == "unverified"
    assert items["TEST-LOAD-EXECUTED"]["reason"].startswith("refused: load probe on production")
    assert items["TEST-LOAD-EXECUTED"]["unverified_kind"] == "refused"


SUCCESS_ITEMS = [
    "SUCCESS-PERF-P50",
    "SUCCESS-PERF-P95",
    "SUCCESS-PERF-P99",
    "SUCCESS-PERF-ERROR-RATE",
    "SUCCESS-PERF-AVAILABILITY",
    "SUCCESS-BIZ-REGISTRATION",
    "SUCCESS-BIZ-VALUE-MODEL",
    "SUCCESS-BIZ-STRATEGY",
    "SUCCESS-BIZ-BILLING",
    "SUCCESS-TECH-MEMORY",
    "SUCCESS-TECH-DB-CONNECTIONS",
    "SUCCESS-TECH-MEMORY-LEAKS",
    "SUCCESS-TECH-DEADLOCKS",
]
CPU_IRATE = '100 * (1 - avg by (instance) (irate(node_cpu_seconds_total{mode="idle"}[1m])))'


def success_env(prom_url: str, dsn: str, app_url: str) -> dict:
    return {
        "prometheus": {"url": prom_url, "queries": {"cpu_percent": CPU_IRATE}},
        "postgres": {"dsn": dsn},
        "smoke": {"base_url": app_url, "tenant": "readiness-test", "flows": FLOWS},
        # Prometheus here has seconds of data: the default 1 h of history would make the leak item error.
        "thresholds": {"deadlock_window_s": 1, "trend_min_history_s": 1},
    }


def test_success_criteria_good(tmp_path, prom_good, postgres_server_factory):
    pg = postgres_server_factory(settings=SETTINGS, init_sql=INIT)
    app = SmokeApp()
    try:
        items = run_suite(tmp_path, "test_success_criteria.py", success_env(prom_good.url, pg.dsn, app.url))
    finally:
        app.close()
    got = statuses(items, [*SUCCESS_ITEMS, "SUCCESS-TECH-CPU"])
    assert set(got.values()) == {"pass"}, got
    assert items["SUCCESS-BIZ-NO-DATA-LOSS"]["status"] != "pass"  # manual: no probe proves it


def test_memory_leak_item_errors_without_enough_history(tmp_path, prom_good):
    env = {"prometheus": {"url": prom_good.url}}
    items = run_suite(tmp_path, "test_success_criteria.py", env, "-k", "memory_leaks")
    leak = items["SUCCESS-TECH-MEMORY-LEAKS"]
    assert leak["status"] == "error", leak
    assert "not enough history:" in json.dumps(leak) and "of 60 required" in json.dumps(leak)


def test_success_criteria_bad(tmp_path, prom_bad, postgres_server_factory):
    pg = postgres_server_factory(settings=SETTINGS, init_sql=INIT, shared=False)
    app = SmokeApp(broken={"registration", "strategy", "billing"})
    stop = threading.Event()

    def deadlocks() -> None:  # keep provoking real deadlocks while the suite samples its window
        while not stop.is_set():
            provoke_deadlock(pg.dsn)
            time.sleep(0.2)

    worker = threading.Thread(target=deadlocks, daemon=True)
    worker.start()
    try:
        items = run_suite(tmp_path, "test_success_criteria.py", success_env(prom_bad.url, pg.dsn, app.url))
    finally:
        stop.set()
        worker.join(15)
        app.close()
    got = statuses(items, [*SUCCESS_ITEMS, "SUCCESS-TECH-CPU"])
    assert got == {
        **dict.fromkeys(SUCCESS_ITEMS, "fail"),
        "SUCCESS-BIZ-VALUE-MODEL": "pass",  # that flow is not broken
        "SUCCESS-TECH-DB-CONNECTIONS": "pass",  # few connections on this server
        "SUCCESS-TECH-CPU": "fail",
    }, got
    deadlock = findings(items["SUCCESS-TECH-DEADLOCKS"])[0]
    assert deadlock["observed"]["new_deadlocks"] >= 1
