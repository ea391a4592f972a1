"""xdist for readiness runs: a suite module's checks on one worker, and a worker crash survived.

Grouping.  The controller switches ``-n N`` to ``--dist loadgroup`` (plugin.py) and marks each check
with its module's ``xdist_group``.  Two things kept that from working: a worker re-parses the command
line *before* xdist turns ``-n 2`` into ``load``, so it believed ``dist = "no"`` and never named the
groups (the controller's mode now travels in ``workerinput``); and pytest-xdist 3.8 writes the
``@group`` node-id suffix to ``item._nodeid``, which pytest 9 no longer reads (the suffix is written
here when it is missing).  The collector strips the suffix again, so reports name tests as ``-n 0``.

Crashes.  xdist's loadgroup scheduler re-queues the whole unfinished group of a crashed worker,
*including the check that was running*: a check that kills its worker (OOM killer, segfault in a
driver, SIGKILL) then kills every replacement in turn until ``--max-worker-restart`` is exhausted, and
the run stops or hangs.  Here the crashing check is reported once (xdist's "worker crashed" failure,
an ``error`` item) and only the rest of its group is re-queued.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest
from xdist.scheduler import LoadGroupScheduling

from pytest_readiness import interrupt
from pytest_readiness.state import ENVIRONMENT_KEY

_DIST = "readiness_dist"


def shared_target_groups(
    units: Mapping[pytest.Item, str], targets: Callable[[pytest.Item], set[str]]
) -> dict[str, str]:
    """``{unit: group}``: units whose checks share a target fixture end up in one group.

    Connected components over "unit uses target" (union-find); a group is named after its unit that
    comes first in collection order, so names are the same on the controller and every worker.
    """
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    order: list[str] = []
    for item, unit in units.items():
        if unit not in order:
            order.append(unit)
        find(f"unit:{unit}")
        for name in sorted(targets(item)):
            parent[find(f"target:{name}")] = find(f"unit:{unit}")
    first: dict[str, str] = {}
    for unit in order:
        first.setdefault(find(f"unit:{unit}"), unit)
    return {unit: first[find(f"unit:{unit}")] for unit in order}


def loadgroup(config: pytest.Config) -> bool:
    """Checks are grouped on the controller (``-n 0``: nothing to group) and on loadgroup workers."""
    return getattr(config.option, "dist", "no") == "loadgroup" or bool(
        getattr(config.option, "loadgroup", False)
    )


def configure_worker(config: pytest.Config) -> None:
    """On a worker: group as the controller does (xdist's worker reads ``option.loadgroup``)."""
    if getattr(config, "workerinput", {}).get(_DIST) == "loadgroup":
        config.option.loadgroup = True


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist controller: tell each worker the distribution mode, which the worker sees as ``no``."""
    node.workerinput[_DIST] = getattr(node.config.option, "dist", "no")
    popen = getattr(getattr(getattr(node, "gateway", None), "_io", None), "popen", None)  # local workers
    if popen is not None:
        interrupt.add_child(popen.pid)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Readiness runs use the loadgroup scheduler that survives a crashed worker."""
    if config.stash.get(ENVIRONMENT_KEY, None) is None or config.option.dist != "loadgroup":
        return None
    return CrashSafeLoadGroupScheduling(config, log)


@pytest.hookimpl(tryfirst=True)  # before xdist's worker sends the collected node ids to the controller
def pytest_collection_finish(session: pytest.Session) -> None:
    """On a loadgroup worker, give each grouped item's node id its ``@group`` suffix if it lacks it."""
    config = session.config
    if not hasattr(config, "workerinput") or not loadgroup(config):
        return
    for item in session.items:
        names = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                        for m in item.iter_markers("xdist_group")})  # fmt: skip
        if not names or "@" in item.nodeid.rsplit("::", 1)[-1]:
            continue  # not grouped, or xdist could write the suffix itself (pytest < 9)
        node_id = getattr(item, "_id", None)
        if node_id is not None and hasattr(type(node_id), "parse"):
            item._id = type(node_id).parse(f"{item.nodeid}@{'_'.join(names)}")


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
