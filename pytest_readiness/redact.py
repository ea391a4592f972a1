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
#: Anchored on "://" (not on the scheme) so that long text without URLs is scanned in linear time.
_URL_PASSWORD = re.compile(r"://(?P<user>[^:/@\s]{0,256}):(?P<pw>[^@/\s]{1,1024})@")
_secrets: set[str] = set()
_sorted: list[str] = []


def register(values: Iterable[str]) -> None:
    """Add secret values (and their URL-decoded forms) to the registry."""
    global _sorted
    for value in values:
        if not isinstance(value, str):
            continue
        for form in {value, unquote(value)}:
            if len(form) >= _MIN_SECRET_LEN:
                _secrets.add(form)
    _sorted = sorted(_secrets, key=len, reverse=True)


def clear() -> None:
    global _sorted
    _secrets.clear()
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
    if "://" not in text:
        return text
    return _URL_PASSWORD.sub(lambda m: f"://{m['user']}:{MASK}@", text)


def redact_value(value: Any) -> Any:
    """Redact strings inside a JSON-safe structure."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list | tuple):
        return [redact_value(v) for v in value]
    if isinstance(value, dict):
        return {redact(str(k)): redact_value(v) for k, v in value.items()}
    return value
