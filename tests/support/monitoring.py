"""Helpers for the monitoring tests: a recorded-response HTTP server and a suite runner.

Grafana, Loki, Elasticsearch, Jaeger and Zipkin are not packaged for Debian, so their checks are
tested against :class:`RecordedHTTP`: a local ``http.server`` answering the documented endpoints with
responses recorded from the real products' documentation.  Prometheus and Alertmanager are real.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pytest_readiness import env_schema
from pytest_readiness.probes.observability import logging_backend
from tests.support import readiness
from tests.support.http_server import LocalServer, QuietHandler

REALWORLD = Path(__file__).resolve().parents[1] / "data" / "realworld"
PROM_REALWORLD = REALWORLD / "prometheus"

Answer = tuple[int, Any]  # (status, body: dict/list → JSON, str → text)
Route = Answer | Callable[[dict[str, list[str]]], Answer]


class RecordedHTTP:
    """Serve ``routes`` (path → answer or ``fn(query) -> answer``) on a free loopback port."""

    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes
        self.requests: list[tuple[str, str]] = []
        outer = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                outer.requests.append(("GET", self.path))
                parts = urlsplit(self.path)
                route = outer.routes.get(parts.path)
                if route is None:
                    status, body = 404, {"error": "not found"}
                elif callable(route):
                    status, body = route(parse_qs(parts.query))
                else:
                    status, body = route
                data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header(
                    "Content-Type", "text/plain" if isinstance(body, str) else "application/json"
                )
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                outer.requests.append(("POST", self.path))
                self.send_response(405)
                self.end_headers()

        self.server = LocalServer(Handler).start()

    @property
    def url(self) -> str:
        return self.server.url

    def close(self) -> None:
        self.server.stop()


def run_suite(tmp_path: Path, suite: str, env_toml: str, *extra: str) -> dict[str, dict[str, Any]]:
    """Run ``suites/<suite>`` against a generated environment; items of readiness.json by id."""
    return readiness.run_suite(tmp_path, env_toml, f"suites/{suite}", *extra, timeout=180)


# ------------------------------------------------------------------------------------------------
# Real Prometheus / Alertmanager configurations, good and bad.

FAST_CONFIG = """\
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ["127.0.0.1:{port}"]
"""

BAD_CONFIG = (
    FAST_CONFIG
    + """\
  - job_name: api
    static_configs:
      - targets: ["127.0.0.1:9"]
"""
)

GOOD_RULES = """\
groups:
  - name: rollback
    rules:
      - alert: HighErrorRate
        expr: sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > 0.05
        for: 2m
        labels: {severity: critical}
        annotations: {runbook_url: "https://runbooks.example.internal/high-error-rate"}
      - alert: SlowP95
        expr: histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m]))) > 5
        for: 5m
        labels: {severity: critical}
        annotations: {runbook_url: "https://runbooks.example.internal/slow"}
      - alert: TargetDown
        expr: up == 0
        for: 1m
        labels: {severity: critical}
        annotations: {runbook_url: "https://runbooks.example.internal/target-down"}
      - alert: PostgresDown
        expr: pg_up == 0
        for: 1m
        labels: {severity: critical}
        annotations: {runbook_url: "https://runbooks.example.internal/postgres-down"}
      - alert: DiskFilling
        expr: predict_linear(node_filesystem_avail_bytes[6h], 4 * 3600) < 0
        for: 30m
        labels: {severity: warning}
        annotations: {runbook_url: "https://runbooks.example.internal/disk"}
"""

#: No severity, no runbook, a paging alert without ``for``, one rule failing at evaluation, and
#: rollback triggers with thresholds looser than the checklist's.
BAD_RULES = """\
groups:
  - name: sloppy
    rules:
      - alert: SomethingWrong
        expr: up == 0
      - alert: ErrorsVeryHigh
        expr: sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > 0.25
        for: 0m
        labels: {severity: critical}
      - alert: Broken
        expr: prometheus_http_requests_total + on(job) prometheus_http_requests_total
        for: 5m
        labels: {severity: warning}
