"""Grafana: deployed with a healthy database, and the dashboards the checklist asks for exist.

Uses the documented HTTP API: ``GET /api/health`` (no auth; ``database: "ok"``) and
``GET /api/search?type=dash-db`` (needs a viewer token; lists titles, tags and folders).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.observability.json_api import JsonApi, require

__all__ = ["Dashboard", "GrafanaClient", "assess_dashboards", "assess_health"]


@dataclass(frozen=True)
class Dashboard:
    """A dashboard as ``/api/search`` lists it."""

    title: str
    uid: str = ""
    folder: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)


class GrafanaClient(JsonApi):
    """Read-only Grafana API client (GET only, one timeout, optional service-account token)."""

    auth_hint = " (token missing or lacks viewer rights)"

    def __init__(
        self, url: str, *, timeout: float = 10.0, token: str | None = None, verify: bool | str = True
    ) -> None:
        super().__init__("Grafana", url, timeout=timeout, token=token, verify=verify)

    def get(self, path: str, **params: Any) -> Any:
        return self.get_json(path, **params)

    def health(self) -> dict[str, Any]:
        """``/api/health``; an answer without ``database`` is not Grafana's (item ``error``)."""
        body = self.get("/api/health")
        require(body, "database", str, f"Grafana {self.url}/api/health")
        return dict(body)

    def dashboards(self) -> list[Dashboard]:
        """All dashboards (one search call; Grafana caps a page at 5000 hits)."""
        body = self.get("/api/search", type="dash-db", limit=5000)
        if not isinstance(body, list):
            raise ProbeError("Grafana /api/search: malformed answer")
        return [
            Dashboard(
                title=str(d.get("title", "")),
                uid=str(d.get("uid", "")),
                folder=str(d.get("folderTitle", "")),
                tags=tuple(str(t) for t in d.get("tags") or []),
            )
            for d in body
            if isinstance(d, dict)
        ]


def assess_health(health: Mapping[str, Any]) -> Assessment:
    """``/api/health`` says the database is ok (Grafana answers even when its database is down)."""
    db = health.get("database")
    return Assessment.single(
        "Grafana healthy",
        "/api/health database",
        db,
        "ok",
        db == "ok",
        f"version {health.get('version', '?')}",
    )


def assess_dashboards(dashboards: Sequence[Dashboard], wanted: Sequence[str], kind: str) -> Assessment:
    """Each wanted dashboard exists: ``tag:NAME`` matches a tag, anything else a title (case-insensitive)."""
    findings = []
    for want in wanted:
        if want.startswith("tag:"):
            tag = want[4:].strip().lower()
            hits = [d.title for d in dashboards if tag in (t.lower() for t in d.tags)]
        else:
            hits = [d.title for d in dashboards if d.title.strip().lower() == want.strip().lower()]
        findings.append(Finding(f"{kind} dashboard {want!r}", hits[:5] or None, "exists", bool(hits)))
    return Assessment.of(f"{kind} dashboards exist", findings, empty_ok=False)
