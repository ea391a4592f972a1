"""The hostile-target kit: loopback servers that misbehave on purpose, hostile files, a bounded runner.

Each server runs in daemon threads of the test process and is closed by :meth:`Server.close`.  The
runner starts the real plugin in a child process (the same command as ``tests/support/readiness.py``)
and measures what a user would: wall time, exit code, the report, and the child's peak RSS
(``os.wait4``, which covers the child and the processes it waited for).
"""

from __future__ import annotations

import json
import os
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.readiness import ReportRun

REPO = Path(__file__).resolve().parents[2]
Handler = Callable[[socket.socket], None]

# ----------------------------------------------------------------------------------- servers


class Server:
    """A TCP listener on 127.0.0.1 handing every connection to ``handler`` in its own thread."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.sock.getsockname()[1]
        self.stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            self.handler(conn)
        except OSError:
            pass  # the client hung up: expected, it is what the kit provokes
        finally:
            conn.close()

    def close(self) -> None:
        self.stopped.set()
        self.sock.close()

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def dsn(self, user: str = "readiness", dbname: str = "postgres") -> str:
        return f"postgresql://{user}:pw@127.0.0.1:{self.port}/{dbname}?sslmode=disable"


def _hold(conn: socket.socket, seconds: float = 60.0) -> None:
    """Keep the connection open, reading and ignoring whatever the client sends."""
    conn.settimeout(0.5)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            if not conn.recv(65536):
                return
        except TimeoutError:
            continue


def silent(conn: socket.socket) -> None:
    """Accept the connection and never say a word."""
    _hold(conn)


def _read_request(conn: socket.socket) -> bytes:
    """The request's head (up to the blank line), or what came before the client hung up."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def drip_headers(conn: socket.socket) -> None:
    """An HTTP status line and headers, one byte every 0.2 s (each read is well within any timeout)."""
    _read_request(conn)
    for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: " + b"a" * 10_000:
        conn.sendall(bytes([byte]))
        time.sleep(0.2)


def drip_body(conn: socket.socket) -> None:
    """Headers at once, then a JSON body one byte every 0.2 s."""
    _read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
    for _ in range(100_000):
        conn.sendall(b" ")
        time.sleep(0.2)


def drip_redis(conn: socket.socket) -> None:
    """A RESP bulk reply to the first command (INFO), one byte every 0.2 s: every read is in time."""
    conn.recv(65536)
    for byte in b"$100000\r\n" + b"# Server\r\n" + b"x" * 100_000:
        conn.sendall(bytes([byte]))
        time.sleep(0.2)


def endless_chunked(conn: socket.socket) -> None:
    """A chunked JSON body that never ends, as fast as the client reads."""
    _read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    conn.sendall(b"1\r\n[\r\n")
    chunk = b"10000\r\n" + b"1," * 32768 + b"\r\n"
    while True:
        conn.sendall(chunk)


def huge_length(conn: socket.socket) -> None:
    """A 5 GB ``Content-Length`` whose body starts arriving at full speed."""
    _read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000000000\r\n\r\n")
    block = b" " * 65536
    while True:
        conn.sendall(block)


def garbage(conn: socket.socket) -> None:
    """Bytes that are not HTTP at all."""
    _read_request(conn)
    conn.sendall(os.urandom(4096) + b"\r\n\r\n")


def invalid_json(conn: socket.socket) -> None:
    """A well-formed HTTP 200 whose JSON body is broken, on every path."""
    _read_request(conn)
    body = b'{"status": "success", "data": {"result": [1, 2,'
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )


def tls(handler: Handler, cert_path: Path, key_path: Path) -> Handler:
    """``handler`` behind a completed TLS handshake (the drip then happens inside TLS records)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert_path), str(key_path))

    def handle(conn: socket.socket) -> None:
        with context.wrap_socket(conn, server_side=True) as wrapped:
            handler(wrapped)

    return handle


def redirect_loop(conn: socket.socket) -> None:
    """Every request is redirected to the same path again."""
    _read_request(conn)
    conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: /again\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


def echo_headers(conn: socket.socket) -> None:
    """Answers a JSON object of the request's headers (what the probe sent)."""
    data = _read_request(conn)
    if b"\r\n\r\n" not in data:
        return
    lines = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")[1:]
    body = json.dumps(dict(line.split(": ", 1) for line in lines if ": " in line)).encode()
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )


# PostgreSQL wire protocol (v3): just enough of a server to complete the startup, then fall silent.
_SSL_REQUEST, _GSS_REQUEST, _CANCEL_REQUEST = 80877103, 80877104, 80877102


def _recv_exact(conn: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise ConnectionError("client left")
        data += chunk
    return data


def _message(kind: bytes, payload: bytes) -> bytes:
    return kind + struct.pack("!I", len(payload) + 4) + payload


def frozen_postgres(server_version: str = "15.6") -> Handler:
    """A server that answers the startup with AuthenticationOk ... ReadyForQuery, then goes silent.

    It is what a frozen PostgreSQL (or PgBouncer, with ``server_version`` ``1.21.0/bouncer``) or a
    network partition after the handshake looks like from the client: every query waits forever.
    """

    def handle(conn: socket.socket) -> None:
        while True:
            length, code = struct.unpack("!II", _recv_exact(conn, 8))
            rest = _recv_exact(conn, length - 8)
            if code in (_SSL_REQUEST, _GSS_REQUEST):
                conn.sendall(b"N")
                continue
            if code == _CANCEL_REQUEST:
                return  # a cancel request: ignored, as a frozen server would
            del rest
            break
        params = {
            "server_version": server_version,
            "server_encoding": "UTF8",
            "client_encoding": "UTF8",
            "DateStyle": "ISO, MDY",
            "integer_datetimes": "on",
            "standard_conforming_strings": "on",
            "TimeZone": "UTC",
        }
        out = _message(b"R", struct.pack("!I", 0))
        for k, v in params.items():
            out += _message(b"S", k.encode() + b"\0" + v.encode() + b"\0")
        out += _message(b"K", struct.pack("!II", 4242, 31337))
        out += _message(b"Z", b"I")
        conn.sendall(out)
        _hold(conn)

    return handle


# ----------------------------------------------------------------------------------- files


def yaml_bomb(levels: int = 9) -> str:
    """A "billion laughs" YAML document of a few hundred bytes: 9**levels leaves when expanded."""
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels + 1):
        ref = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([ref] * 9)}]")
    return "\n".join(lines) + "\n"


def manifest_bomb() -> str:
    """A Kubernetes Deployment whose labels carry the bomb (what a pull request could add)."""
    bomb = yaml_bomb().replace("\n", "\n    ")
    return (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: prod\n"
        f"  annotations:\n    {bomb}\nspec:\n  replicas: 2\n"
    )


def workflow_bomb() -> str:
    """A GitHub Actions workflow carrying the bomb in its ``env``."""
    bomb = yaml_bomb().replace("\n", "\n  ")
    return f"name: ci\non: push\nenv:\n  {bomb}\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps: []\n"


# ------------------------------------------------------------------------------------ runner


@dataclass(frozen=True)
class HostileRun(ReportRun):
    """One bounded run: its report items, exit code, wall time and the child's peak RSS."""

    returncode: int
    seconds: float
    max_rss_mb: float
    output: str


def run_bounded(tmp_path: Path, env_text: str, suite: str, *, limit_s: float = 45.0) -> HostileRun:
    """Run ``suite`` (``-n 0``) against ``env_text``; kill it and fail if it outlives ``limit_s``."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    env_file = tmp_path / "env.toml"
    env_file.write_text(env_text, encoding="utf-8")
    out = tmp_path / "out"
    log = tmp_path / "output.txt"
    cmd = [sys.executable, "-m", "pytest", f"--env={env_file}", suite, "-n", "0",
           "-p", "no:cacheprovider", f"--readiness-dir={out}", "-q"]  # fmt: skip
    started = time.monotonic()
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            cmd,
            cwd=REPO,
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
        status, usage = _wait4(proc.pid, limit_s)
    seconds = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status) if status is not None else -9
    output = log.read_text(errors="replace")
    assert status is not None, f"run still going after {limit_s} s, killed:\n{output[-3000:]}"
    report = out / "readiness.json"
    assert report.is_file(), output[-3000:]
    return HostileRun(
        json.loads(report.read_text()),
        proc.returncode,
        seconds,
        (usage.ru_maxrss / 1024) if usage is not None else 0.0,
        output,
    )


def _wait4(pid: int, limit_s: float) -> tuple[int | None, Any]:
    """``os.wait4`` with a deadline: (status, rusage), or (None, None) after killing the child."""
    end = time.monotonic() + limit_s
    while time.monotonic() < end:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return status, usage
        time.sleep(0.05)
    os.kill(pid, 9)
    os.wait4(pid, 0)
    return None, None
