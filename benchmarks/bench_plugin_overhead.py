"""Plugin overhead on 1,000 trivial marked tests, against the same tests without the plugin.

    .venv/bin/python benchmarks/bench_plugin_overhead.py [--tests 1000] [--repeat 5]

Each configuration runs in a fresh ``python -m pytest`` process; the best of N wall times is kept
(the least disturbed run), and the difference is the plugin's cost: marker validation, evidence,
report annotation, verdicts over the 204-item catalog and the JSON report.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pytest_readiness import catalog


def make_project(root: Path, n: int) -> None:
    ids = [i["id"] for i in catalog.load() if i["kind"] == "automated" and i["parent"]]
    (root / "environments").mkdir()
    (root / "environments" / "bench.toml").write_text("[settings]\ntimeout_s = 1\n")
    lines = ["import pytest", ""]
    for k in range(n):
        lines += [f"@pytest.mark.checklist({ids[k % len(ids)]!r})", f"def test_{k}():", "    pass", ""]
    (root / "test_bench.py").write_text("\n".join(lines))


def run(root: Path, args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=root,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tests", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_project(root, args.tests)
        configs = {
            "without plugin": ["-p", "no:readiness"],
            "plugin loaded, no --env": [],
            "plugin with --env": ["--env", "bench", "--readiness-dir", "out"],
        }
        times: dict[str, list[float]] = {name: [] for name in configs}
        for _ in range(args.repeat):
            for name, argv in configs.items():
                times[name].append(run(root, argv))
        base = min(times["without plugin"])
        print(f"{args.tests} trivial tests, best of {args.repeat} runs (median in brackets)")
        for name, values in times.items():
            best = min(values)
            print(
                f"  {name:<26} {best:6.2f} s  ({statistics.median(values):.2f} s)  "
                f"overhead {100 * (best - base) / base:+5.1f} %"
            )


if __name__ == "__main__":
    main()
