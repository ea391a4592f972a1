"""Health endpoints against a real nginx: healthy, degraded, failing and unreachable; pods started."""

from __future__ import annotations

import pytest

from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.web.health import assess_health, assess_pods_started, body_verdict, fetch_health
from pytest_readiness.probes.web.http_client import HttpConfig

SERVER = """
server {
    listen 127.0.0.1:{http_port};
    default_type application/json;
    location = /healthz { return 200 '{"status":"ok","checks":{"db":{"status":"up"}}}'; }
    location = /ping { default_type text/plain; return 200 'pong'; }
    location = /degraded { return 200 '{"status":"UP","components":{"db":{"status":"DOWN"}}}'; }
    location = /broken { return 503 '{"status":"fail"}'; }
}
"""


@pytest.fixture(scope="module")
def health_server(nginx_server_factory):  # type: ignore[no-untyped-def]
    return nginx_server_factory(SERVER)


def test_healthy_endpoints(health_server) -> None:  # type: ignore[no-untyped-def]
    base = health_server.http_url
    a = assess_health(fetch_health([f"{base}/healthz", f"{base}/ping"], HttpConfig(timeout=5)))
    assert a.ok, a.message()
    assert a.findings[0].observed == {"status": 200, "body": "status 'ok'"}


def test_degraded_and_failing_endpoints(health_server) -> None:  # type: ignore[no-untyped-def]
    base = health_server.http_url
    a = assess_health(
        fetch_health([f"{base}/degraded", f"{base}/broken", f"{base}/missing"], HttpConfig(timeout=5))
    )
    assert [f.ok for f in a.findings] == [False, False, False]
    assert a.findings[0].observed["body"] == "components.db.status = 'down'"
    assert a.findings[1].observed["status"] == 503 and a.findings[2].observed["status"] == 404


def test_unreachable_endpoint_is_an_error() -> None:
    with pytest.raises(ProbeError, match="cannot connect"):
        fetch_health(["http://127.0.0.1:1/healthz"], HttpConfig(timeout=2))


def test_body_verdicts() -> None:
    assert body_verdict("") == (True, "empty body")
    assert body_verdict('{"status": "pass", "checks": {"db:rt": [{"status": "warn"}]}}')[0] is False
    assert body_verdict("<html><body>Welcome to nginx</body></html>")[0] is False
    assert body_verdict('{"healthy": true}') == (True, "status 'ok'")


def _pod(name: str, phase: str, ready: bool, restarts: int = 0, waiting: str | None = None) -> dict:
    state = {"waiting": {"reason": waiting}} if waiting else {"running": {}}
    return {
        "metadata": {"namespace": "prod", "name": name},
        "status": {
            "phase": phase,
            "conditions": [{"type": "Ready", "status": str(ready)}],
            "containerStatuses": [{"name": "app", "restartCount": restarts, "state": state}],
        },
    }


def test_pods_started_rule() -> None:
    assert assess_pods_started([_pod("web-1", "Running", True, 1)], 3).ok
    a = assess_pods_started(
        [
            _pod("web-1", "Running", True, 1),
            _pod("api-1", "Running", False, 7, "CrashLoopBackOff"),
            _pod("job-1", "Succeeded", False),
        ],
        3,
    )
    assert [f.subject for f in a.failures] == ["prod/Pod/api-1"]
    assert a.failures[0].observed["waiting"] == ["app: CrashLoopBackOff"]
    assert not assess_pods_started([], 3).ok  # no pod at all cannot prove services started
