"""The one HTTP transport of every probe: verified TLS, no proxy from the environment, bounded answers.

Why one module: the safety rules hold only where every request goes through them.
- ``trust_env = False``: a proxy set in the caller's shell never sits between probe and target
  (credentials would travel to it); one User-Agent naming the project and its version.
- TLS verified by default; ``verify`` may name a CA bundle.
- A WALL-CLOCK deadline for the whole exchange (connect, headers, body): requests' ``timeout`` is per
  socket read, so a server dripping one byte a second is never cut off by it.  A timer shuts the
  exchange's sockets down at the deadline; the blocked read returns and the probe raises.
- A body-size limit: answers are streamed and reading stops at ``max_bytes`` (``ProbeError``
  "answer larger than N MB"), so a 5 GB ``Content-Length`` or an endless chunked body costs nothing.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from pytest_readiness import __version__
from pytest_readiness.errors import ProbeError

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_REDIRECTS",
    "USER_AGENT",
    "Answer",
    "TransportError",
    "exchange",
    "fetch",
    "new_session",
]

USER_AGENT = f"pytest-readiness/{__version__}"
MAX_REDIRECTS = 5
MAX_BODY_BYTES = 16 * 1024 * 1024  # a monitoring answer larger than this is not one a probe can judge
_CHUNK = 64 * 1024
_READ_ERRORS = (
    requests.exceptions.RequestException,
    urllib3.exceptions.HTTPError,
    http.client.HTTPException,
    OSError,
)


class TransportError(ProbeError):
    """No usable answer: ``reason`` is the short cause (no URL), for callers that prefix their own;
    ``unreachable`` when no connection could be made or nothing came back; ``timed_out`` when the
    deadline ended the exchange (a client may then stop asking the same server)."""

    def __init__(
        self,
        method: str,
        url: str,
        reason: str,
        *,
        unreachable: bool = False,
        timed_out: bool = False,
        cause: BaseException | None = None,
    ) -> None:
        self.reason = reason
        self.unreachable = unreachable
        self.timed_out = timed_out
        self.cause = cause  # the transport library's exception, for callers that classify it
        super().__init__(f"{method} {url}: {reason}")


# ------------------------------------------------------------------------------------ deadline
class _Watch:
    """The sockets of one exchange on this thread, shut down together when its deadline passes."""

    def __init__(self) -> None:
        self.socks: list[socket.socket] = []
        self.expired = False
        self.lock = threading.Lock()

    def add(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        try:  # a duplicate survives the connection closing its socket; same kernel socket (TLS too)
            dup = socket.socket(sock.family, sock.type, sock.proto, fileno=os.dup(sock.fileno()))
        except (OSError, ValueError):
            return  # already closed: nothing to wake
        with self.lock:
            if self.expired:
                _shutdown(dup)
            self.socks.append(dup)

    def expire(self) -> None:
        with self.lock:
            self.expired = True
            for s in self.socks:
                _shutdown(s)

    def close(self) -> None:
        with self.lock:
            for s in self.socks:
                s.close()
            self.socks.clear()


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)  # wakes the reader blocked on this socket (TLS or not)


_current = threading.local()


def _watch_sock(sock: socket.socket | None) -> None:
    watch: _Watch | None = getattr(_current, "watch", None)
    if watch is not None:
        watch.add(sock)


class _Conn(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _watch_sock(sock)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:  # a kept-alive connection: no _new_conn
        _watch_sock(self.sock)
        super().request(*args, **kwargs)


class _SConn(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _watch_sock(sock)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        _watch_sock(self.sock)
        super().request(*args, **kwargs)


class _Pool(HTTPConnectionPool):
    ConnectionCls = _Conn


class _SPool(HTTPSConnectionPool):
    ConnectionCls = _SConn


class _Adapter(HTTPAdapter):
    """urllib3 pools whose connections report their sockets to the running exchange's watch."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _Pool, "https": _SPool}


# ------------------------------------------------------------------------------------- session
def new_session(
    *,
    verify: bool | str = True,
    headers: Mapping[str, str] | None = None,
    max_redirects: int = MAX_REDIRECTS,
) -> requests.Session:
    """A session with the project's rules; ``verify`` is True, False or a CA bundle path."""
    s = requests.Session()
    s.trust_env = False  # proxies, netrc and CA overrides of the caller's shell never apply
    s.verify = verify
    s.max_redirects = max_redirects
    s.headers["User-Agent"] = USER_AGENT
    s.headers.update(headers or {})
    adapter = _Adapter()
    s.mount("http://", adapter)
    s.mount("https://", adapter)
    return s


