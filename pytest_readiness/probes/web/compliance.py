"""Compliance evidence a probe can fetch: database audit logging and a published privacy policy.

Audit logging (PostgreSQL): either ``pgaudit`` is in ``shared_preload_libraries`` with
``pgaudit.log`` not ``none``, or every configured ``log_*`` setting has its expected value
(e.g. ``log_connections = on``, ``log_statement = ddl``).  Settings come from a read-only session
(``SHOW``/``current_setting``), gathered by the ``postgres_db`` fixture.

Privacy policy: the configured URL answers 200 with a non-trivial HTML/text body.  Whether its
*content* is up to date is a human judgement: ``Last-Modified`` is recorded as evidence only.
GDPR features and retention policies cannot be observed from outside: they stay manual.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.probes.web.http_client import HttpConfig, send

AUDIT_SETTINGS = (
    "shared_preload_libraries",
    "pgaudit.log",
    "log_statement",
    "log_connections",
    "log_disconnections",
)
MIN_POLICY_BYTES = 200  # an empty page or a placeholder is not a policy


@dataclass(frozen=True)
class AuditFacts:
    settings: dict[str, str | None] = field(default_factory=dict)  # None: unknown setting (module absent)


def gather_audit(setting: Callable[[str], Any], expected: Mapping[str, Any] | None = None) -> AuditFacts:
    """Read the audit-related settings with ``setting(name)`` (returns None when unknown)."""
    names = list(AUDIT_SETTINGS) + [k for k in (expected or {}) if k not in AUDIT_SETTINGS]
    values: dict[str, str | None] = {}
    for name in names:
        value = setting(name)
        values[name] = None if value is None else str(value)
    return AuditFacts(values)


def _norm(value: Any) -> str:
    text = str(value).strip().lower()
    return {"true": "on", "false": "off", "yes": "on", "no": "off", "1": "on", "0": "off"}.get(text, text)


def assess_audit_logging(facts: AuditFacts, expected: Mapping[str, Any] | None = None) -> Assessment:
    """pgaudit loaded and logging, or every configured log_* setting at its expected value."""
    s = facts.settings
    libs = [x.strip().strip('"') for x in (s.get("shared_preload_libraries") or "").split(",") if x.strip()]
    pgaudit_log = s.get("pgaudit.log")
    pgaudit_ok = "pgaudit" in libs and pgaudit_log is not None and _norm(pgaudit_log) not in ("none", "")
    findings = [
        Finding(
            "postgres pgaudit",
            {"shared_preload_libraries": libs, "pgaudit.log": pgaudit_log},
            {"shared_preload_libraries": "includes pgaudit", "pgaudit.log": "not none"},
            pgaudit_ok,
            "" if pgaudit_ok else "pgaudit not loaded" if "pgaudit" not in libs else "pgaudit.log is none",
        )
    ]
    if pgaudit_ok:
        return Assessment.of("audit logging", findings)
    if not expected:
        return Assessment.of(
            "audit logging",
            [
                Finding(
                    "postgres audit logging",
                    {k: s.get(k) for k in ("log_statement", "log_connections", "log_disconnections")},
                    "pgaudit, or [compliance] audit_settings to check log_* settings",
                    False,
                    "pgaudit not loaded and no log_* settings configured as the audit trail",
                )
            ],
        )
    log_findings = []
    for name, want in expected.items():
        got = s.get(name)
        ok = got is not None and _norm(got) == _norm(want)
        log_findings.append(
            Finding(f"postgres {name}", got, str(want), ok, "" if ok else "audit setting differs")
        )
    # pgaudit absent is fine when the configured log_* trail is complete: report it, don't fail on it.
    info = Finding(
        findings[0].subject, findings[0].observed, findings[0].expected, True, "using log_* settings"
    )
    return Assessment.of("audit logging", [info, *log_findings])


@dataclass(frozen=True)
class PolicyFacts:
    url: str
    status: int
    content_type: str
    size: int
    last_modified: str | None
    final_url: str


def fetch_privacy_policy(cfg: HttpConfig, url: str) -> PolicyFacts:
    r = send(cfg, "GET", url, allow_redirects=True, retry_on_429=True)
    return PolicyFacts(
        url,
        r.status,
        (r.first("content-type") or "").split(";")[0].strip().lower(),
        len(r.body_prefix.strip()),
        r.first("last-modified"),
        r.url,
    )


def assess_privacy_policy(p: PolicyFacts) -> Assessment:
    problems = []
    if p.status != 200:
        problems.append(f"HTTP {p.status}")
    if p.content_type and not (
        p.content_type.startswith("text/") or "html" in p.content_type or "pdf" in p.content_type
    ):
        problems.append(f"unexpected content type {p.content_type}")
    if p.status == 200 and p.size < MIN_POLICY_BYTES:
        problems.append(f"body of {p.size} bytes is not a policy")
    observed = {"status": p.status, "content_type": p.content_type, "last_modified": p.last_modified}
    if p.final_url != p.url:
        observed["final_url"] = p.final_url
    return Assessment.single(
        "privacy policy published",
        f"{p.url} privacy policy",
        observed,
        {"status": 200, "body": f">= {MIN_POLICY_BYTES} bytes of text/HTML"},
        not problems,
        "; ".join(problems) or "content freshness is a human review (Last-Modified recorded)",
    )
