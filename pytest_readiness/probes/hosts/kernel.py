"""Kernel settings Redis warns about at start: overcommit (failing background saves) and huge pages."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.probes.hosts.connect import HostHandle, gatherer

THP = "/sys/kernel/mm/transparent_hugepage/enabled"


@dataclass(frozen=True)
class KernelFacts:
    host: str
    overcommit_memory: int | None
    thp: str | None  # the selected mode: always / madvise / never


@gatherer
def gather_kernel(h: HostHandle) -> KernelFacts:
    """``host.sysctl`` and ``host.file`` (the THP mode is a sysfs file, not a sysctl)."""
    overcommit = h.host.sysctl("vm.overcommit_memory")
    thp_file = h.host.file(THP)
    selected = None
    if thp_file.exists:
        match = re.search(r"\[(\w+)\]", thp_file.content_string)
        selected = match.group(1) if match else None
    return KernelFacts(h.target.label, overcommit if isinstance(overcommit, int) else None, selected)


def assess_kernel(facts: KernelFacts) -> Assessment:
    return Assessment.of(
        "redis host kernel",
        [
            Finding(
                f"{facts.host} vm.overcommit_memory",
                facts.overcommit_memory,
                1,
                facts.overcommit_memory == 1,
                "" if facts.overcommit_memory == 1 else "background save/AOF rewrite may fail (fork)",
            ),
            Finding(
                f"{facts.host} transparent_hugepage",
                facts.thp,
                "madvise or never",
                facts.thp != "always",
                "" if facts.thp != "always" else "latency and memory spikes after fork",
            ),
        ],
    )
