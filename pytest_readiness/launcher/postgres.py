"""A throw-away PostgreSQL cluster (initdb + postgres in the foreground) for probe tests."""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, Unpack

import psycopg
from psycopg import sql

from pytest_readiness.launcher.base import (
    LauncherError,
    Service,
    ServicePath,
    Timeouts,
    chown_tree,
    find_binary,
    generate_password,
    launch_prefix,
    tail,
    tcp_open,
)
from pytest_readiness.launcher.tls import CertFiles, LocalCA

__all__ = ["PostgresServer", "pg_bindir"]

# No "trust" line on purpose: readiness probes inspect pg_hba and must see a hardened default.
DEFAULT_HBA = """\
local   all             all                                     scram-sha-256
host    all             all             127.0.0.1/32            scram-sha-256
host    all             all             ::1/128                 scram-sha-256
"""


def pg_bindir() -> Path:
    """PostgreSQL binaries: $READINESS_PG_BINDIR, else the newest /usr/lib/postgresql/*/bin."""
    override = os.environ.get("READINESS_PG_BINDIR")
    if override:
        return Path(override)
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name.split(".")[0])
    )
    if candidates:
        return Path(candidates[-1])
    found = shutil.which("postgres")
    if found:
        return Path(found).parent
    raise LauncherError("PostgreSQL binaries not found (no /usr/lib/postgresql/*/bin, no postgres in PATH)")


def _quote(value: str) -> str:
    """postgresql.conf accepts any value single-quoted; keep values the caller already quoted."""
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value
    return "'" + value.replace("'", "''") + "'"


