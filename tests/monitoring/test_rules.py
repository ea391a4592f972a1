"""Unit tests of the monitoring and rollback rules (no server)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.observability import (
    alert_rules,
    alertmanager,
    grafana,
    logging_backend,
    prometheus,
    rollback,
    tracing,
)
from pytest_readiness.probes.observability.alert_rules import AlertRule
from tests.support.monitoring import PROM_REALWORLD

TOT = "sum(rate(http_requests_total[5m]))"
ERR = 'sum(rate(http_requests_total{code=~"5.."}[5m]))'
_HQ = "histogram_quantile({q}, sum by (le) (rate(http_request_duration_{u}_bucket[5m])))"
HQ_095_se, HQ_099_se, HQ_05_se = (_HQ.format(q=q, u="seconds") for q in ("0.95", "0.99", "0.5"))
HQ_095_mi = _HQ.format(q="0.95", u="milliseconds")
PG_RULES = PROM_REALWORLD / "awesome-prometheus-alerts-postgresql-postgres-exporter.yml"


def rule(
    name: str, query: str, severity: str = "critical", for_s: float = 300, **annotations: str
) -> AlertRule:
    return AlertRule(
        name, "g", "f.yml", query, for_s, {"severity": severity} if severity else {}, annotations
    )


# ---------------------------------------------------------------------------------------- prometheus


@pytest.mark.parametrize(
    ("raw", "days"),
    [("15d", 15), ("30d or 50GiB", 30), ("512MiB", None), ("2w", 14), ("", None), ("1y", 365)],
)
def test_retention_days(raw: str, days: float | None) -> None:
    assert prometheus.retention_days(raw) == days


def test_retention_rule_both_ways() -> None:
    assert prometheus.assess_retention({"storageRetention": "30d"}, 15).ok
    bad = prometheus.assess_retention({"storageRetention": "7d"}, 15)
    assert not bad.ok and bad.findings[0].observed == "7d" and bad.findings[0].expected == ">= 15d"
    assert not prometheus.assess_retention({"storageRetention": "10GiB"}, 15).ok


def test_targets_rule_jobs_and_workloads() -> None:
    t = [
        prometheus.ScrapeTarget(
            "api", "10.0.0.1:9090", "up", "", {"job": "api", "namespace": "prod", "pod": "api-7d-x"}
        ),
        prometheus.ScrapeTarget("worker", "10.0.0.2:9090", "down", "connection refused", {"job": "worker"}),
    ]
    a = prometheus.assess_targets(t, jobs=["api", "billing"], workloads=["prod/api", "prod/web"])
    bad = {f.subject: f for f in a.failures}
    assert set(bad) == {"target worker/10.0.0.2:9090", "job billing", "workload prod/web"}
    assert bad["target worker/10.0.0.2:9090"].note == "connection refused"
    assert not prometheus.assess_targets([]).ok  # no target at all is not "every service scraped"


# ---------------------------------------------------------------------------------------- alert rules


def test_rules_health_severity_and_flapping() -> None:
    rules = [
        rule("Good", "up == 0", for_s=120, runbook_url="https://runbooks/x"),
        rule("NoSeverity", "up == 0", severity=""),
        rule("Flappy", "up == 0", for_s=0),
        rule("WarnNoFor", "up == 0", severity="warning", for_s=0),
        AlertRule("Broken", "g", "f", "x", 60, {"severity": "warning"}, {}, "err", "many-to-many matching"),
    ]
    a = alert_rules.assess_rules(rules)
    bad = {f.subject: f.note for f in a.failures}
    assert set(bad) == {"alert g/NoSeverity", "alert g/Flappy", "alert g/Broken"}
    assert "flapping-prone" in bad["alert g/Flappy"] and "many-to-many" in bad["alert g/Broken"]
    assert not alert_rules.assess_rules([]).ok
    runbooks = alert_rules.assess_runbooks(rules)
    assert [f.subject for f in runbooks.findings if f.ok] == ["alert g/Good"]


# ---------------------------------------------------------------------------------------- alertmanager

SIMPLE = (PROM_REALWORLD / "alertmanager-doc-examples-simple.yml").read_text()


def test_simple_yml_routing_semantics() -> None:
    """Alertmanager's documented example: the walk follows dispatch/route.go, continue included."""
    cfg = alertmanager.parse_config(SIMPLE, "simple.yml")
    assert cfg.receivers_for({"severity": "critical"}) == ["team-X-mails"]  # no service label: root
    assert cfg.receivers_for({"service": "foo1", "severity": "critical"}) == ["team-X-pager"]
    assert cfg.receivers_for({"service": "files", "severity": "warning"}) == ["team-Y-mails"]
    assert cfg.receivers_for({"service": "database", "owner": "team-X"}) == [
        "team-X-pager"
    ]  # continue, no 2nd
    assert cfg.receivers_for({"service": "database"}) == ["team-DB-pager"]
    assert cfg.receivers_for({"service": "database", "owner": "team-Y"}) == ["team-Y-pager"]
    routing = alertmanager.assess_routing(cfg, ["critical", "warning"])
    assert routing.ok, routing.message()
    tree = next(f for f in routing.findings if f.subject == "route tree receivers")
    assert tree.observed["undefined"] == []  # not flagged for undefined receivers


