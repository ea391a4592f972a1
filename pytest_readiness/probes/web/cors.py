"""CORS: is cross-origin access limited to the production domains?

Gathering sends, per endpoint, a preflight (OPTIONS) and a simple GET from a foreign origin, from
the ``null`` origin (sandboxed iframes, file://) and from each production domain.  Only read-only
methods are used.  The rule fails when a foreign or null origin is echoed back, when ``*`` is
allowed (with credentials browsers refuse it, but the intent is already wrong), when an allowed
origin is not a configured production domain, and when a production domain is not allowed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.probes.web.http_client import HttpConfig, send, session

FOREIGN_ORIGIN = "https://readiness-probe.invalid"


@dataclass(frozen=True)
class CorsAnswer:
    """The CORS response headers for one (endpoint, origin, method) request."""

    endpoint: str
    origin: str
    kind: str  # "preflight" | "simple"
    status: int
    allow_origin: str | None
    allow_credentials: bool
    vary_origin: bool


@dataclass(frozen=True)
class CorsFacts:
    endpoint: str
    answers: list[CorsAnswer] = field(default_factory=list)


def _origin_of(domain: str) -> str:
    """``app.example.com`` or ``https://app.example.com/`` → ``https://app.example.com``."""
    d = domain.strip().rstrip("/")
    return d if "://" in d else f"https://{d}"


def probe(cfg: HttpConfig, endpoints: Iterable[str], production_domains: Iterable[str]) -> list[CorsFacts]:
    """Preflight + simple GET per endpoint and origin (foreign, null, each production domain)."""
    origins = [FOREIGN_ORIGIN, "null", *(_origin_of(d) for d in production_domains)]
    out = []
    s = session()
    try:
        for endpoint in endpoints:
            answers = []
            for origin in origins:
                pre = send(
                    cfg,
                    "OPTIONS",
                    endpoint,
                    http=s,
                    headers={
                        "Origin": origin,
                        "Access-Control-Request-Method": "GET",
                        "Access-Control-Request-Headers": "authorization",
                    },
                )
                simple = send(cfg, "GET", endpoint, http=s, headers={"Origin": origin})
                for kind, r in (("preflight", pre), ("simple", simple)):
                    vary = ",".join(r.values("vary")).lower()
                    answers.append(
                        CorsAnswer(
                            endpoint,
                            origin,
                            kind,
                            r.status,
                            r.first("access-control-allow-origin"),
                            (r.first("access-control-allow-credentials") or "").strip().lower() == "true",
                            "origin" in vary or "*" in vary,
                        )
                    )
            out.append(CorsFacts(endpoint, answers))
    finally:
        s.close()
    return out


def assess_cors(facts: list[CorsFacts], production_domains: Iterable[str]) -> Assessment:
    """One finding per endpoint and origin: allowed exactly when the origin is a production domain."""
    allowed = {_origin_of(d).lower() for d in production_domains}
    findings = []
    for f in facts:
        by_origin: dict[str, list[CorsAnswer]] = {}
        for a in f.answers:
            by_origin.setdefault(a.origin, []).append(a)
        for origin, answers in by_origin.items():
            observed = [
                {
                    "request": a.kind,
                    "status": a.status,
                    "allow-origin": a.allow_origin,
                    "credentials": a.allow_credentials,
                }
                for a in answers
            ]
            problems: list[str] = []
            granted = [a for a in answers if a.allow_origin]
            for a in granted:
                value = (a.allow_origin or "").strip()
                if value == "*":
                    problems.append(
                        f"{a.kind}: Access-Control-Allow-Origin * "
                        + (
                            "with credentials (browsers refuse it; intent is unrestricted)"
                            if a.allow_credentials
                            else ""
                        )
                    )
                elif value.lower() == "null":
                    problems.append(f"{a.kind}: the null origin is allowed")
                elif value.lower() != origin.lower():
                    if value.lower() not in allowed:
                        problems.append(f"{a.kind}: allows {value}, not a production domain")
                elif value.lower() not in allowed:
                    problems.append(
                        f"{a.kind}: echoes the requesting origin"
                        + (" with credentials" if a.allow_credentials else "")
                    )
            is_production = origin.lower() in allowed
            if is_production and not any((a.allow_origin or "").lower() == origin.lower() for a in granted):
                problems.append("production domain not allowed")
            label = (
                "production origin"
                if is_production
                else ("null origin" if origin == "null" else "foreign origin")
            )
            expected = (
                f"Access-Control-Allow-Origin: {origin}"
                if is_production
                else "no Access-Control-Allow-Origin"
            )
            findings.append(
                Finding(
                    f"{f.endpoint} CORS from {label} {origin}",
                    observed,
                    expected,
                    not problems,
                    "; ".join(problems),
                )
            )
    return Assessment.of("CORS restricted to production domains", findings, empty_ok=False)
