"""A tiny JSON API standing in for the application (registration, value models, strategies, billing)."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from tests.support.http_server import LocalServer, QuietHandler

TOKEN = "smoke-token-s3cr3t-value"


class SmokeApp:
    def __init__(self, broken: set[str] | None = None) -> None:
        broken_parts = set(broken or ())
        users: dict[str, dict[str, Any]] = {}

        class Handler(QuietHandler):
            protocol_version = "HTTP/1.1"

            def _body(self) -> Any:
                n = int(self.headers.get("Content-Length", 0) or 0)
                return json.loads(self.rfile.read(n)) if n else None

            def _route(self, method: str) -> None:
                self.send_json(*self._answer(method))

            def _answer(self, method: str) -> tuple[int, Any]:
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    return 401, {"error": "unauthorised"}
                body = self._body()
                if method == "POST" and (m := re.fullmatch(r"/api/tenants/([\w-]+)/users", self.path)):
                    if "registration" in broken_parts:
                        return 500, {"error": "smtp down"}
                    uid = uuid.uuid4().hex[:8]
                    users[uid] = {"id": uid, "email": body["email"], "tenant": m[1]}
                    return 201, {"user": users[uid]}
                if method == "GET" and (m := re.fullmatch(r"/api/users/(\w+)", self.path)):
                    return (200, {"user": users[m[1]]}) if m[1] in users else (404, {})
                if method == "POST" and self.path == "/api/value-models":
                    return 201, {"data": {"id": "vm-1", "name": body["name"], "status": "draft"}}
                if method == "POST" and re.fullmatch(r"/api/value-models/[\w-]+/strategies/run", self.path):
                    status = "failed" if "strategy" in broken_parts else "completed"
                    return 200, {"run": {"status": status}}
                if method == "GET" and self.path == "/api/billing/health":
                    return 200, {"provider": "stripe", "reachable": "billing" not in broken_parts}
                return 404, {"error": "not found"}

            def do_GET(self) -> None:
                self._route("GET")

            def do_POST(self) -> None:
                self._route("POST")

        self.server = LocalServer(Handler).start()
        self.url = self.server.url

    def close(self) -> None:
        self.server.stop()


FLOWS: list[dict[str, Any]] = [
    {
        "name": "user registration",
        "item": "SUCCESS-BIZ-REGISTRATION",
        "token": TOKEN,
        "steps": [
            {
                "method": "POST",
                "path": "/api/tenants/{tenant}/users",
                "json": {"email": "smoke+{run}@example.test"},
                "expect_status": 201,
                "expect_fields": ["user.email"],
                "expect_json": {"user.tenant": "readiness-test"},
                "save": {"user_id": "user.id"},
            },
            {
                "method": "GET",
                "path": "/api/users/{user_id}",
                "expect_status": 200,
                "expect_fields": ["user.id"],
            },
        ],
    },
    {
        "name": "value model creation",
        "item": "SUCCESS-BIZ-VALUE-MODEL",
        "token": TOKEN,
        "steps": [
            {
                "method": "POST",
                "path": "/api/value-models",
                "json": {"name": "smoke {run}"},
                "expect_status": [200, 201],
                "expect_json": {"data.status": "draft"},
                "save": {"model": "data.id"},
            },
        ],
    },
    {
        "name": "strategy execution",
        "item": "SUCCESS-BIZ-STRATEGY",
        "token": TOKEN,
        "steps": [
            {
                "method": "POST",
                "path": "/api/value-models",
                "json": {"name": "s"},
                "expect_status": 201,
                "save": {"model": "data.id"},
            },
            {
                "method": "POST",
                "path": "/api/value-models/{model}/strategies/run",
                "expect_status": 200,
                "expect_json": {"run.status": "completed"},
            },
        ],
    },
    {
        "name": "billing integration",
        "item": "SUCCESS-BIZ-BILLING",
        "token": TOKEN,
        "steps": [
            {
                "method": "GET",
                "path": "/api/billing/health",
                "expect_status": 200,
                "expect_json": {"reachable": True},
            },
        ],
    },
]