@pytest.mark.skipif(shutil.which("amtool") is None, reason="amtool (peer) not installed")
@pytest.mark.parametrize(
    "labels",
    [
        "severity=critical",
        "service=foo2 severity=critical",
        "service=files",
        "service=database owner=team-X",
        "service=database owner=team-Y",
        "service=database",
        "service=baz severity=warning",
    ],
)
def test_routing_agrees_with_amtool(labels: str, tmp_path: Path) -> None:
    """Peer: ``amtool config routes test`` on the same file (minus tracing: 0.25 rejects it)."""
    path = tmp_path / "simple.yml"
    path.write_text(SIMPLE.split("\ntracing:")[0])
    proc = subprocess.run(
        ["amtool", "config", "routes", "test", f"--config.file={path}", *labels.split()],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    cfg = alertmanager.parse_config(SIMPLE, "simple.yml")
    assert ",".join(cfg.receivers_for(dict(kv.split("=") for kv in labels.split()))) == proc.stdout.strip()


def test_simple_yml_pagerduty_placeholders_never_leak() -> None:
    cfg = alertmanager.parse_config(SIMPLE, "simple.yml")
    pd = alertmanager.assess_integration(cfg, "pagerduty")
    assert not pd.ok and len(pd.findings) == 3
    assert {f.observed["key"] for f in pd.findings} == {"placeholder"}
    assert "-key>" not in repr(pd) and "password" not in repr(pd)
    assert not alertmanager.assess_integration(cfg, "slack").ok  # no Slack receiver at all


def test_routing_bad_configs() -> None:
    cfg = alertmanager.parse_config(
        """
route:
  receiver: default
  routes:
    - match: {severity: critical}
      receiver: blackhole
    - match_re: {severity: "warn.*"}
      receiver: ghost
receivers:
  - name: default
    email_configs: [{to: a@b.c}]
  - name: blackhole
"""
    )
    a = alertmanager.assess_routing(cfg, ["critical", "warning", "info"])
    bad = {f.subject: f.note for f in a.failures}
    assert bad["severity=critical"] == "receiver blackhole has no integration"
    assert bad["severity=warning"] == "receiver ghost is undefined"
    assert "route tree receivers" in bad and "severity=info" not in bad


@pytest.mark.parametrize(
    ("value", "file_value", "status"),
    [
        ("<team-X-key>", None, "placeholder"),
        (
            "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
            None,
            "placeholder",
        ),
        ("<secret>", None, "masked"),
        ("", None, "missing"),
        (None, "/etc/am/key", "file"),
        ("e93facc04764012d7bfb002500d5d1a6", None, "set"),
        ("https://hooks.slack.com/services/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", None, "set"),
    ],
)
def test_key_status(value: str | None, file_value: str | None, status: str) -> None:
    assert alertmanager.key_status(value, file_value) == status


def test_integrations_good_and_unrouted() -> None:
    cfg = alertmanager.parse_config(
        """
global: {slack_api_url: "https://hooks.slack.com/services/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"}
route:
  receiver: pager
  routes: [{matchers: ['severity="warning"'], receiver: chat}]
receivers:
  - name: pager
    pagerduty_configs: [{routing_key: e93facc04764012d7bfb002500d5d1a6}]
  - name: chat
    slack_configs: [{channel: "#alerts"}]
  - name: old-pager
    pagerduty_configs: [{routing_key_file: /etc/am/pd}]
"""
    )
    slack = alertmanager.assess_integration(cfg, "slack")
    assert slack.ok and slack.findings[0].observed == {"key": "set", "routed": True}
    pd = alertmanager.assess_integration(cfg, "pagerduty")
    assert [f.subject for f in pd.failures] == ["receiver old-pager pagerduty_configs[0]"]
    assert "q8Zk3" not in repr(slack) and "e93fa" not in repr(pd)


# ---------------------------------------------------------------------------------------- grafana / tracing


def test_grafana_rules() -> None:
    assert grafana.assess_health({"database": "ok", "version": "10.4.1"}).ok
    assert not grafana.assess_health({"database": "failing"}).ok
    boards = [grafana.Dashboard("API Service", tags=("service",)), grafana.Dashboard("SLOs", tags=("sla",))]
    assert grafana.assess_dashboards(boards, ["api service", "tag:sla"], "x").ok
    bad = grafana.assess_dashboards(boards, ["Business KPIs", "tag:business"], "business")
    assert len(bad.failures) == 2
    assert not grafana.assess_dashboards(boards, [], "x").ok


def test_tracing_rules() -> None:
    assert tracing.assess_backend(["api"], "jaeger").ok and not tracing.assess_backend([], "jaeger").ok
    assert not tracing.assess_services(["api"], ["api", "worker"]).ok
    ops = {"api": ["GET /users", "POST /checkout"], "worker": ["charge"]}
    assert tracing.assess_operations(ops, ["api:POST /checkout", "charge"]).ok
    assert not tracing.assess_operations(ops, ["worker:POST /checkout"]).ok
    assert tracing.split_operation("POST /a:b") == ("POST /a", "b")  # documented: first colon splits


# ---------------------------------------------------------------------------------------- logging


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("user jane.doe@corp.io logged in", "e-mail address"),
        ("Authorization: Bearer abcdef0123456789abcdef", "bearer token"),
        ("connect postgres://app:s3cr3tpw@db:5432/app", "password in URL"),
        ('{"password": "hunter2!"}', "password/secret assignment"),
        ("token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "JSON Web Token"),
        ("key AKIAIOSFODNN7EXAMPLE", "AWS Access Key"),
    ],
)
def test_secret_kinds_found(line: str, kind: str) -> None:
    assert kind in logging_backend.secret_kinds(line)


