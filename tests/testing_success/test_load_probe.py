"""The built-in load probe: accuracy against a known latency distribution, coordinated omission,
bounds, errors, and a real nginx."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_readiness.errors import ProbeError
from pytest_readiness.launcher.base import free_port
from pytest_readiness.probes.performance import load, slo

SERVER = Path(__file__).resolve().parents[1] / "support" / "latency_server.py"


def _start(*args: str) -> Iterator[str]:
    proc = subprocess.Popen([sys.executable, str(SERVER), *args], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def latency_server() -> Iterator[str]:
    yield from _start()


@pytest.fixture
def stalling_server() -> Iterator[str]:
    yield from _start("--stall-at", "1.0", "--stall-s", "1.0")


@pytest.fixture
def slower_server() -> Iterator[str]:
    yield from _start("--fast-ms", "20", "--slow-ms", "200")


def test_percentiles_match_known_distribution(slower_server):
    # 90 % of answers after 20 ms, 10 % after 200 ms: p50 ≈ 20 ms, p95 ≈ 200 ms (within 20 %).
    # Delays of tens of milliseconds keep the few milliseconds of scheduling jitter of a loaded
    # 2-core CI machine (other test workers run beside this one) inside the tolerance.
    # A CPU-starved machine (other jobs beside the test run) delays the client itself: an accuracy
    # error shows in every attempt, a scheduling hiccup in one; so the best of three attempts counts.
    for _attempt in range(3):
        result = load.run_load(load.LoadPlan((slower_server + "/",), rate=200, duration_s=2, connections=64))
        assert len(result.samples) == 400 and result.errors == 0
        p50, p95 = result.latency(50), result.latency(95)
        if 20 * 0.8 <= p50 <= 20 * 1.2 and 200 * 0.8 <= p95 <= 200 * 1.2:
            break
    assert 20 * 0.8 <= p50 <= 20 * 1.2, result.summary()
    assert 200 * 0.8 <= p95 <= 200 * 1.2, result.summary()
    assert load.assess_run(result).ok


def test_stall_shows_in_p99_of_requests_scheduled_during_it(stalling_server):
    # The server stalls 1 s from 1 s after the first request.  A closed-loop client would record
    # only the few requests in flight; here every request *due* in the stall carries its wait.
    result = load.run_load(load.LoadPlan((stalling_server + "/",), rate=100, duration_s=3, connections=16))
    during = result.latency(99, due_from=1.0, due_to=2.0)
    assert during >= 800, result.summary()
    late = [s for s in result.samples if s.latency_ms > 500]
    assert len(late) >= 35, f"only {len(late)} requests show the stall"  # ≈ 50 due in its first half
    assert result.latency(50, due_from=2.5) < 50  # and the service recovers afterwards
    figures = result.figures()
    assert figures.p99_ms is not None and figures.p99_ms >= 500


def test_errors_counted_and_reach_the_error_rate_rule(latency_server):
    result = load.run_load(
        load.LoadPlan((latency_server + "/", latency_server + "/error"), rate=100, duration_s=1)
    )
    assert result.errors == 50 and result.error_kinds() == {"HTTP 500": 50}
    a = slo.assess_error_rate(result.figures(), 0.5)
    assert not a.ok and a.findings[0].observed == 50.0


def test_against_nginx_good_and_bad(nginx_server_factory):
    nginx = nginx_server_factory("""
server {
    listen 127.0.0.1:{http_port};
    access_log off;
    location = /ok { return 200 "ok"; }
    location = /broken { return 503; }
}
""")
    good = load.run_load(load.LoadPlan((nginx.http_url + "/ok",), rate=500, duration_s=1))
    figures = good.figures()
    assert (
        good.errors == 0
        and slo.assess_latency(figures, "p95", 2000).ok
        and slo.assess_error_rate(figures, 0.5).ok
    )
    bad = load.run_load(load.LoadPlan((nginx.http_url + "/broken",), rate=100, duration_s=0.5))
    assert bad.errors == 50 and not slo.assess_availability(bad.figures(), 99.9).ok


def test_unreachable_target_is_probe_error_fast():
    port = free_port()
    with pytest.raises(ProbeError, match="no HTTP answer"):
        load.run_load(load.LoadPlan((f"http://127.0.0.1:{port}/",), rate=20, duration_s=0.5, timeout_s=2))


@pytest.mark.parametrize(
    "kwargs, why",
    [
        ({"rate": 10_000}, "rate"),
        ({"duration_s": 3600}, "duration"),
        ({"max_requests": 10**6}, "max_requests"),
        ({"connections": 1000}, "connections"),
        ({"rate": 0.5, "duration_s": 1}, "no request"),
    ],
)
def test_plan_outside_caps_is_refused(kwargs, why):
    plan = load.LoadPlan(("http://127.0.0.1:1/",), **{"rate": 10, "duration_s": 1, **kwargs})
    with pytest.raises(ProbeError, match=why):
        plan.validate()
    with pytest.raises(ProbeError, match="not an http"):
        load.LoadPlan(("ftp://x/",), rate=1, duration_s=1).validate()


def test_max_requests_caps_the_total(latency_server):
    result = load.run_load(load.LoadPlan((latency_server + "/",), rate=200, duration_s=5, max_requests=30))
    assert len(result.samples) == 30 and result.planned == 30


def test_percentile_nearest_rank():
    assert load.percentile([5, 1, 3, 2, 4], 50) == 3
    assert load.percentile(list(range(1, 101)), 95) == 95
    with pytest.raises(ProbeError):
        load.percentile([], 50)
