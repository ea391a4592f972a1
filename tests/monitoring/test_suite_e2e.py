"""End to end: ``pytest --env=... suites/test_monitoring.py suites/test_rollback.py`` → readiness.json.

Prometheus and Alertmanager are real servers; Grafana, Loki and Jaeger are local HTTP servers with
recorded answers (not packaged for Debian); DNS is a local authoritative server; Kubernetes is a
rendered manifest (offline inventory).
"""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support import recorded
from tests.support.monitoring import run_suite, settled, wait_until
from tests.support.readiness import findings, statuses

pytestmark = pytest.mark.xdist_group("monitoring-prometheus")

SUITES = ("test_monitoring.py", "test_rollback.py")
MONITORING = [
    "MON-METRICS-PROMETHEUS", "MON-METRICS-TARGETS", "MON-METRICS-BUSINESS", "MON-METRICS-RETENTION",
    "MON-DASHBOARDS-GRAFANA", "MON-DASHBOARDS-SERVICE", "MON-DASHBOARDS-BUSINESS", "MON-DASHBOARDS-SLA",
    "MON-ALERTING-RULES", "MON-ALERTING-ROUTING", "MON-ALERTING-PAGERDUTY", "MON-ALERTING-SLACK",
    "MON-ALERTING-RUNBOOKS", "MON-LOGGING-CENTRALIZED", "MON-LOGGING-AGGREGATION", "MON-LOGGING-RETENTION",
    "MON-LOGGING-REDACTION", "MON-TRACING-BACKEND", "MON-TRACING-ENABLED", "MON-TRACING-CRITICAL-PATHS",
]  # fmt: skip
ROLLBACK = [
    "ROLLBACK-TRIGGER-ERROR-RATE", "ROLLBACK-TRIGGER-P95", "ROLLBACK-TRIGGER-HEALTH",
    "ROLLBACK-TRIGGER-DB-ERRORS", "ROLLBACK-STEP-UNDO", "ROLLBACK-STEP-DNS",
]  # fmt: skip
PROMETHEUS_ITEMS = [i for i in MONITORING if i.startswith(("MON-METRICS", "MON-ALERTING-R"))] + ROLLBACK[:4]

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: api, namespace: valueverse-prod}}
spec:
  {limit}
  selector: {{matchLabels: {{app: api}}}}
  template:
    metadata: {{labels: {{app: api}}}}
    spec: {{containers: [{{name: api, image: "registry.valueverse.io/api:1.4.2"}}]}}
"""


def env_toml(tmp_path: Path, *, prom: str, am: str, grafana: str, loki: str, jaeger: str, dns: str,
             limit: str, business: str = "prometheus_build_info") -> str:  # fmt: skip
    manifests = tmp_path / "deploy.yaml"
    manifests.write_text(DEPLOYMENT.format(limit=limit))
    dns_section = f'[dns]\nnames = ["app.valueverse.test"]\nnameservers = ["{dns}"]' if dns else ""
    return f"""