class PostgresServer(Service):
    """A PostgreSQL cluster listening on 127.0.0.1:<free port> with scram password auth.

    ``settings`` are appended to postgresql.conf (e.g. ``{"archive_mode": "on"}``); ``hba`` replaces
    pg_hba.conf (:meth:`execute` logs in with the password over the socket, else over TCP);
    ``init_sql`` runs once as superuser after start; ``ssl=True`` serves ``certs`` (issued from a
    fresh :class:`LocalCA` when omitted).  The server runs as the ``postgres`` system user when we
    are root, because postgres refuses to run as root.
    """

    name = "postgres"
    # SIGINT = "fast shutdown": SIGTERM ("smart") would wait for pooled clients to disconnect.
    stop_signal = signal.SIGINT
    run_as: ClassVar[str | None] = "postgres"

    def __init__(
        self,
        settings: Mapping[str, str] | None = None,
        hba: str | None = None,
        init_sql: str | None = None,
        ssl: bool = False,
        certs: CertFiles | None = None,
        *,
        user: str = "postgres",
        password: str | None = None,
        **timeouts: Unpack[Timeouts],
    ) -> None:
        super().__init__(**timeouts)
        self.settings = dict(settings or {})
        self.hba = hba
        self.init_sql = init_sql
        self.ssl = ssl
        self.certs = certs
        self.user = user
        self.password = password or generate_password()
        self.bindir = pg_bindir()
        self._own_ca: LocalCA | None = None
        self.ca_pem_path: Path | None = certs.ca_path if certs else None

    # -- paths / addresses ------------------------------------------------------------------------

    data_dir = ServicePath("data", "PGDATA of this cluster.")
    socket_dir = ServicePath("sock", "Folder of the unix socket (inside the private temp folder).")

    @property
    def dsn(self) -> str:
        """Superuser URL over TCP: postgresql://postgres:<password>@127.0.0.1:<port>/postgres."""
        return self.dsn_for(self.user, self.password)

    def dsn_for(self, user: str, password: str, dbname: str = "postgres", **params: str) -> str:
        """TCP URL for another role/database, with optional query parameters (e.g. sslmode)."""
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return self.url_for(
            "postgresql", f"/{dbname}" + (f"?{query}" if query else ""), user=user, password=password
        )

    def log_files(self) -> list[Path]:
        """stdout/stderr of initdb and postgres (postgres logs to stderr)."""
        return [self.log_path]

    # -- Service ----------------------------------------------------------------------------------

    def prepare(self) -> None:
        """initdb as the postgres user, then write conf, hba and (optionally) TLS files."""
        self.socket_dir.mkdir()
        pwfile = self.dir / "pwfile"
        pwfile.write_text(self.password + "\n")
        pwfile.chmod(0o600)
        if self.run_as:
            chown_tree(self.dir, self.run_as)
        initdb = find_binary("initdb", str(self.bindir / "initdb"))
        argv = [
            *launch_prefix(self.run_as),
            initdb,
            "-D",
            str(self.data_dir),
            "-U",
            self.user,
            f"--pwfile={pwfile}",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--no-sync",
            "--no-locale",
            "-E",
            "UTF8",
        ]
        with open(self.log_path, "ab") as log:
            try:
                result = subprocess.run(
                    argv, stdout=log, stderr=subprocess.STDOUT, timeout=self.start_timeout, check=False
                )
            except subprocess.TimeoutExpired as exc:
                raise LauncherError(f"postgres: initdb timed out\n{tail([self.log_path])}") from exc
        pwfile.unlink()
        if result.returncode != 0:
            raise LauncherError(f"postgres: initdb failed ({result.returncode})\n{tail([self.log_path])}")

        conf: dict[str, str] = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": str(self.socket_dir),
            "password_encryption": "scram-sha-256",
            "fsync": "off",
            "max_connections": "50",
            "shared_buffers": "16MB",
            "logging_collector": "off",
        }
        if self.ssl:
            conf.update(self._prepare_ssl())
        conf.update(self.settings)
        with open(self.data_dir / "postgresql.conf", "a") as fh:
            fh.write("\n# --- pytest-readiness launcher ---\n")
            for key, value in conf.items():
                fh.write(f"{key} = {_quote(value)}\n")
        if self.hba is not None:
            (self.data_dir / "pg_hba.conf").write_text(self.hba)
        else:
            (self.data_dir / "pg_hba.conf").write_text(DEFAULT_HBA)

    def _prepare_ssl(self) -> dict[str, str]:
        if self.certs is None:
            self._own_ca = LocalCA(self.dir / "ca")
            self.certs = self._own_ca.issue()
        self.ca_pem_path = self.certs.ca_path
        tls_dir = self.dir / "tls"
        tls_dir.mkdir()
        cert = tls_dir / "server.crt"
        key = tls_dir / "server.key"
        ca = tls_dir / "ca.crt"
        shutil.copyfile(self.certs.cert_path, cert)
        shutil.copyfile(self.certs.key_path, key)
        shutil.copyfile(self.certs.ca_path, ca)
        key.chmod(0o600)  # postgres refuses group/world readable keys
        return {"ssl": "on", "ssl_cert_file": str(cert), "ssl_key_file": str(key), "ssl_ca_file": str(ca)}

    def command(self) -> list[str]:
        """postgres in the foreground, logging to stderr."""
        return [find_binary("postgres", str(self.bindir / "postgres")), "-D", str(self.data_dir)]

    def is_ready(self) -> bool:
        """TCP port open and libpq's PQping (what pg_isready does) says "accepting connections".

        PQping does not need valid credentials, so a caller's restrictive pg_hba cannot stall start.
        """
        if not tcp_open(self.host, self.port):
            return False
        conninfo = f"host={self.host} port={self.port} dbname=postgres connect_timeout=2"
        return bool(psycopg.pq.PGconn.ping(conninfo.encode()) == psycopg.pq.Ping.OK)

    def start(self) -> PostgresServer:
        """Start, then run ``init_sql`` (its failure is a start failure)."""
        super().start()
        if self.init_sql:
            try:
                self.execute(self.init_sql)
            except psycopg.Error as exc:
                log = tail([self.log_path])
                self.stop()
                raise LauncherError(f"postgres: init_sql failed: {exc}\n{log}") from exc
        return self

    # -- helpers for test setup -------------------------------------------------------------------

    def _connect(self, dbname: str = "postgres") -> psycopg.Connection[Any]:
        """Superuser session over the private socket, else over TCP (caller's hba may forbid one)."""
        common: dict[str, Any] = {
            "port": self.port,
            "user": self.user,
            "password": self.password,
            "dbname": dbname,
            "autocommit": True,
            "connect_timeout": 10,
        }
        try:
            return psycopg.connect(host=str(self.socket_dir), **common)
        except psycopg.OperationalError:
            return psycopg.connect(host=self.host, sslmode="prefer", **common)

    def execute(self, query: str, params: Any = None, dbname: str = "postgres") -> list[tuple[Any, ...]]:
        """Run SQL as superuser (autocommit, via the private socket); return rows if any."""
        with self._connect(dbname) as conn, conn.cursor() as cur:
            cur.execute(query.encode(), params)  # bytes: no LiteralString needed; multi-statement ok
            return list(cur.fetchall()) if cur.description is not None else []

    def create_role(
        self, name: str, password: str, superuser: bool = False, bypassrls: bool = False, login: bool = True
    ) -> str:
        """Create a role and return its TCP DSN (to the ``postgres`` database)."""
        query = sql.SQL("CREATE ROLE {} {} PASSWORD {} {} {}").format(
            sql.Identifier(name),
            sql.SQL("LOGIN" if login else "NOLOGIN"),
            sql.Literal(password),
            sql.SQL("SUPERUSER" if superuser else "NOSUPERUSER"),
            sql.SQL("BYPASSRLS" if bypassrls else "NOBYPASSRLS"),
        )
        with self._connect() as conn:
            conn.execute(query)
        return self.dsn_for(name, password)
