"""Distributed tracing (Jaeger or Zipkin): backend up, services reporting, critical operations traced.

Read-only query APIs: Jaeger ``GET /api/services`` and ``GET /api/services/{service}/operations``
(the UI's query API; answers ``{"data": [...]}``), Zipkin ``GET /api/v2/services`` and
``GET /api/v2/spans?serviceName=...``.  A service appears there only after it sent spans, so
"listed" means "instrumented and exporting".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.observability.json_api import JsonApi, require

__all__ = ["TracingBackend", "assess_backend", "assess_operations", "assess_services", "split_operation"]


@dataclass
class TracingBackend:
    """Jaeger or Zipkin query API; ``kind`` is ``jaeger`` or ``zipkin``."""

    kind: str
    url: str
    timeout: float = 10.0
    verify: bool | str = True

    def __post_init__(self) -> None:
        if self.kind not in ("jaeger", "zipkin"):
            raise ProbeError(f"[tracing] kind {self.kind!r}: expected jaeger or zipkin")
        self.url = self.url.rstrip("/")
        self.api = JsonApi(self.kind.capitalize(), self.url, timeout=self.timeout, verify=self.verify)

    def _get(self, path: str, **params: Any) -> Any:
        body = self.api.get_json(path, **params)
        if self.kind == "jaeger":
            # Jaeger's envelope: {"data": [...] or null when empty, "total": n, "errors": [...] or null}.
            where = f"Jaeger {self.url}{path}"
            if not isinstance(body, dict) or "data" not in body:
                raise ProbeError(f"{where}: answer lacks data")
            if body.get("errors"):
                raise ProbeError(f"{where}: {str(body['errors'])[:200]}")
            if body["data"] is None:
                if body.get("total") != 0:
                    raise ProbeError(f"{where}: answer lacks data")
                return []
            return require(body, "data", list, where)
        return body

    def services(self) -> list[str]:
        path = "/api/services" if self.kind == "jaeger" else "/api/v2/services"
        data = self._get(path)
        if not isinstance(data, list):
            raise ProbeError(f"{self.kind} {path}: malformed answer")
        return sorted(str(s) for s in data)

    def operations(self, service: str) -> list[str]:
        """Operation (span) names of one service; Jaeger answers strings or ``{"name": ...}`` objects."""
        if self.kind == "jaeger":
            data = self._get(f"/api/services/{quote(service, safe='')}/operations")
        else:
            data = self._get("/api/v2/spans", serviceName=service)
        if not isinstance(data, list):
            raise ProbeError(f"{self.kind} operations of {service}: malformed answer")
        return sorted({str(d.get("name") if isinstance(d, dict) else d) for d in data})


def split_operation(spec: str) -> tuple[str | None, str]:
    """``service:operation`` → (service, operation); a bare ``operation`` may come from any service."""
    service, sep, op = spec.partition(":")
    return (service.strip(), op.strip()) if sep and service.strip() else (None, spec.strip())


def assess_backend(services: Sequence[str], kind: str) -> Assessment:
    """The query API answered; at least one service has reported spans."""
    return Assessment.single(
        "tracing backend up",
        f"{kind} services",
        f"{len(services)} service(s)",
        ">= 1 service",
        bool(services),
    )


def assess_services(services: Sequence[str], expected: Sequence[str]) -> Assessment:
    """Every configured service has sent traces."""
    known = set(services)
    return Assessment.of(
        "services report traces",
        [Finding(f"service {s}", s in known, True, s in known) for s in expected],
        empty_ok=False,
    )


def assess_operations(operations: Mapping[str, Sequence[str]], expected: Sequence[str]) -> Assessment:
    """Each critical operation (``service:operation`` or ``operation``) appears in the traces."""
    findings = []
    for spec in expected:
        service, op = split_operation(spec)
        where = [s for s, ops in operations.items() if (service is None or s == service) and op in ops]
        findings.append(Finding(f"operation {spec}", where or None, "traced", bool(where)))
    return Assessment.of("critical paths traced", findings, empty_ok=False)
