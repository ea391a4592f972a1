"""Authentication and authorization: JWT lifetime, JWT secret strength, Supabase Auth settings, RBAC.

Nothing here ever outputs a token or a secret: findings name *where* a secret came from
(``[supabase] anon_key``) and what is wrong with it, never its value.

* The JWT lifetime comes from Supabase's ``/auth/v1/settings`` (``jwt_exp`` when the server
  exposes it) or from a configured sample access token's ``exp - iat`` (claims decoded without
  verification: only the numbers are read).
* A JWT secret is "a known default" when it is one of the published development secrets — or,
  without the secret itself, when a configured HS256 token (the Supabase anon/service keys are such
  tokens) verifies with one of them: the deployment signs with a public secret, so anyone can mint
  a ``service_role`` token.
* RBAC: configured triples (role token, endpoint, expected status) are requested with GET/HEAD
  only; an entry without token is the anonymous caller.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.errors import ProbeError
from pytest_readiness.probes import transport
from pytest_readiness.probes.web.http_client import READ_ONLY_METHODS, HttpConfig, join, send, session

#: Published development JWT secrets (Supabase CLI / self-hosting .env.example, jwt.io, tutorials).
KNOWN_DEFAULT_SECRETS: tuple[str, ...] = (
    "super-secret-jwt-token-with-at-least-32-characters-long",
    "your-super-secret-jwt-token-with-at-least-32-characters-long",
    "your-256-bit-secret",
    "your-secret-key",
    "secret",
    "secretkey",
    "changeme",
    "change-me",
    "jwt_secret",
    "jwtsecret",
    "supersecret",
    "my-secret",
    "mysecret",
    "development",
    "test",
)
#: ``iss`` of the well-known Supabase demo keys (anon and service_role) signed with the CLI secret.
DEMO_ISSUERS = frozenset({"supabase-demo"})
MIN_SECRET_LENGTH = 32
HMAC_ALGS = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def decode_unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, claims) of a JWS compact token, without verifying it. Raises ValueError if malformed."""
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise ValueError("not a JWT (expected three dot-separated parts)")
    try:
        header = json.loads(_b64(parts[0]))
        claims = json.loads(_b64(parts[1]))
    except (ValueError, json.JSONDecodeError) as exc:
        raise ValueError(f"not a JWT ({exc.__class__.__name__})") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise ValueError("not a JWT (header or claims not an object)")
    return header, claims


def signed_with(token: str, secret: str) -> bool:
    """True if the HS* signature of ``token`` verifies with ``secret``."""
    try:
        header, _ = decode_unverified(token)
    except ValueError:
        return False
    digest = HMAC_ALGS.get(str(header.get("alg", "")).upper())
    if digest is None:
        return False
    head, payload, sig = token.strip().split(".")
    expected = hmac.new(secret.encode(), f"{head}.{payload}".encode(), digest).digest()
    try:
        return hmac.compare_digest(expected, _b64(sig))
    except ValueError:
        return False


# -- JWT lifetime / session timeout ------------------------------------------------------------------


@dataclass(frozen=True)
class JwtLifetime:
    source: str  # "[http] sample_token", "https://x/auth/v1/settings jwt_exp"
    seconds: int | None
    note: str = ""


def lifetime_from_token(token: str, source: str) -> JwtLifetime:
    try:
        _, claims = decode_unverified(token)
    except ValueError as exc:
        raise ProbeError(f"{source}: {exc}") from None
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int | float):
        return JwtLifetime(source, None, "token has no exp claim: it never expires")
    if not isinstance(iat, int | float):
        raise ProbeError(f"{source}: token has exp but no iat; its lifetime cannot be computed")
    return JwtLifetime(source, int(exp - iat))


def lifetime_from_settings(settings: Mapping[str, Any], source: str) -> JwtLifetime | None:
    """``jwt_exp`` from Supabase/GoTrue settings if the server exposes it (newer versions do not)."""
    for key in ("jwt_exp", "JWT_EXP", "jwt_expiry"):
        value = settings.get(key)
        if isinstance(value, int | float):
            return JwtLifetime(f"{source} {key}", int(value))
    return None


def assess_jwt_lifetime(lifetimes: Iterable[JwtLifetime], max_s: int) -> Assessment:
    """Every known access-token lifetime is set and at most ``max_s`` seconds."""
    findings = []
    for life in lifetimes:
        ok = life.seconds is not None and 0 < life.seconds <= max_s
        note = life.note or ("" if ok else f"longer than {max_s} s")
        findings.append(Finding(f"{life.source} JWT lifetime", life.seconds, f"<= {max_s} s", ok, note))
    return Assessment.of("session / JWT lifetime", findings, empty_ok=False)


# -- JWT secret --------------------------------------------------------------------------------------


