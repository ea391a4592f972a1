
"""Fixtures of the security tests (helpers live in ``tests.support.security``)."""

from __future__ import annotations

import pytest

from pytest_readiness.launcher.tls import CertFiles, StrictCA, write_self_signed
from pytest_readiness.probes.web.http_client import HttpConfig
from tests.support.security import MOZILLA_INTERMEDIATE, PRIVACY_HTML, TLS10, TLS_BLOCK, WEAK, app_server


@pytest.fixture(scope="session")
def strict_ca(tmp_path_factory: pytest.TempPathFactory) -> StrictCA:
    return StrictCA(tmp_path_factory.mktemp("security-ca"))


@pytest.fixture(scope="session")
def good_cert(strict_ca: StrictCA) -> CertFiles:
    return strict_ca.issue(["localhost", "127.0.0.1"])


@pytest.fixture(scope="session")
def http_cfg(strict_ca: StrictCA) -> HttpConfig:
    return HttpConfig(timeout=5.0, verify=str(strict_ca.ca_path))


@pytest.fixture(scope="session")
def good_app(nginx_server_factory, good_cert):
    return nginx_server_factory(
        app_server(True), certs=good_cert, files={"index.html": "ok\n", "privacy.html": PRIVACY_HTML}
    )


@pytest.fixture(scope="session")
def bad_app(nginx_server_factory, good_cert):
    return nginx_server_factory(
        app_server(False), certs=good_cert, files={"index.html": "ok\n", "privacy.html": "tbd"}
    )


@pytest.fixture(scope="session")
def tls_servers(nginx_server_factory, strict_ca, good_cert, tmp_path_factory):
    """name -> running nginx: good, expired, self_signed, wrong_host, tls10, weak_ciphers."""
    self_signed = write_self_signed(tmp_path_factory.mktemp("selfsigned"), ["localhost"])
    variants = {
        "good": (MOZILLA_INTERMEDIATE, good_cert),
        "expired": (MOZILLA_INTERMEDIATE, strict_ca.issue(["localhost"], expired=True)),
        "self_signed": (MOZILLA_INTERMEDIATE, self_signed),
        "wrong_host": (MOZILLA_INTERMEDIATE, strict_ca.issue(["other.example"])),
        "tls10": (TLS10, good_cert),
        "weak_ciphers": (WEAK, good_cert),
    }
    return {
        name: nginx_server_factory(TLS_BLOCK.format(tls=tls), certs=cert)
        for name, (tls, cert) in variants.items()
    }


# -- h5bp ------------------------------------------------------------------------------------------
