"""One place for how the security probes talk HTTP: TLS verified, timeouts, errors as ProbeError.

Every probe goes through :func:`send` so that an unreachable or untrusted target becomes a clear
``ProbeError`` (item ``error``) and never a guess.  Responses are reduced to :class:`HttpFacts`
(status, every header occurrence, a bounded body prefix): plain data, cheap to cache per session.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests

from pytest_readiness.probes import transport

USER_AGENT = transport.USER_AGENT
BODY_PREFIX = 4096  # bytes kept of a body: enough to spot a stack trace, small in reports
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class HttpConfig:
    """How to reach the target: ``verify`` is True, False or a CA bundle path."""

    timeout: float = 10.0
    verify: bool | str = True

    @classmethod
    def of(cls, timeout: float, verify_tls: bool = True, ca_file: Path | None = None) -> HttpConfig:
        verify: bool | str = str(ca_file) if (verify_tls and ca_file) else verify_tls
        return cls(timeout=timeout, verify=verify)


@dataclass(frozen=True)
class HttpFacts:
    """One response: ``headers`` maps lower-case names to every occurrence (duplicates kept)."""

    url: str
    method: str
    status: int
    headers: dict[str, list[str]] = field(default_factory=dict)
    body_prefix: str = ""
    history: list[tuple[int, str]] = field(default_factory=list)  # (status, url) of followed redirects

    def values(self, name: str) -> list[str]:
        return self.headers.get(name.lower(), [])

    def first(self, name: str) -> str | None:
        vals = self.values(name)
        return vals[0] if vals else None

    @property
    def location(self) -> str | None:
        return self.first("location")


def session() -> requests.Session:
    """A session of the one transport (no proxy from the environment, one User-Agent, 5 redirects)."""
    return transport.new_session()


def send(
    cfg: HttpConfig,
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    data: bytes | None = None,
    allow_redirects: bool = False,
    http: requests.Session | None = None,
    retry_on_429: bool = False,
) -> HttpFacts:
    """Send one request and return its facts; raise ProbeError when no answer can be obtained.

    The whole exchange has a wall-clock deadline of ``cfg.timeout`` (see :mod:`.transport`).
    """
    own = http is None
    s = http or session()
    try:
        for attempt in (1, 2):
            with transport.exchange(
                s,
                method,
                url,
                timeout=cfg.timeout,
                headers=dict(headers or {}),
                data=data,
                verify=cfg.verify,
                allow_redirects=allow_redirects,
            ) as resp:
                facts = facts_of(resp, method)
            if facts.status == 429 and retry_on_429 and attempt == 1:
                time.sleep(_retry_after(facts.first("Retry-After"), cap=min(2.0, cfg.timeout)))
                continue
            return facts
        raise AssertionError("unreachable")  # pragma: no cover
    finally:
        if own:
            s.close()


def facts_of(resp: requests.Response, method: str) -> HttpFacts:
    """Reduce a response to plain facts, reading at most BODY_PREFIX bytes of the body."""
    headers: dict[str, list[str]] = {}
    raw = resp.raw.headers if resp.raw is not None else None
    if raw is not None and hasattr(raw, "getlist"):
        for name in {k.lower() for k in raw}:
            headers[name] = [str(v) for v in raw.getlist(name)]
    else:  # pragma: no cover - non-urllib3 adapters
        headers = {k.lower(): [v] for k, v in resp.headers.items()}
    body = b""
    try:
        for chunk in resp.iter_content(chunk_size=BODY_PREFIX):
            body += chunk
            if len(body) >= BODY_PREFIX:
                break
    except requests.exceptions.RequestException:
        pass  # the status and headers are what matter; a truncated body is still a prefix
    finally:
        resp.close()
    return HttpFacts(
        url=resp.url,
        method=method,
        status=resp.status_code,
        headers=headers,
        body_prefix=body[:BODY_PREFIX].decode("utf-8", "replace"),
        history=[(r.status_code, r.url) for r in resp.history],
    )


def _retry_after(value: str | None, cap: float) -> float:
    try:
        return max(0.0, min(float(value or 1), cap))
    except ValueError:
        return min(1.0, cap)


def join(base: str, path: str) -> str:
    """``base`` + ``path`` (a full URL in ``path`` is used as is)."""
    if "://" in path:
        return path
    return base.rstrip("/") + "/" + path.lstrip("/")


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()
