"""TLS of the public endpoints, scanned with sslyze (the library, not the CLI).

Gathering: :func:`scan` queues every host at once in one ``sslyze.Scanner`` (which scans servers
concurrently) and reduces each ``ServerScanResult`` to :class:`TlsFacts`: plain data, computed once
per session and shared by every TLS rule.  Only the scan commands the rules need are run: the
Mozilla checker's set (protocols and ciphers, certificate, curves, Heartbleed, ROBOT, CCS injection,
renegotiation, compression, fallback SCSV, extended master secret), never session resumption,
early data or HTTP headers (the header rules fetch those themselves) — which is why a scan is
cheaper than ``python -m sslyze HOST:PORT`` that runs them all.

Rules: certificate trusted for the host (a custom CA file is added to sslyze's trust stores for
internal environments), expiry more than ``min_days`` away, no SSL 2/3 nor TLS 1.0/1.1, no weak
cipher, no known vulnerability, and compliance with a Mozilla profile (sslyze's own checker).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.errors import ProbeError

PROTOCOLS = (
    ("ssl_2_0_cipher_suites", "SSLv2"),
    ("ssl_3_0_cipher_suites", "SSLv3"),
    ("tls_1_0_cipher_suites", "TLSv1"),
    ("tls_1_1_cipher_suites", "TLSv1.1"),
    ("tls_1_2_cipher_suites", "TLSv1.2"),
    ("tls_1_3_cipher_suites", "TLSv1.3"),
)
DEPRECATED_PROTOCOLS = ("SSLv2", "SSLv3", "TLSv1", "TLSv1.1")
WEAK_CIPHER_MARKERS = ("_NULL_", "_EXPORT", "_RC4_", "_DES_", "_3DES_", "_anon_", "_MD5", "_IDEA_", "_RC2_")
MOZILLA_PROFILES = ("modern", "intermediate", "old")


@dataclass(frozen=True)
class TlsTarget:
    """``host[:port]`` (default 443); ``sni`` defaults to the host."""

    host: str
    port: int = 443

    @classmethod
    def parse(cls, spec: str) -> TlsTarget:
        text = spec.strip()
        if "://" in text:
            text = text.split("://", 1)[1]
        text = text.split("/", 1)[0]
        if text.startswith("["):  # [v6]:port
            host, _, rest = text[1:].partition("]")
            port = int(rest.lstrip(":") or 443)
        elif text.count(":") == 1:
            host, _, p = text.partition(":")
            port = int(p)
        else:
            host, port = text, 443
        return cls(host.lower(), port)

    @property
    def label(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class TlsFacts:
    """What one scan found about one endpoint (JSON-friendly values only)."""

    target: str
    hostname: str
    error: str | None = None
    scan_seconds: float = 0.0
    protocols: dict[str, bool] = field(default_factory=dict)
    accepted_ciphers: dict[str, list[str]] = field(default_factory=dict)
    leaf_subject: str = ""
    leaf_names: list[str] = field(default_factory=list)
    not_before: str = ""
    not_after: str = ""
    days_left: float | None = None
    hostname_matches: bool | None = None
    trusted: bool | None = None
    trust_errors: dict[str, str] = field(default_factory=dict)  # trust store -> error
    custom_ca: bool = False
    vulnerabilities: dict[str, Any] = field(default_factory=dict)
    mozilla_profile: str | None = None
    mozilla_issues: dict[str, str] | None = None
    command_errors: dict[str, str] = field(default_factory=dict)


def scan_commands(mozilla_profile: str | None) -> set[Any]:
    """The commands the rules need (the Mozilla check needs a few more than our own rules)."""
    from sslyze.plugins.scan_commands import ScanCommand

    cmds = {
        ScanCommand.CERTIFICATE_INFO,
        ScanCommand.SSL_2_0_CIPHER_SUITES,
        ScanCommand.SSL_3_0_CIPHER_SUITES,
        ScanCommand.TLS_1_0_CIPHER_SUITES,
        ScanCommand.TLS_1_1_CIPHER_SUITES,
        ScanCommand.TLS_1_2_CIPHER_SUITES,
        ScanCommand.TLS_1_3_CIPHER_SUITES,
        ScanCommand.HEARTBLEED,
        ScanCommand.ROBOT,
        ScanCommand.OPENSSL_CCS_INJECTION,
        ScanCommand.SESSION_RENEGOTIATION,
    }
    if mozilla_profile:
        from sslyze.mozilla_tls_profile.tls_config_checker import SCAN_COMMANDS_NEEDED_BY_MOZILLA_CHECKER

        cmds |= set(SCAN_COMMANDS_NEEDED_BY_MOZILLA_CHECKER)
    return cmds


def scan(
    targets: Iterable[TlsTarget],
    *,
    ca_file: Path | None = None,
    timeout: float = 10.0,
    mozilla_profile: str | None = "intermediate",
) -> dict[str, TlsFacts]:
    """Scan all targets concurrently (one sslyze Scanner, all requests queued at once)."""
    from sslyze.errors import ServerHostnameCouldNotBeResolved
    from sslyze.plugins.certificate_info.implementation import CertificateInfoExtraArgument
    from sslyze.scanner.models import ScanCommandsExtraArguments, ServerScanRequest
    from sslyze.scanner.scanner import Scanner
    from sslyze.server_setting import ServerNetworkConfiguration, ServerNetworkLocation

    if mozilla_profile is not None and mozilla_profile not in MOZILLA_PROFILES:
        raise ProbeError(
            f"unknown Mozilla TLS profile {mozilla_profile!r} (one of {', '.join(MOZILLA_PROFILES)})"
        )
    extra = ScanCommandsExtraArguments(
        certificate_info=CertificateInfoExtraArgument(custom_ca_file=Path(ca_file)) if ca_file else None
    )
    commands = scan_commands(mozilla_profile)
    out: dict[str, TlsFacts] = {}
    requests = []
    by_uuid: dict[Any, TlsTarget] = {}
    for t in targets:
        try:
            location = ServerNetworkLocation(hostname=t.host, port=t.port)
        except ServerHostnameCouldNotBeResolved:
            out[t.label] = TlsFacts(t.label, t.host, error=f"cannot resolve {t.host}")
            continue
        network = ServerNetworkConfiguration(
            tls_server_name_indication=t.host,
            network_timeout=max(1, math.ceil(timeout)),
            network_max_retries=1,
        )
        req = ServerScanRequest(
            server_location=location,
            network_configuration=network,
            scan_commands=commands,
            scan_commands_extra_arguments=extra,
        )
        by_uuid[req.uuid] = t
        requests.append(req)
    if requests:
        started = time.monotonic()
        scanner = Scanner(per_server_concurrent_connections_limit=5, concurrent_server_scans_limit=10)
        scanner.queue_scans(requests)
        for result in scanner.get_results():
            t = by_uuid[result.uuid]
            out[t.label] = facts_from_result(
                t,
                result,
                custom_ca=bool(ca_file),
                mozilla_profile=mozilla_profile,
                seconds=time.monotonic() - started,
            )
    return out


def facts_from_result(
    target: TlsTarget, result: Any, *, custom_ca: bool, mozilla_profile: str | None, seconds: float
) -> TlsFacts:
    """Reduce an sslyze ``ServerScanResult`` to :class:`TlsFacts`."""
    from sslyze.scanner.models import ServerScanStatusEnum
    from sslyze.scanner.scan_command_attempt import ScanCommandAttemptStatusEnum

    label = target.label
    if result.scan_status != ServerScanStatusEnum.COMPLETED or result.scan_result is None:
        reason = "no TLS connectivity"
        if result.connectivity_error_trace is not None:
            reason += ": " + "".join(result.connectivity_error_trace.format_exception_only()).strip()[:200]
        return TlsFacts(label, target.host, error=reason, scan_seconds=seconds)
    sr = result.scan_result
    errors: dict[str, str] = {}

    def get(name: str) -> Any:
        attempt = getattr(sr, name)
        if attempt.status == ScanCommandAttemptStatusEnum.COMPLETED:
            return attempt.result
        if attempt.status == ScanCommandAttemptStatusEnum.ERROR:
            errors[name] = str(attempt.error_reason.value if attempt.error_reason else "error")
        return None

    protocols: dict[str, bool] = {}
    ciphers: dict[str, list[str]] = {}
    for attr, name in PROTOCOLS:
        r = get(attr)
        if r is not None:
            protocols[name] = bool(r.is_tls_version_supported)
            ciphers[name] = sorted(c.cipher_suite.name for c in r.accepted_cipher_suites)

    facts: dict[str, Any] = {}
    cert = get("certificate_info")
    if cert is not None and cert.certificate_deployments:
        dep = cert.certificate_deployments[0]
        leaf = dep.received_certificate_chain[0]
        names = _names(leaf)
        now = dt.datetime.now(dt.UTC)
        facts.update(
            leaf_subject=leaf.subject.rfc4514_string(),
            leaf_names=names,
            not_before=leaf.not_valid_before_utc.isoformat(),
            not_after=leaf.not_valid_after_utc.isoformat(),
            days_left=round((leaf.not_valid_after_utc - now).total_seconds() / 86400, 1),
            hostname_matches=hostname_matches(target.host, names),
            trusted=any(p.was_validation_successful for p in dep.path_validation_results),
            trust_errors={
                p.trust_store.name: str(p.validation_error)[:200]
                for p in dep.path_validation_results
                if not p.was_validation_successful
            },
        )

    vulns: dict[str, Any] = {}
    hb = get("heartbleed")
    if hb is not None:
        vulns["heartbleed"] = bool(hb.is_vulnerable_to_heartbleed)
    ccs = get("openssl_ccs_injection")
    if ccs is not None:
        vulns["ccs_injection"] = bool(ccs.is_vulnerable_to_ccs_injection)
    robot = get("robot")
    if robot is not None:
        vulns["robot"] = str(robot.robot_result.value)
    reneg = get("session_renegotiation")
    if reneg is not None:
        vulns["insecure_renegotiation"] = not reneg.supports_secure_renegotiation
        vulns["client_renegotiation_dos"] = bool(reneg.is_vulnerable_to_client_renegotiation_dos)
    comp = get("tls_compression")
    if comp is not None:
        vulns["compression"] = bool(comp.supports_compression)

    issues: dict[str, str] | None = None
    if mozilla_profile:
        issues = _mozilla_issues(result, mozilla_profile)
    return TlsFacts(
        label,
        target.host,
        scan_seconds=round(seconds, 2),
        protocols=protocols,
        accepted_ciphers=ciphers,
        custom_ca=custom_ca,
        vulnerabilities=vulns,
        mozilla_profile=mozilla_profile,
        mozilla_issues=issues,
        command_errors=errors,
        **facts,
    )


def _mozilla_issues(result: Any, profile: str) -> dict[str, str]:
    from sslyze.mozilla_tls_profile.tls_config_checker import (
        MozillaTlsConfiguration,
        ServerNotCompliantWithTlsConfiguration,
        ServerScanResultIncomplete,
        TlsConfigurationEnum,
        check_server_against_tls_configuration,
    )

    config = MozillaTlsConfiguration.get(TlsConfigurationEnum(profile))
    try:
        check_server_against_tls_configuration(result, config)
    except ServerNotCompliantWithTlsConfiguration as exc:
        return {k: str(v) for k, v in exc.issues.items()}
    except ServerScanResultIncomplete as exc:
        return {"scan_incomplete": str(exc)}
    return {}


def _names(cert: Any) -> list[str]:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = [str(n) for n in san.get_values_for_type(x509.DNSName)]
        names += [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]
        if names:
            return names
    except x509.ExtensionNotFound:
        pass
    return [str(a.value) for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]


def hostname_matches(host: str, names: Iterable[str]) -> bool:
    """RFC 6125 matching: exact, or a left-most ``*`` label covering exactly one label; IPs exactly."""
    host = host.lower().rstrip(".")
    try:
        ip = ipaddress.ip_address(host)
        return any(_same_ip(ip, n) for n in names)
    except ValueError:
        pass
    for name in names:
        n = name.lower().rstrip(".")
        if n == host:
            return True
        if n.startswith("*.") and "." in host and host.split(".", 1)[1] == n[2:]:
            return True
    return False


def _same_ip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, name: str) -> bool:
    try:
        return ipaddress.ip_address(name) == ip
    except ValueError:
        return False


# -- rules --------------------------------------------------------------------------------------


def _require_scanned(facts: Iterable[TlsFacts]) -> list[TlsFacts]:
    out = list(facts)
    if not out:
        raise ProbeError("no TLS host scanned")
    bad = [f"{f.target}: {f.error}" for f in out if f.error]
    if bad:
        raise ProbeError("TLS scan failed: " + "; ".join(bad))
    return out


def assess_certificate(facts: Iterable[TlsFacts]) -> Assessment:
    """The leaf certificate is trusted (chain to a known or the configured CA), valid now, for the host."""
    findings = []
    for f in _require_scanned(facts):
        if f.trusted is None:
            raise ProbeError(f"{f.target}: certificate could not be retrieved ({f.command_errors})")
        problems = []
        if not f.hostname_matches:
            problems.append(f"certificate names {f.leaf_names} do not match {f.hostname}")
        if f.days_left is not None and f.days_left < 0:
            problems.append(f"expired on {f.not_after}")
        if not f.trusted:
            errs = sorted(set(f.trust_errors.values()))
            problems.append("chain not trusted" + (f" ({errs[0]})" if errs else ""))
        observed = {
            "subject": f.leaf_subject,
            "names": f.leaf_names,
            "not_after": f.not_after,
            "trusted": f.trusted,
        }
        expected = {"trusted": True, "names": f"include {f.hostname}", "custom_ca": f.custom_ca}
        findings.append(
            Finding(f"{f.target} certificate", observed, expected, not problems, "; ".join(problems))
        )
    return Assessment.of("certificate valid and trusted", findings, empty_ok=False)


def assess_expiry(facts: Iterable[TlsFacts], min_days: int) -> Assessment:
    findings = []
    for f in _require_scanned(facts):
        if f.days_left is None:
            raise ProbeError(f"{f.target}: certificate could not be retrieved ({f.command_errors})")
        ok = f.days_left >= min_days
        findings.append(
            Finding(
                f"{f.target} certificate expiry",
                {"not_after": f.not_after, "days_left": f.days_left},
                f">= {min_days} days left",
                ok,
                "" if ok else "renew the certificate",
            )
        )
    return Assessment.of("certificate expiry", findings, empty_ok=False)


def assess_protocols(facts: Iterable[TlsFacts]) -> Assessment:
    """No SSL 2/3, TLS 1.0/1.1; TLS 1.2 or 1.3 offered."""
    findings = []
    for f in _require_scanned(facts):
        missing = [p for _, p in PROTOCOLS if p not in f.protocols]
        if missing:
            raise ProbeError(f"{f.target}: protocol scans failed for {missing} ({f.command_errors})")
        offered = [p for p, on in f.protocols.items() if on]
        old = [p for p in offered if p in DEPRECATED_PROTOCOLS]
        modern = [p for p in offered if p not in DEPRECATED_PROTOCOLS]
        problems = [f"deprecated {', '.join(old)} enabled"] if old else []
        if not modern:
            problems.append("neither TLS 1.2 nor TLS 1.3 offered")
        findings.append(
            Finding(
                f"{f.target} protocols", offered, "only TLSv1.2 / TLSv1.3", not problems, "; ".join(problems)
            )
        )
    return Assessment.of("TLS protocol versions", findings, empty_ok=False)


def weak_ciphers(names: Iterable[str]) -> list[str]:
    return sorted({n for n in names if any(m in n for m in WEAK_CIPHER_MARKERS)})


def assess_ciphers(facts: Iterable[TlsFacts]) -> Assessment:
    """No NULL, export, anonymous, RC4, DES/3DES, IDEA, RC2 or MD5 cipher suite accepted."""
    findings = []
    for f in _require_scanned(facts):
        weak = weak_ciphers(c for cs in f.accepted_ciphers.values() for c in cs)
        findings.append(
            Finding(
                f"{f.target} cipher suites",
                weak or "none weak",
                "no weak cipher suite",
                not weak,
                f"{len(weak)} weak suites accepted" if weak else "",
            )
        )
    return Assessment.of("weak cipher suites", findings, empty_ok=False)


def assess_vulnerabilities(facts: Iterable[TlsFacts]) -> Assessment:
    """Heartbleed, ROBOT, CCS injection, insecure (or client-initiated) renegotiation, compression."""
    findings = []
    for f in _require_scanned(facts):
        v = f.vulnerabilities
        needed = ("heartbleed", "ccs_injection", "robot", "insecure_renegotiation")
        missing = [k for k in needed if k not in v]
        if missing:
            raise ProbeError(f"{f.target}: vulnerability scans failed for {missing} ({f.command_errors})")
        found = [
            k
            for k in (
                "heartbleed",
                "ccs_injection",
                "insecure_renegotiation",
                "client_renegotiation_dos",
                "compression",
            )
            if v.get(k)
        ]
        if str(v.get("robot", "")).startswith("VULNERABLE"):
            found.append(f"robot ({v['robot']})")
        findings.append(
            Finding(f"{f.target} vulnerabilities", v, "none vulnerable", not found, ", ".join(found))
        )
    return Assessment.of("known TLS vulnerabilities", findings, empty_ok=False)


def assess_mozilla(facts: Iterable[TlsFacts]) -> Assessment:
    """sslyze's Mozilla TLS configuration checker found no issue."""
    findings = []
    for f in _require_scanned(facts):
        if f.mozilla_issues is None:
            raise ProbeError(f"{f.target}: Mozilla profile check not run")
        if "scan_incomplete" in f.mozilla_issues:
            raise ProbeError(f"{f.target}: {f.mozilla_issues['scan_incomplete']} ({f.command_errors})")
        findings.append(
            Finding(
                f"{f.target} Mozilla {f.mozilla_profile} profile",
                f.mozilla_issues or "compliant",
                "compliant",
                not f.mozilla_issues,
                "; ".join(sorted(f.mozilla_issues)),
            )
        )
    return Assessment.of("Mozilla TLS profile", findings, empty_ok=False)
