"""Real servers for the Environment Setup tests: PostgreSQL (good: TLS, archiving, pg_stat_statements,
RLS everywhere, a streaming standby; bad: the opposite), PgBouncer, Redis, plus a silent TCP server.

Supabase's ``anon``/``authenticated`` roles and ``auth.uid()`` do not exist in a plain PostgreSQL:
minimal stand-ins are created (``SUPABASE_STANDINS``), as splinter's tests assume a Supabase image.
"""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from pytest_readiness.launcher.base import launch_prefix
from pytest_readiness.launcher.postgres import PostgresServer
from tests.support.readiness import env_toml, run_readiness

REPO = Path(__file__).resolve().parents[2]
REALWORLD = Path(__file__).resolve().parents[1] / "data" / "realworld"
READER_PASSWORD = "Reader-pw-4c1e9f2b7a"
APP_PASSWORD = "App-pw-93be0c11d2"

SUPABASE_STANDINS = """
CREATE ROLE anon NOLOGIN;
CREATE ROLE authenticated NOLOGIN;
CREATE SCHEMA auth;
CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $$;
"""

GOOD_SQL = (
    SUPABASE_STANDINS
    + f"""
CREATE EXTENSION pg_stat_statements;
CREATE TABLE public.accounts (id bigserial PRIMARY KEY, owner uuid NOT NULL, name text NOT NULL);
ALTER TABLE public.accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.accounts FORCE ROW LEVEL SECURITY;
CREATE POLICY accounts_owner ON public.accounts TO authenticated USING (owner = auth.uid());
CREATE TABLE public.value_models (id bigserial PRIMARY KEY, account_id bigint, payload jsonb);
ALTER TABLE public.value_models ENABLE ROW LEVEL SECURITY;
CREATE POLICY value_models_read ON public.value_models FOR SELECT TO anon, authenticated USING (true);
CREATE TABLE public.notes (id bigserial PRIMARY KEY, owner uuid, body text);
ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY notes_owner ON public.notes FOR ALL TO authenticated
  USING (owner = auth.uid()) WITH CHECK (owner = auth.uid());
CREATE SCHEMA internal;
CREATE TABLE internal.jobs (id int);  -- not exposed: RLS not required
CREATE ROLE app LOGIN PASSWORD '{APP_PASSWORD}' NOSUPERUSER NOBYPASSRLS;
CREATE ROLE readiness LOGIN PASSWORD '{READER_PASSWORD}';
GRANT pg_monitor TO readiness;
"""
)

BAD_SQL = (
    SUPABASE_STANDINS
    + f"""
CREATE TABLE public.accounts (id bigserial PRIMARY KEY, owner uuid);
CREATE POLICY accounts_owner ON public.accounts USING (owner = auth.uid());
CREATE TABLE public.notes (id bigserial PRIMARY KEY, body text);
ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
CREATE TABLE public.value_models (id bigserial PRIMARY KEY, payload jsonb);
ALTER TABLE public.value_models ENABLE ROW LEVEL SECURITY;
CREATE POLICY value_models_any ON public.value_models FOR UPDATE TO authenticated USING (true);
CREATE ROLE app LOGIN PASSWORD '{APP_PASSWORD}' BYPASSRLS;
"""
)

GOOD_HBA = """\
local   all             all                                     scram-sha-256
host    all             all             127.0.0.1/32            scram-sha-256
host    replication     all             127.0.0.1/32            scram-sha-256
"""

EXPECTED_TABLES = ["public.accounts", "public.value_models", "public.notes"]


def wait_for(predicate: Any, timeout: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


class StandbyServer(PostgresServer):
    """A streaming standby of ``primary`` (pg_basebackup -R), for the read replica check."""

    def __init__(self, primary: PostgresServer) -> None:
        super().__init__(user=primary.user, password=primary.password)
        self.primary = primary

    def prepare(self) -> None:
        self.socket_dir.mkdir()
        from pytest_readiness.launcher.base import chown_tree

        chown_tree(self.dir, "postgres")
        env = dict(os.environ, PGPASSWORD=self.primary.password)
        argv = [*launch_prefix(self.run_as), "env", f"PGPASSWORD={self.primary.password}",
                str(self.bindir / "pg_basebackup"), "-h", self.primary.host, "-p", str(self.primary.port),
                "-U", self.primary.user, "-D", str(self.data_dir), "-R", "-X", "stream",
                "--no-sync"]  # fmt: skip
        result = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=env, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"pg_basebackup failed: {result.stderr[-500:]}")
        with open(self.data_dir / "postgresql.auto.conf", "a") as fh:
            fh.write(f"port = {self.port}\nunix_socket_directories = '{self.socket_dir}'\n")
            fh.write(
                "primary_conninfo = '"
                + (
                    f"host={self.primary.host} port={self.primary.port} user={self.primary.user} "
                    f"password={self.primary.password} application_name=standby1'\n"
                )
            )
            fh.write("archive_mode = off\n")

    def start(self) -> StandbyServer:
        super(PostgresServer, self).start()
        return self


