"""Time synchronised: an NTP daemon runs and, where the host can say so, reports the clock synced.

A drifting clock breaks JWT expiry and TLS validity long before anyone notices the clock.
"""

from __future__ import annotations

from dataclasses import dataclass

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.probes.hosts.connect import HostHandle, gatherer
from pytest_readiness.probes.hosts.services import has_systemd, processes

DAEMONS = ("chronyd", "systemd-timesyncd", "ntpd", "openntpd")


@dataclass(frozen=True)
class TimeFacts:
    host: str
    running: tuple[str, ...]
    synced: bool | None  # None: neither timedatectl nor chronyc could tell
    source: str = ""


@gatherer
def gather_time(h: HostHandle, daemons: list[str] | None = None) -> TimeFacts:
    """``host.process`` for the daemons; sync state from ``timedatectl``/``chronyc`` (no testinfra module)."""
    running = tuple(d for d in (daemons or DAEMONS) if processes(h, d))
    synced: bool | None = None
    source = ""
    if has_systemd(h) and h.host.exists("timedatectl"):
        out = h.host.run("timedatectl show -p NTPSynchronized --value")
        if out.rc == 0 and out.stdout.strip() in ("yes", "no"):
            synced, source = out.stdout.strip() == "yes", "timedatectl"
    if synced is None and "chronyd" in running and h.host.exists("chronyc"):
        out = h.host.run("chronyc -n tracking")
        if out.rc == 0 and "Leap status" in out.stdout:
            synced, source = "Leap status     : Normal" in out.stdout, "chronyc tracking"
    return TimeFacts(h.target.label, running, synced, source)


def assess_time(facts: TimeFacts) -> Assessment:
    findings = [
        Finding(
            f"{facts.host} time daemon",
            list(facts.running) or "none running",
            "one of " + ", ".join(DAEMONS),
            bool(facts.running),
        )
    ]
    if facts.synced is not None:
        findings.append(
            Finding(f"{facts.host} clock synchronised ({facts.source})", facts.synced, True, facts.synced)
        )
    elif facts.running:
        findings[0] = Finding(
            findings[0].subject,
            findings[0].observed,
            findings[0].expected,
            True,
            "sync state not readable here (no timedatectl/chronyc); daemon running",
        )
    return Assessment.of("host time sync", findings)
