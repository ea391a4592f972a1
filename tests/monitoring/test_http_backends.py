"""Grafana, Loki, Elasticsearch, Jaeger and Zipkin probes against a local HTTP server.

These products are not packaged for Debian: a local ``http.server`` answers their documented
endpoints with the recorded bodies of ``recorded.py``; the real HTTP client code of the probes
talks to it.  Every test also asserts that the probes only sent GET requests.
"""

from __future__ import annotations

from typing import Any

import pytest

from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.observability import alertmanager, grafana, logging_backend, prometheus, tracing
from tests.support import monitoring, recorded

# ---------------------------------------------------------------------------------------- grafana


def test_grafana_good(recorded_http: Any) -> None:
    srv = recorded_http(
        {"/api/health": (200, recorded.GRAFANA_HEALTH_OK), "/api/search": (200, recorded.GOOD_DASHBOARDS)}
    )
    client = grafana.GrafanaClient(srv.url, timeout=5, token="glsa_test")
    assert grafana.assess_health(client.health()).ok
    boards = client.dashboards()
    assert grafana.assess_dashboards(boards, ["API Service", "worker service"], "service").ok
    assert grafana.assess_dashboards(boards, ["tag:business"], "business").ok
    assert grafana.assess_dashboards(boards, ["tag:sla"], "SLA").ok
    assert {m for m, _ in srv.requests} == {"GET"}


def test_grafana_bad(recorded_http: Any) -> None:
    srv = recorded_http(
        {"/api/health": (200, recorded.GRAFANA_HEALTH_DB_DOWN), "/api/search": (200, recorded.BAD_DASHBOARDS)}
    )
    client = grafana.GrafanaClient(srv.url, timeout=5)
    health = grafana.assess_health(client.health())
    assert not health.ok and health.findings[0].observed == "failing"
    sla = grafana.assess_dashboards(client.dashboards(), ["tag:sla"], "SLA")
    assert not sla.ok and sla.findings[0].observed is None


def test_grafana_unauthorised_is_error(recorded_http: Any) -> None:
    srv = recorded_http({"/api/search": (401, {"message": "Unauthorized"})})
    with pytest.raises(ProbeError, match=r"HTTP 401 \(token"):
        grafana.GrafanaClient(srv.url, timeout=5).dashboards()


# ---------------------------------------------------------------------------------------- Loki


def loki(recorded_http: Any, ready: tuple[int, str], lines: dict[str, list[str]], config: str) -> Any:
    return recorded_http(
        {
            "/ready": ready,
            "/loki/api/v1/status/buildinfo": (200, recorded.LOKI_BUILDINFO),
            "/loki/api/v1/query_range": recorded.loki_streams("service_name", lines),
            "/config": (200, config),
        }
    )


def test_loki_good(recorded_http: Any) -> None:
    srv = loki(recorded_http, (200, "ready"), recorded.CLEAN_LINES, recorded.LOKI_CONFIG_GOOD)
    backend = monitoring.logging_backend_for("loki", srv.url, timeout=5)
    assert logging_backend.assess_reachable(backend.status()).ok
    lines = {s: backend.recent_lines(s, 100, 3600) for s in ("api", "worker")}
    assert logging_backend.assess_aggregation({s: len(v) for s, v in lines.items()}, 3600).ok
    assert logging_backend.assess_redaction([x for v in lines.values() for x in v]).ok
    retention = logging_backend.assess_retention(backend.retention(), 30)
    assert retention.ok and retention.findings[0].observed == "31d"
    assert {m for m, _ in srv.requests} == {"GET"}


def test_loki_bad(recorded_http: Any) -> None:
    srv = loki(
        recorded_http, (503, "Ingester not ready"), recorded.LEAKY_LINES, recorded.LOKI_CONFIG_NO_RETENTION
    )
    backend = monitoring.logging_backend_for("loki", srv.url, timeout=5)
    assert not logging_backend.assess_reachable(backend.status()).ok
    lines = {s: backend.recent_lines(s, 100, 3600) for s in ("api", "worker")}
    agg = logging_backend.assess_aggregation({s: len(v) for s, v in lines.items()}, 3600)
    assert [f.subject for f in agg.failures] == ["service worker"]
    red = logging_backend.assess_redaction([x for v in lines.values() for x in v])
    kinds = [f.observed for f in red.failures]
    assert kinds == [["e-mail address"], ["JSON Web Token", "bearer token"]]
    assert all(f.subject.startswith("api @ ") for f in red.failures)
    assert "jane.doe" not in repr(red) and "eyJhbGci" not in repr(red)
    ret = logging_backend.assess_retention(backend.retention(), 30)
    assert not ret.ok and ret.findings[0].observed == "no deletion policy"


# ---------------------------------------------------------------------------------------- Elasticsearch


def elastic(recorded_http: Any, health: Any, lines: dict[str, list[str]], policy: Any) -> Any:
    return recorded_http(
        {
            "/_cluster/health": (200, health),
            "/logs-*/_search": recorded.es_search(lines),
            "/logs-*/_ilm/explain": (200, recorded.ES_ILM_EXPLAIN),
            "/_ilm/policy/logs-30d": (200, policy),
        }
    )


