"""DNS TTL of the public hosts (ROLLBACK-STEP-DNS) against a local authoritative DNS server."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.observability import rollback


def test_short_and_long_ttls(local_dns: Any) -> None:
    dns = local_dns({"app.valueverse.test": ("192.0.2.10", 60), "api.valueverse.test": ("192.0.2.11", 3600)})
    ttls = rollback.dns_ttls(
        ["app.valueverse.test", "api.valueverse.test"], nameservers=[dns.nameserver], timeout=3
    )
    assert ttls == {"app.valueverse.test": 60, "api.valueverse.test": 3600}
    a = rollback.assess_dns_ttl(ttls, 300)
    assert [(f.subject, f.observed) for f in a.failures] == [("dns api.valueverse.test", "TTL 3600s")]


def test_unknown_name_is_an_error(local_dns: Any) -> None:
    dns = local_dns({})
    with pytest.raises(ProbeError, match="no A/AAAA record"):
        rollback.dns_ttls(["missing.valueverse.test"], nameservers=[dns.nameserver], timeout=3)
