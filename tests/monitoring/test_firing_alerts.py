"""DEPLOY-VERIFY-NO-ALERTS: no paging alert firing, against a real Prometheus (Debian's 2.42).

Rules use ``vector(1) > 0`` (always true) so that they fire after the first evaluation
(``evaluation_interval: 1s``); the quiet server's paging rule is ``vector(0) > 0`` (never true).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pytest_readiness.probes.observability import alert_rules
from pytest_readiness.probes.observability.prometheus import PrometheusAPI
from tests.support.monitoring import FAST_CONFIG, run_suite, wait_until

pytestmark = pytest.mark.xdist_group("monitoring-prometheus")

ANNOTATION = "db password is hunter2-do-not-print"  # free text: must never reach the evidence

FIRING_RULES = f"""\
groups:
  - name: deploy
    rules:
      - alert: CheckoutBroken
        expr: vector(1) > 0
        for: 0s
        labels: {{severity: critical, team: payments}}
        annotations: {{summary: "{ANNOTATION}"}}
      - alert: CacheHitRateLow
        expr: vector(1) > 0
        labels: {{severity: warning}}
      - alert: SlowBurn
        expr: vector(1) > 0
        for: 1h
        labels: {{severity: critical}}
"""

QUIET_RULES = """\
groups:
  - name: deploy
    rules:
      - alert: CheckoutBroken
        expr: vector(0) > 0
        labels: {severity: critical}
      - alert: CacheHitRateLow
        expr: vector(1) > 0
        labels: {severity: warning}
"""


def alerts_of(server: Any) -> list[alert_rules.ActiveAlert]:
    return alert_rules.parse_alerts(PrometheusAPI(server.url, timeout=5).get("/api/v1/alerts"))


def states(server: Any) -> dict[str, str]:
    return {a.name: a.state for a in alerts_of(server)}


@pytest.fixture(scope="module")
def prom_firing(prometheus_factory: Any) -> Any:
    server = prometheus_factory(FAST_CONFIG, rule_files={"deploy.yml": FIRING_RULES})
    wait_until(lambda: states(server).get("CheckoutBroken") == "firing")
    return server


@pytest.fixture(scope="module")
def prom_quiet(prometheus_factory: Any) -> Any:
    server = prometheus_factory(FAST_CONFIG, rule_files={"deploy.yml": QUIET_RULES})
    wait_until(lambda: states(server).get("CacheHitRateLow") == "firing")  # rules were evaluated
    return server


# ---------------------------------------------------------------------------------------- rules


def test_parse_alerts_drops_annotations_and_rejects_garbage() -> None:
    data = {
        "alerts": [
            {
                "labels": {"alertname": "A", "severity": "critical", "job": "api"},
                "annotations": {"summary": ANNOTATION},
                "state": "firing",
                "activeAt": "2025-01-15T02:00:00Z",
                "value": "1e+00",
            }
        ]
    }
    [alert] = alert_rules.parse_alerts(data)
    assert alert.subject == 'alert A{job="api"}' and alert.severity == "critical"
    assert ANNOTATION not in repr(alert)
    with pytest.raises(alert_rules.ProbeError, match="malformed"):
        alert_rules.parse_alerts({"groups": []})


def test_assess_no_firing_rule() -> None:
    def alert(name: str, state: str, severity: str) -> alert_rules.ActiveAlert:
        return alert_rules.ActiveAlert(name, state, "2025-01-15T02:00:00Z", {"severity": severity})

    assert alert_rules.assess_no_firing([]).ok
    quiet = alert_rules.assess_no_firing([alert("W", "firing", "warning"), alert("P", "pending", "critical")])
    assert quiet.ok and [f.subject for f in quiet.findings][1:] == ["alert W", "alert P"]
    loud = alert_rules.assess_no_firing([alert("C", "firing", "critical"), alert("W", "firing", "warning")])
    assert [f.subject for f in loud.failures] == ["Prometheus /api/v1/alerts", "alert C"]
    # Paging severities are configurable: a team paging on "page" does not page on "critical".
    assert alert_rules.assess_no_firing([alert("C", "firing", "critical")], ["page"]).ok


# ---------------------------------------------------------------------------------- real server


def test_firing_critical_alert_fails(prom_firing: Any) -> None:
    a = alert_rules.assess_no_firing(alerts_of(prom_firing))
    assert not a.ok
    assert [f.subject for f in a.failures] == [
        "Prometheus /api/v1/alerts",
        'alert CheckoutBroken{team="payments"}',
    ]
    by_subject = {f.subject: f for f in a.findings}
    firing = by_subject['alert CheckoutBroken{team="payments"}']
    assert firing.observed["state"] == "firing" and firing.observed["severity"] == "critical"  # type: ignore[index]
    assert firing.observed["activeAt"]  # type: ignore[index]
    assert by_subject["alert CacheHitRateLow"].ok  # firing, but warnings do not page
    assert by_subject["alert SlowBurn"].ok and "pending" in by_subject["alert SlowBurn"].note
    assert ANNOTATION not in repr(a)


def test_quiet_server_passes(prom_quiet: Any) -> None:
    a = alert_rules.assess_no_firing(alerts_of(prom_quiet))
    assert a.ok, a.message()
    assert a.findings[0].observed == "0 firing with severity critical (1 firing in all)"


def test_suite_both_ways(tmp_path: Path, prom_firing: Any, prom_quiet: Any) -> None:
    """The suite check through readiness.json; Prometheus down is error (the fixture's ProbeError)."""
    select = ("-k", "test_no_critical_alerts_firing")
    for name, url, status in (
        ("firing", prom_firing.url, "fail"),
        ("quiet", prom_quiet.url, "pass"),
        ("down", "http://127.0.0.1:9", "error"),
    ):
        folder = tmp_path / name
        folder.mkdir()
        env = f'[settings]\ntimeout_s = 3\n[prometheus]\nurl = "{url}"\n'
        items = run_suite(folder, "test_monitoring.py", env, *select)
        item = items["DEPLOY-VERIFY-NO-ALERTS"]
        assert item["status"] == status, (name, item["reason"])
        if name == "firing":
            assert ANNOTATION not in json.dumps(items)
            [ev] = item["evidence"]
            failing = [f["subject"] for f in ev["findings"] if not f["ok"]]
            assert failing == ["Prometheus /api/v1/alerts", 'alert CheckoutBroken{team="payments"}']
