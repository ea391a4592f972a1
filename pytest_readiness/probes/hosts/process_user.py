"""The app process does not run as root."""

from __future__ import annotations

from dataclasses import dataclass

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.probes.hosts.connect import HostHandle, gatherer
from pytest_readiness.probes.hosts.services import processes


@dataclass(frozen=True)
class ProcessFacts:
    subject: str
    users: tuple[tuple[int, str], ...]  # (pid, user)


@gatherer
def gather_process_users(h: HostHandle, comm: str) -> ProcessFacts:
    """``host.process.filter(comm=...)``: every process of that name and its user."""
    users = []
    for proc in processes(h, comm):
        try:
            users.append((int(proc.pid), str(proc.user)))  # a second ``ps -p``: the process may be gone
        except AssertionError:
            continue  # exited meanwhile (a short-lived worker): nothing left to judge
    return ProcessFacts(h.subject(f"process {comm}"), tuple(sorted(users)))


def assess_process_users(facts: ProcessFacts) -> Assessment:
    findings = [
        Finding(f"{facts.subject} pid {pid}", user, "a non-root user", user not in ("root", "0"))
        for pid, user in facts.users
    ]
    if not findings:
        findings.append(Finding(facts.subject, "not running", "running as a non-root user", False))
    return Assessment.of("app process user", findings)
