"""Rate limiting: does a short burst of GETs meet a limit?

A bounded burst (``count`` requests within ``budget_s``, from ``[http] rate_limit_burst`` and
``rate_limit_budget_s``), GET only, on one keep-alive connection, stopping at the first 429 (or the
first 5xx: never hammer a failing server).  That is about what one impatient browser user produces,
so it is safe against production.  The endpoint
passes if it answered 429, or advertised its limit with ``RateLimit``/``RateLimit-Policy`` (IETF
draft) or ``X-RateLimit-*`` headers — some gateways allow far larger bursts than a safe probe sends
but still prove that a limiter is in the path.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.web.http_client import HttpConfig, HttpFacts, send, session

MAX_BURST = 200  # a configured burst beyond this is a load test, not a probe
RATE_LIMIT_HEADERS = (
    "ratelimit",
    "ratelimit-policy",
    "ratelimit-limit",
    "ratelimit-remaining",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-rate-limit-limit",
    "retry-after",
)


@dataclass(frozen=True)
class BurstFacts:
    endpoint: str
    sent: int
    statuses: dict[int, int] = field(default_factory=dict)  # status -> count
    first_429_at: int | None = None  # 1-based request number
    limit_headers: dict[str, str] = field(default_factory=dict)
    stopped: str = ""  # why the burst ended early


def burst(cfg: HttpConfig, endpoint: str, count: int, budget_s: float) -> BurstFacts:
    """Send up to ``count`` GETs within ``budget_s`` seconds; stop at the first 429 or 5xx."""
    if count < 1 or count > MAX_BURST:
        raise ProbeError(f"rate-limit burst of {count} requests is outside 1..{MAX_BURST}")
    statuses: dict[int, int] = {}
    headers: dict[str, str] = {}
    first_429 = None
    stopped = ""
    sent = 0
    deadline = time.monotonic() + budget_s
    s = session()
    try:
        for i in range(1, count + 1):
            if time.monotonic() > deadline:
                stopped = f"time budget of {budget_s:g} s used up"
                break
            r: HttpFacts = send(cfg, "GET", endpoint, http=s)
            sent = i
            statuses[r.status] = statuses.get(r.status, 0) + 1
            for name in RATE_LIMIT_HEADERS:
                if r.first(name) is not None and name not in headers:
                    headers[name] = str(r.first(name))
            if r.status == 429:
                first_429 = i
                stopped = "first 429"
                break
            if r.status >= 500:
                stopped = f"server answered {r.status}"
                break
    finally:
        s.close()
    return BurstFacts(endpoint, sent, statuses, first_429, headers, stopped)


def burst_all(cfg: HttpConfig, endpoints: Iterable[str], count: int, budget_s: float) -> list[BurstFacts]:
    return [burst(cfg, e, count, budget_s) for e in endpoints]


def assess_rate_limit(facts: list[BurstFacts]) -> Assessment:
    """429 within the burst, or rate-limit headers advertised, on every endpoint."""
    findings = []
    for f in facts:
        advertised = {k: v for k, v in f.limit_headers.items() if k != "retry-after"}
        ok = f.first_429_at is not None or bool(advertised)
        observed = {
            "sent": f.sent,
            "statuses": f.statuses,
            "first_429_at": f.first_429_at,
            "headers": f.limit_headers,
        }
        if ok:
            note = f"429 after {f.first_429_at} requests" if f.first_429_at else "limit advertised in headers"
        elif 503 in f.statuses:
            note = "503 instead of 429: nginx limit_req rejects with 503 unless limit_req_status 429 is set"
        else:
            note = f"no 429 and no RateLimit header after {f.sent} requests" + (
                f" ({f.stopped})" if f.stopped else ""
            )
        findings.append(Finding(f"{f.endpoint} rate limit", observed, "429 or RateLimit headers", ok, note))
    return Assessment.of("rate limiting", findings, empty_ok=False)
