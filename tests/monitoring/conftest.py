"""Helpers for the monitoring tests: a recorded-response HTTP server and a suite runner.

Grafana, Loki, Elasticsearch, Jaeger and Zipkin are not packaged for Debian, so their checks are
tested against :class:`RecordedHTTP`: a local ``http.server`` answering the documented endpoints with
responses recorded from the real products' documentation.  Prometheus and Alertmanager are real.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
REALWORLD = Path(__file__).resolve().parents[2].parent / "shared" / "realworld"
PROM_REALWORLD = REALWORLD / "prometheus"

Answer = tuple[int, Any]  # (status, body: dict/list → JSON, str → text)
Route = Answer | Callable[[dict[str, list[str]]], Answer]


class RecordedHTTP:
    """Serve ``routes`` (path → answer or ``fn(query) -> answer``) on a free loopback port."""

    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes
        self.requests: list[tuple[str, str]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
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

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def recorded_http() -> Iterator[Callable[[dict[str, Route]], RecordedHTTP]]:
    servers: list[RecordedHTTP] = []

    def start(routes: dict[str, Route]) -> RecordedHTTP:
        servers.append(RecordedHTTP(routes))
        return servers[-1]

    yield start
    for s in servers:
        s.close()


def run_suite(tmp_path: Path, suite: str, env_toml: str, *extra: str) -> dict[str, dict[str, Any]]:
    """Run ``suites/<suite>`` against a generated environment; items of readiness.json by id."""
    env_file = tmp_path / "env.toml"
    env_file.write_text(env_toml)
    out = tmp_path / "out"
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        f"--env={env_file}",
        f"suites/{suite}",
        "-p",
        "no:cacheprovider",
        f"--readiness-dir={out}",
        "-q",
        *extra,
    ]
    proc = subprocess.run(
        cmd,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    report = out / "readiness.json"
    assert report.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    return {item["id"]: item for item in json.loads(report.read_text())["items"]}


def findings(item: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for ev in item.get("evidence", []) for f in ev["findings"]]
