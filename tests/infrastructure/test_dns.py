"""DNS checks through dnspython against a local DNS server (UDP, free loopback port)."""

from __future__ import annotations

import pytest

from pytest_readiness.errors import ProbeError
from pytest_readiness.launcher.dns import LocalDNS as FakeDNS
from pytest_readiness.probes.web import dns as dns_probe

ZONE = {
    "app.valueverse.example": [("CNAME", "d111abc.cloudfront.net", 60)],
    "d111abc.cloudfront.net": [("A", "13.32.1.10", 60), ("A", "13.32.1.11", 60)],
    "api.valueverse.example": [("A", "104.16.5.5", 300)],  # Cloudflare-proxied: an address, no CNAME
    "direct.valueverse.example": [("A", "203.0.113.7", 3600)],  # straight to a VM, long TTL
}


def _facts(names, **kw):
    with FakeDNS(ZONE, **kw) as server:
        return dns_probe.lookup_all(names, ["127.0.0.1"], server.port, timeout=2)


def test_cname_chain_and_addresses():
    app, api = _facts(["app.valueverse.example", "api.valueverse.example"])
    assert app.cnames == ("d111abc.cloudfront.net",) and set(app.addresses) == {"13.32.1.10", "13.32.1.11"}
    assert app.ttl == 60 and api.status == "ok" and api.cnames == ()


def test_resolves_good_and_bad():
    facts = _facts(["app.valueverse.example", "missing.valueverse.example"])
    a = dns_probe.assess_resolves(facts)
    assert [(f.subject, f.ok, f.note) for f in a.findings] == [
        ("dns app.valueverse.example", True, ""),
        ("dns missing.valueverse.example", False, "nxdomain"),
    ]


def test_cdn_known_by_cname_suffix_or_cloudflare_range():
    facts = _facts(["app.valueverse.example", "api.valueverse.example", "direct.valueverse.example"])
    a = dns_probe.assess_targets(facts, list(dns_probe.KNOWN_CDN_TARGETS), "CDN")
    assert {f.subject: f.observed["matched"] for f in a.findings} == {
        "dns app.valueverse.example": "cloudfront.net",
        "dns api.valueverse.example": "104.16.0.0/13",
        "dns direct.valueverse.example": None,
    }


def test_records_point_at_expected_targets_with_short_ttl():
    facts = _facts(["app.valueverse.example", "direct.valueverse.example"])
    a = dns_probe.assess_targets(facts, ["d111abc.cloudfront.net", "203.0.113.0/24"], "expected target", 300)
    assert {f.subject: f.note for f in a.findings} == {
        "dns app.valueverse.example": "",
        "dns direct.valueverse.example": "TTL 3600s > 300s",
    }
    wrong = dns_probe.assess_targets(facts, ["lb.example.net"], "expected target", 300)
    assert not any(f.ok for f in wrong.findings)


def test_dead_resolver_is_an_error():
    with pytest.raises(ProbeError, match=r"DNS lookup of app\.valueverse\.example"):
        _facts(["app.valueverse.example"], silent=True)
