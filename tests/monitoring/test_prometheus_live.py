"""The Prometheus/Alertmanager probes against real servers (Debian's prometheus 2.42, alertmanager 0.25)."""

from __future__ import annotations

import os
import signal
import socket
import time
from typing import Any

import pytest

from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.observability import alert_rules, alertmanager, prometheus, rollback
from pytest_readiness.probes.observability.prometheus import PrometheusAPI
from tests.support.monitoring import PROM_REALWORLD, settled, wait_until

pytestmark = pytest.mark.xdist_group("monitoring-prometheus")


def api(server: Any) -> PrometheusAPI:
    return PrometheusAPI(server.url, timeout=5)


def rules_of(server: Any) -> list[alert_rules.AlertRule]:
    return alert_rules.parse_rules(api(server).get("/api/v1/rules", type="alert"))


# ---------------------------------------------------------------------------------------- metrics


def test_server_and_retention_good(prom_good: Any) -> None:
    p = api(prom_good)
    info = p.get("/api/v1/status/runtimeinfo")
    assert prometheus.assess_server(p.ready(), info).ok
    ret = prometheus.assess_retention(info, 15)
    assert ret.ok and ret.findings[0].observed == "30d"


def test_retention_bad(prom_bad: Any) -> None:
    ret = prometheus.assess_retention(api(prom_bad).get("/api/v1/status/runtimeinfo"), 15)
    assert not ret.ok and ret.findings[0].observed == "2d"


def test_failed_reload_is_not_configured(prometheus_factory: Any) -> None:
    """A broken config pushed with SIGHUP: Prometheus keeps serving the old one, reloadConfigSuccess false."""
    server = prometheus_factory(shared=False)
    server.config_path.write_text("scrape_configs: [this is not: valid\n")
    os.kill(server.pid, signal.SIGHUP)
    p = api(server)
    wait_until(lambda: p.get("/api/v1/status/runtimeinfo")["reloadConfigSuccess"] is False)
    a = prometheus.assess_server(p.ready(), p.get("/api/v1/status/runtimeinfo"))
    assert not a.ok
    assert [f.subject for f in a.failures] == ["runtimeinfo reloadConfigSuccess"]


def test_targets_good_and_bad(prom_good: Any, prom_bad: Any) -> None:
    for server in (prom_good, prom_bad):
        wait_until(lambda s=server: settled(s.url))
    good = prometheus.assess_targets(
        prometheus.parse_targets(api(prom_good).get("/api/v1/targets")), ["prometheus"]
    )
    assert good.ok, good.message()
    bad_targets = prometheus.parse_targets(api(prom_bad).get("/api/v1/targets", state="active"))
    bad = prometheus.assess_targets(bad_targets, ["prometheus", "worker"])
    failed = {f.subject: f for f in bad.failures}
    assert set(failed) == {"target api/127.0.0.1:9", "job worker"}
    assert (
        failed["target api/127.0.0.1:9"].observed == "down"
        and "refused" in failed["target api/127.0.0.1:9"].note
    )


def test_business_metrics(prom_good: Any) -> None:
    p = api(prom_good)
    wait_until(lambda: p.count_series("prometheus_build_info") > 0)
    series = {n: p.count_series(n) for n in ("prometheus_build_info", "valueverse_signups_total")}
    a = prometheus.assess_business_metrics(series)
    assert [f.subject for f in a.failures] == ["metric valueverse_signups_total"]
    assert a.findings[0].ok and a.findings[0].observed == "1 series"


# ---------------------------------------------------------------------------------------- alert rules


def test_good_rules(prom_good: Any) -> None:
    rules = rules_of(prom_good)
    assert len(rules) == 5
    assert alert_rules.assess_rules(rules).ok
    assert alert_rules.assess_runbooks(rules).ok
    for trigger in rollback.TRIGGERS:
        assert rollback.assess_trigger(rules, trigger).ok, trigger


def test_bad_rules(prom_bad: Any) -> None:
    wait_until(lambda: any(r.health == "err" for r in rules_of(prom_bad)))
    rules = rules_of(prom_bad)
    notes = {f.subject: f.note for f in alert_rules.assess_rules(rules).failures}
    assert notes["alert sloppy/SomethingWrong"] == "no severity label"
    assert "flapping-prone" in notes["alert sloppy/ErrorsVeryHigh"]
    assert (
        "evaluation err" in notes["alert sloppy/Broken"]
        and "duplicate series" in notes["alert sloppy/Broken"]
    )
    assert not alert_rules.assess_runbooks(rules).findings[0].ok
    err = rollback.assess_trigger(rules, "error_rate")
    assert not err.ok
    assert err.findings[0].observed["similar but threshold too lax"] == [
        "sloppy/ErrorsVeryHigh: error rate > 25%"
    ]
    assert rollback.assess_trigger(rules, "health").ok  # `up == 0` without labels still is a health trigger
    assert not rollback.assess_trigger(rules, "p95").ok and not rollback.assess_trigger(rules, "db_errors").ok


