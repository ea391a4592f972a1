"""Input validation: bad request bodies get a 4xx, never a 5xx or a stack trace.

**This probe sends POST requests.**  It is opt-in per endpoint: it only ever targets the endpoints
listed in ``[http] input_endpoints`` (``"https://api/x"`` = POST, or ``"PUT https://api/x"``), and
every body it sends is invalid by construction (malformed JSON, wrong JSON types, an oversized
body of bounded size), so a correct endpoint rejects it before any write.  List only endpoints for
which that holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.web.http_client import HttpConfig, send, session

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH"})

#: Markers of a leaked stack trace / framework debug page in a response body.
STACK_TRACE = re.compile(
    r"Traceback \(most recent call last\)"
    r"|\bat (?:java|javax|org\.springframework|sun)\.[\w.$]+\("
    r"|Exception in thread \""
    r"|\n\s+at [\w.$<>]+\([\w.]+\.(?:java|kt|scala):\d+\)"
    r"|\n\s+at .+ \(.+\.(?:js|ts|mjs|cjs):\d+:\d+\)"
    r"|File \"[^\"]+\.py\", line \d+"
    r"|System\.\w+Exception:"
    r"|\bat [\w.]+\(\) in .+:line \d+"
    r"|goroutine \d+ \[running\]"
    r"|PHP (?:Fatal|Parse) error|Stack trace:\s*\n#0"
    r"|Werkzeug Debugger|Whitelabel Error Page|DEBUG = True"
    r"|\bActiveRecord::\w+|\.rb:\d+:in `",
)

#: (case name, content type, body). Every body is invalid for a JSON object endpoint.
CASES: tuple[tuple[str, str, bytes], ...] = (
    ("malformed JSON", "application/json", b'{"name": "readiness-probe", '),
    ("wrong type: array instead of object", "application/json", b"[1, 2, 3]"),
    ("wrong type: string instead of object", "application/json", b'"readiness-probe"'),
    ("wrong field types", "application/json", b'{"id": {"$gt": ""}, "email": 12345, "name": [null, true]}'),
    ("wrong content type", "text/plain", b"readiness-probe"),
)


@dataclass(frozen=True)
class CaseResult:
    endpoint: str
    method: str
    case: str
    status: int | None  # None: the server closed the connection without answering
    stack_trace: str | None  # the matching marker, never the body
    note: str = ""


def parse_endpoint(spec: str) -> tuple[str, str]:
    """``"https://x"`` → ("POST", url); ``"PUT https://x"`` → ("PUT", url)."""
    parts = spec.split(None, 1)
    if len(parts) == 2 and "://" not in parts[0]:
        method, url = parts[0].upper(), parts[1].strip()
    else:
        method, url = "POST", spec.strip()
    if method not in WRITE_METHODS:
        raise ProbeError(f"input_endpoints entry {spec!r}: method must be one of {sorted(WRITE_METHODS)}")
    return method, url


def probe(cfg: HttpConfig, endpoints: Iterable[str], oversized_bytes: int) -> list[CaseResult]:
    """Send each invalid body to each configured endpoint (opt-in list only).

    ``oversized_bytes`` (``[http] input_max_body_bytes``) is just over common limits (nginx 1m),
    bounded at 8 MiB for safety.
    """
    if oversized_bytes > 8 * 1024 * 1024:
        raise ProbeError("oversized body above 8 MiB refused: that is a load test, not a probe")
    results = []
    s = session()
    try:
        for spec in endpoints:
            method, url = parse_endpoint(spec)
            cases = [*CASES, ("oversized body", "application/json", _oversized(oversized_bytes))]
            for name, ctype, body in cases:
                try:
                    r = send(cfg, method, url, http=s, headers={"Content-Type": ctype}, data=body)
                except ProbeError as exc:
                    # A server may refuse a large body by closing the connection mid-upload: that is
                    # a rejection, not a crash.  Anything else (timeout, refused) stays an error.
                    if name == "oversized body" and (
                        "reset" in str(exc).lower() or "aborted" in str(exc).lower()
                    ):
                        results.append(
                            CaseResult(url, method, name, None, None, "connection closed during upload")
                        )
                        s.close()
                        s = session()
                        continue
                    raise
                match = STACK_TRACE.search(r.body_prefix)
                results.append(
                    CaseResult(url, method, name, r.status, match.group(0).strip()[:80] if match else None)
                )
    finally:
        s.close()
    return results


def _oversized(size: int) -> bytes:
    head = b'{"data": "'
    tail = b'"}'
    return head + b"x" * max(0, size - len(head) - len(tail)) + tail


def assess_input_validation(results: list[CaseResult]) -> Assessment:
    """Every invalid body: 4xx (or a refused oversized upload), no 5xx, no stack trace."""
    findings = []
    for r in results:
        problems = []
        if r.status is not None and r.status >= 500:
            problems.append(f"server error {r.status}")
        elif r.status is not None and not 400 <= r.status < 500:
            problems.append(f"accepted with {r.status}")
        if r.stack_trace:
            problems.append(f"stack trace in the body ({r.stack_trace!r})")
        observed = {"status": r.status, "stack_trace": bool(r.stack_trace)}
        findings.append(
            Finding(
                f"{r.method} {r.endpoint} {r.case}",
                observed,
                "4xx without stack trace",
                not problems,
                "; ".join(problems) or r.note,
            )
        )
    return Assessment.of("input validation", findings, empty_ok=False)
