"""Certificates for TLS tests: a local CA (trustme) plus deliberately broken certificates.

TLS probes must be shown to *fail* on an expired certificate, on a certificate from an unknown issuer
and on a hostname mismatch, so this module makes each of those one call away.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Self

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["DEFAULT_HOSTS", "CertFiles", "LocalCA", "StrictCA", "write_self_signed"]

DEFAULT_HOSTS: tuple[str, ...] = ("localhost", "127.0.0.1")
KeyKind = Literal["ecdsa", "rsa"]


@dataclass(frozen=True)
class CertFiles:
    """PEM files of one server certificate.

    ``cert_path`` holds the leaf followed by its chain (what nginx/postgres want), ``key_path`` the
    private key, ``ca_path`` the root a client must trust to verify it (for a self-signed certificate
    that is the certificate itself).
    """

    cert_path: Path
    key_path: Path
    ca_path: Path
    hosts: tuple[str, ...]
    not_after: dt.datetime | None = None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _new_key(key_type: str) -> ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey:
    """A fresh server key: RSA 2048 for ``"rsa"``, else ECDSA P-256."""
    if key_type == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


def _san(hosts: Sequence[str]) -> x509.SubjectAlternativeName:
    """subjectAltName for ``hosts``: IP entries for addresses, DNS entries for names."""
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return x509.SubjectAlternativeName(names)


def _write_pem(
    folder: Path, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
) -> tuple[Path, Path]:
    """Write ``cert.pem`` and an unencrypted PKCS#8 ``key.pem`` into ``folder``."""
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


class LocalCA:
    """A throw-away certificate authority writing PEM files into its own folder.

    Use ``ca.ca_pem_path`` as the trust anchor of a probe; :meth:`issue` gives valid, expired or
    wrong-host certificates, :meth:`self_signed` one that no CA vouches for.
    """

    def __init__(self, directory: Path | None = None, key_type: KeyKind = "ecdsa") -> None:
        self._owns_dir = directory is None
        self.directory = Path(tempfile.mkdtemp(prefix="readiness-ca-")) if directory is None else directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.key_type = key_type
        self.ca = trustme.CA(key_type=_trustme_key(key_type))
        self.ca_pem_path = self.directory / "ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_pem_path))
        self._counter = 0

    def _next_dir(self, label: str) -> Path:
        self._counter += 1
        path = self.directory / f"{self._counter:03d}-{label}"
        path.mkdir()
        return path

    def issue(
        self,
        hosts: Sequence[str] = DEFAULT_HOSTS,
        *,
        not_before: dt.datetime | None = None,
        not_after: dt.datetime | None = None,
        expired: bool = False,
        key_type: KeyKind | None = None,
    ) -> CertFiles:
        """Issue a leaf certificate for ``hosts``; ``expired=True`` makes one that ended yesterday.

        For a hostname mismatch simply pass hosts the client will not use, e.g. ``["other.example"]``.
        """
        if expired:
            not_before = not_before or _now() - dt.timedelta(days=30)
            not_after = not_after or _now() - dt.timedelta(days=1)
        leaf = self.ca.issue_cert(
            *hosts,
            not_before=not_before,
            not_after=not_after,
            key_type=_trustme_key(key_type or self.key_type),
        )
        folder = self._next_dir("expired" if expired else "leaf")
        cert_path = folder / "cert.pem"
        key_path = folder / "key.pem"
        cert_path.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
        leaf.private_key_pem.write_to_path(str(key_path))
        key_path.chmod(0o600)
        return CertFiles(cert_path, key_path, self.ca_pem_path, tuple(hosts), not_after)

    def self_signed(
        self,
        hosts: Sequence[str] = DEFAULT_HOSTS,
        *,
        days: int = 30,
        key_type: KeyKind | None = None,
    ) -> CertFiles:
        """A certificate signed by its own key: valid dates and names, but no trusted issuer."""
        return write_self_signed(
            self._next_dir("self-signed"), hosts, days=days, key_type=key_type or "ecdsa"
        )

    def cleanup(self) -> None:
        """Delete the folder if this CA created it."""
        if self._owns_dir:
            shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.cleanup()


def _trustme_key(kind: KeyKind) -> trustme.KeyType:
    return trustme.KeyType.RSA if kind == "rsa" else trustme.KeyType.ECDSA


def write_self_signed(
    folder: Path, hosts: Sequence[str] = DEFAULT_HOSTS, *, days: int = 30, key_type: KeyKind = "ecdsa"
) -> CertFiles:
    """Write a self-signed server certificate (with ``cryptography``) into ``folder``."""
    key = _new_key(key_type)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0] if hosts else "self-signed")])
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(_san(hosts), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = _write_pem(folder, cert, key)
    key_path.chmod(0o600)
    return CertFiles(cert_path, key_path, cert_path, tuple(hosts), now + dt.timedelta(days=days))


class StrictCA:
    """A CA issuing certificates as public CAs do (non-critical SAN, 90-day leaves).

    trustme marks the subjectAltName critical while the subject is not empty; cryptography's X.509
    verifier, which sslyze 6 uses, rejects such leaves, so TLS checks need this CA to see a trusted
    chain.  Used by the TLS tests and the demo.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "readiness test root CA")])
        now = _now()
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        self.ca_path = directory / "ca.pem"
        self.ca_path.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        self._n = 0

    def issue(
        self,
        hosts: Sequence[str] = ("localhost",),
        *,
        days: int = 90,
        expired: bool = False,
        key_type: str = "ecdsa",
    ) -> CertFiles:
        self._n += 1
        folder = self.directory / f"leaf{self._n}"
        folder.mkdir()
        key = _new_key(key_type)
        now = _now()
        start, end = (
            (now - dt.timedelta(days=40), now - dt.timedelta(days=2))
            if expired
            else (now - dt.timedelta(hours=1), now + dt.timedelta(days=days))
        )
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(end)
            .add_extension(_san(hosts), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False
            )
            .sign(self.key, hashes.SHA256())
        )
        cert_path, key_path = _write_pem(folder, cert, key)
        return CertFiles(cert_path, key_path, self.ca_path, tuple(hosts), end)
