"""Success criteria from a real Prometheus scraping a metrics endpoint with known values."""

from __future__ import annotations

import pytest

from pytest_readiness.errors import ProbeError
from pytest_readiness.launcher.base import free_port
from pytest_readiness.probes.observability.prometheus import PrometheusAPI
from pytest_readiness.probes.performance import slo, technical_metrics
from tests.support.metrics_app import EXPECTED


def test_default_queries_on_good_service(prom_good):
    figures = slo.perf_from_prometheus(prom_good.api)
    want = EXPECTED["good"]
    assert figures.p50_ms == pytest.approx(want["p50_ms"], rel=0.02)
    assert figures.p95_ms == pytest.approx(want["p95_ms"], rel=0.02)
    assert figures.p99_ms == pytest.approx(want["p99_ms"], rel=0.02)
    assert figures.error_rate_percent == pytest.approx(want["error_rate_percent"], rel=0.05)
    assert figures.availability_percent == 100.0
    for a in (
        slo.assess_latency(figures, "p50", 500),
        slo.assess_latency(figures, "p95", 2000),
        slo.assess_latency(figures, "p99", 5000),
        slo.assess_error_rate(figures, 0.5),
        slo.assess_availability(figures, 99.9),
    ):
        assert a.ok, a.message()
    assert "http_request_duration_seconds_bucket" in a.findings[0].note or "up" in a.findings[0].note


def test_default_queries_on_bad_service(prom_bad):
    figures = slo.perf_from_prometheus(prom_bad.api)
    want = EXPECTED["bad"]
    p95 = slo.assess_latency(figures, "p95", 2000)
    assert not p95.ok and p95.findings[0].observed == pytest.approx(want["p95_ms"], rel=0.02)
    assert not slo.assess_latency(figures, "p50", 500).ok
    assert not slo.assess_latency(figures, "p99", 5000).ok  # 5000 is not < 5000
    assert not slo.assess_error_rate(figures, 0.5).ok
    avail = slo.assess_availability(figures, 99.9)
    failed = {f.subject for f in avail.failures}
    assert failed == {'prometheus availability_percent {job="down-service"}'}, avail.message()


def test_technical_metrics_both_ways(prom_good, prom_bad):
    # rate() divides by the whole range, so over the few seconds Prometheus has scraped here a
    # [5m] CPU rate reads ~1/60 of the truth: the test checks the default's fallback choice, then
    # the value through an irate() override (the same expression on the last two samples).
    irate = {"cpu_percent": '100 * (1 - avg by (instance) (irate(node_cpu_seconds_total{mode="idle"}[1m])))'}
    for setup, ok in ((prom_good, True), (prom_bad, False)):
        promql, _ = technical_metrics.prom_series(setup.api, "cpu_percent", None)
        assert "node_cpu_seconds_total" in promql  # the container query had no data: fallback
        promql, cpu = technical_metrics.prom_series(setup.api, "cpu_percent", irate)
        a = technical_metrics.assess_usage("CPU", promql, cpu, 70)
        assert a.ok is ok and a.findings[0].observed == pytest.approx(
            EXPECTED[setup.profile]["cpu_percent"], abs=2
        )
        promql, mem = technical_metrics.prom_series(setup.api, "memory_percent", None)
        assert technical_metrics.assess_usage("memory", promql, mem, 80).ok is ok
        promql, growth = technical_metrics.prom_series(setup.api, "memory_growth_percent_per_h", None)
        assert technical_metrics.assess_memory_growth(promql, growth, 10).ok is ok
        promql, waiting = technical_metrics.prom_series(setup.api, "db_pool_waiting", None)
        assert technical_metrics.assess_pool_waiting(promql, waiting).ok is ok


def test_query_override_and_missing_metric(prom_good):
    promql, samples = slo.first_with_data(prom_good.api, "p95_ms", {"p95_ms": "vector(123)"})
    assert promql == "vector(123)" and samples[0].value == 123
    with pytest.raises(ProbeError, match=r"queries\.p95_ms"):
        slo.first_with_data(prom_good.api, "p95_ms", {"p95_ms": "nonexistent_metric_total"})
    figures = slo.perf_from_prometheus(prom_good.api, {"p99_ms": "nonexistent_metric_total"})
    with pytest.raises(ProbeError, match="no data for p99_ms"):
        slo.assess_latency(figures, "p99", 5000)
    with pytest.raises(ProbeError, match="Prometheus"):
        slo.query_samples(prom_good.api, "sum(")  # a PromQL syntax error is an error, not a pass


def test_unreachable_prometheus_is_probe_error():
    api = PrometheusAPI(f"http://127.0.0.1:{free_port()}", timeout=2)
    with pytest.raises(ProbeError):
        slo.query_samples(api, "up")


def test_memory_growth_needs_enough_history(prom_good, prom_bad):
    # Real Prometheus, scraping for a few seconds: the fitted growth of a fresh process is not evidence.
    for setup, ok in ((prom_good, True), (prom_bad, False)):
        promql, growth = technical_metrics.prom_series(setup.api, "memory_growth_percent_per_h", None)
        history = slo.series_history(setup.api, "memory_growth_percent_per_h", promql, None)
        assert history is not None and set(history) == {s.name for s in growth}
        assert all(0 < seen < 600 for seen in history.values()), history
        with pytest.raises(ProbeError, match=r"^not enough history: \d+ min of 60 required for \{instance="):
            technical_metrics.assess_memory_growth(promql, growth, 10, history, 3600)
        # With a window the data covers, the same series are judged both ways.
        a = technical_metrics.assess_memory_growth(promql, growth, 10, history, 1)
        assert a.ok is ok and "min of history" in a.findings[0].note
    # A custom trend query: its history cannot be guessed unless given.
    assert slo.history_query("memory_growth_percent_per_h", "x", {"memory_growth_percent_per_h": "x"}) is None
    custom = {"memory_growth_percent_per_h": "x", "memory_growth_percent_per_h_history": "vector({window})"}
    assert slo.history_query("memory_growth_percent_per_h", "x", custom | {"window": "2h"}) == "vector(2h)"


def test_memory_growth_definite_failure_beats_short_history():
    old = slo.Sample({"pod": "api-1"}, 55.0)
    fresh = slo.Sample({"pod": "api-2"}, 4193.0)
    history = {old.name: 7200.0, fresh.name: 240.0}
    a = technical_metrics.assess_memory_growth("q", [old, fresh], 10, history, 3600)
    assert not a.ok and [f.subject for f in a.findings] == ['{pod="api-1"}']
    assert a.findings[0].observed == 55.0 and a.findings[0].expected == "< 10 %/h"
    calm = slo.Sample({"pod": "api-1"}, 1.0)
    with pytest.raises(ProbeError, match=r'not enough history: 4 min of 60 required for \{pod="api-2"\}'):
        technical_metrics.assess_memory_growth("q", [calm, fresh], 10, history, 3600)
    unknown = technical_metrics.assess_memory_growth("q", [calm], 10, None, 3600)
    assert unknown.ok and "observation window not verified" in unknown.findings[0].note
