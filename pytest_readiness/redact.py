"""One place that scrubs secrets from any text before it leaves the process.

The registry holds the secret values of the loaded environment (interpolated values of secret keys,
passwords inside DSNs and URLs).  Every writer — reports, terminal, longrepr, captured output, log
records — passes its text through :func:`redact`.  URL passwords are masked even when unregistered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote, urlsplit

MASK = "***"
_MIN_SECRET_LEN = 4
#: Secrets at least this long are also masked by fragment: any WINDOW-character piece of them (pytest
#: shortens long values to ``head...tail``; a JWT's payload or signature may be printed alone).
_FRAGMENT_MIN_LEN = 16
WINDOW = 12
#: Anchored on "://" (not on the scheme) so that long text without URLs is scanned in linear time.
_URL_PASSWORD = re.compile(r"://(?P<user>[^:/@\s]{0,256}):(?P<pw>[^@/\s]{1,1024})@")
_secrets: set[str] = set()
_sorted: list[str] = []
_windows: set[str] = set()
_grams: set[str] = set()  # the WINDOW // 2 pieces: a cheap filter (see _mask_fragments)


def register(values: Iterable[str]) -> None:
    """Add secret values (and their URL-decoded forms) to the registry."""
    global _sorted
    for value in values:
        if not isinstance(value, str):
            continue
        for form in {value, unquote(value)}:
            if len(form) >= _MIN_SECRET_LEN:
                _secrets.add(form)
            # a URL or DSN is masked whole; its password, registered on its own, by fragment (the
            # host and port around it are not secret: their pieces must stay readable)
            if len(form) >= _FRAGMENT_MIN_LEN and "://" not in form:
                _windows.update(form[i : i + WINDOW] for i in range(len(form) - WINDOW + 1))
                _grams.update(form[i : i + WINDOW // 2] for i in range(len(form) - WINDOW // 2 + 1))
    _sorted = sorted(_secrets, key=len, reverse=True)


def clear() -> None:
    global _sorted
    _secrets.clear()
    _windows.clear()
    _grams.clear()
    _sorted = []


def registered() -> frozenset[str]:
    return frozenset(_secrets)


def secrets_in_url(url: str) -> list[str]:
    """The password (if any) inside a URL or DSN, for registration."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return []
    return [password] if password else []


def redact(text: str) -> str:
    """Mask every registered secret and every URL password in ``text``."""
    if not text:
        return text
    for secret in _sorted:
        if secret in text:
            text = text.replace(secret, MASK)
    if _windows and len(text) >= WINDOW:
        text = _mask_fragments(text)
    if "://" not in text:
        return text
    return _URL_PASSWORD.sub(lambda m: f"://{m['user']}:{MASK}@", text)


def _mask_fragments(text: str) -> str:
    """Mask every run of text covered by WINDOW-character pieces of a long secret.

    A window found at ``i`` contains the half-window block starting at the multiple of WINDOW // 2 in
    ``[i, i + WINDOW // 2]``: only those blocks are looked up first (1 MB in about 0.1 s).
    """
    half = WINDOW // 2
    starts: set[int] = set()
    for p in range(0, len(text) - half + 1, half):
        if text[p : p + half] in _grams:
            starts.update(i for i in range(max(0, p - half), p + 1) if text[i : i + WINDOW] in _windows)
    if not starts:
        return text
    out: list[str] = []
    end = 0
    for i in sorted(starts):
        if i > end or not out:  # a new masked span
            out.append(text[end:i])
            out.append(MASK)
        end = max(end, i + WINDOW)
    out.append(text[end:])
    return "".join(out)


def redact_value(value: Any) -> Any:
    """Redact strings inside a JSON-safe structure."""
    if isinstance(value, str):
        return str(redact(value))  # a plain str: a Secret would not cross xdist's wire
    if isinstance(value, list | tuple):
        return [redact_value(v) for v in value]
    if isinstance(value, dict):
        return {redact(str(k)): redact_value(v) for k, v in value.items()}
    return value


class Secret(str):
    """A secret value that works as its string but never shows itself in a repr.

    pytest prints fixture values and locals with ``repr`` (``--showlocals``, assertion messages,
    parametrize ids); that text is shortened *before* any redaction could see it whole.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"