@pytest.mark.parametrize(
    "line",
    [
        "GET /api/users/42 200 12ms trace_id=4bf92f3577b34da6a3ce929d0e0e4736",
        "login ok user=j***@***.com password=*** Authorization: Bearer [REDACTED]",
        'password: "[REDACTED]" api_key=<redacted>',
        "connect postgres://app:***@db:5432/app",
    ],
)
def test_clean_lines(line: str) -> None:
    assert logging_backend.secret_kinds(line) == []


def test_redaction_rule_never_prints_the_value() -> None:
    lines = [
        logging_backend.LogLine("api", "2024-05-01T10:00:00+00:00", "ok"),
        logging_backend.LogLine(
            "api", "2024-05-01T10:00:01+00:00", "reset for jane.doe@corp.io pw=x password=Hunter22"
        ),
    ]
    a = logging_backend.assess_redaction(lines)
    assert not a.ok
    (bad,) = a.failures
    assert bad.subject == "api @ 2024-05-01T10:00:01+00:00"
    assert bad.observed == ["e-mail address", "password/secret assignment"]
    assert "jane" not in repr(a) and "Hunter22" not in repr(a) and "Hunter22" not in a.message()
    with pytest.raises(ProbeError):
        logging_backend.assess_redaction([])


def test_log_retention_and_reachability_rules() -> None:
    assert logging_backend.assess_retention(logging_backend.Retention(31, "x"), 30).ok
    assert not logging_backend.assess_retention(logging_backend.Retention(7, "x"), 30).ok
    assert not logging_backend.assess_retention(logging_backend.Retention(None, "x"), 30).ok
    assert logging_backend.assess_reachable({"kind": "elasticsearch", "status": "yellow"}).ok
    assert not logging_backend.assess_reachable({"kind": "elasticsearch", "status": "red"}).ok
    assert not logging_backend.assess_reachable({"kind": "loki", "ready": False}).ok
    assert logging_backend.assess_aggregation({"api": 3}, 3600).ok
    assert not logging_backend.assess_aggregation({"api": 3, "worker": 0}, 3600).ok


# ---------------------------------------------------------------------------------------- rollback triggers


def matches(expr: str, trigger: str, **limits: float) -> list[bool]:
    limits = {"error_rate_percent": 5, "p95_ms": 5000, **limits}
    return [m.ok for m in rollback.classify("r", expr, **limits) if m.trigger == trigger]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        (f"{ERR} / {TOT} > 0.05", [True]),
        (f'sum(rate(http_requests_total{{status=~"5.."}}[5m])) / {TOT} * 100 > 5', [True]),
        (f"100 * ({ERR} / {TOT}) >= 2", [True]),
        (f"sum(rate(http_server_errors_total[5m])) / {TOT} > 0.01", [True]),
        (f"{ERR} / {TOT} > 0.1", [False]),
        (f"{ERR} / {TOT} > 5", [False]),
        (f'sum(rate(http_requests_total{{code=~"2..|3.."}}[5m])) / {TOT} < 0.95', [True]),
        (f'0.05 < sum(rate(http_requests_total{{code!~"2.."}}[5m])) / {TOT}', [True]),
        ("job:http_errors:ratio_rate5m > 0.05", [True]),
        (f"{TOT} > 1000", []),
    ],
)
def test_error_rate_trigger(expr: str, expected: list[bool]) -> None:
    assert matches(expr, "error_rate") == expected


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        (f"{HQ_095_se} > 5", [True]),
        (f"{HQ_095_se} * 1000 > 5000", [True]),
        (f"{HQ_095_mi} > 5000", [True]),
        (f"{HQ_099_se} > 2", [True]),
        (f"{HQ_05_se} > 1", []),
        (f"{HQ_095_se} > 10", [False]),
        ('http_request_duration_seconds{quantile="0.95"} > 5', [True]),
    ],
)
def test_p95_trigger(expr: str, expected: list[bool]) -> None:
    assert matches(expr, "p95") == expected


