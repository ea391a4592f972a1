"""A metrics endpoint in Prometheus text format with known values that evolve with time.

Counters grow at fixed rates from start, so ``rate()``/``histogram_quantile()``/``deriv()`` over
what Prometheus scrapes give known answers.  ``good`` and ``bad`` profiles differ on every
criterion.
"""

from __future__ import annotations

import time

from tests.support.http_server import LocalServer, QuietHandler

BUCKETS = ("0.1", "0.25", "0.5", "1", "2.5", "5", "+Inf")
PROFILES = {
    # cumulative share of requests under each bucket bound
    "good": {
        "buckets": (0.60, 0.90, 0.96, 0.99, 0.995, 1.0, 1.0),
        "error_share": 0.001,
        "idle": 0.6,
        "mem_available": 0.5,
        "rss_growth_per_s": 0.0,
    },
    "bad": {
        "buckets": (0.05, 0.10, 0.20, 0.50, 0.80, 0.90, 1.0),
        "error_share": 0.02,
        "idle": 0.1,
        "mem_available": 0.1,
        "rss_growth_per_s": 0.01,
    },
}
RATE = 100.0  # requests per second
# Known answers of the default queries for each profile (see probes/slo.py DEFAULT_QUERIES)
EXPECTED = {
    "good": {
        "p50_ms": 83.33,
        "p95_ms": 458.33,
        "p99_ms": 1000.0,
        "error_rate_percent": 0.1,
        "cpu_percent": 40.0,
        "memory_percent": 50.0,
    },
    # p95 and p99 fall in the +Inf bucket: histogram_quantile answers the highest finite bound
    "bad": {
        "p50_ms": 1000.0,
        "p95_ms": 5000.0,
        "p99_ms": 5000.0,
        "error_rate_percent": 2.0,
        "cpu_percent": 90.0,
        "memory_percent": 90.0,
    },
}


def render(profile: str, elapsed: float) -> str:
    p = PROFILES[profile]
    total = RATE * elapsed
    lines = ["# TYPE http_request_duration_seconds histogram"]
    for le, share in zip(BUCKETS, p["buckets"], strict=True):
        lines.append(f'http_request_duration_seconds_bucket{{le="{le}"}} {total * share}')
    lines.append(f"http_request_duration_seconds_count {total}")
    lines.append(f"http_request_duration_seconds_sum {total * 0.2}")
    lines.append("# TYPE http_requests_total counter")
    lines.append(f'http_requests_total{{code="200"}} {total * (1 - p["error_share"])}')
    lines.append(f'http_requests_total{{code="500"}} {total * p["error_share"]}')
    lines.append("# TYPE node_cpu_seconds_total counter")
    lines.append(f'node_cpu_seconds_total{{cpu="0",mode="idle"}} {elapsed * p["idle"]}')
    lines.append(f'node_cpu_seconds_total{{cpu="0",mode="user"}} {elapsed * (1 - p["idle"])}')
    lines.append(f"node_memory_MemTotal_bytes {8e9}")
    lines.append(f"node_memory_MemAvailable_bytes {8e9 * p['mem_available']}")
    lines.append(f"process_resident_memory_bytes {1e8 * (1 + p['rss_growth_per_s'] * elapsed)}")
    lines.append("# TYPE pgbouncer_pools_client_waiting_connections gauge")
    lines.append(
        f'pgbouncer_pools_client_waiting_connections{{database="app"}} {0 if profile == "good" else 3}'
    )
    return "\n".join(lines) + "\n"


class MetricsApp:
    """Serve ``/metrics`` for one profile on a free loopback port, in a daemon thread."""

    def __init__(self, profile: str) -> None:
        start = time.monotonic() - 1.0  # counters are non-zero at the first scrape
        app_profile = profile

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                body = render(app_profile, time.monotonic() - start).encode()
                self.send_response(200 if self.path == "/metrics" else 404)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = LocalServer(Handler).start()
        self.port = self.server.port

    def close(self) -> None:
        self.server.stop()
