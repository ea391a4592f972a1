"""Service-level figures (latency percentiles, error rate, throughput, availability) and their rules.

The same rules judge figures from three sources: Prometheus (the live service, the default for the
Success Criteria), a k6 summary (:mod:`.k6`) and the built-in load probe (:mod:`.load`).  Every
source is reduced to :class:`PerfFigures`; a figure a source cannot provide is ``None`` and its rule
raises :class:`ProbeError` (undecidable is ``error``, never ``pass``).

Prometheus access goes through any object with ``query(promql)`` returning the instant-vector
result (a list of ``{"metric": {...}, "value": [ts, "v"]}``, or the whole ``data`` mapping).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.errors import ProbeError

__all__ = [
    "DEFAULT_QUERIES",
    "FIGURES",
    "PerfFigures",
    "PromQuery",
    "Sample",
    "assess_availability",
    "assess_error_rate",
    "assess_latency",
    "assess_throughput",
    "perf_from_prometheus",
    "queries_for",
    "query_samples",
]

DEFAULT_WINDOW = "1h"

# Each criterion: PromQL candidates tried in order, the first with data wins (common metric names
# of the Prometheus client libraries, ingress-nginx, node_exporter, cAdvisor).  ``{window}`` is
# ``[prometheus] queries.window`` (default 1h).  Override a criterion with ``queries.<name>``.
_LATENCY = "histogram_quantile({q}, sum by (le) (rate({metric}[{{window}}]))) * 1000"
DEFAULT_QUERIES: dict[str, tuple[str, ...]] = {
    "p50_ms": tuple(
        _LATENCY.format(q=0.5, metric=m)
        for m in (
            "http_request_duration_seconds_bucket",
            "nginx_ingress_controller_request_duration_seconds_bucket",
        )
    ),
    "p95_ms": tuple(
        _LATENCY.format(q=0.95, metric=m)
        for m in (
            "http_request_duration_seconds_bucket",
            "nginx_ingress_controller_request_duration_seconds_bucket",
        )
    ),
    "p99_ms": tuple(
        _LATENCY.format(q=0.99, metric=m)
        for m in (
            "http_request_duration_seconds_bucket",
            "nginx_ingress_controller_request_duration_seconds_bucket",
        )
    ),
    "error_rate_percent": (
        '100 * sum(rate(http_requests_total{code=~"5.."}[{window}]))'
        " / sum(rate(http_requests_total[{window}]))",
        '100 * sum(rate(http_requests_total{status=~"5.."}[{window}]))'
        " / sum(rate(http_requests_total[{window}]))",
        '100 * sum(rate(nginx_ingress_controller_requests{status=~"5.."}[{window}]))'
        " / sum(rate(nginx_ingress_controller_requests[{window}]))",
    ),
    "availability_percent": ("100 * avg by (job) (avg_over_time(up[{window}]))",),
    "throughput_rps": ("sum(rate(http_requests_total[{window}]))",),
    # technical metrics (see technical_metrics.py): one series per container / node
    "cpu_percent": (
        "100 * sum by (namespace, pod, container)"
        ' (rate(container_cpu_usage_seconds_total{container!=""}[5m]))'
        ' / sum by (namespace, pod, container) (kube_pod_container_resource_limits{resource="cpu"})',
        '100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])))',
    ),
    "memory_percent": (
        '100 * sum by (namespace, pod, container) (container_memory_working_set_bytes{container!=""})'
        ' / sum by (namespace, pod, container) (kube_pod_container_resource_limits{resource="memory"})',
        "100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)",
    ),
    # growth of resident memory per hour, in percent of the current value, fitted over the window
    "memory_growth_percent_per_h": (
        '100 * 3600 * deriv(container_memory_working_set_bytes{container!=""}[{window}])'
        ' / container_memory_working_set_bytes{container!=""}',
        "100 * 3600 * deriv(process_resident_memory_bytes[{window}]) / process_resident_memory_bytes",
    ),
    "db_pool_waiting": ("max_over_time(pgbouncer_pools_client_waiting_connections[{window}])",),
}

#: How long each series of a trend criterion has been observed (seconds), aligned with the
#: criterion's candidates above: a growth fitted over a few minutes of a fresh process is not
#: evidence.  The subquery runs at the global evaluation interval; ``timestamp()`` drops the metric
#: name as ``deriv()`` does, so the labels match the trend's series one to one.  Override with
#: ``[prometheus] queries.<name>_history`` when the criterion itself is overridden.
HISTORY_QUERIES: dict[str, tuple[str, ...]] = {
    "memory_growth_percent_per_h": (
        'time() - min_over_time(timestamp(container_memory_working_set_bytes{container!=""})[{window}:])',
        "time() - min_over_time(timestamp(process_resident_memory_bytes)[{window}:])",
    ),
}


class PromQuery(Protocol):
    """The monitoring suite's ``prometheus_api`` fixture (or any client with the same method)."""

    def query(self, promql: str) -> Any: ...