@pytest.mark.parametrize(
    ("expr", "trigger", "expected"),
    [
        ('up{job="api"} == 0', "health", [True]),
        ("avg_over_time(probe_success[5m]) < 0.9", "health", [True]),
        ('absent(up{job="api"})', "health", [True]),
        ("kube_deployment_status_replicas_unavailable > 0", "health", [True]),
        ("up == 1", "health", [False]),
        ("pg_up == 0", "db_errors", [True]),
        ("increase(app_db_connection_errors_total[5m]) > 0", "db_errors", [True]),
        ("pg_stat_activity_count > 100", "db_errors", []),
    ],
)
def test_health_and_db_triggers(expr: str, trigger: str, expected: list[bool]) -> None:
    assert matches(expr, trigger) == expected


def test_thresholds_are_overridable() -> None:
    expr = f"{ERR} / {TOT} > 0.05"
    assert matches(expr, "error_rate", error_rate_percent=1) == [False]
    expr = "histogram_quantile(0.95, sum by (le) (rate(x_seconds_bucket[5m]))) > 2"
    assert matches(expr, "p95", p95_ms=1000) == [False]


def test_unparseable_promql_is_no_match() -> None:
    assert rollback.classify("r", "sum(", error_rate_percent=5, p95_ms=5000) == []


def test_trigger_rule_on_realworld_postgres_rules() -> None:
    """awesome-prometheus-alerts' PostgreSQL rules: pg_up == 0 implements the DB trigger; nothing else
    is an HTTP error-rate, latency or service-health rule (the rollback-rate ratio is not an error rate)."""
    import yaml

    doc = yaml.safe_load(PG_RULES.read_text())
    rules = [rule(r["alert"], r["expr"]) for g in doc["groups"] for r in g["rules"]]
    verdicts = {t: rollback.assess_trigger(rules, t).ok for t in rollback.TRIGGERS}
    assert verdicts == {"error_rate": False, "p95": False, "health": False, "db_errors": True}
    db = rollback.assess_trigger(rules, "db_errors").findings[0]
    assert db.observed["implemented by"] == ["g/PostgresqlDown: pg_up == 0"]


# ---------------------------------------------------------------------------------------- rollback: k8s, DNS


def deploy(name: str, limit: int | None = None, revision: str = "3") -> dict[str, object]:
    spec = {} if limit is None else {"revisionHistoryLimit": limit}
    meta = {"name": name, "namespace": "prod", "annotations": {"deployment.kubernetes.io/revision": revision}}
    return {"kind": "Deployment", "metadata": meta, "spec": spec}


def rs(owner: str, revision: str) -> dict[str, object]:
    return {
        "kind": "ReplicaSet",
        "metadata": {
            "name": f"{owner}-{revision}",
            "namespace": "prod",
            "annotations": {"deployment.kubernetes.io/revision": revision},
            "ownerReferences": [{"kind": "Deployment", "name": owner, "controller": True}],
        },
    }


def test_revision_history_offline_and_live() -> None:
    offline = rollback.assess_revision_history([deploy("api"), deploy("web", 0), deploy("job", 2)], None)
    assert [f.subject for f in offline.failures] == ["prod/Deployment/web"]
    assert offline.findings[0].observed == {"revisionHistoryLimit": "unset (10)"}
    live = rollback.assess_revision_history(
        [deploy("api"), deploy("fresh", revision="1")], [rs("api", "3"), rs("api", "2"), rs("fresh", "1")]
    )
    bad = {f.subject: f.note for f in live.failures}
    assert bad == {"prod/Deployment/fresh": "no previous ReplicaSet: nothing to roll back to"}


def test_dns_ttl_rule() -> None:
    assert rollback.assess_dns_ttl({"app.example.com": 60}, 300).ok
    bad = rollback.assess_dns_ttl({"app.example.com": 3600}, 300)
    assert not bad.ok and bad.findings[0].observed == "TTL 3600s"
