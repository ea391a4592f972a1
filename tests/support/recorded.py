"""Recorded answers of Grafana, Loki, Elasticsearch, Jaeger and Zipkin (shapes from their API docs).

None of these products is packaged for Debian, so their probes are tested against a local
``http.server`` (:class:`tests.support.monitoring.RecordedHTTP`) answering the documented endpoints
with these bodies.  Log lines carry timestamps of "now" so that lookback windows hold.
"""

from __future__ import annotations

import time
from typing import Any

GRAFANA_HEALTH_OK = {"commit": "087143285", "database": "ok", "version": "10.4.1"}
GRAFANA_HEALTH_DB_DOWN = {"commit": "087143285", "database": "failing", "version": "10.4.1"}


def grafana_search(*titles_tags: tuple[str, list[str]]) -> list[dict[str, Any]]:
    return [
        {
            "id": i,
            "uid": f"uid{i}",
            "title": title,
            "uri": f"db/{title.lower()}",
            "url": f"/d/uid{i}/x",
            "type": "dash-db",
            "tags": tags,
            "isStarred": False,
            "folderId": 2,
            "folderUid": "f1",
            "folderTitle": "Production",
            "sortMeta": 0,
        }
        for i, (title, tags) in enumerate(titles_tags, 1)
    ]


GOOD_DASHBOARDS = grafana_search(
    ("API Service", ["service"]),
    ("Worker Service", ["service"]),
    ("Business KPIs", ["business"]),
    ("SLO Overview", ["sla", "slo"]),
)
BAD_DASHBOARDS = grafana_search(("Node Exporter Full", ["linux"]))


# GET /loki/api/v1/status/buildinfo, as documented for Loki's HTTP API (Loki >= 2.3).
LOKI_BUILDINFO = {
    "version": "3.4.2",
    "revision": "e5fe6f0a",
    "branch": "release-3.4.x",
    "buildUser": "root@buildkitsandbox",
    "buildDate": "2025-01-31T12:00:00Z",
    "goVersion": "go1.23.5",
}


def loki_streams(service_label: str, lines: dict[str, list[str]]) -> Any:
    """A ``query_range`` handler: the recorded streams of the service named in the LogQL selector."""

    def answer(query: dict[str, list[str]]) -> tuple[int, Any]:
        logql = query["query"][0]
        now = time.time_ns()
        result = [
            {
                "stream": {service_label: svc, "level": "info"},
                "values": [[str(now - i * 1_000_000_000), text] for i, text in enumerate(texts)],
            }
            for svc, texts in lines.items()
            if f'{service_label}="{svc}"' in logql and texts
        ]
        return 200, {"status": "success", "data": {"resultType": "streams", "result": result, "stats": {}}}

    return answer


CLEAN_LINES = {
    "api": [
        'level=info msg="GET /api/users/42" status=200 trace_id=4bf92f3577b34da6a3ce929d0e0e4736',
        'level=info msg="login ok" user=j***@***.com password=*** authorization="Bearer [REDACTED]"',
    ],
    "worker": ['level=info msg="charged order 1234" amount=12.50'],
}
LEAKY_LINES = {
    "api": [
        'level=info msg="password reset requested" email=jane.doe@corp.io',
        'level=debug msg="upstream" authorization="Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0"',
    ],
    "worker": [],  # ships nothing
}

LOKI_CONFIG_GOOD = """\
compactor:
  working_directory: /loki/compactor
  retention_enabled: true
  delete_request_store: s3
limits_config:
  retention_period: 744h
"""
LOKI_CONFIG_NO_RETENTION = """\
compactor:
  working_directory: /loki/compactor
  retention_enabled: false
limits_config:
  retention_period: 0s
"""

ES_HEALTH_GREEN = {"cluster_name": "logs", "status": "green", "timed_out": False, "number_of_nodes": 3}
ES_HEALTH_RED = {"cluster_name": "logs", "status": "red", "timed_out": False, "number_of_nodes": 1}


def es_search(lines: dict[str, list[str]]) -> Any:
    def answer(query: dict[str, list[str]]) -> tuple[int, Any]:
        q = query["q"][0]
        svc = q.split('"')[1]
        hits = [
            {
                "_index": "logs-app-000001",
                "_id": str(i),
                "_source": {"@timestamp": "2024-05-01T10:00:00.000Z", "service": {"name": svc}, "message": m},
            }
            for i, m in enumerate(lines.get(svc, []))
        ]
        return 200, {"took": 3, "timed_out": False, "hits": {"total": {"value": len(hits)}, "hits": hits}}

    return answer


ES_ILM_EXPLAIN = {
    "indices": {
        "logs-app-000001": {"index": "logs-app-000001", "managed": True, "policy": "logs-30d", "phase": "hot"}
    }
}
ES_ILM_POLICY = {
    "logs-30d": {
        "version": 1,
        "policy": {
            "phases": {
                "hot": {"min_age": "0ms", "actions": {"rollover": {"max_age": "1d"}}},
                "delete": {"min_age": "30d", "actions": {"delete": {}}},
            }
        },
    }
}
ES_ILM_POLICY_NO_DELETE = {
    "logs-30d": {
        "version": 1,
        "policy": {"phases": {"hot": {"min_age": "0ms", "actions": {"rollover": {"max_age": "1d"}}}}},
    }
}

JAEGER_SERVICES = {
    "data": ["api", "worker", "jaeger-all-in-one"],
    "total": 3,
    "limit": 0,
    "offset": 0,
    "errors": None,
}
JAEGER_API_OPERATIONS = {
    "data": [{"name": "GET /users", "spanKind": "server"}, {"name": "POST /checkout", "spanKind": "server"}],
    "total": 2,
}
JAEGER_WORKER_OPERATIONS = {"data": ["charge"], "total": 1}  # older Jaeger: plain strings
ZIPKIN_SERVICES = ["api", "worker"]
ZIPKIN_API_SPANS = ["get /users", "post /checkout"]
