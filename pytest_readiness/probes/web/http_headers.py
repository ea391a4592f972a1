"""HTTP security headers, judged like the MDN HTTP Observatory.

Gathering: :func:`fetch_pages` GETs every configured URL once (redirects followed, TLS verified) and
:func:`fetch_redirect_chain` walks the plain-HTTP entry point hop by hop.  Rules are pure functions
over those facts, one per header, each with one finding per URL: nginx drops server-level
``add_header`` in any ``location`` that has its own ``add_header``, so a header present on ``/`` can
be missing on ``/api/`` — only checking every configured path catches that.  Beyond the configured
paths, :func:`fetch_linked` follows a few same-origin URLs the home page itself links to (assets and
pages, GET only, bounded), so such a ``location`` is found without configuration.

Deviations from the Observatory, on purpose: ``includeSubDomains`` is required (the checklist says
so; the Observatory only needs max-age >= 6 months); a header sent twice fails (the browser keeps
only the first HSTS value — a duplicate means two config layers disagree); ``SameSite`` on cookies
is required (the Observatory gives a bonus only); a missing ``Referrer-Policy`` fails (no penalty
in the Observatory, but the checklist lists it); no answer on plain HTTP (refused, or closed like
nginx ``return 444``) fails the redirect check (the Observatory's ``redirection-not-needed-no-http``
costs nothing, but the checklist asks that HTTP redirect, and a visitor typing the host gets an error).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import requests

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.errors import ProbeError
from pytest_readiness.probes import transport
from pytest_readiness.probes.web import csp
from pytest_readiness.probes.web.http_client import HttpConfig, HttpFacts, host_of, origin_of, send, session

HSTS_MIN_AGE_S = 15552000  # 180 days: the Observatory's "at least six months"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PRIVATE_REFERRER_POLICIES = frozenset(
    {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
)
KNOWN_REFERRER_POLICIES = PRIVATE_REFERRER_POLICIES | {
    "no-referrer-when-downgrade",
    "origin",
    "origin-when-cross-origin",
    "unsafe-url",
}
SESSION_COOKIE = re.compile(r"(sess|sid|auth|token|jwt|login|remember)", re.I)
MAX_LINKED = 8  # same-origin URLs of the home page followed by default
#: Links never followed even with GET: a crawler must not log anybody out or act on their behalf.
UNSAFE_LINK = re.compile(r"(log|sign)[-_]?(out|off)|delete|remove|unsubscribe|revoke", re.I)
LINK_ATTRS = {"a": "href", "link": "href", "script": "src", "img": "src", "iframe": "src", "source": "src"}


def fetch_pages(cfg: HttpConfig, urls: Iterable[str]) -> list[HttpFacts]:
    """GET each URL (redirects followed, a 429 retried once): one response per configured URL."""
    s = session()
    try:
        return [send(cfg, "GET", u, allow_redirects=True, http=s, retry_on_429=True) for u in urls]
    finally:
        s.close()


class _LinkParser(HTMLParser):
    """URLs of ``<a href>``, ``<link href>``, ``<script src>``, ``<img src>`` ... in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "base" and values.get("href") and self.base is None:
            self.base = values["href"]
        attr = LINK_ATTRS.get(tag)
        value = values.get(attr) if attr else None
        if value and value.strip():
            self.urls.append(value.strip())


def is_html(page: HttpFacts) -> bool:
    """The answer is a document (where CSP, frame and referrer rules apply), not an asset."""
    ctype = (page.first("content-type") or "").lower()
    return "text/html" in ctype or "application/xhtml" in ctype


