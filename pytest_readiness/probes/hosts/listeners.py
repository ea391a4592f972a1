"""Databases and caches listen on loopback or private addresses only, unless an address is allowed."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.probes.hosts.connect import HostHandle, gatherer

ROLE_PORTS: dict[str, tuple[int, ...]] = {"postgres": (5432,), "redis": (6379,), "pgbouncer": (6432,)}


@dataclass(frozen=True)
class ListenerFacts:
    host: str
    ports: tuple[int, ...]
    sockets: tuple[tuple[str, int], ...]  # (address, port) listening on one of ``ports``


@gatherer
def gather_listeners(h: HostHandle, ports: list[int]) -> ListenerFacts:
    """``host.socket``: the listening TCP sockets (ss/netstat), kept for the role's ports."""
    found = []
    for url in h.host.socket.get_listening_sockets():
        if not url.startswith("tcp://"):
            continue
        address, _, port = url[len("tcp://") :].rpartition(":")
        if port.isdigit() and int(port) in ports:
            found.append((address.strip("[]") or "::", int(port)))
    return ListenerFacts(h.target.label, tuple(ports), tuple(sorted(set(found))))


def exposure(address: str) -> str:
    """``loopback``, ``private``, ``all interfaces`` or ``public``."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "public"
    if ip.is_unspecified:
        return "all interfaces"
    if ip.is_loopback:
        return "loopback"
    return "private" if ip.is_private else "public"


def assess_listeners(facts: ListenerFacts, allowed: list[str] | None = None) -> Assessment:
    allowed_set = set(allowed or [])
    findings = []
    for address, port in facts.sockets:
        kind = exposure(address)
        ok = kind in ("loopback", "private") or address in allowed_set
        findings.append(
            Finding(
                f"{facts.host} tcp {address}:{port}",
                kind,
                "loopback or private address",
                ok,
                "" if ok else "reachable beyond the private network; bind it or allow it",
            )
        )
    if not findings:
        findings.append(
            Finding(
                f"{facts.host} tcp ports {list(facts.ports)}",
                "nothing listening",
                "a listener",
                False,
                "service down or [hosts] ports wrong",
            )
        )
    return Assessment.of("host listeners", findings)
