"""Prometheus: is it up with a loaded config, does it scrape every service, keep data long enough.

Gathering: :class:`PrometheusAPI`, a small read-only HTTP API client (GET only, one timeout, an
optional bearer token) that other suites reuse for their own PromQL (SLOs, resource usage).  Any
transport problem, non-200 answer or ``status != "success"`` envelope is a :class:`ProbeError`:
a broken Prometheus makes its items ``error``, never ``pass``.

Rules: pure ``assess_*`` functions over the JSON the API returned.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.errors import ProbeError
from pytest_readiness.lazy import lazy
from pytest_readiness.probes.observability.json_api import JsonApi, require

if TYPE_CHECKING:
    import promql_parser
else:
    promql_parser = lazy("promql_parser")

__all__ = [
    "PrometheusAPI",
    "ScrapeTarget",
    "assess_business_metrics",
    "assess_retention",
    "assess_server",
    "assess_targets",
    "parse_targets",
    "retention_days",
    "sample_value",
]


class PrometheusAPI(JsonApi):
    """Read-only client of the Prometheus HTTP API (``/api/v1``), shared by several suites.

    ``get(path, **params)`` returns the ``data`` member of the JSON envelope; ``query(promql)``
    runs an instant query and returns its result list (``[{"metric": {...}, "value": [t, "v"]}]``
    for a vector).  Both raise :class:`ProbeError` with a one-line reason on any failure.
    """

    def __init__(
        self, url: str, *, timeout: float = 10.0, token: str | None = None, verify: bool | str = True
    ) -> None:
        super().__init__("Prometheus", url, timeout=timeout, token=token, verify=verify)

    def get(self, path: str, **params: Any) -> Any:
        """GET an ``/api/v1`` path and return the envelope's ``data``."""
        body = self.get_json(path, **params)
        if not isinstance(body, dict) or body.get("status") != "success":
            error = body.get("error", "no status") if isinstance(body, dict) else "not an object"
            raise ProbeError(f"Prometheus {self.url}{path}: {error}")
        return require(body, "data", (dict, list), f"Prometheus {self.url}{path}")

    def query(self, promql: str) -> list[dict[str, Any]]:
        """Instant query; the ``result`` list (vector/matrix), or ``[{"value": ...}]`` for a scalar."""
        data = self.get("/api/v1/query", query=promql)
        where = f"Prometheus {self.url}/api/v1/query"
        kind = require(data, "resultType", str, where, under="data")
        result = require(data, "result", list, where, under="data")
        if kind in ("scalar", "string"):
            return [{"metric": {}, "value": result}]
        return list(result)

    def count_series(self, metric: str) -> int:
        """How many series ``metric`` has now (``count({__name__="metric"})``)."""
        escaped = metric.replace("\\", "\\\\").replace('"', '\\"')
        result = self.query(f'count({{__name__="{escaped}"}})')
        return int(float(sample_value(result[0], f"Prometheus {self.url}/api/v1/query"))) if result else 0

    def ready(self) -> bool:
        """``/-/ready`` answers 200 (the TSDB is open and the server serves queries)."""
        return self.raw("/-/ready").status_code == 200


# ---------------------------------------------------------------------------------------- facts

RUNTIMEINFO = "Prometheus /api/v1/status/runtimeinfo"


def sample_value(entry: Any, where: str) -> str:
    """The value string of one instant-vector sample ``{"value": [t, "v"]}``, or a ProbeError."""
    pair = require(entry, "value", list, where, under="data.result[]")
    if len(pair) != 2:
        raise ProbeError(f"{where}: data.result[].value is not a [time, value] pair")
    return str(pair[1])


@dataclass(frozen=True)
class ScrapeTarget:
    """One active scrape target as ``/api/v1/targets`` reports it."""

    job: str
    instance: str
    health: str
    last_error: str
    labels: Mapping[str, str]

    @property
    def subject(self) -> str:
        return f"{self.job}/{self.instance}"


def parse_targets(data: Any) -> list[ScrapeTarget]:
    """Active targets from the ``data`` of ``/api/v1/targets?state=active``."""
    if not isinstance(data, dict):
        raise ProbeError("Prometheus /api/v1/targets: malformed answer")
    out = []
    for t in require(data, "activeTargets", list, "Prometheus /api/v1/targets", under="data"):
        labels = dict(require(t, "labels", dict, "Prometheus /api/v1/targets", under="data.activeTargets[]"))
        out.append(
            ScrapeTarget(
                job=str(labels.get("job") or t.get("scrapePool", "")),
                instance=str(labels.get("instance") or t.get("scrapeUrl", "")),
                health=require(t, "health", str, "Prometheus /api/v1/targets", under="data.activeTargets[]"),
                last_error=str(t.get("lastError") or ""),
                labels=labels,
            )
        )
    return out


