"""Content-Security-Policy parsing and the MDN HTTP Observatory's judgement of a policy.

Pure functions, no I/O.  The rules follow the Observatory's ``content-security-policy`` test:

* ``script-src`` falls back to ``default-src``; a policy restricting neither does not stop XSS.
* ``'unsafe-inline'`` is ignored by CSP level 2 browsers when a nonce or hash is present, so it is
  only unsafe without one.  ``'strict-dynamic'`` (CSP 3) with a nonce/hash also disables host and
  scheme sources.
* ``*``, ``http:``, ``https:``, ``data:`` (and ``ftp:``, ``blob:``, ``filesystem:``) as script
  sources allow any script: as bad as ``'unsafe-inline'``.  ``'unsafe-eval'`` is reported separately.
* ``object-src`` (falling back to ``default-src``) must not be open: plugins execute script.
* ``'unsafe-inline'`` in ``style-src`` only is accepted (the Observatory gives it no penalty).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: Sources that let any script run when allowed as a script (or object) source.
BROAD_SOURCES = frozenset(
    {"*", "http:", "https:", "data:", "ftp:", "blob:", "filesystem:", "http://*", "https://*"}
)
_NONCE_OR_HASH = re.compile(r"^'(nonce-|sha256-|sha384-|sha512-)", re.I)


@dataclass(frozen=True)
class CspVerdict:
    """What is wrong with a policy; ``problems`` empty means the policy is safe."""

    directives: dict[str, list[str]]
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def parse(header_values: list[str]) -> dict[str, list[str]]:
    """Directives of one or several CSP headers (or comma-joined policies).

    Several policies are all enforced by the browser (the intersection); for the unsafe-source
    checks the *first* policy that names a directive is used, which is what a browser effectively
    restricts to in the common "duplicate header" case.  The first occurrence of a directive within
    a policy wins (later duplicates are ignored by browsers).
    """
    directives: dict[str, list[str]] = {}
    for value in header_values:
        for policy in value.split(","):
            seen: set[str] = set()
            for part in policy.split(";"):
                tokens = part.strip().split()
                if not tokens:
                    continue
                name = tokens[0].lower()
                if name in seen:
                    continue
                seen.add(name)
                directives.setdefault(name, [t if _is_keyword(t) else t.lower() for t in tokens[1:]])
    return directives


def _is_keyword(token: str) -> bool:
    return token.startswith("'")


def _effective(directives: dict[str, list[str]], name: str) -> list[str] | None:
    if name in directives:
        return directives[name]
    return directives.get("default-src")


def evaluate(header_values: list[str]) -> CspVerdict:
    """Judge the enforced CSP headers (never ``Content-Security-Policy-Report-Only``)."""
    if not header_values:
        return CspVerdict({}, ["no Content-Security-Policy header"])
    directives = parse(header_values)
    problems: list[str] = []
    notes: list[str] = []
    if not directives:
        return CspVerdict({}, ["Content-Security-Policy header is empty or invalid"])

    script = _effective(directives, "script-src")
    if script is None:
        problems.append("neither script-src nor default-src is set: scripts are unrestricted")
    else:
        lowered = [s.lower() for s in script]
        has_nonce_or_hash = any(_NONCE_OR_HASH.match(s) for s in script)
        strict_dynamic = "'strict-dynamic'" in lowered
        if "'unsafe-inline'" in lowered:
            if has_nonce_or_hash:
                notes.append("'unsafe-inline' in script-src is ignored (nonce or hash present, CSP level 2)")
            else:
                problems.append("'unsafe-inline' in script-src without a nonce or hash")
        if "'unsafe-eval'" in lowered:
            problems.append("'unsafe-eval' in script-src")
        broad = sorted({s for s in lowered if s in BROAD_SOURCES})
        if broad:
            if strict_dynamic and has_nonce_or_hash:
                notes.append(f"broad script sources {broad} ignored ('strict-dynamic' with nonce/hash)")
            else:
                problems.append(f"script-src allows any script via {broad}")
        if "'none'" in lowered and len(lowered) > 1:
            notes.append("'none' combined with other sources in script-src is ignored")

    objects = _effective(directives, "object-src")
    if objects is None:
        problems.append("neither object-src nor default-src is set: plugins are unrestricted")
    else:
        broad_obj = sorted({s.lower() for s in objects if s.lower() in BROAD_SOURCES})
        if broad_obj:
            problems.append(f"object-src allows any plugin via {broad_obj}")
    if "default-src" not in directives:
        notes.append("no default-src fallback")

    style = _effective(directives, "style-src") or []
    if "'unsafe-inline'" in [s.lower() for s in style]:
        notes.append("'unsafe-inline' in style-src (accepted, as by the Observatory)")
    return CspVerdict(directives, problems, notes)


def frame_ancestors_restricted(header_values: list[str]) -> bool | None:
    """True if ``frame-ancestors`` restricts framing, False if it allows anyone, None if absent."""
    directives = parse(header_values)
    if "frame-ancestors" not in directives:
        return None
    sources = [s.lower() for s in directives["frame-ancestors"]]
    return not any(s in BROAD_SOURCES for s in sources)