def assess_jwt_secret(
    secrets: Mapping[str, str],
    tokens: Mapping[str, str],
    extra_defaults: Iterable[str] = (),
) -> Assessment:
    """Configured secrets are not known defaults and long enough; tokens are not signed with one.

    ``secrets`` and ``tokens`` map a *source name* (``[supabase] jwt_secret``) to the value; only the
    source name appears in findings.
    """
    defaults = [d for d in (*KNOWN_DEFAULT_SECRETS, *extra_defaults) if d]
    findings = []
    for source, value in secrets.items():
        problems = []
        if value in defaults:
            problems.append("a published default secret")
        if len(value) < MIN_SECRET_LENGTH:
            problems.append(f"shorter than {MIN_SECRET_LENGTH} characters")
        findings.append(
            Finding(
                source,
                "known default" if value in defaults else f"{len(value)} characters",
                f"not a known default, >= {MIN_SECRET_LENGTH} characters",
                not problems,
                "; ".join(problems),
            )
        )
    for source, token in tokens.items():
        try:
            header, claims = decode_unverified(token)
        except ValueError as exc:
            findings.append(Finding(source, "unreadable", "a JWT", False, str(exc)))
            continue
        alg = str(header.get("alg", ""))
        problems = []
        if alg.lower() == "none":
            problems.append("unsigned token (alg none)")
        elif any(signed_with(token, d) for d in defaults):
            problems.append("signed with a published default secret: anyone can mint tokens")
        if str(claims.get("iss", "")) in DEMO_ISSUERS:
            problems.append("the Supabase demo key (iss supabase-demo)")
        observed = {"alg": alg, "iss": claims.get("iss"), "role": claims.get("role")}
        findings.append(
            Finding(
                f"{source} signature",
                observed,
                "not signed with a known default secret",
                not problems,
                "; ".join(problems),
            )
        )
    return Assessment.of("JWT secret not a known default", findings, empty_ok=False)


# -- Supabase Auth settings -------------------------------------------------------------------------


def fetch_supabase_settings(cfg: HttpConfig, url: str, anon_key: str | None) -> dict[str, Any]:
    """GET ``/auth/v1/settings`` (public, read-only) with the anon key as ``apikey``."""
    headers = {"apikey": anon_key} if anon_key else {}
    r = send(cfg, "GET", join(url, "/auth/v1/settings"), headers=headers)
    if r.status != 200:
        raise ProbeError(f"{join(url, '/auth/v1/settings')}: HTTP {r.status}")
    try:
        data = json.loads(r.body_prefix) if len(r.body_prefix) < 4096 else _full_json(cfg, url, headers)
    except json.JSONDecodeError:
        raise ProbeError(f"{join(url, '/auth/v1/settings')}: not JSON") from None
    if not isinstance(data, dict):
        raise ProbeError(f"{join(url, '/auth/v1/settings')}: not a JSON object")
    return data


def _full_json(cfg: HttpConfig, url: str, headers: Mapping[str, str]) -> Any:
    where = join(url, "/auth/v1/settings")
    with session() as s:
        try:
            resp = transport.fetch(
                s, "GET", where, headers=dict(headers), timeout=cfg.timeout, verify=cfg.verify
            )
        except transport.TransportError as exc:
            raise ProbeError(f"{where}: {exc.reason}") from None
    try:
        return resp.json()
    except ValueError:
        raise ProbeError(f"{where}: not JSON") from None


def assess_supabase_auth(settings: Mapping[str, Any], source: str, max_jwt_s: int) -> Assessment:
    """Production settings: no e-mail/phone autoconfirm; bounded jwt_exp when exposed."""
    findings = []
    for key, label in (("mailer_autoconfirm", "e-mail"), ("phone_autoconfirm", "phone")):
        if key in settings:
            value = settings[key]
            findings.append(
                Finding(
                    f"{source} {key}",
                    value,
                    False,
                    value is False,
                    "" if value is False else f"{label} sign-ups are confirmed without verification",
                )
            )
    life = lifetime_from_settings(settings, source)
    if life is not None:
        findings.extend(assess_jwt_lifetime([life], max_jwt_s).findings)
    if not findings:
        raise ProbeError(f"{source}: no known Auth setting (mailer_autoconfirm) in the answer")
    return Assessment.of("Supabase Auth production settings", findings, empty_ok=False)


# -- RBAC ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RbacResult:
    role: str
    method: str
    endpoint: str
    expected: list[int]
    status: int


def _expected(value: Any) -> list[int]:
    if isinstance(value, int):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, int) for v in value):
        return list(value)
    raise ProbeError(f"rbac expected_status must be an integer or a list of integers, got {value!r}")


def probe_rbac(cfg: HttpConfig, triples: Iterable[Mapping[str, Any]]) -> list[RbacResult]:
    """Request each endpoint as each configured role (GET/HEAD/OPTIONS only)."""
    out = []
    s = session()
    try:
        for i, t in enumerate(triples):
            endpoint = str(t.get("endpoint") or "")
            if not endpoint:
                raise ProbeError(f"[[http.rbac]] entry {i + 1}: endpoint missing")
            method = str(t.get("method", "GET")).upper()
            if method not in READ_ONLY_METHODS:
                raise ProbeError(
                    f"[[http.rbac]] entry {i + 1}: method {method} is not read-only (GET/HEAD/OPTIONS)"
                )
            token = t.get("role_token")
            role = str(t.get("role") or ("authenticated role" if token else "anonymous"))
            headers: dict[str, str] = {}
            if token:
                headers["Authorization"] = f"Bearer {token}"
            apikey = t.get("apikey_token")
            if apikey:
                headers["apikey"] = str(apikey)
            r = send(cfg, method, endpoint, http=s, headers=headers)
            out.append(RbacResult(role, method, endpoint, _expected(t.get("expected_status")), r.status))
    finally:
        s.close()
    return out


def assess_rbac(results: Iterable[RbacResult]) -> Assessment:
    findings = []
    for r in results:
        ok = r.status in r.expected
        note = ""
        if not ok and r.role == "anonymous" and 200 <= r.status < 300:
            note = "anonymous caller got access"
        elif not ok and 200 <= r.status < 300:
            note = "role got access it should not have"
        findings.append(
            Finding(
                f"{r.method} {r.endpoint} as {r.role}",
                r.status,
                r.expected if len(r.expected) > 1 else r.expected[0],
                ok,
                note,
            )
        )
    return Assessment.of("role-based access", findings, empty_ok=False)
