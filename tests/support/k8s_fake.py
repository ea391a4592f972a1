"""A Kubernetes API server stand-in: the documented list endpoints, served from manifests.

No real API server can run here, so the real ``kubernetes`` client talks to this over HTTP:
``/version``, ``/api/v1/namespaces/{ns}``, ``/api/v1[/namespaces/{ns}]/{plural}`` and
``/apis/{group}/{version}[/namespaces/{ns}]/{plural}``, with ``limit``/``continue`` pagination and a
bearer token.  Like the real server, list items carry no ``kind``/``apiVersion``; a custom resource
with no object is a 404 (CRD not installed).
"""

from __future__ import annotations

import copy
import json
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from pytest_readiness.probes.kubernetes.inventory import KINDS
from tests.support.http_server import LocalServer, QuietHandler

PLURALS = {
    "Pod": "pods", "Service": "services", "ConfigMap": "configmaps", "Deployment": "deployments",
    "StatefulSet": "statefulsets", "DaemonSet": "daemonsets", "ReplicaSet": "replicasets",
    "ReplicationController": "replicationcontrollers", "Job": "jobs",
    "CronJob": "cronjobs", "PodDisruptionBudget": "poddisruptionbudgets", "NetworkPolicy": "networkpolicies",
    "Ingress": "ingresses", "HorizontalPodAutoscaler": "horizontalpodautoscalers", "Rollout": "rollouts",
    "Schedule": "schedules", "NodePool": "nodepools",
}  # fmt: skip
KIND_OF = {plural: kind for kind, plural in PLURALS.items()}


class FakeKubeAPI:
    """Serve ``objects`` (manifest dicts) as a Kubernetes API; ``.requests`` counts list calls."""

    def __init__(
        self,
        objects: Iterable[Mapping[str, Any]],
        *,
        token: str = "reader-token",
        version: tuple[str, str] = ("1", "31"),
        namespaces: Iterable[str] = (),
        forbidden: Iterable[str] = (),
        delay_s: float = 0.0,
    ) -> None:
        self.token = token
        self.version = version
        self.forbidden = set(forbidden)  # namespaces answering 403
        self.delay_s = delay_s
        self.requests: Counter[str] = Counter()
        self.by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.namespaces = set(namespaces)
        for obj in objects:
            item = copy.deepcopy(dict(obj))
            kind = str(item.pop("kind", ""))
            item.pop("apiVersion", None)
            meta = item.setdefault("metadata", {})
            info = KINDS.get(kind)
            if info is None or info.namespaced:
                meta.setdefault("namespace", "default")
                self.namespaces.add(meta["namespace"])
            self.by_kind[kind].append(item)
        self._server = LocalServer(self._handler())

    @property
    def url(self) -> str:
        return self._server.url

    def __enter__(self) -> FakeKubeAPI:
        self._server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.stop()

    def kubeconfig(self, path: Path, context: str = "prod", token: str | None = None) -> Path:
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "fake", "cluster": {"server": self.url}}],
            "users": [{"name": "reader", "user": {"token": token or self.token}}],
            "contexts": [{"name": context, "context": {"cluster": "fake", "user": "reader"}}],
            "current-context": context,
        }
        path.write_text(json.dumps(config), encoding="utf-8")
        return path

    # ------------------------------------------------------------------ request handling
    def answer(self, path: str, query: Mapping[str, list[str]], auth: str) -> tuple[int, Any]:
        if auth != f"Bearer {self.token}":
            return 401, _status(401, "Unauthorized")
        parts = [p for p in path.split("/") if p]
        if parts == ["version"]:
            major, minor = self.version
            return 200, {
                "major": major,
                "minor": minor,
                "gitVersion": f"v{major}.{minor}.2",
                "platform": "linux",
            }
        if parts[:1] == ["api"] and len(parts) >= 2:
            rest = parts[2:]
        elif parts[:1] == ["apis"] and len(parts) >= 3:
            rest = parts[3:]
        else:
            return 404, _status(404, "NotFound")
        namespace = None
        if len(rest) >= 2 and rest[0] == "namespaces":
            namespace = rest[1]
            if len(rest) == 2:  # GET a namespace
                if namespace in self.forbidden:
                    return 403, _status(403, "Forbidden")
                if namespace in self.namespaces:
                    return 200, {"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": namespace}}
                return 404, _status(404, "NotFound")
            rest = rest[2:]
        if len(rest) != 1 or rest[0] not in KIND_OF:
            return 404, _status(404, "NotFound")
        if namespace in self.forbidden:
            return 403, _status(403, "Forbidden")
        kind = KIND_OF[rest[0]]
        self.requests[f"{kind} {namespace or '*'}"] += 1
        if KINDS[kind].custom and not self.by_kind.get(kind):
            return 404, _status(404, "NotFound")
        items = [
            o
            for o in self.by_kind.get(kind, [])
            if namespace is None or o["metadata"].get("namespace") == namespace
        ]
        start = int((query.get("continue") or ["0"])[0] or 0)
        limit = int((query.get("limit") or ["0"])[0] or 0) or len(items) or 1
        page = items[start : start + limit]
        meta: dict[str, Any] = {"resourceVersion": "1"}
        if start + limit < len(items):
            meta["continue"] = str(start + limit)
        return 200, {
            "kind": f"{kind}List",
            "apiVersion": KINDS[kind].api_version,
            "metadata": meta,
            "items": page,
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                if api.delay_s:
                    threading.Event().wait(api.delay_s)
                url = urlparse(self.path)
                status, body = api.answer(
                    url.path, parse_qs(url.query), self.headers.get("Authorization", "")
                )
                self.send_json(status, body)

        return Handler


def _status(code: int, reason: str) -> dict[str, Any]:
    return {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": reason, "code": code}
