"""A throw-away PgBouncer in front of a :class:`PostgresServer`, with an admin console user."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal, Unpack

import psycopg

from pytest_readiness.launcher.base import (
    PGBOUNCER,
    LauncherError,
    Service,
    ServicePath,
    Timeouts,
    generate_password,
    tcp_open,
)
from pytest_readiness.launcher.postgres import PostgresServer

__all__ = ["PgBouncer"]

AuthType = Literal["plain", "md5", "scram-sha-256", "scram", "trust", "any"]


class PgBouncer(Service):
    """PgBouncer on 127.0.0.1:<free port> pooling ``upstream``'s ``postgres`` database.

    The userlist holds the upstream superuser, the admin user (listed in ``admin_users``) and any
    ``users`` given (name -> password; create them upstream with ``create_role``).  ``extra`` adds
    ``[pgbouncer]`` settings verbatim.  Runs as the ``postgres`` user because pgbouncer refuses root.
    """

    name = "pgbouncer"
    binary_spec = PGBOUNCER
    run_as: ClassVar[str | None] = "postgres"
    start_timeout = 30.0
    ini_path = ServicePath("pgbouncer.ini", "The generated pgbouncer.ini.")

    def __init__(
        self,
        upstream: PostgresServer,
        pool_mode: str = "transaction",
        max_client_conn: int = 100,
        default_pool_size: int = 10,
        extra: Mapping[str, str] | None = None,
        *,
        auth_type: AuthType = "scram-sha-256",
        users: Mapping[str, str] | None = None,
        admin_user: str = "admin",
        admin_password: str | None = None,
        dbname: str = "postgres",
        **timeouts: Unpack[Timeouts],
    ) -> None:
        super().__init__(**timeouts)
        self.upstream = upstream
        self.pool_mode = pool_mode
        self.max_client_conn = max_client_conn
        self.default_pool_size = default_pool_size
        self.extra = dict(extra or {})
        self.auth_type = "scram-sha-256" if auth_type == "scram" else auth_type
        self.users = dict(users or {})
        self.admin_user = admin_user
        self.admin_password = admin_password or generate_password()
        self.dbname = dbname

    @property
    def admin_dsn(self) -> str:
        """postgresql://admin:<password>@127.0.0.1:<port>/pgbouncer (the admin console)."""
        return self.dsn_for(self.admin_user, self.admin_password, "pgbouncer")

    @property
    def dsn(self) -> str:
        """Pooled connection as the upstream superuser to the pooled database."""
        return self.dsn_for(self.upstream.user, self.upstream.password)

    def dsn_for(self, user: str, password: str, dbname: str | None = None) -> str:
        """Pooled connection URL for another user / database."""
        return self.url_for("postgresql", f"/{dbname or self.dbname}", user=user, password=password)

    def prepare(self) -> None:
        """Write userlist.txt and pgbouncer.ini."""
        if not self.upstream.running:
            raise LauncherError("pgbouncer: upstream PostgresServer is not running")
        users = {self.upstream.user: self.upstream.password, self.admin_user: self.admin_password}
        users.update(self.users)
        lines = []
        for user, password in users.items():
            # plaintext works with every auth_type and lets pgbouncer do SCRAM to the upstream
            lines.append(f'"{user}" "{password}"')
        (self.dir / "userlist.txt").write_text("\n".join(lines) + "\n")
        settings: dict[str, str] = {
            "listen_addr": self.host,
            "listen_port": str(self.port),
            "unix_socket_dir": "",
            "auth_type": self.auth_type,
            "auth_file": str(self.dir / "userlist.txt"),
            "admin_users": self.admin_user,
            "pool_mode": self.pool_mode,
            "max_client_conn": str(self.max_client_conn),
            "default_pool_size": str(self.default_pool_size),
            "pidfile": str(self.dir / "pgbouncer.pid"),
            "ignore_startup_parameters": "extra_float_digits,options",
        }
        settings.update(self.extra)
        up = self.upstream
        ini = ["[databases]", f"{self.dbname} = host={up.host} port={up.port} dbname={self.dbname}", ""]
        ini.append("[pgbouncer]")
        ini.extend(f"{key} = {value}" for key, value in settings.items())
        self.ini_path.write_text("\n".join(ini) + "\n")

    def command(self) -> list[str]:
        """pgbouncer in the foreground, logging to stderr."""
        return [self.binary, str(self.ini_path)]

    def admin(self, command: str) -> list[dict[str, Any]]:
        """Run an admin-console command (``SHOW POOLS`` ...) and return rows as dicts."""
        with psycopg.connect(self.admin_dsn, autocommit=True, connect_timeout=5) as conn:
            # the console only speaks the simple query protocol: use the low-level exec
            result = conn.pgconn.exec_(command.encode())
            if result.status not in (psycopg.pq.ExecStatus.TUPLES_OK, psycopg.pq.ExecStatus.COMMAND_OK):
                raise psycopg.OperationalError((result.error_message or b"").decode(errors="replace"))
            names = [(result.fname(i) or b"").decode() for i in range(result.nfields)]
            rows: list[dict[str, Any]] = []
            for r in range(result.ntuples):
                values = [result.get_value(r, c) for c in range(result.nfields)]
                rows.append(
                    {n: None if v is None else v.decode() for n, v in zip(names, values, strict=True)}
                )
            return rows

    def is_ready(self) -> bool:
        """TCP open and the admin console answers ``SHOW VERSION``."""
        if not tcp_open(self.host, self.port):
            return False
        try:
            self.admin("SHOW VERSION")
            return True
        except psycopg.Error:
            return False
