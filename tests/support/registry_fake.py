"""A registry speaking the Docker Registry HTTP API v2 the way GHCR does, on a free loopback port.

``/v2/<name>/manifests/<ref>`` (GET/HEAD) needs a bearer token for ``repository:<name>:pull``, else
401 with ``WWW-Authenticate: Bearer realm=".../token",service="...",scope="..."``; ``/token`` grants
anonymous tokens for public repositories and, with basic auth ``user:PAT``, for private ones.
"""

from __future__ import annotations

import base64
import hashlib
import json
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlparse

from tests.support.http_server import LocalServer, QuietHandler

OCI_INDEX = "application/vnd.oci.image.index.v1+json"


class FakeRegistry:
    def __init__(
        self,
        images: dict[str, list[str]],
        *,
        private: frozenset[str] = frozenset(),
        pat: str = "ghp_test_pat",
        fail_status: int | None = None,
    ) -> None:
        self.images = images  # repository -> tags
        self.private = set(private)
        self.pat = pat
        self.fail_status = fail_status
        self.accept_headers: list[str] = []
        self.token_requests: list[dict[str, Any]] = []
        self._server = LocalServer(self._handler())

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    @property
    def host(self) -> str:
        return f"{self._server.host}:{self._server.port}"

    def __enter__(self) -> FakeRegistry:
        self._server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.stop()

    @staticmethod
    def digest(repo: str, tag: str) -> str:
        return "sha256:" + hashlib.sha256(f"{repo}:{tag}".encode()).hexdigest()

    def _token_for(self, scope: str) -> str:
        return "tok-" + hashlib.sha256(scope.encode()).hexdigest()[:16]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        reg = self

        class Handler(QuietHandler):
            def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            def do_HEAD(self) -> None:
                self.do_GET()

            def do_GET(self) -> None:
                url = urlparse(self.path)
                if url.path == "/token":
                    return self._token(parse_qs(url.query))
                if reg.fail_status:
                    return self._send(reg.fail_status, {"errors": [{"code": "UNAVAILABLE"}]})
                parts = url.path.split("/manifests/")
                if not url.path.startswith("/v2/") or len(parts) != 2:
                    return self._send(404, {"errors": [{"code": "NOT_FOUND"}]})
                repo, ref = parts[0][len("/v2/") :], parts[1]
                scope = f"repository:{repo}:pull"
                if self.headers.get("Authorization") != f"Bearer {reg._token_for(scope)}":
                    challenge = f'Bearer realm="{reg.url}/token",service="{reg.host}",scope="{scope}"'
                    return self._send(
                        401, {"errors": [{"code": "UNAUTHORIZED"}]}, {"WWW-Authenticate": challenge}
                    )
                reg.accept_headers.append(self.headers.get("Accept", ""))
                tags = reg.images.get(repo)
                if tags is None:
                    return self._send(404, {"errors": [{"code": "NAME_UNKNOWN"}]})
                digests = {reg.digest(repo, t): t for t in tags}
                if ref not in tags and ref not in digests:
                    return self._send(404, {"errors": [{"code": "MANIFEST_UNKNOWN"}]})
                tag = digests.get(ref, ref)
                return self._send(
                    200,
                    {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": []},
                    {"Docker-Content-Digest": reg.digest(repo, tag), "Content-Type": OCI_INDEX},
                )

            def _token(self, query: dict[str, list[str]]) -> None:
                scope = (query.get("scope") or [""])[0]
                auth = self.headers.get("Authorization", "")
                user_pat = base64.b64decode(auth[6:]).decode() if auth.startswith("Basic ") else ""
                reg.token_requests.append(
                    {"scope": scope, "service": (query.get("service") or [""])[0], "basic": bool(user_pat)}
                )
                repo = scope.split(":")[1] if scope.count(":") == 2 else ""
                if user_pat and user_pat.split(":", 1)[-1] != reg.pat:
                    return self._send(401, {"errors": [{"code": "DENIED"}]})
                if repo in reg.private and not user_pat:
                    return self._send(403, {"errors": [{"code": "DENIED"}]})
                return self._send(200, {"token": reg._token_for(scope)})


        return Handler