@contextmanager
def exchange(
    session: requests.Session,
    method: str,
    url: str,
    *,
    timeout: float,
    deadline_s: float | None = None,
    **kwargs: Any,
) -> Iterator[requests.Response]:
    """One streamed request whose whole exchange (including body reads in the block) has a deadline.

    ``deadline_s`` defaults to ``timeout``.  Transport failures become :class:`TransportError`; so does
    any read that the deadline cut short.  The response is closed on leaving the block.
    """
    limit = timeout if deadline_s is None else deadline_s
    watch = _Watch()
    timer = threading.Timer(limit, watch.expire)
    timer.daemon = True
    previous = getattr(_current, "watch", None)
    _current.watch = watch
    started = time.monotonic()
    resp: requests.Response | None = None
    timer.start()
    try:
        try:
            resp = session.request(method, url, timeout=min(timeout, limit), stream=True, **kwargs)
        except requests.exceptions.RequestException as exc:
            raise _error(method, url, exc, watch, limit) from None
        try:
            yield resp
        except _READ_ERRORS as exc:
            raise _error(method, url, exc, watch, limit) from None
        if watch.expired and time.monotonic() - started >= limit:
            raise TransportError(method, url, f"no complete answer within {limit:g} s", timed_out=True)
    finally:
        timer.cancel()
        _current.watch = previous
        if resp is not None:
            resp.close()
        watch.close()


def _error(method: str, url: str, exc: BaseException, watch: _Watch, limit: float) -> TransportError:
    """The one wording of each failure; ``cause`` keeps the library's exception (none at the deadline)."""
    if watch.expired:
        return TransportError(method, url, f"no complete answer within {limit:g} s", timed_out=True)
    if isinstance(exc, requests.exceptions.SSLError):
        reason, unreachable, timed_out = f"TLS verification failed ({_short(exc)})", True, False
    elif isinstance(exc, requests.exceptions.Timeout):
        reason, unreachable, timed_out = f"no answer within {limit:g} s", True, True
    elif isinstance(exc, requests.exceptions.TooManyRedirects):
        reason, unreachable, timed_out = f"more than {MAX_REDIRECTS} redirects", False, False
    elif isinstance(exc, requests.exceptions.ConnectionError) and _not_http(exc):
        reason, unreachable, timed_out = "the answer is not HTTP", False, False
    elif isinstance(exc, requests.exceptions.ConnectionError):
        reason, unreachable, timed_out = f"cannot connect ({_short(exc)})", True, False
    else:
        reason, unreachable, timed_out = f"{type(exc).__name__}: {_short(exc)}", False, False
    return TransportError(method, url, reason, unreachable=unreachable, timed_out=timed_out, cause=exc)


def _not_http(exc: BaseException) -> bool:
    text = repr(exc)
    return any(m in text for m in ("BadStatusLine", "LineTooLong", "InvalidHeader", "HeaderParsingError"))


def _short(exc: BaseException, width: int = 200) -> str:
    """One printable line: bytes of a hostile answer never reach a report raw."""
    text = "".join(c if c.isprintable() and c.isascii() else "?" for c in str(exc).replace("\n", " "))
    return text if len(text) <= width else text[: width - 3] + "..."


# --------------------------------------------------------------------------------------- answer
@dataclass(frozen=True)
class Answer:
    """A whole, bounded answer: the parts of ``requests.Response`` the probes read."""

    url: str
    status_code: int
    headers: CaseInsensitiveDict[str]
    content: bytes
    encoding: str | None = None
    history: list[tuple[int, str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.content.decode(self.encoding or "utf-8", "replace")

    def json(self) -> Any:
        """The decoded JSON body; ``ValueError`` when it is not JSON (as ``requests`` does)."""
        return json.loads(self.content)


def read_body(resp: requests.Response, method: str, max_bytes: int = MAX_BODY_BYTES) -> bytes:
    """The decoded body, streamed; more than ``max_bytes`` is a :class:`TransportError`."""
    declared = resp.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise TransportError(method, resp.url, too_large(max_bytes))
    body = bytearray()
    for chunk in resp.iter_content(chunk_size=_CHUNK):
        body += chunk
        if len(body) > max_bytes:
            raise TransportError(method, resp.url, too_large(max_bytes))
    return bytes(body)


def describe(exc: TransportError) -> str:
    """``unreachable (reason)`` when nothing came back, else the reason (too large, cut short ...)."""
    return f"unreachable ({exc.reason})" if exc.unreachable else exc.reason


def too_large(max_bytes: int) -> str:
    return f"answer larger than {max_bytes / 2**20:g} MB"


def fetch(
    session: requests.Session,
    method: str,
    url: str,
    *,
    timeout: float,
    max_bytes: int = MAX_BODY_BYTES,
    deadline_s: float | None = None,
    **kwargs: Any,
) -> Answer:
    """Send one request and read its whole answer within the deadline and the size limit."""
    with exchange(session, method, url, timeout=timeout, deadline_s=deadline_s, **kwargs) as resp:
        body = b"" if method.upper() == "HEAD" else read_body(resp, method, max_bytes)
        return Answer(
            url=resp.url,
            status_code=resp.status_code,
            headers=resp.headers,
            content=body,
            encoding=resp.encoding,
            history=[(r.status_code, r.url) for r in resp.history],
        )
