"""Supabase: auth providers (GoTrue ``/auth/v1/settings``) and where the project's keys live.

``GET {url}/auth/v1/settings`` with the anon key as ``apikey`` (fetched once by the shared
``supabase_auth_settings`` fixture) answers ``{"external": {"email": true, "google": false, ...},
"disable_signup": false, "mailer_autoconfirm": false, ...}``.

The service role key bypasses RLS; it must never reach a browser.  The frontend tree (sources and
build configuration, ``node_modules`` excluded) is searched for the configured key, for any JWT whose
``role`` claim is ``service_role``, for ``sb_secret_`` keys, and for public env var names
(``NEXT_PUBLIC_``, ``VITE_``, ``REACT_APP_``...) that carry a service role key.  A git-ignored
server-side dotenv entry (``SUPABASE_SERVICE_ROLE_KEY=`` in a Next.js ``.env.local``) is not an
exposure; the same key under a public prefix is.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.repo.secrets import jwt_claims

__all__ = [
    "Exposure",
    "assess_auth_providers",
    "assess_env_vars",
    "assess_service_key_exposure",
    "scan_frontend",
]

PUBLIC_PREFIXES = (
    "NEXT_PUBLIC_",
    "VITE_",
    "REACT_APP_",
    "EXPO_PUBLIC_",
    "NUXT_PUBLIC_",
    "PUBLIC_",
    "GATSBY_",
    "VUE_APP_",
)
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")
_SB_SECRET = re.compile(r"\bsb_secret_[A-Za-z0-9_-]{10,}")
_PUBLIC_SERVICE_VAR = re.compile(
    r"\b(?:" + "|".join(PUBLIC_PREFIXES) + r")[A-Z0-9_]*(?:SERVICE_ROLE|SERVICE_KEY|SECRET_KEY)[A-Z0-9_]*\b"
)
SKIP_DIRS = frozenset({".git", "node_modules", ".venv", "__pycache__", ".cache", "coverage"})
TEXT_SUFFIXES = frozenset(
    {
        ".js",
        ".jsx",
        ".ts",
        ".tsx",
        ".mjs",
        ".cjs",
        ".vue",
        ".svelte",
        ".astro",
        ".html",
        ".json",
        ".map",
        ".env",
        ".yml",
        ".yaml",
        ".toml",
        ".txt",
        ".md",
        ".css",
    }
)
MAX_FILE_BYTES = 5_000_000


def assess_auth_providers(settings: Mapping[str, Any], providers: Sequence[str]) -> Assessment:
    """Every configured provider enabled (else at least one), ``mailer_autoconfirm`` false."""
    if not isinstance(settings.get("external"), dict):
        raise ProbeError("auth settings: no 'external' providers object in the answer")
    external = {str(k): bool(v) for k, v in dict(settings["external"]).items()}
    enabled = sorted(k for k, v in external.items() if v)
    findings = []
    if providers:
        for p in providers:
            findings.append(
                Finding(f"auth provider {p}", external.get(p, "unknown"), True, external.get(p) is True)
            )
    else:
        findings.append(Finding("auth providers", enabled, "at least one enabled", bool(enabled)))
    autoconfirm = settings.get("mailer_autoconfirm")
    findings.append(
        Finding(
            "auth mailer_autoconfirm",
            autoconfirm,
            False,
            autoconfirm is False,
            "" if autoconfirm is False else "sign-ups are confirmed without owning the address",
        )
    )
    findings.append(
        Finding(
            "auth disable_signup",
            settings.get("disable_signup"),
            "recorded",
            True,
            f"enabled providers: {', '.join(enabled) or 'none'}",
        )
    )
    return Assessment.of("Supabase auth providers", findings)


def _kind(key: str) -> str:
    if key.startswith("sb_publishable_"):
        return "publishable"
    if key.startswith("sb_secret_"):
        return "secret"
    claims = jwt_claims(key)
    return str(claims.get("role", "?")) if claims else "unrecognised"


def assess_env_vars(
    where: Mapping[str, str | None], anon_key: str | None = None, service_key: str | None = None
) -> Assessment:
    """URL, anon key and service role key set (``where``: name -> where it is set, None when missing).

    Keys are checked for their kind (a JWT ``role`` claim or the ``sb_publishable_``/``sb_secret_``
    prefix), so a swapped pair fails; the values themselves are never reported.
    """
    findings = [
        Finding(f"supabase {name}", place or "not set", "set", place is not None)
        for name, place in where.items()
    ]
    findings.extend(key_kind_findings(anon_key, service_key))
    return Assessment.of("Supabase environment variables", findings)


def key_kind_findings(anon_key: str | None, service_key: str | None) -> list[Finding]:
    out = []
    if anon_key:
        kind = _kind(anon_key)
        out.append(
            Finding("supabase anon key kind", kind, "anon or publishable", kind in ("anon", "publishable"))
        )
    if service_key:
        kind = _kind(service_key)
        out.append(
            Finding(
                "supabase service role key kind",
                kind,
                "service_role or secret",
                kind in ("service_role", "secret"),
            )
        )
    if anon_key and service_key and anon_key == service_key:
        out.append(Finding("supabase keys", "anon key equals service role key", "different keys", False))
    return out


@dataclass(frozen=True)
class Exposure:
    file: str
    line: int
    what: str


def _text_file(path: Path) -> bool:
    name = path.name
    return path.suffix in TEXT_SUFFIXES or name.startswith(".env") or name.endswith(".config.js")


def scan_frontend(
    paths: Sequence[Path], service_key: str | None, root: Path | None = None
) -> tuple[int, list[Exposure]]:
    """(files scanned, exposures) of the service role key in frontend sources and build configuration."""
    exposures: list[Exposure] = []
    scanned = 0
    for base in paths:
        if not base.exists():
            raise ProbeError(f"frontend path {base} does not exist")
        files = [base] if base.is_file() else _walk(base)
        for f in files:
            try:
                if f.stat().st_size > MAX_FILE_BYTES:
                    continue
                text = f.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            scanned += 1
            shown = os.path.relpath(f, root) if root else str(f)
            exposures.extend(_scan_text(text, shown, service_key, dotenv=f.name.startswith(".env")))
    return scanned, exposures


def _walk(base: Path) -> list[Path]:
    out: list[Path] = []
    for r, dirs, files in os.walk(base):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        out.extend(Path(r) / f for f in sorted(files) if _text_file(Path(r) / f))
    return out


def _scan_text(text: str, shown: str, service_key: str | None, *, dotenv: bool) -> list[Exposure]:
    out: list[Exposure] = []
    for number, line in enumerate(text.splitlines(), 1):
        if dotenv:
            name = line.split("=", 1)[0].strip().removeprefix("export ").strip()
            public = name.startswith(PUBLIC_PREFIXES)
            value = line.split("=", 1)[1] if "=" in line else ""
            if public and (_PUBLIC_SERVICE_VAR.search(name) or _is_service_value(value, service_key)):
                out.append(Exposure(shown, number, f"public variable {name} holds a service role key"))
            continue
        if service_key and len(service_key) >= 16 and service_key in line:
            out.append(Exposure(shown, number, "the configured service role key"))
            continue
        if any(_role(m) == "service_role" for m in _JWT.findall(line)):
            out.append(Exposure(shown, number, "a JWT with role service_role"))
        elif _SB_SECRET.search(line):
            out.append(Exposure(shown, number, "an sb_secret_ key"))
        elif m := _PUBLIC_SERVICE_VAR.search(line):
            out.append(Exposure(shown, number, f"public variable {m.group(0)} names a service role key"))
    return out


def _role(token: str) -> str | None:
    claims = jwt_claims(token)
    return str(claims.get("role")) if claims else None


def _is_service_value(value: str, service_key: str | None) -> bool:
    value = value.strip().strip("'\"")
    if service_key and value == service_key:
        return True
    return value.startswith("sb_secret_") or _role(value) == "service_role"


def assess_service_key_exposure(scanned: int, exposures: Sequence[Exposure]) -> Assessment:
    findings = [
        Finding(
            f"{e.file}:{e.line}",
            e.what,
            "no service role key in the frontend",
            False,
            "the service role key bypasses RLS: rotate it",
        )
        for e in exposures
    ]
    findings.append(Finding("frontend files scanned", scanned, ">= 1", scanned > 0))
    return Assessment.of("service role key kept out of the frontend", findings)