def test_elasticsearch_good(recorded_http: Any) -> None:
    srv = elastic(recorded_http, recorded.ES_HEALTH_GREEN, recorded.CLEAN_LINES, recorded.ES_ILM_POLICY)
    backend = monitoring.logging_backend_for("elasticsearch", srv.url, timeout=5)
    assert logging_backend.assess_reachable(backend.status()).ok
    lines = backend.recent_lines("api", 50, 3600)
    assert len(lines) == 2 and logging_backend.assess_redaction(lines).ok
    assert logging_backend.assess_retention(backend.retention(), 30).ok


def test_elasticsearch_bad(recorded_http: Any) -> None:
    srv = elastic(
        recorded_http, recorded.ES_HEALTH_RED, recorded.LEAKY_LINES, recorded.ES_ILM_POLICY_NO_DELETE
    )
    backend = monitoring.logging_backend_for("elasticsearch", srv.url, timeout=5)
    assert not logging_backend.assess_reachable(backend.status()).ok
    assert backend.recent_lines("worker", 50, 3600) == []
    assert not logging_backend.assess_redaction(backend.recent_lines("api", 50, 3600)).ok
    ret = logging_backend.assess_retention(backend.retention(), 30)
    assert not ret.ok and ret.findings[0].subject == "ILM policy logs-30d has no delete phase"


# ---------------------------------------------------------------------------------------- tracing


def test_jaeger_good_and_bad(recorded_http: Any) -> None:
    srv = recorded_http(
        {
            "/api/services": (200, recorded.JAEGER_SERVICES),
            "/api/services/api/operations": (200, recorded.JAEGER_API_OPERATIONS),
            "/api/services/worker/operations": (200, recorded.JAEGER_WORKER_OPERATIONS),
        }
    )
    backend = tracing.TracingBackend("jaeger", srv.url, 5)
    services = backend.services()
    assert tracing.assess_backend(services, "jaeger").ok
    assert tracing.assess_services(services, ["api", "worker"]).ok
    ops = {s: backend.operations(s) for s in ("api", "worker")}
    assert tracing.assess_operations(ops, ["api:POST /checkout", "charge"]).ok
    bad = tracing.assess_services(services, ["api", "billing"])
    assert [f.subject for f in bad.failures] == ["service billing"]
    assert not tracing.assess_operations(ops, ["api:POST /refund"]).ok


def test_zipkin_good_and_empty(recorded_http: Any) -> None:
    srv = recorded_http(
        {
            "/api/v2/services": (200, recorded.ZIPKIN_SERVICES),
            "/api/v2/spans": (200, recorded.ZIPKIN_API_SPANS),
        }
    )
    backend = tracing.TracingBackend("zipkin", srv.url, 5)
    assert tracing.assess_services(backend.services(), ["api", "worker"]).ok
    assert tracing.assess_operations({"api": backend.operations("api")}, ["api:post /checkout"]).ok
    empty = recorded_http({"/api/v2/services": (200, [])})
    assert not tracing.assess_backend(tracing.TracingBackend("zipkin", empty.url, 5).services(), "zipkin").ok


def test_tracing_backend_500_is_error(recorded_http: Any) -> None:
    srv = recorded_http({"/api/services": (500, "storage down")})
    with pytest.raises(ProbeError, match="HTTP 500"):
        tracing.TracingBackend("jaeger", srv.url, 5).services()


# ---------------------------------------------------------------------------------------- uninterpretable


@pytest.mark.parametrize(
    ("routes", "call", "message"),
    [
        (
            {"/api/health": (200, {})},
            lambda u: grafana.GrafanaClient(u, timeout=5).health(),
            "answer lacks database",
        ),
        (
            {"/api/health": (200, {"database": None, "version": "11.0.0"})},
            lambda u: grafana.GrafanaClient(u, timeout=5).health(),
            "answer lacks database",
        ),
        (
            {"/_cluster/health": (200, {"cluster_name": "logs"})},
            lambda u: monitoring.logging_backend_for("elasticsearch", u, timeout=5).status(),
            "answer lacks status",
        ),
        (
            {"/logs-*/_ilm/explain": (200, {"acknowledged": True})},
            lambda u: monitoring.logging_backend_for("elasticsearch", u, timeout=5).retention(),
            "answer lacks indices",
        ),
        (
            {"/logs-*/_ilm/explain": (200, recorded.ES_ILM_EXPLAIN), "/_ilm/policy/logs-30d": (200, {})},
            lambda u: monitoring.logging_backend_for("elasticsearch", u, timeout=5).retention(),
            "answer lacks logs-30d.policy.phases",
        ),
        (
            {"/loki/api/v1/query_range": (200, {"status": "success", "data": None})},
            lambda u: monitoring.logging_backend_for("loki", u, timeout=5).recent_lines("api", 10, 60),
            "answer lacks data.result",
        ),
        (
            {"/api/services": (200, {})},
            lambda u: tracing.TracingBackend("jaeger", u, 5).services(),
            "answer lacks data",
        ),
        (
            {"/api/services": (200, {"data": None, "total": 0, "errors": [{"code": 500, "msg": "db down"}]})},
            lambda u: tracing.TracingBackend("jaeger", u, 5).services(),
            "db down",
        ),
        (
            {"/api/services": (200, {"data": {"api": 1}, "total": 1})},
            lambda u: tracing.TracingBackend("jaeger", u, 5).services(),
            "data is dict, expected a list",
        ),
    ],
    ids=[
        "grafana-empty",
        "grafana-null",
        "es-health",
        "es-explain",
        "es-policy",
        "loki-null",
        "jaeger-empty",
        "jaeger-errors",
        "jaeger-dict",
    ],
)
def test_uninterpretable_answers_are_errors(recorded_http: Any, routes: Any, call: Any, message: str) -> None:
    srv = recorded_http(routes)
    with pytest.raises(ProbeError, match=message):
        call(srv.url)


