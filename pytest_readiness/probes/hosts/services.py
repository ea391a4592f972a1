"""The role's services installed, enabled and running: by systemd where it is PID 1, else by process.

Containers (and this project's CI) have no systemd: there a service is "running" when a process of
that name runs (``host.process``); coming back after a restart is then the container runtime's
restart policy, which the finding says rather than guessing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.probes.hosts.connect import HostHandle, gatherer

#: Process/unit names per role when a group names no ``services``.
ROLE_SERVICES: dict[str, tuple[str, ...]] = {
    "redis": ("redis-server",),
    "postgres": ("postgres",),
    "pgbouncer": ("pgbouncer",),
    "nginx": ("nginx",),
}


@dataclass(frozen=True)
class ServiceFacts:
    subject: str
    systemd: bool
    processes: int
    running: bool | None = None  # systemd's view (None without systemd)
    enabled: bool | None = None


def processes(h: HostHandle, comm: str) -> list[Any]:
    """``host.process.filter(comm=...)``: one ``ps`` (the kernel truncates comm to 15 bytes)."""
    return list(h.host.process.filter(comm=comm[:15]))


def has_systemd(h: HostHandle) -> bool:
    """sd_booted(): systemd is the init when /run/systemd/system is a directory."""
    return bool(h.host.file("/run/systemd/system").is_directory)


@gatherer
def gather_services(h: HostHandle, names: list[str]) -> list[ServiceFacts]:
    systemd = has_systemd(h)
    out = []
    for name in names:
        procs = len(processes(h, name))
        if systemd:
            svc = h.host.service(name)
            out.append(
                ServiceFacts(h.subject(f"service {name}"), True, procs, svc.is_running, svc.is_enabled)
            )
        else:
            out.append(ServiceFacts(h.subject(f"service {name}"), False, procs))
    return out


def assess_services(facts: list[ServiceFacts]) -> Assessment:
    findings = []
    for f in facts:
        if f.systemd:
            ok = bool(f.running and f.enabled)
            findings.append(
                Finding(
                    f.subject,
                    {"running": f.running, "enabled": f.enabled, "processes": f.processes},
                    {"running": True, "enabled": True},
                    ok,
                )
            )
        else:
            findings.append(
                Finding(
                    f.subject,
                    {"processes": f.processes},
                    {"processes": ">= 1"},
                    f.processes > 0,
                    "no systemd: running judged by process; restart after reboot is the "
                    "container runtime's restart policy",
                )
            )
    return Assessment.of("host services", findings, empty_ok=False)
