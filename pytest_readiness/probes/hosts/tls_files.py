"""TLS certificate files on the host: not expiring within the threshold, and what the endpoint serves.

The endpoint's leaf is fetched only to compare fingerprints (identity, not trust: the live TLS check
verifies the chain), so a renewed file that nginx never reloaded shows up here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import socket
import ssl
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.hosts.connect import HostHandle, gatherer


@dataclass(frozen=True)
class CertFile:
    subject: str
    days_left: float | None  # None: missing or not a PEM certificate
    sha256: str = ""


@gatherer
def gather_cert_files(h: HostHandle, paths: list[str]) -> list[CertFile]:
    """``host.file(path).content``: the first PEM certificate of each file."""
    out = []
    now = dt.datetime.now(dt.UTC)
    for path in paths:
        f = h.host.file(path)
        if not f.is_file:
            out.append(CertFile(h.subject(path), None))
            continue
        try:
            cert = x509.load_pem_x509_certificate(f.content)
        except ValueError:
            out.append(CertFile(h.subject(path), None))
            continue
        left = (cert.not_valid_after_utc - now).total_seconds() / 86400
        out.append(
            CertFile(
                h.subject(path), round(left, 1), hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest()
            )
        )
    return out


def served_fingerprint(endpoint: str, timeout: float) -> str:
    """SHA-256 of the leaf certificate ``host:port`` serves (SNI = host)."""
    host, _, port = endpoint.rpartition(":") if ":" in endpoint else (endpoint, "", "443")
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # fingerprint comparison only
    try:
        raw = socket.create_connection((host, int(port or 443)), timeout=timeout)
        with raw, ctx.wrap_socket(raw, server_hostname=host) as tls:
            der = tls.getpeercert(binary_form=True)
    except (OSError, ValueError) as exc:
        raise ProbeError(
            f"{endpoint}: cannot fetch the served certificate: {type(exc).__name__}: {exc}"
        ) from None
    if not der:
        raise ProbeError(f"{endpoint}: no certificate served")
    return hashlib.sha256(der).hexdigest()


def assess_cert_files(
    files: list[CertFile],
    min_days: float,
    endpoint: str | None = None,
    served: str | None = None,
    host: str = "",
) -> Assessment:
    """``host`` names the machine in the endpoint finding (the file findings carry it already)."""
    findings = [
        Finding(
            f.subject,
            f.days_left if f.days_left is not None else "missing or not PEM",
            f">= {min_days:g} days",
            f.days_left is not None and f.days_left >= min_days,
        )
        for f in files
    ]
    if endpoint is not None:
        match = any(f.sha256 == served for f in files)
        findings.append(
            Finding(
                f"{host} {endpoint} served certificate".strip(),
                served[:16] if served else None,
                "one of the files on disk",
                match,
                "" if match else "renewed on disk but not reloaded, or another certificate",
            )
        )
    return Assessment.of("host TLS files", findings, empty_ok=False)