# ---------------------------------------------------------------------------------------- rules


def assess_server(ready: bool, runtimeinfo: Mapping[str, Any]) -> Assessment:
    """Ready, and the last configuration (re)load succeeded: a failed reload keeps an old config."""
    reload_ok = require(runtimeinfo, "reloadConfigSuccess", bool, RUNTIMEINFO, under="data")
    return Assessment.of(
        "Prometheus ready with a loaded configuration",
        [
            Finding("/-/ready", "ready" if ready else "not ready", "ready", ready),
            Finding(
                "runtimeinfo reloadConfigSuccess",
                reload_ok,
                True,
                reload_ok is True,
                ""
                if reload_ok is True
                else "the last configuration reload failed: Prometheus runs an old config",
            ),
        ],
    )


def assess_targets(
    targets: Sequence[ScrapeTarget], jobs: Iterable[str] = (), workloads: Iterable[str] = ()
) -> Assessment:
    """Every active target is up; every expected job and Kubernetes workload has a target.

    A workload ``namespace/name`` is covered by a target whose ``namespace`` label matches and whose
    job, service, pod, deployment or app label names it (pods by ``name-`` prefix).
    """
    findings = [
        Finding(
            f"target {t.subject}",
            t.health,
            "up",
            t.health == "up",
            (t.last_error[:200] if t.health != "up" else ""),
        )
        for t in targets
    ]
    by_job: dict[str, int] = {}
    for t in targets:
        by_job[t.job] = by_job.get(t.job, 0) + 1
    for job in jobs:
        n = by_job.get(job, 0)
        findings.append(Finding(f"job {job}", f"{n} target(s)", ">= 1 target", n > 0))
    for workload in workloads:
        n = sum(1 for t in targets if _covers(t, workload))
        findings.append(
            Finding(
                f"workload {workload}",
                f"{n} target(s)",
                ">= 1 target",
                n > 0,
                "" if n else "no metrics scraped",
            )
        )
    return Assessment.of("every service exposes metrics", findings, empty_ok=False)


def _covers(target: ScrapeTarget, workload: str) -> bool:
    namespace, _, name = workload.rpartition("/")
    labels = target.labels
    if namespace and labels.get("namespace", namespace) != namespace:
        return False
    for key in ("job", "service", "app", "app_kubernetes_io_name", "deployment", "statefulset", "daemonset"):
        if labels.get(key) == name:
            return True
    return str(labels.get("pod", "")).startswith(name + "-")


def assess_business_metrics(series: Mapping[str, int]) -> Assessment:
    """Each configured business metric has at least one series now (``count(metric)``)."""
    return Assessment.of(
        "business metrics have series",
        [Finding(f"metric {name}", f"{n} series", ">= 1 series", n > 0) for name, n in series.items()],
        empty_ok=False,
    )


_SIZE_ONLY = re.compile(r"^\s*[0-9.]+\s*[KMGTPE]?i?B\s*$", re.I)


def retention_days(storage_retention: str) -> float | None:
    """Days of ``storageRetention`` (``"15d"``, ``"30d or 50GiB"``); None when only a size bound is set."""
    for part in storage_retention.split(" or "):
        part = part.strip()
        if not part or _SIZE_ONLY.match(part):
            continue
        try:
            return promql_parser.parse_duration(part).total_seconds() / 86400
        except ValueError:
            continue
    return None


def assess_retention(runtimeinfo: Mapping[str, Any], min_days: float) -> Assessment:
    """``storageRetention`` keeps at least ``min_days`` of samples (a size bound alone is not a policy)."""
    raw = require(runtimeinfo, "storageRetention", str, RUNTIMEINFO, under="data")
    days = retention_days(raw)
    note = "" if days is not None else "no time-based retention (size-only or unknown)"
    if " or " in raw and days is not None:
        note = "a size bound is also set: data may be dropped earlier when the disk fills"
    return Assessment.single(
        "metrics retention",
        "storageRetention",
        raw or None,
        f">= {min_days:g}d",
        days is not None and days >= min_days,
        note,
    )