def test_jaeger_without_services_is_an_empty_list(recorded_http: Any) -> None:
    # Jaeger's real envelope when nothing reported yet: data null, total 0 (a fail, not an error).
    srv = recorded_http(
        {"/api/services": (200, {"data": None, "total": 0, "limit": 0, "offset": 0, "errors": None})}
    )
    services = tracing.TracingBackend("jaeger", srv.url, 5).services()
    assert services == [] and not tracing.assess_backend(services, "jaeger").ok


@pytest.mark.parametrize(
    ("routes", "message"),
    [
        # Any 200 at /ready is not Loki: a login page behind the same URL, a different service.
        (
            {
                "/ready": (200, "<html><body>Sign in</body></html>"),
                "/loki/api/v1/status/buildinfo": (200, recorded.LOKI_BUILDINFO),
            },
            "answer is not Loki's",
        ),
        ({"/ready": (200, "ready")}, "buildinfo: HTTP 404"),
        (
            {"/ready": (200, "ready"), "/loki/api/v1/status/buildinfo": (200, {"status": "ok"})},
            "answer lacks version",
        ),
    ],
    ids=["html-ready", "no-buildinfo", "buildinfo-without-version"],
)
def test_loki_readiness_needs_lokis_own_answer(recorded_http: Any, routes: Any, message: str) -> None:
    srv = recorded_http(routes)
    with pytest.raises(ProbeError, match=message):
        monitoring.logging_backend_for("loki", srv.url, timeout=5).status()


def test_loki_ready_records_version(recorded_http: Any) -> None:
    srv = recorded_http(
        {"/ready": (200, "ready\n"), "/loki/api/v1/status/buildinfo": (200, recorded.LOKI_BUILDINFO)}
    )
    status = monitoring.logging_backend_for("loki", srv.url, timeout=5).status()
    assert status["version"] == "3.4.2" and logging_backend.assess_reachable(status).ok


def test_prometheus_answers_without_the_needed_fields_are_errors(recorded_http: Any) -> None:
    # Real Prometheus never answers like this; a proxy, a half-compatible backend or a bug can.
    srv = recorded_http(
        {
            "/api/v1/status/runtimeinfo": (200, {"status": "success", "data": None}),
            "/api/v1/status/flags": (200, {"status": "success", "data": {}}),
            "/api/v1/targets": (200, {"status": "success", "data": {"droppedTargets": []}}),
            "/api/v1/query": (200, {"status": "success", "data": {"resultType": "vector"}}),
        }
    )
    api = prometheus.PrometheusAPI(srv.url, timeout=5)
    with pytest.raises(ProbeError, match=r"runtimeinfo: answer lacks data$"):
        api.get("/api/v1/status/runtimeinfo")
    with pytest.raises(ProbeError, match=r"answer lacks data\.activeTargets"):
        prometheus.parse_targets(api.get("/api/v1/targets", state="active"))
    with pytest.raises(ProbeError, match=r"answer lacks data\.result"):
        api.query("up")
    # A runtimeinfo without the field a rule needs: the rule raises (item error), never judges None.
    with pytest.raises(ProbeError, match=r"answer lacks data\.storageRetention"):
        prometheus.assess_retention({"reloadConfigSuccess": True}, 15)
    with pytest.raises(ProbeError, match=r"answer lacks data\.reloadConfigSuccess"):
        prometheus.assess_server(True, {"storageRetention": "15d"})
    with pytest.raises(ProbeError, match="reloadConfigSuccess is str, expected true/false"):
        prometheus.assess_server(True, {"reloadConfigSuccess": "yes"})


def test_alertmanager_status_without_config_is_error(recorded_http: Any) -> None:
    srv = recorded_http({"/api/v2/status": (200, {"cluster": {"status": "ready"}, "config": {}})})
    with pytest.raises(ProbeError, match=r"answer lacks config\.original"):
        alertmanager.fetch_live_config(srv.url, timeout=5)
