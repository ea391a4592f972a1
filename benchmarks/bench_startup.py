"""Start-up: collecting all shipped suites with ``--env``, against bare pytest on as many trivial tests.

    .venv/bin/python benchmarks/bench_startup.py [--repeat 7]

Both run ``python -m pytest --collect-only`` in a fresh process in an empty folder: the suites through
``readiness run``'s command (``--pyargs``) with an environment that configures nothing, the baseline
on generated trivial tests in as many modules with the readiness plugin disabled.  The best of N CPU
times (user + system of the child process) is kept: on a machine shared with other work, wall times
swing by a factor of two from one run to the next.  Heavy client libraries (sslyze, kubernetes, psycopg,
redis, detect-secrets, boto3, ...) are imported only when a check that needs them runs, so the ratio stays
near 1; ``tests/core/test_lazy_imports.py`` guards that.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import tempfile
from pathlib import Path

from pytest_readiness import packaged

LIMIT = 1.5


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, str]:
    """CPU seconds (user + system) of the child: steadier than wall time on a shared machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), done.stdout


def _with_bytecode_cache(env: dict[str, str], prefix: Path) -> dict[str, str]:
    """Cache bytecode (and pytest's rewritten modules) as an installed package does, outside the tree."""
    env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(prefix)
    return env


def collected(output: str) -> int:
    found = re.search(r"(\d+)(?:/\d+)? tests? collected", output)
    if not found:
        raise SystemExit(f"cannot read the number of collected tests from:\n{output[-500:]}")
    return int(found[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        suites_dir, bare_dir = Path(tmp) / "suites", Path(tmp) / "bare"
        (suites_dir / "environments").mkdir(parents=True)
        (suites_dir / "environments" / "prod.toml").write_text("[settings]\ntimeout_s = 1\n")
        quiet = ["--collect-only", "-q", "-p", "no:cacheprovider"]
        command, env = packaged.pytest_command([*quiet, "--env", "prod"])
        env = _with_bytecode_cache(env, Path(tmp) / "pycache")
        n = collected(timed(command, suites_dir, env)[1])  # also warms the bytecode cache
        modules = len(list(packaged.folder("suites").glob("test_*.py")))
        bare_dir.mkdir()
        for m in range(modules):
            body = "".join(f"def test_{k}():\n    pass\n\n" for k in range(m, n, modules))
            (bare_dir / f"test_{m}.py").write_text(body)
        bare = [command[0], "-m", "pytest", *quiet, "-p", "no:readiness"]
        bare_env = _with_bytecode_cache(dict(os.environ), Path(tmp) / "pycache")
        assert collected(timed(bare, bare_dir, bare_env)[1]) == n
        suites_times, bare_times = [], []
        for _ in range(args.repeat):  # interleaved, so a busy moment of the machine hits both
            suites_times.append(timed(command, suites_dir, env)[0])
            bare_times.append(timed(bare, bare_dir, bare_env)[0])
        suites_s, bare_s = min(suites_times), min(bare_times)
    ratio = suites_s / bare_s
    print(f"collect {n} checks in {modules} suites with --env: {suites_s:.2f} s CPU (best of {args.repeat})")
    print(f"bare pytest, {n} trivial tests in {modules} modules: {bare_s:.2f} s CPU")
    print(f"ratio {ratio:.2f} (limit {LIMIT})")


if __name__ == "__main__":
    main()
