"""The app process does not run as root."""

from __future__ import annotations

from dataclasses import dataclass

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.probes.hosts.connect import HostHandle


@dataclass(frozen=True)
class ProcessFacts:
    subject: str
    users: tuple[tuple[int, str], ...]  # (pid, user)


def gather_process_users(h: HostHandle, comm: str) -> ProcessFacts:
    """``host.process.filter(comm=...)``: every process of that name and its user."""
    procs = h.host.process.filter(comm=comm[:15])
    return ProcessFacts(h.subject(f"process {comm}"), tuple(sorted((int(p.pid), str(p.user)) for p in procs)))


def assess_process_users(facts: ProcessFacts) -> Assessment:
    findings = [
        Finding(f"{facts.subject} pid {pid}", user, "a non-root user", user not in ("root", "0"))
        for pid, user in facts.users
    ]
    if not findings:
        findings.append(Finding(facts.subject, "not running", "running as a non-root user", False))
    return Assessment.of("app process user", findings)