def discover_urls(home: HttpFacts, known: Iterable[str] = (), limit: int = MAX_LINKED) -> list[str]:
    """Up to ``limit`` same-origin URLs the home page links to, other than ``known`` ones.

    Parsed from the body prefix kept of the home page (its head: scripts, styles, first links).
    One URL per (first path segment, extension) comes first, so ``/static/a.js``, ``/static/b.js``
    ... do not crowd out ``/about``: each nginx ``location`` is what matters, not each file.
    """
    if not is_html(home) or limit <= 0:
        return []
    parser = _LinkParser()
    parser.feed(home.body_prefix)
    base = urljoin(home.url, parser.base) if parser.base else home.url
    origin = origin_of(home.url)
    seen = {urldefrag(u)[0] for u in [*known, home.url]}
    candidates: list[str] = []
    for raw in parser.urls:
        url = urldefrag(urljoin(base, raw))[0]
        if url in seen or origin_of(url) != origin or UNSAFE_LINK.search(urlsplit(url).path):
            continue
        seen.add(url)
        candidates.append(url)
    groups: dict[tuple[str, str], list[str]] = {}
    for url in candidates:
        path = urlsplit(url).path
        first = path.lstrip("/").split("/", 1)[0] if "/" in path.lstrip("/") else ""
        ext = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
        groups.setdefault((first, ext), []).append(url)
    chosen: list[str] = []
    queues = list(groups.values())
    while queues and len(chosen) < limit:
        for queue in queues:
            if queue and len(chosen) < limit:
                chosen.append(queue.pop(0))
        queues = [q for q in queues if q]
    return chosen


@dataclass(frozen=True)
class LinkedPages:
    """Same-origin answers reached from the home page: documents, assets, and URLs without a verdict."""

    pages: list[HttpFacts] = field(default_factory=list)
    assets: list[HttpFacts] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # url -> why it is not judged


def fetch_linked(
    cfg: HttpConfig, home: HttpFacts, known: Iterable[str] = (), limit: int = MAX_LINKED
) -> LinkedPages:
    """GET the URLs of :func:`discover_urls`; only same-origin 2xx answers are judged.

    A link that errors or answers 4xx/5xx is skipped (nginx adds headers without ``always`` only to
    2xx/3xx answers, so judging a broken link would be a false alarm; the link checker is elsewhere).
    """
    result = LinkedPages()
    urls = discover_urls(home, known, limit)
    if not urls:
        return result
    s = session()
    try:
        for url in urls:
            try:
                page = send(cfg, "GET", url, allow_redirects=True, http=s)
            except ProbeError as exc:
                result.skipped[url] = str(exc)
                continue
            if not 200 <= page.status < 300:
                result.skipped[url] = f"HTTP {page.status}"
            elif origin_of(page.url) != origin_of(home.url):
                result.skipped[url] = f"redirected off origin to {page.url}"
            else:
                (result.pages if is_html(page) else result.assets).append(page)
    finally:
        s.close()
    return result


@dataclass(frozen=True)
class RedirectChain:
    """Hops from the plain-HTTP URL until the first https:// URL (or the end).

    ``listening`` is False when the first request got no answer at all; ``failure`` then says why
    ("connection refused", "connection closed without an answer", ...): a finding of the redirect
    check, not a broken probe, since the HTTPS pages of the same host did answer.
    """

    start: str
    hops: list[tuple[str, int, str | None]]  # (url, status, location)
    listening: bool = True
    failure: str | None = None


def fetch_redirect_chain(cfg: HttpConfig, http_url: str, max_hops: int = 5) -> RedirectChain:
    """Follow redirects by hand from ``http_url`` (no TLS request is made).

    No answer to the first request (refused, closed like nginx ``return 444``, connect timeout) is a
    chain with ``listening=False``; a failure on a later hop, or a name that does not resolve, is a
    ``ProbeError``.
    """
    hops: list[tuple[str, int, str | None]] = []
    url = http_url
    s = session()
    try:
        for _ in range(max_hops):
            try:
                with transport.exchange(
                    s, "GET", url, timeout=cfg.timeout, allow_redirects=False, verify=cfg.verify
                ) as resp:
                    location = resp.headers.get("Location")
                    status = resp.status_code
            except transport.TransportError as exc:
                if exc.cause is not None:
                    reason = no_answer_reason(exc.cause, cfg.timeout)
                else:  # the wall-clock deadline ended a dripping answer
                    reason = exc.reason if exc.timed_out else None
                if not hops and reason:
                    return RedirectChain(http_url, hops, listening=False, failure=reason)
                raise ProbeError(f"GET {url}: cannot connect ({exc.reason})") from None
            hops.append((url, status, location))
            if status not in REDIRECT_STATUSES or not location:
                break
            url = urljoin(url, location)
            if url.lower().startswith("https://"):
                break
        return RedirectChain(http_url, hops)
    finally:
        s.close()