def test_realworld_postgres_rules(prom_realworld: Any) -> None:
    """awesome-prometheus-alerts' PostgreSQL rules (README: no runbook_url, critical alerts with for: 0m).

    The two critical rules with ``for: 0m`` (PostgresqlRestarted, PostgresqlExporterError) are findings
    of MON-ALERTING-RULES: a paging alert that fires on one evaluation pages on any scrape blip.
    Prometheus itself and promtool accept them (no opinion on ``for``); we differ deliberately.
    The warning-level ``for: 0m`` rules are not flagged: they do not page.
    """
    wait_until(lambda: settled(prom_realworld.url))
    rules = rules_of(prom_realworld)
    assert len(rules) == 20
    checked = alert_rules.assess_rules(rules)
    assert sorted(f.subject for f in checked.failures) == [
        "alert PostgresExporter/PostgresqlExporterError",
        "alert PostgresExporter/PostgresqlRestarted",
    ]
    runbooks = alert_rules.assess_runbooks(rules)
    assert len(runbooks.failures) == 20
    verdicts = {t: rollback.assess_trigger(rules, t).ok for t in rollback.TRIGGERS}
    assert verdicts == {"error_rate": False, "p95": False, "health": False, "db_errors": True}


# ---------------------------------------------------------------------------------------- alertmanager


def test_alertmanager_good(am_good: Any) -> None:
    cfg = alertmanager.fetch_live_config(am_good.url, timeout=5)
    routing = alertmanager.assess_routing(cfg, ["critical", "warning", "info"])
    assert routing.ok, routing.message()
    assert routing.findings[0].observed == {"pager": ["pagerduty"], "chat": ["slack"]}
    for kind in ("pagerduty", "slack"):
        a = alertmanager.assess_integration(cfg, kind)
        assert a.ok and a.findings[0].observed == {"key": "masked", "routed": True}
        assert "value hidden by Alertmanager" in a.findings[0].note
        assert "e93facc0" not in repr(a) and "q8Zk3" not in repr(a)


def test_alertmanager_bad(am_bad: Any) -> None:
    cfg = alertmanager.fetch_live_config(am_bad.url, timeout=5)
    routing = alertmanager.assess_routing(cfg, ["critical", "warning"])
    assert [(f.subject, f.note) for f in routing.failures] == [
        ("severity=critical", "receiver blackhole has no integration")
    ]
    assert not alertmanager.assess_integration(cfg, "pagerduty").ok  # none configured


def test_alertmanager_simple_yml(am_simple: Any) -> None:
    """The documented example, served by a real Alertmanager: every routed receiver exists (not flagged);
    PagerDuty keys are masked by the API (pass with a note); the file itself shows the placeholders."""
    live = alertmanager.fetch_live_config(am_simple.url, timeout=5)
    routing = alertmanager.assess_routing(live, ["critical", "warning"])
    assert routing.ok, routing.message()
    assert routing.findings[-1].observed["undefined"] == []
    assert alertmanager.assess_integration(live, "pagerduty").ok
    from_file = alertmanager.load_config_file(PROM_REALWORLD / "alertmanager-doc-examples-simple.yml")
    pd = alertmanager.assess_integration(from_file, "pagerduty")
    assert not pd.ok and {f.observed["key"] for f in pd.findings} == {"placeholder"}
    assert "team-X-key" not in repr(pd)


# ---------------------------------------------------------------------------------------- broken servers


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_down_prometheus_is_an_error_fast() -> None:
    p = PrometheusAPI(f"http://127.0.0.1:{closed_port()}", timeout=5)
    start = time.monotonic()
    with pytest.raises(ProbeError, match="unreachable"):
        p.get("/api/v1/status/runtimeinfo")
    with pytest.raises(ProbeError):
        alertmanager.fetch_live_config(p.url, timeout=5)
    assert time.monotonic() - start < 5  # generous "did not hang" bound


def test_prometheus_answering_500_is_an_error(recorded_http: Any) -> None:
    server = recorded_http(
        {"/api/v1/rules": (500, "internal error"), "/api/v1/query": (200, {"status": "error"})}
    )
    p = PrometheusAPI(server.url, timeout=5)
    with pytest.raises(ProbeError, match="HTTP 500"):
        p.get("/api/v1/rules", type="alert")
    with pytest.raises(ProbeError, match=r"no status|error"):
        p.query("up")