"""

#: The catch-all receiver of both configurations: mail to the on-call list.
MAIL_RECEIVER = """\
  - name: default-mail
    email_configs:
      - to: oncall@valueverse.internal
        from: alertmanager@valueverse.internal
        smarthost: smtp.valueverse.internal:587
"""

GOOD_AM = (
    """\
route:
  receiver: default-mail
  routes:
    - matchers: ['severity="critical"']
      receiver: pager
      continue: true
    - matchers: ['severity="critical"']
      receiver: chat
    - matchers: ['severity=~"warning|info"']
      receiver: chat
receivers:
"""
    + MAIL_RECEIVER
    + """\
  - name: pager
    pagerduty_configs:
      - routing_key: e93facc04764012d7bfb002500d5d1a6
  - name: chat
    slack_configs:
      - api_url: https://hooks.slack.com/services/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
        channel: "#alerts"
"""
)

#: Critical alerts end in a receiver without any integration: they are silently dropped.
BAD_AM = (
    """\
route:
  receiver: default-mail
  routes:
    - match: {severity: critical}
      receiver: blackhole
receivers:
"""
    + MAIL_RECEIVER
    + "  - name: blackhole\n"
)


def simple_yml_for_debian() -> str:
    """Alertmanager's doc/examples/simple.yml as Debian's alertmanager 0.25 accepts it.

    The only change: the top-level ``tracing:`` block is dropped (that field came with a later
    Alertmanager release; 0.25 rejects the file with "field tracing not found").  Everything else,
    including the plaintext SMTP password and the ``<team-X-key>`` placeholders, is kept verbatim.
    """
    text = (PROM_REALWORLD / "alertmanager-doc-examples-simple.yml").read_text()
    head, sep, _ = text.partition("\ntracing:")
    assert sep, "simple.yml changed: no tracing block"
    return head + "\n"


def wait_until(predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    """Poll (scrapes and rule evaluations run every second in these configs); never asserts timing."""
    import time

    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.2)


def settled(url: str) -> bool:
    """Targets discovered, each scraped once, every rule evaluated once (health no longer 'unknown')."""
    import requests

    targets = requests.get(f"{url}/api/v1/targets", timeout=5).json()["data"]["activeTargets"]
    groups = requests.get(f"{url}/api/v1/rules", timeout=5).json()["data"]["groups"]
    healths = [t["health"] for t in targets] + [r["health"] for g in groups for r in g["rules"]]
    return bool(targets) and all(h != "unknown" for h in healths)  # targets appear after ~5 s


# ------------------------------------------------------------------------------------------------
# A tiny authoritative DNS server (dnspython builds the answers) for the TTL check.


class LocalDNS:
    """Answer A queries for ``records`` (name → (address, ttl)) on a loopback UDP port."""

    def __init__(self, records: dict[str, tuple[str, int]]) -> None:
        import socket

        self.records = {k.rstrip(".") + ".": v for k, v in records.items()}
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = int(self.sock.getsockname()[1])
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def nameserver(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _serve(self) -> None:
        import dns.message
        import dns.rcode
        import dns.rrset

        while not self.stopped.is_set():
            try:
                data, addr = self.sock.recvfrom(4096)
            except OSError:
                continue
            query = dns.message.from_wire(data)
            response = dns.message.make_response(query)
            question = query.question[0]
            name = question.name.to_text()
            if name not in self.records:
                response.set_rcode(dns.rcode.NXDOMAIN)
            elif dns.rdatatype.to_text(question.rdtype) == "A":
                address, ttl = self.records[name]
                response.answer.append(dns.rrset.from_text(name, ttl, "IN", "A", address))
            self.sock.sendto(response.to_wire(), addr)

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=2)
        self.sock.close()


def logging_backend_for(kind: str, url: str, **connection: Any) -> logging_backend.LoggingBackend:
    """The backend as the fixture builds it when ``[logging]`` sets only kind and url (schema defaults)."""
    options = {key: env_schema.default("logging", key) for key in logging_backend.OPTIONS}
    return logging_backend.make_backend(kind, url, **options, **connection)