def no_answer_reason(exc: BaseException, timeout: float) -> str | None:
    """Why a reachable host gave no HTTP answer, or None for failures that are not about the port.

    A refused connection (nothing listening), a connection closed or reset before any status line
    (nginx ``return 444``, a firewall reset) and a connect timeout (packets dropped) all mean "no
    redirect here"; a name that does not resolve or a TLS problem is a probe problem.
    """
    text = repr(exc)
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return f"no connection within {timeout:g} s"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return f"no answer within {timeout:g} s"
    if not isinstance(exc, requests.exceptions.ConnectionError) or isinstance(
        exc, requests.exceptions.SSLError
    ):
        return None
    if _refused(exc):
        return "connection refused"
    closed = (
        "RemoteDisconnected",
        "Connection aborted",
        "ConnectionResetError",
        "Errno 104",
        "BadStatusLine",
    )
    if any(marker in text for marker in closed):
        return "connection closed without an answer"
    return None


def _refused(exc: BaseException) -> bool:
    text = repr(exc)
    return "Connection refused" in text or "Errno 111" in text or "ECONNREFUSED" in text


# -- rules --------------------------------------------------------------------------------------


def _subject(page: HttpFacts, header: str) -> str:
    return f"{page.url} header {header}"


#: A header rule on one page: (observed, ok, note).
Judgement = tuple[object, bool, str]


def _every_page(
    check: str, header: str, expected: object, pages: list[HttpFacts], judge: Callable[[HttpFacts], Judgement]
) -> Assessment:
    """One finding per page (a header lost in one nginx ``location`` shows); no page is not a pass."""
    findings = []
    for page in pages:
        observed, ok, note = judge(page)
        findings.append(Finding(_subject(page, header), observed, expected, ok, note))
    return Assessment.of(check, findings, empty_ok=False)


def _single(values: list[str]) -> object:
    """A header's observed value: the value when sent once, else the list (None when absent)."""
    return values[0] if len(values) == 1 else values or None


def assess_hsts(
    pages: list[HttpFacts], min_age: int = HSTS_MIN_AGE_S, include_subdomains: bool = True
) -> Assessment:
    """Strict-Transport-Security on every HTTPS page: once, max-age >= min_age, includeSubDomains."""
    expected = f"max-age>={min_age}" + ("; includeSubDomains" if include_subdomains else "") + "; sent once"

    def judge(page: HttpFacts) -> Judgement:
        if not page.url.lower().startswith("https://"):
            return "page served over plain HTTP", False, "HSTS is only honoured over HTTPS"
        values = page.values("strict-transport-security")
        if not values:
            return None, False, "header missing"
        if len(values) > 1:
            return values, False, "header sent more than once"
        age, subdomains, valid = parse_hsts(values[0])
        problems = []
        if not valid:
            problems.append("invalid header (no max-age)")
        elif age < min_age:
            problems.append(f"max-age {age} < {min_age}")
        if include_subdomains and not subdomains:
            problems.append("includeSubDomains missing")
        return values[0], not problems, "; ".join(problems)

    return _every_page("HSTS", "Strict-Transport-Security", expected, pages, judge)


def parse_hsts(value: str) -> tuple[int, bool, bool]:
    """(max_age, includeSubDomains, valid) of one HSTS header value."""
    age: int | None = None
    subdomains = False
    for part in value.split(";"):
        token = part.strip()
        key, _, val = token.partition("=")
        key = key.strip().lower()
        if key == "max-age":
            try:
                age = int(val.strip().strip('"'))
            except ValueError:
                return 0, subdomains, False
        elif key == "includesubdomains":
            subdomains = True
    return (age or 0), subdomains, age is not None