[settings]
timeout_s = 5
[prometheus]
url = "{prom}"
jobs = ["prometheus"]
business_metrics = ["{business}"]
[alertmanager]
url = "{am}"
[grafana]
url = "{grafana}"
service_dashboards = ["API Service", "Worker Service"]
business_dashboards = ["tag:business"]
sla_dashboards = ["tag:sla"]
[logging]
kind = "loki"
url = "{loki}"
services = ["api", "worker"]
[tracing]
kind = "jaeger"
url = "{jaeger}"
services = ["api", "worker"]
operations = ["api:POST /checkout"]
{dns_section}
[kubernetes]
manifests = "{manifests}"
"""


def http_backends(recorded_http: Any, good: bool) -> tuple[str, str, str]:
    grafana = recorded_http(
        {
            "/api/health": (200, recorded.GRAFANA_HEALTH_OK if good else recorded.GRAFANA_HEALTH_DB_DOWN),
            "/api/search": (200, recorded.GOOD_DASHBOARDS if good else recorded.BAD_DASHBOARDS),
        }
    )
    loki = recorded_http(
        {
            "/ready": (200, "ready\n") if good else (503, "Ingester not ready"),
            "/loki/api/v1/status/buildinfo": (200, recorded.LOKI_BUILDINFO),
            "/loki/api/v1/query_range": recorded.loki_streams(
                "service_name", recorded.CLEAN_LINES if good else recorded.LEAKY_LINES
            ),
            "/config": (200, recorded.LOKI_CONFIG_GOOD if good else recorded.LOKI_CONFIG_NO_RETENTION),
        }
    )
    services = recorded.JAEGER_SERVICES if good else {"data": ["api"], "total": 1}
    jaeger = recorded_http(
        {
            "/api/services": (200, services),
            "/api/services/api/operations": (
                200,
                recorded.JAEGER_API_OPERATIONS if good else {"data": ["GET /users"]},
            ),
        }
    )
    return grafana.url, loki.url, jaeger.url


def run_both_suites(
    tmp_path: Path,
    prom: Any,
    am: Any,
    recorded_http: Any,
    local_dns: Any,
    *,
    good: bool,
    ttl: int,
    **extra: Any,
) -> dict[str, dict[str, Any]]:
    """Monitoring and Rollback against settled Prometheus/Alertmanager, the recorded backends and DNS."""
    wait_until(lambda: settled(prom.url))
    grafana, loki, jaeger = http_backends(recorded_http, good=good)
    dns = local_dns({"app.valueverse.test": ("192.0.2.10", ttl)})
    toml = env_toml(tmp_path, prom=prom.url, am=am.url, grafana=grafana, loki=loki, jaeger=jaeger,
                    dns=dns.nameserver, **extra)  # fmt: skip
    return run_suite(tmp_path, SUITES[0], toml, f"suites/{SUITES[1]}")


def test_good_environment_passes(
    tmp_path: Path, prom_good: Any, am_good: Any, recorded_http: Any, local_dns: Any
) -> None:
    items = run_both_suites(tmp_path, prom_good, am_good, recorded_http, local_dns, good=True, ttl=60,
                            limit="revisionHistoryLimit: 5")  # fmt: skip
    assert statuses(items, MONITORING + ROLLBACK) == dict.fromkeys(MONITORING + ROLLBACK, "pass")
    assert items["MON-TRACING-BOTTLENECKS"]["status"] == "manual"
    assert items["MON-METRICS"]["status"] == "pass"  # group derived from its sub-items
    assert "e93facc0" not in str(items) and "q8Zk3" not in str(items)  # keys never in evidence


def test_bad_environment_fails_with_evidence(
    tmp_path: Path, prom_bad: Any, am_bad: Any, recorded_http: Any, local_dns: Any
) -> None:
    items = run_both_suites(tmp_path, prom_bad, am_bad, recorded_http, local_dns, good=False, ttl=86400,
                            limit="revisionHistoryLimit: 0", business="valueverse_signups_total")  # fmt: skip
    # Prometheus runs with a loaded config; `up == 0` exists; Jaeger is up (it only misses services)
    passing = {"MON-METRICS-PROMETHEUS", "ROLLBACK-TRIGGER-HEALTH", "MON-TRACING-BACKEND"}
    expected = {i: "pass" if i in passing else "fail" for i in MONITORING + ROLLBACK}
    assert statuses(items, MONITORING + ROLLBACK) == expected
    retention = findings(items["MON-METRICS-RETENTION"])[0]
    assert (retention["observed"], retention["expected"]) == ("2d", ">= 15d")
    dns_finding = findings(items["ROLLBACK-STEP-DNS"])[0]
    assert (dns_finding["subject"], dns_finding["observed"]) == ("dns app.valueverse.test", "TTL 86400s")
    undo = findings(items["ROLLBACK-STEP-UNDO"])[0]
    assert undo["subject"] == "valueverse-prod/Deployment/api" and undo["observed"] == {
        "revisionHistoryLimit": 0
    }
    leaks = [f for f in findings(items["MON-LOGGING-REDACTION"]) if not f["ok"]]
    assert {tuple(f["observed"]) for f in leaks} == {("e-mail address",), ("JSON Web Token", "bearer token")}
    assert "jane.doe" not in str(items) and "eyJhbGci" not in str(items)


def closed_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


@pytest.mark.parametrize("broken", ["down", "http-500"])
def test_broken_prometheus_is_error_fast(tmp_path: Path, broken: str, recorded_http: Any) -> None:
    """Prometheus down (closed port) or answering 500: its items are ``error``, never pass or fail."""
    if broken == "down":
        prom, am = closed_url(), recorded_http({"/api/v2/status": (500, "boom")}).url
    else:
        am = closed_url()
        prom = recorded_http(dict.fromkeys(
            ["/-/ready", "/api/v1/status/runtimeinfo", "/api/v1/targets", "/api/v1/rules", "/api/v1/query"],
            (500, "internal server error"))).url  # fmt: skip
    toml = env_toml(tmp_path, prom=prom, am=am, grafana=closed_url(), loki=closed_url(), jaeger=closed_url(),
                    dns="", limit="")  # fmt: skip
    start = time.monotonic()
    items = run_suite(tmp_path, SUITES[0], toml, f"suites/{SUITES[1]}")
    assert time.monotonic() - start < 120  # generous "did not hang" bound
    broken_items = [*PROMETHEUS_ITEMS, "MON-ALERTING-ROUTING"]
    assert statuses(items, broken_items) == dict.fromkeys(broken_items, "error")
    reason = items["MON-METRICS-PROMETHEUS"]["reason"]
    assert ("unreachable" if broken == "down" else "HTTP 500") in reason
