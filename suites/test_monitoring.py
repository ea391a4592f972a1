"""Monitoring & Observability: metrics, dashboards, alerting, logging, tracing."""

from __future__ import annotations

import pytest

from pytest_readiness import outcomes
from pytest_readiness.lazy import probes

alert_rules, alertmanager, grafana, logging_backend, prometheus, tracing = probes(
    "observability.alert_rules",
    "observability.alertmanager",
    "observability.grafana",
    "observability.logging_backend",
    "observability.prometheus",
    "observability.tracing",
)

# ---------------------------------------------------------------------------------------- metrics


@pytest.mark.checklist("MON-METRICS-PROMETHEUS")
def test_prometheus_ready(prometheus_runtime, evidence):
    evidence.check(prometheus.assess_server(prometheus_runtime["ready"], prometheus_runtime["runtimeinfo"]))


@pytest.mark.checklist("MON-METRICS-TARGETS")
def test_every_service_scraped(prometheus_targets, prometheus_expected_workloads, readiness_env, evidence):
    jobs = readiness_env.get("prometheus", "jobs")
    evidence.check(prometheus.assess_targets(prometheus_targets, jobs, prometheus_expected_workloads))


@pytest.mark.checklist("MON-METRICS-BUSINESS")
def test_business_metrics_have_series(prometheus_api, readiness_env, evidence):
    names = readiness_env.get("prometheus", "business_metrics") or outcomes.not_configured(
        "not configured: [prometheus] business_metrics", "[prometheus] business_metrics"
    )
    series = {n: prometheus_api.count_series(n) for n in names}
    evidence.check(prometheus.assess_business_metrics(series))


@pytest.mark.checklist("MON-METRICS-RETENTION")
def test_metrics_retention(prometheus_runtime, readiness_env, evidence):
    days = readiness_env.get("prometheus", "min_retention_days")
    evidence.check(prometheus.assess_retention(prometheus_runtime["runtimeinfo"], float(days)))


# ---------------------------------------------------------------------------------------- dashboards


@pytest.mark.checklist("MON-DASHBOARDS-GRAFANA")
def test_grafana_healthy(grafana_health, evidence):
    evidence.check(grafana.assess_health(grafana_health))


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        pytest.param("service_dashboards", "service", marks=pytest.mark.checklist("MON-DASHBOARDS-SERVICE")),
        pytest.param(
            "business_dashboards", "business", marks=pytest.mark.checklist("MON-DASHBOARDS-BUSINESS")
        ),
        pytest.param("sla_dashboards", "SLA", marks=pytest.mark.checklist("MON-DASHBOARDS-SLA")),
    ],
)
def test_dashboards_exist(key, kind, grafana_dashboards, readiness_env, evidence):
    wanted = readiness_env.get("grafana", key) or outcomes.not_configured(
        f"not configured: [grafana] {key}", f"[grafana] {key}"
    )
    evidence.check(grafana.assess_dashboards(grafana_dashboards, wanted, kind))


# ---------------------------------------------------------------------------------------- alerting


@pytest.mark.checklist("MON-ALERTING-RULES")
def test_alert_rules_healthy(prometheus_alert_rules, readiness_env, evidence):
    pages = readiness_env.get("prometheus", "page_severities")
    min_for = float(readiness_env.threshold("alert_page_min_for_s"))
    evidence.check(
        alert_rules.assess_rules(prometheus_alert_rules, page_severities=pages, min_page_for_s=min_for)
    )


@pytest.mark.checklist("DEPLOY-VERIFY-NO-ALERTS")
def test_no_critical_alerts_firing(prometheus_api, readiness_env, evidence):
    pages = readiness_env.get("prometheus", "page_severities")
    alerts = alert_rules.parse_alerts(prometheus_api.get("/api/v1/alerts"))
    evidence.check(alert_rules.assess_no_firing(alerts, pages))


@pytest.mark.checklist("MON-ALERTING-RUNBOOKS")
def test_alerts_link_runbooks(prometheus_alert_rules, evidence):
    evidence.check(alert_rules.assess_runbooks(prometheus_alert_rules))


@pytest.mark.checklist("MON-ALERTING-ROUTING")
def test_alert_routing(alertmanager_config, readiness_env, evidence):
    severities = readiness_env.get("alertmanager", "severities")
    evidence.check(alertmanager.assess_routing(alertmanager_config, severities))


@pytest.mark.checklist("MON-ALERTING-PAGERDUTY")
def test_pagerduty_receiver(alertmanager_receiver_config, evidence):
    evidence.check(alertmanager.assess_integration(alertmanager_receiver_config, "pagerduty"))


@pytest.mark.checklist("MON-ALERTING-SLACK")
def test_slack_receiver(alertmanager_receiver_config, evidence):
    evidence.check(alertmanager.assess_integration(alertmanager_receiver_config, "slack"))


# ---------------------------------------------------------------------------------------- logging


@pytest.mark.checklist("MON-LOGGING-CENTRALIZED")
def test_logging_backend_ready(logging_status, evidence):
    evidence.check(logging_backend.assess_reachable(logging_status))


@pytest.mark.checklist("MON-LOGGING-AGGREGATION")
def test_logs_from_every_service(logging_recent_lines, logging_lookback_s, evidence):
    counts = {service: len(lines) for service, lines in logging_recent_lines.items()}
    evidence.check(logging_backend.assess_aggregation(counts, logging_lookback_s))


@pytest.mark.checklist("MON-LOGGING-RETENTION")
def test_log_retention(logging_retention, readiness_env, evidence):
    days = readiness_env.get("logging", "min_retention_days")
    evidence.check(logging_backend.assess_retention(logging_retention, float(days)))


@pytest.mark.checklist("MON-LOGGING-REDACTION")
def test_logs_redacted(logging_recent_lines, evidence):
    sample = [line for lines in logging_recent_lines.values() for line in lines]
    evidence.check(logging_backend.assess_redaction(sample))


# ---------------------------------------------------------------------------------------- tracing


@pytest.mark.checklist("MON-TRACING-BACKEND")
def test_tracing_backend_up(tracing_services, tracing_backend, evidence):
    evidence.check(tracing.assess_backend(tracing_services, tracing_backend.kind))


@pytest.mark.checklist("MON-TRACING-ENABLED")
def test_services_report_traces(tracing_services, readiness_env, evidence):
    expected = readiness_env.get("tracing", "services") or outcomes.not_configured(
        "not configured: [tracing] services", "[tracing] services"
    )
    evidence.check(tracing.assess_services(tracing_services, expected))


@pytest.mark.checklist("MON-TRACING-CRITICAL-PATHS")
def test_critical_paths_traced(tracing_operations, readiness_env, evidence):
    evidence.check(tracing.assess_operations(tracing_operations, readiness_env.get("tracing", "operations")))
