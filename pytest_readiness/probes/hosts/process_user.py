"""The app process does not run as root."""

from __future__ import annotations

from dataclasses import dataclass

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.probes.hosts.connect import HostHandle, gatherer


@dataclass(frozen=True)
class ProcessFacts:
    subject: str
    users: tuple[tuple[int, str], ...]  # (pid, user)


@gatherer
def gather_process_users(h: HostHandle, comm: str) -> ProcessFacts:
    """testinfra's process module, in one ``ps``: ``filter()`` would run one more ``ps -p`` per
    process to read its user (a hundred for a busy sshd, and racing processes that exit)."""
    rows = h.host.process._get_processes(comm=comm[:15], user=None)  # the columns of filter(), plus user
    users = sorted((int(r["pid"]), str(r["user"])) for r in rows if str(r["comm"]) == comm[:15])
    return ProcessFacts(h.subject(f"process {comm}"), tuple(users))


def assess_process_users(facts: ProcessFacts) -> Assessment:
    findings = [
        Finding(f"{facts.subject} pid {pid}", user, "a non-root user", user not in ("root", "0"))
        for pid, user in facts.users
    ]
    if not findings:
        findings.append(Finding(facts.subject, "not running", "running as a non-root user", False))
    return Assessment.of("app process user", findings)
