"""GitHub Actions checks: one zizmor run per session, and reading workflows as the runner runs them.

    .venv/bin/python benchmarks/bench_workflows.py [--repeat 5]

On the public workflow trees of ``tests/data/realworld/workflows`` (flask, mastodon, flyctl): the
session's zizmor run (``zizmor --offline`` over ``.github``, what a readiness run pays once), next to
zizmor's own default run on the same tree, and ``load_workflows`` (matrix expansion, local composite
actions and reusable workflows followed).  Best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import subprocess
import time
from pathlib import Path

from pytest_readiness.probes.repo import workflows, zizmor

TREES = Path(__file__).resolve().parents[1] / "tests" / "data" / "realworld" / "workflows"


def best(fn: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    binary = zizmor.find_zizmor()
    if binary is None:
        raise SystemExit("zizmor not installed: pip install zizmor")
    print(f"{'tree':10} {'files':>5} {'ours (zizmor run)':>18} {'zizmor default':>15} {'load_workflows':>15}")
    for tree in ("flask", "mastodon", "flyctl"):
        root = TREES / tree
        files = len(list((root / ".github").rglob("*.y*ml")))
        ours = best(lambda root=root: zizmor.run_zizmor(root, binary), args.repeat)
        plain = best(
            lambda root=root: subprocess.run(
                [binary, "--offline", "--format", "json", ".github"],
                cwd=root,
                capture_output=True,
                check=False,
            ),
            args.repeat,
        )
        load = best(lambda root=root: workflows.load_workflows(root), args.repeat)
        print(
            f"{tree:10} {files:>5} {ours * 1000:>15.0f} ms {plain * 1000:>12.0f} ms {load * 1000:>12.1f} ms"
        )


if __name__ == "__main__":
    main()
