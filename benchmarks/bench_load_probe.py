"""Benchmark of the built-in load probe against nginx on loopback, next to wrk on the same target.

Not a test (no timing assertion): it prints, for each requested rate, the rate the probe actually
held (requests sent per second), completion and latency percentiles, then the highest rate held
within 5 %, beside wrk's closed-loop ceiling (as many requests as wrk's connections can push).

    .venv/bin/python benchmarks/bench_load_probe.py [--duration 5] [--rates 1000,2000,3000,4000,5000]
    .venv/bin/python benchmarks/bench_load_probe.py --beyond-cap --rates 5000,7000,9000,11000
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess

from pytest_readiness.launcher import NginxServer
from pytest_readiness.probes.performance import load
from pytest_readiness.probes.performance.load import LoadPlan, run_load

BLOCKS = """
server {
    listen 127.0.0.1:{http_port};
    access_log off;
    location / { return 200 "ok\\n"; }
}
"""
TOLERANCE = 0.05


def wrk_ceiling(url: str, duration: float, connections: int) -> float:
    wrk = shutil.which("wrk") or "/usr/bin/wrk"
    out = subprocess.run(
        [wrk, "-t1", f"-c{connections}", f"-d{int(duration)}s", url],
        capture_output=True,
        text=True,
        timeout=duration + 30,
        check=True,
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return float(match[1]) if match else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--rates", default="1000,2000,3000,4000,5000")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument(
        "--beyond-cap",
        action="store_true",
        help="lift the probe's 5000 req/s safety cap (benchmark only) to find its ceiling",
    )
    args = parser.parse_args()
    if args.beyond_cap:
        load.MAX_RATE = 100_000.0
    with NginxServer(BLOCKS) as nginx:
        url = nginx.http_url + "/"
        held = 0.0
        print(
            f"{'requested':>10} {'sent/s':>9} {'dev %':>6} {'done':>7} {'err':>4} {'p50 ms':>7} {'p99 ms':>7}"
        )
        for rate in (float(r) for r in args.rates.split(",")):
            plan = LoadPlan(
                (url,),
                rate=rate,
                duration_s=args.duration,
                max_requests=200_000,
                connections=args.connections,
            )
            r = run_load(plan)
            dev = (r.send_rate - rate) / rate
            ok = abs(dev) <= TOLERANCE and len(r.samples) == r.planned and r.errors == 0
            held = rate if ok else held
            print(
                f"{rate:>10.0f} {r.send_rate:>9.1f} {100 * dev:>6.2f} {len(r.samples):>7} {r.errors:>4} "
                f"{r.latency(50):>7.2f} {r.latency(99):>7.2f}{'' if ok else '  (not held)'}"
            )
        ceiling = wrk_ceiling(url, args.duration, 16)
    print(
        f"\nload probe: highest rate held within {TOLERANCE:.0%}: {held:.0f} req/s (open loop, latency from "
        f"intended send time)\nwrk -t1 -c16: closed-loop ceiling {ceiling:.0f} req/s"
    )


if __name__ == "__main__":
    main()