def assess_csp(pages: list[HttpFacts]) -> Assessment:
    """Content-Security-Policy present and safe on every page (see :mod:`csp`)."""

    def judge(page: HttpFacts) -> Judgement:
        values = page.values("content-security-policy")
        verdict = csp.evaluate(values)
        observed = _single(values)
        if not values and page.values("content-security-policy-report-only"):
            observed = {"report-only": page.values("content-security-policy-report-only")}
        return observed, verdict.ok, "; ".join(verdict.problems + verdict.notes)

    expected = "a policy without unsafe script or object sources"
    return _every_page("CSP", "Content-Security-Policy", expected, pages, judge)


def assess_content_type_options(pages: list[HttpFacts]) -> Assessment:
    def judge(page: HttpFacts) -> Judgement:
        values = page.values("x-content-type-options")
        ok = len(values) == 1 and values[0].strip().lower() == "nosniff"
        note = "" if ok else ("header missing" if not values else "not exactly one 'nosniff'")
        return (values[0] if len(values) == 1 else values), ok, note

    return _every_page("X-Content-Type-Options", "X-Content-Type-Options", "nosniff", pages, judge)


def assess_frame_options(pages: list[HttpFacts]) -> Assessment:
    """Clickjacking protection: X-Frame-Options DENY/SAMEORIGIN, or CSP frame-ancestors restricted."""

    def judge(page: HttpFacts) -> Judgement:
        xfo = page.values("x-frame-options")
        fa = csp.frame_ancestors_restricted(page.values("content-security-policy"))
        xfo_ok = len(xfo) == 1 and xfo[0].strip().upper() in ("DENY", "SAMEORIGIN")
        if fa is True:
            note = "CSP frame-ancestors"
        elif fa is False:
            note = "CSP frame-ancestors allows any origin"
        elif not xfo:
            note = "neither X-Frame-Options nor CSP frame-ancestors"
        elif not xfo_ok:
            note = "X-Frame-Options must be DENY or SAMEORIGIN (ALLOW-FROM is ignored by browsers)"
        else:
            note = ""
        observed = {"x-frame-options": xfo or None, "frame-ancestors": fa}
        return observed, fa is True or (fa is None and xfo_ok), note

    expected = "DENY/SAMEORIGIN or frame-ancestors"
    return _every_page("frame protection", "X-Frame-Options", expected, pages, judge)


def referrer_policy(values: list[str]) -> str | None:
    """The effective policy: browsers use the last token they recognise."""
    effective = None
    for value in values:
        for token in value.split(","):
            t = token.strip().lower()
            if t in KNOWN_REFERRER_POLICIES:
                effective = t
    return effective


def assess_referrer_policy(pages: list[HttpFacts]) -> Assessment:
    def judge(page: HttpFacts) -> Judgement:
        values = page.values("referrer-policy")
        policy = referrer_policy(values)
        ok = policy in PRIVATE_REFERRER_POLICIES
        note = "" if ok else ("header missing" if not values else f"{policy or 'unrecognised'} leaks the URL")
        return _single(values), ok, note

    expected = sorted(PRIVATE_REFERRER_POLICIES)
    return _every_page("Referrer-Policy", "Referrer-Policy", expected, pages, judge)


@dataclass(frozen=True)
class CookieFlags:
    name: str
    secure: bool
    httponly: bool
    samesite: str | None


def parse_set_cookie(value: str) -> CookieFlags | None:
    """Flags of one Set-Cookie header (the value itself is never kept: it may be a session token)."""
    name = value.split("=", 1)[0].strip()
    if not name:
        return None
    attrs = [a.strip() for a in value.split(";")[1:]]
    lowered = {
        a.split("=", 1)[0].strip().lower(): (a.split("=", 1)[1].strip() if "=" in a else "") for a in attrs
    }
    samesite = lowered.get("samesite")
    return CookieFlags(name, "secure" in lowered, "httponly" in lowered, samesite if samesite else None)


