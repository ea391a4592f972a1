"""Pre-Deployment Checklist / Testing: CI test evidence, load testing, security scans.

Evidence comes from the application's CI artifacts (``[artifacts]``), or for load testing from the
built-in load probe (``--readiness-load``).  TEST-SECURITY-PENTEST and TEST-SECURITY-OWASP are
attestations (evidence links), handled by the plugin's attestation file.
"""

import pytest

from pytest_readiness import outcomes
from pytest_readiness.lazy import probes
from pytest_readiness.probes.performance.slo import NoDataError

coverage_report, junit, pgbouncer, slo, technical_metrics, vulnerability_report = probes(
    "artifacts.coverage_report",
    "artifacts.junit",
    "data.pgbouncer",
    "performance.slo",
    "performance.technical_metrics",
    "artifacts.vulnerability_report",
)


@pytest.mark.checklist("TEST-UNIT-FRONTEND")
def test_frontend_unit_tests_pass(junit_artifact, evidence):
    evidence.check(junit.assess_passed(junit_artifact("junit_frontend")))


@pytest.mark.checklist("TEST-UNIT-BACKEND")
def test_backend_unit_tests_pass(junit_artifact, evidence):
    evidence.check(junit.assess_passed(junit_artifact("junit_backend")))


@pytest.mark.checklist("TEST-UNIT-COVERAGE")
def test_code_coverage_above_threshold(coverage_reports, readiness_env, evidence):
    minimum = float(readiness_env.threshold("coverage_percent"))
    evidence.check(coverage_report.assess_coverage(coverage_reports, minimum))


@pytest.mark.checklist("TEST-UNIT-NO-SKIPPED")
def test_no_skipped_unit_tests(unit_junit_reports, evidence):
    evidence.check(junit.assess_no_skipped(unit_junit_reports))


@pytest.mark.checklist("TEST-INTEGRATION-E2E")
def test_end_to_end_suite_passes(junit_artifact, evidence):
    evidence.check(junit.assess_passed(junit_artifact("junit_e2e")))


@pytest.mark.checklist("TEST-INTEGRATION-API")
def test_api_integration_suite_passes(junit_artifact, evidence):
    evidence.check(junit.assess_passed(junit_artifact("junit_api")))


@pytest.mark.xdist_group("load")
@pytest.mark.checklist("TEST-LOAD-EXECUTED")
def test_load_test_executed(load_evidence, evidence):
    evidence.check(load_evidence.executed)


@pytest.mark.xdist_group("load")
@pytest.mark.checklist("TEST-LOAD-THROUGHPUT")
def test_load_throughput(load_evidence, readiness_env, evidence):
    evidence.check(
        slo.assess_throughput(load_evidence.figures, float(readiness_env.threshold("throughput_rps")))
    )


@pytest.mark.xdist_group("load")
@pytest.mark.checklist("TEST-LOAD-P95")
def test_load_p95(load_evidence, readiness_env, evidence):
    evidence.check(slo.assess_latency(load_evidence.figures, "p95", float(readiness_env.threshold("p95_ms"))))


@pytest.mark.checklist("TEST-LOAD-MEMORY-LEAKS")
def test_no_memory_leak_after_load(prom_criterion, prom_trend_history, readiness_env, evidence):
    promql, series = prom_criterion("memory_growth_percent_per_h")
    history = prom_trend_history("memory_growth_percent_per_h", promql)
    limit = float(readiness_env.threshold("memory_growth_percent_per_h"))
    min_history = float(readiness_env.threshold("trend_min_history_s"))
    evidence.check(technical_metrics.assess_memory_growth(promql, series, limit, history, min_history))


@pytest.mark.checklist("TEST-LOAD-DB-POOL")
def test_database_pool_adequate(db_connections, readiness_env, evidence):
    limit = float(readiness_env.threshold("db_connections_percent"))
    evidence.check(technical_metrics.assess_db_connections(db_connections, limit))


@pytest.mark.checklist("TEST-LOAD-DB-POOL")
def test_pgbouncer_clients_never_waited(readiness_env, request, evidence):
    if not readiness_env.get("pgbouncer", "dsn"):
        outcomes.not_configured(
            "not configured: [pgbouncer] dsn (no connection pooler to judge)", "[pgbouncer] dsn"
        )
    if readiness_env.get("prometheus", "url"):
        try:
            series = request.getfixturevalue("prom_criterion")("db_pool_waiting")
        except NoDataError:
            pass  # no exporter history: fall back to the admin console below
        else:
            evidence.check(technical_metrics.assess_pool_waiting(*series))
            return
    # no exporter history: the admin console's view right now
    evidence.check(pgbouncer.assess_no_waiting(request.getfixturevalue("pgbouncer_facts")))


@pytest.mark.checklist("TEST-SECURITY-SCAN")
def test_vulnerability_scan_completed(vulnerability_scans, evidence):
    evidence.check(vulnerability_report.assess_scanned(vulnerability_scans))


@pytest.mark.checklist("TEST-SECURITY-NO-CRITICAL")
def test_no_critical_vulnerabilities(vulnerability_scans, readiness_env, evidence):
    severity = str(readiness_env.threshold("vulnerability_severity"))
    evidence.check(vulnerability_report.assess_no_severe(vulnerability_scans, severity))
