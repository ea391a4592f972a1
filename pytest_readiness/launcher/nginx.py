"""A throw-away nginx (HTTP + HTTPS port) whose ``http {}`` body the test supplies."""

from __future__ import annotations

import os
import socket
import ssl
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Unpack

from pytest_readiness.launcher.base import (
    NGINX,
    Service,
    ServicePath,
    Timeouts,
    free_port,
    http_status,
    tcp_open,
    unverified_tls,
)
from pytest_readiness.launcher.tls import CertFiles, LocalCA

__all__ = ["NginxServer"]

DEFAULT_SERVER_BLOCKS = """
server {
    listen 127.0.0.1:{http_port};
    root {root};
    location / { try_files $uri $uri/ =404; }
}
server {
    listen 127.0.0.1:{https_port} ssl;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    root {root};
    location / { try_files $uri $uri/ =404; }
}
"""


class NginxServer(Service):
    """nginx with ``-p <tmp> -c <tmp>/nginx.conf -g 'daemon off;'`` and everything inside the temp dir.

    ``server_blocks`` is the body of ``http {}`` (a string, or a callable receiving the placeholder
    values by bare name, e.g. ``values["https_port"]``, and returning it).  Placeholders
    ``{http_port}``, ``{https_port}``, ``{cert}``, ``{key}``, ``{ca}``, ``{root}``, ``{host}`` are
    substituted in either case.  ``certs`` defaults to a certificate for
    localhost/127.0.0.1 from a fresh :class:`LocalCA` (then :attr:`ca_pem_path` is its root).
    ``files`` are written under ``{root}`` (relative path -> content).
    """

    name = "nginx"
    binary_spec = NGINX
    # SIGQUIT is nginx's graceful shutdown; SIGTERM is "fast" and fine for tests.
    start_timeout = 30.0

    def __init__(
        self,
        server_blocks: str | Callable[[Mapping[str, str]], str] = DEFAULT_SERVER_BLOCKS,
        certs: CertFiles | None = None,
        files: Mapping[str, str | bytes] | None = None,
        **timeouts: Unpack[Timeouts],
    ) -> None:
        super().__init__(**timeouts)
        self.server_blocks = server_blocks
        self.certs = certs
        self.files = dict(files) if files is not None else {"index.html": "ok\n"}
        self.https_port = 0
        self.ca_pem_path: Path | None = certs.ca_path if certs else None
        self._config_text = ""

    # -- addresses --------------------------------------------------------------------------------

    @property
    def http_port(self) -> int:
        """The plain-HTTP port (same as :attr:`port`)."""
        return self.port

    @property
    def http_url(self) -> str:
        """http://127.0.0.1:<http_port>."""
        return self.url_for("http", port=self.http_port)

    @property
    def https_url(self) -> str:
        """https://127.0.0.1:<https_port> (use ``localhost`` in the URL if you verify the name)."""
        return self.url_for("https", port=self.https_port)

    root = ServicePath("html", "Document root for static files.")
    error_log = ServicePath("logs/error.log", "nginx's error log (shown in start failures).")

    def log_files(self) -> list[Path]:
        """stderr plus the error log."""
        return [self.log_path, self.error_log]

    # -- Service ----------------------------------------------------------------------------------

    def allocate_ports(self) -> None:
        """One plain HTTP and one HTTPS port."""
        self.port = free_port()
        self.https_port = free_port()
        while self.https_port == self.port:
            self.https_port = free_port()

    def placeholders(self) -> dict[str, str]:
        """Values substituted into the caller's server blocks."""
        assert self.certs is not None
        return {
            "http_port": str(self.http_port),
            "https_port": str(self.https_port),
            "cert": str(self.certs.cert_path),
            "key": str(self.certs.key_path),
            "ca": str(self.certs.ca_path),
            "root": str(self.root),
            "host": self.host,
        }

    def prepare(self) -> None:
        """Write nginx.conf (main context ours, http body the caller's) and static files."""
        for sub in ("logs", "tmp", "html"):
            (self.dir / sub).mkdir()
        if self.certs is None:
            self.certs = LocalCA(self.dir / "ca").issue()
        self.ca_pem_path = self.certs.ca_path
        for rel, content in self.files.items():
            target = self.root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content)
        values = self.placeholders()
        body = self.server_blocks(values) if callable(self.server_blocks) else self.server_blocks
        for name, value in values.items():
            body = body.replace("{" + name + "}", value)
        self._config_text = body
        tmp = self.dir / "tmp"
        user_line = "user root root;\n" if os.geteuid() == 0 else ""
        main = f"""{user_line}worker_processes 1;
pid {self.dir}/nginx.pid;
error_log {self.error_log} info;
events {{ worker_connections 128; }}
http {{
    access_log {self.dir}/logs/access.log;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    default_type application/octet-stream;
{body}
}}
"""
        (self.dir / "nginx.conf").write_text(main)

    def command(self) -> list[str]:
        """nginx in the foreground with prefix, config and early error log in the temp dir."""
        return [
            self.binary,
            "-p",
            f"{self.dir}/",
            "-c",
            str(self.dir / "nginx.conf"),
            "-e",
            str(self.error_log),
            "-g",
            "daemon off;",
        ]

    def is_ready(self) -> bool:
        """Every used port accepts; HTTP answers with a status line, HTTPS completes a handshake."""
        if not (self.dir / "nginx.pid").exists():
            return False
        if str(self.http_port) in self._config_text and http_status(self.http_url + "/") is None:
            return False
        return not (str(self.https_port) in self._config_text and not self._tls_handshake())

    def _tls_handshake(self) -> bool:
        if not tcp_open(self.host, self.https_port):
            return False
        try:
            with (
                socket.create_connection((self.host, self.https_port), timeout=1) as raw,
                unverified_tls().wrap_socket(raw, server_hostname="localhost"),
            ):
                return True
        except (OSError, ssl.SSLError):
            return False
