"""The strict-RFC 5280 CA now lives in the launcher (shared with the demo)."""

from pytest_readiness.launcher.tls import StrictCA

__all__ = ["StrictCA"]
