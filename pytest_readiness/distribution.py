"""xdist scheduling for readiness runs: suite modules grouped on one worker, worker crashes survived.

xdist's loadgroup scheduler re-queues the whole unfinished group of a crashed worker, *including the
check that was running*: a check that kills its worker (OOM killer, segfault in a driver, SIGKILL)
then kills every replacement worker in turn until ``--max-worker-restart`` is exhausted, and the run
stops or hangs.  Here the crashing check is reported once (xdist's "worker crashed" failure, an
``error`` item) and only the rest of its group is re-queued.
"""

from __future__ import annotations

from typing import Any

from xdist.scheduler import LoadGroupScheduling


class CrashSafeLoadGroupScheduling(LoadGroupScheduling):  # type: ignore[misc]
    def remove_node(self, node: Any) -> str | None:
        crashed = _running(self.assigned_work.get(node) or {})
        if crashed is not None:
            for unit in self.assigned_work[node].values():
                if crashed in unit:
                    unit[crashed] = True  # never re-run on the next worker
        found: str | None = super().remove_node(node)
        return crashed if crashed is not None else found


def _running(workload: dict[str, dict[str, bool]]) -> str | None:
    """The first unfinished test of the node's workload: the one it was running when it died."""
    for unit in workload.values():
        for nodeid, completed in unit.items():
            if not completed:
                return nodeid
    return None
