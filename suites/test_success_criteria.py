"""Success Criteria: performance (Prometheus or load evidence), business flows, technical metrics.

SUCCESS-BIZ-NO-DATA-LOSS is manual: no probe can prove the absence of data loss.
"""

import pytest

from pytest_readiness.lazy import probes

slo, smoke, technical_metrics = probes("performance.slo", "web.smoke", "performance.technical_metrics")

pytestmark = pytest.mark.xdist_group("load")  # perf figures may come from the session's load run

#: The smoke flows are also the deployment's verification steps (``--readiness-phase verification``).
FLOW_STEPS = ("DEPLOY-VERIFY-SMOKE", "DEPLOY-VERIFY-USER-FLOWS")


@pytest.mark.checklist("SUCCESS-PERF-P50")
def test_p50(perf_figures, readiness_env, evidence):
    evidence.check(slo.assess_latency(perf_figures, "p50", float(readiness_env.threshold("p50_ms"))))


@pytest.mark.checklist("SUCCESS-PERF-P95")
def test_p95(perf_figures, readiness_env, evidence):
    evidence.check(slo.assess_latency(perf_figures, "p95", float(readiness_env.threshold("p95_ms"))))


@pytest.mark.checklist("SUCCESS-PERF-P99")
def test_p99(perf_figures, readiness_env, evidence):
    evidence.check(slo.assess_latency(perf_figures, "p99", float(readiness_env.threshold("p99_ms"))))


@pytest.mark.checklist("SUCCESS-PERF-ERROR-RATE", "DEPLOY-POST-ERROR-RATES")
def test_error_rate(perf_figures, readiness_env, evidence):
    evidence.check(slo.assess_error_rate(perf_figures, float(readiness_env.threshold("error_rate_percent"))))


@pytest.mark.checklist("SUCCESS-PERF-AVAILABILITY")
def test_availability(perf_figures, readiness_env, evidence):
    evidence.check(
        slo.assess_availability(perf_figures, float(readiness_env.threshold("availability_percent")))
    )


@pytest.mark.parametrize(
    "item",
    [
        pytest.param(
            "SUCCESS-BIZ-REGISTRATION", marks=pytest.mark.checklist("SUCCESS-BIZ-REGISTRATION", *FLOW_STEPS)
        ),
        pytest.param(
            "SUCCESS-BIZ-VALUE-MODEL", marks=pytest.mark.checklist("SUCCESS-BIZ-VALUE-MODEL", *FLOW_STEPS)
        ),
        pytest.param(
            "SUCCESS-BIZ-STRATEGY", marks=pytest.mark.checklist("SUCCESS-BIZ-STRATEGY", *FLOW_STEPS)
        ),
        pytest.param("SUCCESS-BIZ-BILLING", marks=pytest.mark.checklist("SUCCESS-BIZ-BILLING", *FLOW_STEPS)),
    ],
)
def test_business_flow(item, smoke_results, evidence):
    evidence.check(smoke.assess_flows(smoke_results(item), f"{item} smoke flows pass"))


@pytest.mark.checklist("SUCCESS-TECH-CPU")
def test_cpu_usage(prom_criterion, readiness_env, evidence):
    promql, series = prom_criterion("cpu_percent")
    evidence.check(
        technical_metrics.assess_usage("CPU", promql, series, float(readiness_env.threshold("cpu_percent")))
    )


@pytest.mark.checklist("SUCCESS-TECH-MEMORY")
def test_memory_usage(prom_criterion, readiness_env, evidence):
    promql, series = prom_criterion("memory_percent")
    limit = float(readiness_env.threshold("memory_percent"))
    evidence.check(technical_metrics.assess_usage("memory", promql, series, limit))


@pytest.mark.checklist("SUCCESS-TECH-DB-CONNECTIONS")
def test_database_connections(db_connections, readiness_env, evidence):
    limit = float(readiness_env.threshold("db_connections_percent"))
    evidence.check(technical_metrics.assess_db_connections(db_connections, limit))


@pytest.mark.checklist("SUCCESS-TECH-MEMORY-LEAKS")
def test_no_memory_leaks(prom_criterion, prom_trend_history, readiness_env, evidence):
    promql, series = prom_criterion("memory_growth_percent_per_h")
    history = prom_trend_history("memory_growth_percent_per_h", promql)
    limit = float(readiness_env.threshold("memory_growth_percent_per_h"))
    min_history = float(readiness_env.threshold("trend_min_history_s"))
    evidence.check(technical_metrics.assess_memory_growth(promql, series, limit, history, min_history))


@pytest.mark.checklist("SUCCESS-TECH-DEADLOCKS")
def test_no_deadlocks(deadlock_samples, evidence):
    evidence.check(technical_metrics.assess_deadlocks(deadlock_samples))
