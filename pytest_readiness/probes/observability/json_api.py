"""One read-only client for the JSON HTTP APIs of monitoring backends (Prometheus, Grafana, Loki ...).

GET only, through the one transport (deadline, size limit), TLS verified by default (``verify`` may
name a CA file), an optional bearer token.  Any transport problem, unexpected status or non-JSON
answer is a :class:`ProbeError` that names the backend, URL and path, never the token: a broken
backend makes its items ``error``.  :func:`require` is the one place where an answer that lacks a
field a probe needs becomes such an error ("answer lacks data.storageRetention"), so no rule ever
judges ``None``.
"""

from __future__ import annotations

from typing import Any, TypeVar, overload

from pytest_readiness.errors import ProbeError
from pytest_readiness.probes import transport

__all__ = ["JsonApi", "require"]

T = TypeVar("T")
_MISSING = object()
_TYPE_NAMES = {dict: "an object", list: "a list", str: "a string", bool: "true/false", int: "an integer"}


@overload
def require(doc: Any, path: str, kind: type[T], where: str, *, under: str = "") -> T: ...
@overload
def require(doc: Any, path: str, kind: tuple[type[Any], ...], where: str, *, under: str = "") -> Any: ...
def require(doc: Any, path: str, kind: Any, where: str, *, under: str = "") -> Any:
    """The value at dotted ``path`` of ``doc`` if it is a ``kind``, else a :class:`ProbeError`.

    ``where`` names the answer (``"Prometheus http://p:9090/api/v1/status/runtimeinfo"``); ``under``
    is the path of ``doc`` inside that answer, so the message names the full field
    (``answer lacks data.storageRetention``).  ``bool`` is not accepted where a number is required.
    """
    full = f"{under}.{path}" if under else path
    cur: Any = doc
    for part in path.split("."):
        cur = cur.get(part, _MISSING) if isinstance(cur, dict) else _MISSING
        if cur is _MISSING or cur is None:
            raise ProbeError(f"{where}: answer lacks {full}")
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(cur, kinds) or (isinstance(cur, bool) and bool not in kinds):
        wanted = " or ".join(_TYPE_NAMES.get(k, k.__name__) for k in kinds)
        raise ProbeError(f"{where}: {full} is {type(cur).__name__}, expected {wanted}")
    return cur


class JsonApi:
    """Read-only client of one backend's HTTP API; ``name`` prefixes every error (``Grafana ...``)."""

    auth_hint = ""  # appended to the error of a 401/403 answer (what the token lacks)

    def __init__(
        self,
        name: str,
        url: str,
        *,
        timeout: float = 10.0,
        token: str | None = None,
        verify: bool | str = True,
        accept_json: bool = True,
    ) -> None:
        self.name = name
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.session = transport.new_session(verify=verify)
        self.gave_up = ""  # set once a request ran out of time: later ones fail at once, same reason
        if accept_json:
            self.session.headers["Accept"] = "application/json"
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def raw(self, path: str, **params: Any) -> transport.Answer:
        """GET ``path``, any status, bounded in time and size; transport errors become ProbeError.

        After one request ran out of time, the backend is not asked again in this session: a frozen
        backend costs one deadline, not one per endpoint.
        """
        if self.gave_up:
            raise ProbeError(self.gave_up)
        try:
            return transport.fetch(
                self.session, "GET", self.url + path, timeout=self.timeout, params=params or None
            )
        except transport.TransportError as exc:
            reason = f"{self.name} {self.url}{path}: {transport.describe(exc)}"
            if exc.timed_out:
                self.gave_up = f"{reason}; not asked again"
            raise ProbeError(reason) from None

    def fetch(self, path: str, *, ok: tuple[int, ...] = (200,), **params: Any) -> transport.Answer:
        """GET ``path``; a status outside ``ok`` is a :class:`ProbeError`."""
        resp = self.raw(path, **params)
        if resp.status_code not in ok:
            hint = self.auth_hint if resp.status_code in (401, 403) else ""
            raise ProbeError(f"{self.name} {self.url}{path}: HTTP {resp.status_code}{hint}")
        return resp

    def get_json(self, path: str, **params: Any) -> Any:
        """GET ``path`` (200 expected) and return its decoded JSON body."""
        resp = self.fetch(path, **params)
        try:
            return resp.json()
        except ValueError:
            raise ProbeError(f"{self.name} {self.url}{path}: answer is not JSON") from None