class NoDataError(ProbeError):
    """Prometheus answered, with no series for any query of the criterion (a caller may fall back)."""


@dataclass(frozen=True)
class Sample:
    """One series of an instant vector: its labels and value."""

    labels: Mapping[str, str]
    value: float

    @property
    def name(self) -> str:
        """A short subject naming the series by its labels (``{}`` for an aggregate)."""
        shown = {k: v for k, v in sorted(self.labels.items()) if k != "__name__"}
        return "{" + ", ".join(f'{k}="{v}"' for k, v in shown.items()) + "}"


def _result_list(raw: Any) -> list[Any]:
    if isinstance(raw, Mapping):
        if raw.get("status") == "error":
            raise ProbeError(f"Prometheus query failed: {raw.get('error', 'unknown error')}")
        data = raw.get("data", raw)
        raw = data.get("result", []) if isinstance(data, Mapping) else []
    if isinstance(raw, Sequence) and not isinstance(raw, str | bytes):
        return list(raw)
    raise ProbeError(f"unexpected Prometheus answer of type {type(raw).__name__}")


def query_samples(prom: PromQuery, promql: str) -> list[Sample]:
    """Run an instant query; NaN samples (0/0, empty histograms) are dropped: they are not data."""
    out: list[Sample] = []
    for entry in _result_list(prom.query(promql)):
        if isinstance(entry, Sample):
            out.append(entry)
            continue
        if not isinstance(entry, Mapping) or "value" not in entry:
            raise ProbeError(f"unexpected Prometheus result entry: {str(entry)[:80]}")
        try:
            value = float(entry["value"][1])
        except (TypeError, ValueError, IndexError) as exc:
            raise ProbeError(f"unparsable Prometheus sample value in answer to {promql!r}") from exc
        if not math.isnan(value):
            out.append(Sample(dict(entry.get("metric", {})), value))
    return out