def assess_cookies(pages: list[HttpFacts], session_cookie: str | None = None) -> Assessment:
    """Every cookie Secure and with a valid SameSite; session cookies also HttpOnly.

    A cookie is a session cookie if it is the configured ``session_cookie`` or its name looks like
    one (sess, sid, auth, token, jwt, ...).  No cookie at all passes (nothing to protect).
    """
    findings = []
    for page in pages:
        for raw in page.values("set-cookie"):
            flags = parse_set_cookie(raw)
            if flags is None:
                continue
            is_session = (
                flags.name == session_cookie if session_cookie else bool(SESSION_COOKIE.search(flags.name))
            )
            problems = []
            if not flags.secure:
                problems.append("Secure missing")
            if is_session and not flags.httponly:
                problems.append("HttpOnly missing on a session cookie")
            samesite = (flags.samesite or "").lower()
            if samesite not in ("lax", "strict", "none"):
                problems.append("SameSite missing or invalid")
            elif samesite == "none" and not flags.secure:
                problems.append("SameSite=None requires Secure")
            observed = {"secure": flags.secure, "httponly": flags.httponly, "samesite": flags.samesite}
            expected = {
                "secure": True,
                "httponly": True if is_session else "any",
                "samesite": "Lax|Strict|None+Secure",
            }
            findings.append(
                Finding(
                    f"{page.url} cookie {flags.name}", observed, expected, not problems, "; ".join(problems)
                )
            )
    return Assessment.of("cookies", findings, empty_ok=True)


def assess_https_redirect(chain: RedirectChain) -> Assessment:
    """Plain HTTP redirects straight to HTTPS on the same host (the Observatory's redirection test)."""
    observed, ok, note = _judge_redirect(chain)
    subject, expected = f"{chain.start} redirect", "3xx to https:// on the same host"
    return Assessment.single("HTTP to HTTPS redirect", subject, observed, expected, ok, note)


def _judge_redirect(chain: RedirectChain) -> Judgement:
    if not chain.listening:
        why = chain.failure or "connection refused"
        return (
            f"no answer on {chain.start}: {why}",
            False,
            "a visitor typing the bare host name gets an error instead of the HTTPS site",
        )
    if not chain.hops:
        return None, False, "no answer"
    url, status, location = chain.hops[0]
    observed = [{"url": u, "status": s, "location": loc} for u, s, loc in chain.hops]
    if status not in REDIRECT_STATUSES or not location:
        return observed, False, f"HTTP answers {status} without redirecting"
    first = urljoin(url, location)
    if host_of(first) != host_of(chain.start):
        return observed, False, "first redirect leaves the host (HSTS cannot be set for it)"
    final = urljoin(chain.hops[-1][0], chain.hops[-1][2] or "")
    if urlsplit(first).scheme == "https":
        return observed, True, ""
    if urlsplit(final).scheme == "https":
        return observed, True, "reaches HTTPS only after several hops"
    return observed, False, "redirect chain never reaches https://"


def http_url_for(base_url: str) -> str:
    """The plain-HTTP entry point of an https:// base URL (default port 80)."""
    parts = urlsplit(base_url)
    return f"http://{parts.hostname}/"


__all__ = [
    "CookieFlags",
    "LinkedPages",
    "RedirectChain",
    "assess_content_type_options",
    "assess_cookies",
    "assess_csp",
    "assess_frame_options",
    "assess_hsts",
    "assess_https_redirect",
    "assess_referrer_policy",
    "discover_urls",
    "fetch_linked",
    "fetch_pages",
    "fetch_redirect_chain",
    "http_url_for",
    "is_html",
    "no_answer_reason",
    "parse_hsts",
    "parse_set_cookie",
    "referrer_policy",
]
