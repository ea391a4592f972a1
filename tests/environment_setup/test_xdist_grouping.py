"""xdist keeps its promise: a suite module runs on one worker, so each target is probed once per run.

The Environment Setup suite against real PostgreSQL (+ standby), PgBouncer, Redis and the Supabase
settings endpoint, with ``-n 0``, ``-n 2`` and ``-n 4``: identical verdicts *and* evidence.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from tests.support.environment_setup import good_sections, run_suite

_WORKER_LINE = re.compile(r"^\[(gw\d+)\] .*?(PASSED|FAILED|SKIPPED|ERROR|XFAIL|XPASS) (\S+::\S+)", re.M)


#: Live measurements and timings: they differ between any two runs, whatever ``-n``.
_VOLATILE = {
    "duration_s",
    "replay_lag_s",
    "used_memory",
    "instantaneous_ops_per_sec",
    "_output",
    "generated",
    "started",
    "finished",
}


def _stable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in _VOLATILE}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def _verdicts_and_evidence(items: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Everything an item says about the target, without timings and live lag."""
    return {item_id: _stable(item) for item_id, item in items.items() if item_id != "_output"}


def test_same_verdicts_and_evidence_whatever_n(
    tmp_path: Path, pg_good: Any, pg_standby: Any, pgbouncer_good: Any, redis_good: Any, auth_servers: Any
) -> None:
    sections = good_sections(tmp_path, pg_good, pgbouncer_good, redis_good, auth_servers[0].url)
    serial = _verdicts_and_evidence(run_suite(tmp_path / "n0", sections, "-n", "0"))
    for n in ("2", "4"):
        items = run_suite(tmp_path / f"n{n}", sections, "-n", n, "-vv")
        parallel = _verdicts_and_evidence(items)
        diff = {
            (i, k): (serial[i].get(k), parallel.get(i, {}).get(k))
            for i in serial
            for k in serial[i]
            if serial[i].get(k) != parallel.get(i, {}).get(k)
        }
        assert not diff, f"-n {n} differs from -n 0: {diff}"
        workers: dict[str, set[str]] = defaultdict(set)
        for worker, _, nodeid in _WORKER_LINE.findall(items["_output"]["stdout"]):
            workers[nodeid.split("::")[0]].add(worker)
        assert workers, items["_output"]["stdout"][-2000:]
        assert all(len(w) == 1 for w in workers.values()), dict(workers)  # one worker per suite module