@pytest.fixture(scope="session")
def pg_good(postgres_server_factory: Any) -> PostgresServer:
    server = postgres_server_factory(
        settings={
            "fsync": "on",
            "archive_mode": "on",
            "archive_command": "mkdir -p ../wal_archive && cp %p ../wal_archive/%f",
            "shared_preload_libraries": "pg_stat_statements",
            "wal_level": "replica",
        },
        hba=GOOD_HBA.replace("host ", "hostssl ").replace("hostssl    replication", "host    replication"),
        init_sql=GOOD_SQL,
        ssl=True,
    )
    server.execute("SELECT pg_switch_wal()")
    wait_for(
        lambda: server.execute("SELECT archived_count FROM pg_stat_archiver")[0][0] > 0, what="archiving"
    )
    return server


@pytest.fixture(scope="session")
def pg_standby(pg_good: PostgresServer) -> Iterator[StandbyServer]:
    standby = StandbyServer(pg_good).start()
    try:
        wait_for(
            lambda: bool(pg_good.execute("SELECT 1 FROM pg_stat_replication WHERE state = 'streaming'")),
            what="streaming standby",
        )
        yield standby
    finally:
        standby.stop()


def good_dsn(server: PostgresServer, user: str = "readiness", password: str = READER_PASSWORD) -> str:
    assert server.ca_pem_path is not None
    return server.dsn_for(user, password, sslmode="verify-full", sslrootcert=str(server.ca_pem_path))


@pytest.fixture(scope="session")
def pg_bad(postgres_server_factory: Any) -> PostgresServer:
    return postgres_server_factory(settings={"archive_mode": "off"}, init_sql=BAD_SQL)


@pytest.fixture(scope="session")
def pgbouncer_good(pgbouncer_factory: Any, pg_bad: PostgresServer) -> Any:
    return pgbouncer_factory(pg_bad, pool_mode="transaction", max_client_conn=500)


@pytest.fixture(scope="session")
def pgbouncer_bad(pgbouncer_factory: Any, pg_bad: PostgresServer) -> Any:
    return pgbouncer_factory(pg_bad, pool_mode="session", max_client_conn=20, default_pool_size=1,
                             extra={"reserve_pool_size": "0"})  # fmt: skip


GOOD_REDIS = {
    "appendonly": "yes",
    "appendfsync": "everysec",
    "save": '"900 1 300 10"',
    "maxmemory": "64mb",
    "maxmemory-policy": "allkeys-lru",
}
REDIS_PASSWORD = "Redis-pw-5d7a0c3e"


@pytest.fixture(scope="session")
def redis_good(redis_server_factory: Any) -> Any:
    return redis_server_factory(config=GOOD_REDIS, password=REDIS_PASSWORD)


@pytest.fixture(scope="session")
def redis_bad(redis_server_factory: Any) -> Any:
    return redis_server_factory(config={"maxmemory-policy": "volatile-lru"})


@pytest.fixture(scope="session")
def redis_managed(redis_server_factory: Any) -> Any:
    """ElastiCache-like: CONFIG renamed away, persistence on."""
    return redis_server_factory(config={**GOOD_REDIS, "rename-command": 'CONFIG ""'})


class SilentServer:
    """Accepts TCP connections and never answers (a hung proxy or a black-holed service)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.conns: list[socket.socket] = []
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
                self.conns.append(conn)
            except OSError:
                continue

    def close(self) -> None:
        self._stop = True
        self.thread.join(2)
        for c in self.conns:
            c.close()
        self.sock.close()


@pytest.fixture(scope="session")
def silent_server() -> Iterator[SilentServer]:
    s = SilentServer()
    try:
        yield s
    finally:
        s.close()


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return int(port)


# --------------------------------------------------------------------------------- end to end


def run_suite(tmp_path: Path, sections: dict[str, dict[str, Any]], *extra: str) -> dict[str, dict[str, Any]]:
    """Run suites/test_environment_setup.py with a generated environment; readiness.json items by id."""
    suite = str(REPO / "suites" / "test_environment_setup.py")
    run = run_readiness(tmp_path, env_toml(sections), suite, "--rootdir", str(REPO), *extra)
    items = run.items
    items["_output"] = {"stdout": run.stdout, "stderr": run.stderr}
    return items


def psql_conn(dsn: str) -> psycopg.Connection[Any]:
    return psycopg.connect(dsn, autocommit=True, connect_timeout=5)