def queries_for(name: str, overrides: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The PromQL candidates of a criterion: the override alone if configured, else the defaults."""
    overrides = overrides or {}
    window = str(overrides.get("window", DEFAULT_WINDOW))
    custom = overrides.get(name)
    candidates = (str(custom),) if custom else DEFAULT_QUERIES[name]
    return tuple(q.replace("{window}", window) for q in candidates)


def first_with_data(
    prom: PromQuery, name: str, overrides: Mapping[str, Any] | None
) -> tuple[str, list[Sample]]:
    """Try each candidate query; the first answering with data wins, none → ProbeError."""
    tried = queries_for(name, overrides)
    for promql in tried:
        samples = query_samples(prom, promql)
        if samples:
            return promql, samples
    raise NoDataError(
        f"no data for {name}: Prometheus returned no series for {' | '.join(tried)}"
        f" (set [prometheus] queries.{name} to a query that fits your metric names)"
    )


def history_query(name: str, used: str, overrides: Mapping[str, Any] | None) -> str | None:
    """The history query that goes with ``used`` (the criterion query that had data), if known."""
    overrides = overrides or {}
    window = str(overrides.get("window", DEFAULT_WINDOW))
    custom = overrides.get(f"{name}_history")
    if custom:
        return str(custom).replace("{window}", window)
    if overrides.get(name) or name not in HISTORY_QUERIES:
        return None  # a custom trend query: its history cannot be guessed
    for promql, history in zip(queries_for(name, overrides), HISTORY_QUERIES[name], strict=True):
        if promql == used:
            return history.replace("{window}", window)
    return None


def series_history(
    prom: PromQuery, name: str, used: str, overrides: Mapping[str, Any] | None
) -> dict[str, float] | None:
    """Seconds of history per series (by :attr:`Sample.name`) of a trend, or None when unknown."""
    query = history_query(name, used, overrides)
    if query is None:
        return None
    return {s.name: s.value for s in query_samples(prom, query)}


@dataclass(frozen=True)
class PerfFigures:
    """Latency in milliseconds, error rate and availability in percent, throughput in requests/s."""

    source: str
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    error_rate_percent: float | None = None
    availability_percent: float | None = None
    throughput_rps: float | None = None
    requests: int | None = None
    #: Per-figure note: the PromQL that produced it, or how it was derived.
    notes: Mapping[str, str] = field(default_factory=dict)
    #: Series-level values when a source returns several series (worst one is the headline figure).
    series: Mapping[str, Mapping[str, float]] = field(default_factory=dict)


#: The figures of :class:`PerfFigures` a source may provide, each judged by one rule.
FIGURES = ("p50_ms", "p95_ms", "p99_ms", "error_rate_percent", "availability_percent", "throughput_rps")


def perf_from_prometheus(prom: PromQuery, overrides: Mapping[str, Any] | None = None) -> PerfFigures:
    """Query each criterion once (the fixture caches the figures for the session).

    A criterion without data is left ``None`` with the reason in ``notes`` so only its item errors.
    """
    values: dict[str, float | None] = {}
    notes: dict[str, str] = {}
    series: dict[str, dict[str, float]] = {}
    for name in FIGURES:
        try:
            promql, samples = first_with_data(prom, name, overrides)
        except ProbeError as exc:
            values[name] = None
            notes[name] = str(exc)
            continue
        worst = min if name == "availability_percent" else max
        values[name] = worst(s.value for s in samples)
        notes[name] = f"PromQL: {promql}"
        series[name] = {s.name: s.value for s in samples}
    return PerfFigures(
        source="prometheus",
        p50_ms=values["p50_ms"],
        p95_ms=values["p95_ms"],
        p99_ms=values["p99_ms"],
        error_rate_percent=values["error_rate_percent"],
        availability_percent=values["availability_percent"],
        throughput_rps=values["throughput_rps"],
        notes=notes,
        series=series,
    )


def _figure(figures: PerfFigures, name: str) -> float:
    value = getattr(figures, name)
    if value is None:
        why = figures.notes.get(name, "")
        raise ProbeError(f"{figures.source} gives no {name}" + (f": {why}" if why else ""))
    return float(value)


def _findings(figures: PerfFigures, name: str, ok: Any, expected: str) -> list[Finding]:
    """The headline figure, plus one finding per series when the source had several."""
    headline = _figure(figures, name)
    note = figures.notes.get(name, "")
    per_series = figures.series.get(name, {})
    if len(per_series) > 1:
        return [
            Finding(f"{figures.source} {name} {label}", round(v, 3), expected, bool(ok(v)), note)
            for label, v in sorted(per_series.items())
        ]
    return [Finding(f"{figures.source} {name}", round(headline, 3), expected, bool(ok(headline)), note)]


def assess_latency(figures: PerfFigures, percentile: str, max_ms: float) -> Assessment:
    """``percentile`` is ``p50``/``p95``/``p99``: the figure must be strictly below ``max_ms``."""
    name = f"{percentile}_ms"
    return Assessment.of(
        f"{percentile} response time below {max_ms:g} ms",
        _findings(figures, name, lambda v: v < max_ms, f"< {max_ms:g} ms"),
        empty_ok=False,
    )


def assess_error_rate(figures: PerfFigures, max_percent: float) -> Assessment:
    """Share of failed requests (5xx from Prometheus; non-2xx/3xx or transport errors under load)."""
    return Assessment.of(
        f"error rate below {max_percent:g} %",
        _findings(figures, "error_rate_percent", lambda v: v < max_percent, f"< {max_percent:g} %"),
        empty_ok=False,
    )


def assess_availability(figures: PerfFigures, min_percent: float) -> Assessment:
    """Availability strictly above the target (each scrape job separately from Prometheus)."""
    return Assessment.of(
        f"availability above {min_percent:g} %",
        _findings(figures, "availability_percent", lambda v: v > min_percent, f"> {min_percent:g} %"),
        empty_ok=False,
    )


def assess_throughput(figures: PerfFigures, min_rps: float) -> Assessment:
    """Sustained throughput at or above the target: a lower figure proves nothing about the target."""
    return Assessment.of(
        f"throughput at least {min_rps:g} req/s",
        _findings(figures, "throughput_rps", lambda v: v >= min_rps, f">= {min_rps:g} req/s"),
        empty_ok=False,
    )
