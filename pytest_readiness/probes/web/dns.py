"""DNS: the public names resolve, through the configured CDN or load balancer, with short TTLs.

Gathering uses dnspython with a configurable resolver (nameservers, port, lifetime = the probe
timeout) and follows CNAME chains as the answer gives them.  Targets are hostnames (a CNAME in the
chain equal to or under it: ``d111.cloudfront.net`` matches ``cloudfront.net``), IP addresses or CIDRs
(an address of the name inside it).  A resolver that does not answer is an error, never a pass.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.errors import ProbeError
from pytest_readiness.lazy import lazy

if TYPE_CHECKING:
    import dns.exception
    import dns.name
    import dns.resolver
else:
    dns = lazy("dns", "exception", "name", "resolver")

#: CDNs recognised without configuration: CNAME suffixes, and Cloudflare's published ranges
#: (https://www.cloudflare.com/ips/: proxied records answer these addresses, no CNAME).
KNOWN_CDN_TARGETS = (
    "cloudfront.net",
    "cdn.cloudflare.net",
    "fastly.net",
    "akamaiedge.net",
    "edgekey.net",
    "azureedge.net",
    "azurefd.net",
    "173.245.48.0/20", "103.21.244.0/22", "103.22.200.0/22", "103.31.4.0/22", "141.101.64.0/18",
    "108.162.192.0/18", "190.93.240.0/20", "188.114.96.0/20", "197.234.240.0/22", "198.41.128.0/17",
    "162.158.0.0/15", "104.16.0.0/13", "104.24.0.0/14", "172.64.0.0/13", "131.0.72.0/22",
    "2400:cb00::/32", "2606:4700::/32", "2803:f800::/32", "2405:b500::/32", "2405:8100::/32",
    "2a06:98c0::/29", "2c0f:f248::/32",
)  # fmt: skip


@dataclass(frozen=True)
class NameFacts:
    """What the resolver answered for one name (A and AAAA)."""

    name: str
    status: str  # "ok", "nxdomain" or "noanswer"
    cnames: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    ttl: int | None = None  # lowest TTL along the chain

    def describe(self) -> dict[str, object]:
        return {
            "status": self.status,
            "cnames": list(self.cnames),
            "addresses": list(self.addresses),
            "ttl": self.ttl,
        }


def make_resolver(
    nameservers: Sequence[str] = (), port: int | None = None, timeout: float = 10.0
) -> dns.resolver.Resolver:
    """The system resolver, or the configured nameservers (and port)."""
    resolver = dns.resolver.Resolver(configure=not nameservers)
    if nameservers:
        resolver.nameservers = list(nameservers)
    if port:
        resolver.port = port
    resolver.lifetime = timeout
    resolver.timeout = min(timeout, 5.0)
    return resolver


def is_ip_literal(host: str) -> bool:
    """An IP address (v4, v6, bracketed v6): used as is, never sent to a resolver."""
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def lookup(resolver: dns.resolver.Resolver, name: str) -> NameFacts:
    """A and AAAA for ``name`` with the CNAME chain; NXDOMAIN is a fact, a dead resolver an error.

    An IP literal is its own answer: asking a resolver for ``10.0.0.5`` leaks the name and may fail.
    """
    if is_ip_literal(name):
        return NameFacts(name, "ok", (), (name.strip("[]"),), None)
    qname = dns.name.from_text(name)
    cnames: list[str] = []
    addresses: list[str] = []
    ttls: list[int] = []
    for rdtype in ("A", "AAAA"):
        try:
            answer = resolver.resolve(qname, rdtype, raise_on_no_answer=False, search=False)
        except dns.resolver.NXDOMAIN:
            return NameFacts(name, "nxdomain")
        except (dns.exception.Timeout, dns.resolver.NoNameservers) as exc:
            raise ProbeError(f"DNS lookup of {name} {rdtype} failed: {type(exc).__name__}") from None
        chain = answer.response.resolve_chaining()
        for rrset in chain.cnames:
            ttls.append(rrset.ttl)
            for rr in rrset:
                target = str(rr.target).rstrip(".").lower()
                if target not in cnames:
                    cnames.append(target)
        if chain.answer is not None:
            ttls.append(chain.answer.ttl)
            addresses.extend(str(rr) for rr in chain.answer)
    return NameFacts(
        name, "ok" if addresses else "noanswer", tuple(cnames), tuple(addresses), min(ttls) if ttls else None
    )


def lookup_all(
    names: Iterable[str], nameservers: Sequence[str] = (), port: int | None = None, timeout: float = 10.0
) -> list[NameFacts]:
    resolver = make_resolver(nameservers, port, timeout)
    return [lookup(resolver, n) for n in names]


def target_match(facts: NameFacts, targets: Iterable[str]) -> str | None:
    """The first target the name reaches (CNAME suffix or address in network), else None."""
    for target in targets:
        target = target.strip().rstrip(".").lower()
        try:
            network = ipaddress.ip_network(target, strict=False)
        except ValueError:
            if any(c == target or c.endswith("." + target) for c in facts.cnames):
                return target
            continue
        for address in facts.addresses:
            try:
                if ipaddress.ip_address(address) in network:
                    return target
            except ValueError:
                continue
    return None


def assess_resolves(facts: Sequence[NameFacts]) -> Assessment:
    """Every configured name has at least one address."""
    return Assessment.of("domain names resolve", [
        Finding(f"dns {f.name}", f.describe(), "A/AAAA records", f.status == "ok",
                "" if f.status == "ok" else f.status) for f in facts
    ], empty_ok=False)  # fmt: skip


def assess_targets(
    facts: Sequence[NameFacts], targets: Sequence[str], what: str, max_ttl: int | None = None
) -> Assessment:
    """Every name reaches one of ``targets`` (a CDN, a load balancer), with a TTL under ``max_ttl``."""
    findings = []
    for f in facts:
        hit = target_match(f, targets)
        problems = [] if hit else [f"reaches no {what}"]
        if max_ttl is not None and f.ttl is not None and f.ttl > max_ttl:
            problems.append(f"TTL {f.ttl}s > {max_ttl}s")
        observed = {**f.describe(), "matched": hit}
        shown = list(targets) if len(targets) <= 8 else [*targets[:8], f"+{len(targets) - 8} more"]
        findings.append(
            Finding(
                f"dns {f.name}",
                observed,
                {what: shown, "max_ttl": max_ttl},
                not problems,
                "; ".join(problems),
            )
        )
    return Assessment.of(f"names point at the {what}", findings, empty_ok=False)
