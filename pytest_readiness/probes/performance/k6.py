"""k6 end-of-test summaries: ``k6 run --summary-export=FILE`` or a ``handleSummary`` JSON dump.

Two documented shapes are read:

* ``--summary-export`` (legacy): ``metrics.<name>`` holds the values directly (``med``, ``p(95)``,
  ``rate``, ``count``, ``value``) and ``thresholds`` maps each expression to a boolean that is
  **true when the threshold failed** (k6 issue #1498, kept for compatibility).
* ``handleSummary(data)`` → ``JSON.stringify(data)``: ``metrics.<name>.values`` holds the values and
  ``thresholds`` maps each expression to ``{"ok": bool}``.

*Ran against this release*: k6 does not record which build it tested, so the script must say it.
The configured release string must appear in one of: a top-level ``release`` key or ``tags`` /
``options.tags`` mapping (added by ``handleSummary``), ``setup_data`` (returned by ``setup()``, e.g.
the version read from the service's health endpoint), or a tagged sub-metric ``{release:VALUE}``
(a threshold on ``http_reqs{release:VALUE}`` with the run started with ``--tag release=VALUE``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.artifacts import load_json_report
from pytest_readiness.probes.performance.slo import PerfFigures

__all__ = ["K6Summary", "assess_executed", "parse_k6_summary"]

MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class K6Summary:
    """The figures and threshold outcomes of one k6 run."""

    path: str
    shape: str  # "summary-export" | "handleSummary"
    requests: int
    figures: PerfFigures
    #: ``metric: expression`` → passed?
    thresholds: Mapping[str, bool] = field(default_factory=dict)
    #: Where the release string was found (``""`` when not found or not asked).
    release_found_in: str = ""
    duration_s: float | None = None


def _num(values: Mapping[str, Any], key: str) -> float | None:
    value = values.get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _contains(value: Any, wanted: str, depth: int = 0) -> bool:
    if depth > 6:
        return False
    if isinstance(value, str):
        return value == wanted
    if isinstance(value, Mapping):
        return any(_contains(v, wanted, depth + 1) for v in value.values())
    if isinstance(value, list):
        return any(_contains(v, wanted, depth + 1) for v in value)
    return False


def find_release(data: Mapping[str, Any], release: str) -> str:
    """Where ``release`` is recorded in the summary (see the module docstring), or ``""``."""
    for key in ("release", "tags", "setup_data"):
        if key in data and _contains(data[key], release):
            return key
    options = data.get("options")
    if isinstance(options, Mapping) and _contains(options.get("tags"), release):
        return "options.tags"
    pattern = re.compile(r"\{[^}]*\brelease:" + re.escape(release) + r"\s*(,[^}]*)?\}$")
    for name in data.get("metrics", {}):
        if pattern.search(str(name)):
            return f"metrics.{name}"
    return ""


def parse_k6_summary(path: Path, release: str = "") -> K6Summary:
    """Read either summary shape into :class:`PerfFigures` plus threshold outcomes."""
    if not path.is_file():
        raise ProbeError(f"k6 summary {path} not found")
    data = load_json_report(path, "k6 summary", MAX_BYTES)
    metrics = data.get("metrics") if isinstance(data, Mapping) else None
    if not isinstance(metrics, Mapping) or "http_reqs" not in metrics:
        raise ProbeError(f"{path} is not a k6 summary with HTTP metrics (no metrics.http_reqs)")

    handle = any(isinstance(m, Mapping) and isinstance(m.get("values"), Mapping) for m in metrics.values())
    shape = "handleSummary" if handle else "summary-export"

    def values(name: str) -> Mapping[str, Any]:
        metric = metrics.get(name)
        if not isinstance(metric, Mapping):
            return {}
        inner = metric.get("values") if handle else metric
        return inner if isinstance(inner, Mapping) else {}

    thresholds: dict[str, bool] = {}
    for name, metric in metrics.items():
        if not isinstance(metric, Mapping) or not isinstance(metric.get("thresholds"), Mapping):
            continue
        for expr, outcome in metric["thresholds"].items():
            if handle:
                passed = bool(outcome.get("ok")) if isinstance(outcome, Mapping) else False
            else:
                passed = outcome is False  # summary-export: true means the threshold FAILED
            thresholds[f"{name}: {expr}"] = passed

    reqs, duration, failed = values("http_reqs"), values("http_req_duration"), values("http_req_failed")
    # Rate metrics: handleSummary "rate", summary-export "value".
    fail_rate = _num(failed, "rate" if handle else "value")
    if fail_rate is None:
        fail_rate = _num(failed, "value") if handle else _num(failed, "rate")
    notes = {
        "p95_ms": "k6 reports p(95) only when summaryTrendStats includes it",
        "p99_ms": "k6 reports p(99) only when summaryTrendStats includes it",
        "error_rate_percent": "http_req_failed: status outside 200-399 or transport error",
    }
    if not duration:
        notes["p50_ms"] = notes["p95_ms"] = notes["p99_ms"] = "the summary has no metrics.http_req_duration"
    if fail_rate is None:
        notes["error_rate_percent"] = (
            "the summary has no metrics.http_req_failed (k6 before v0.31 does not record it)"
            if not failed
            else "metrics.http_req_failed has no rate"
        )
    state = data.get("state") if isinstance(data.get("state"), Mapping) else {}
    run_ms = _num(state, "testRunDurationMs") if isinstance(state, Mapping) else None
    count = _num(reqs, "count")
    figures = PerfFigures(
        source=f"k6 {path.name}",
        p50_ms=_num(duration, "med") if _num(duration, "med") is not None else _num(duration, "p(50)"),
        p95_ms=_num(duration, "p(95)"),
        p99_ms=_num(duration, "p(99)"),
        error_rate_percent=None if fail_rate is None else 100.0 * fail_rate,
        availability_percent=None if fail_rate is None else 100.0 * (1 - fail_rate),
        throughput_rps=_num(reqs, "rate"),
        requests=int(count) if count is not None else None,
        notes=notes
        | {
            "availability_percent": "100 % minus the failed-request rate of the load test"
            if fail_rate is not None
            else notes["error_rate_percent"]
        },
    )
    return K6Summary(
        path=str(path),
        shape=shape,
        requests=int(count or 0),
        figures=figures,
        thresholds=thresholds,
        release_found_in=find_release(data, release) if release else "",
        duration_s=None if run_ms is None else run_ms / 1000.0,
    )


def assess_executed(summary: K6Summary, release: str) -> Assessment:
    """The run sent requests, recorded the expected release, and met every threshold it declared."""
    findings = [
        Finding(
            f"k6 {summary.path} http_reqs",
            summary.requests,
            "> 0",
            summary.requests > 0,
            f"{summary.shape} shape",
        ),
    ]
    if release:
        findings.append(
            Finding(
                f"k6 {summary.path} release",
                summary.release_found_in or "not recorded",
                f"release {release}",
                bool(summary.release_found_in),
                ""
                if summary.release_found_in
                else "record it in setup_data, a handleSummary 'release' key or a {release:...} sub-metric",
            )
        )
    else:
        findings.append(
            Finding(
                f"k6 {summary.path} release",
                "no release configured",
                "release recorded",
                False,
                "set [artifacts] release (or [repo] release_tag) to prove the run tested it",
            )
        )
    if not summary.thresholds:
        findings.append(
            Finding(
                f"k6 {summary.path} thresholds",
                "none declared",
                "at least one threshold",
                False,
                "a load test without thresholds cannot fail",
            )
        )
    for expr, passed in sorted(summary.thresholds.items()):
        findings.append(Finding(f"k6 threshold {expr}", "passed" if passed else "failed", "passed", passed))
    return Assessment.of(
        "k6 load test executed against this release, thresholds met", findings, empty_ok=False
    )
