"""The local DNS server lives in the launcher (shared with the demo)."""

from pytest_readiness.launcher.dns import LocalDNS as FakeDNS

__all__ = ["FakeDNS"]
