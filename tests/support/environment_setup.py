"""Real servers for the Environment Setup tests: PostgreSQL (good: TLS, archiving, pg_stat_statements,
RLS everywhere, a streaming standby; bad: the opposite), PgBouncer, Redis, plus a silent TCP server.

Supabase's ``anon``/``authenticated`` roles and ``auth.uid()`` do not exist in a plain PostgreSQL:
minimal stand-ins are created (``SUPABASE_STANDINS``), as splinter's tests assume a Supabase image.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import psycopg

from pytest_readiness.launcher.base import launch_prefix
from pytest_readiness.launcher.postgres import PostgresServer
from tests.support.http_server import LocalServer, QuietHandler
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


def good_dsn(server: PostgresServer, user: str = "readiness", password: str = READER_PASSWORD) -> str:
    assert server.ca_pem_path is not None
    return server.dsn_for(user, password, sslmode="verify-full", sslrootcert=str(server.ca_pem_path))


GOOD_REDIS = {
    "appendonly": "yes",
    "appendfsync": "everysec",
    "save": '"900 1 300 10"',
    "maxmemory": "64mb",
    "maxmemory-policy": "allkeys-lru",
}
REDIS_PASSWORD = "Redis-pw-5d7a0c3e"


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


def good_sections(
    tmp_path: Path, pg_good: PostgresServer, pgbouncer_good: Any, redis_good: Any, auth_url: str
) -> dict[str, dict[str, Any]]:
    """An environment every Environment Setup item passes on (the standby must be running too)."""
    repo = make_repo(tmp_path, good=True)
    return {
        "settings": {"timeout_s": 5},
        "postgres": {
            "dsn": good_dsn(pg_good),
            "app_roles": ["app", "anon", "authenticated"],
            "min_replicas": 1,
        },
        "pgbouncer": {"dsn": pgbouncer_good.admin_dsn, "min_max_client_conn": 200},
        "redis": {"url": redis_good.url, "expected_version": "6.2"},
        "supabase": {"url": auth_url, "anon_key": ANON, "providers": ["email", "google"]},
        "repo": {"path": str(repo), "frontend_dir": "frontend"},
    }


def psql_conn(dsn: str) -> psycopg.Connection[Any]:
    return psycopg.connect(dsn, autocommit=True, connect_timeout=5)


def jwt(claims: dict[str, Any]) -> str:
    def enc(d: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()

    return f"{enc({'alg': 'HS256', 'typ': 'JWT'})}.{enc(claims)}.c2lnbmF0dXJlLXZhbHVlLWxvbmc"


ANON = jwt({"iss": "supabase", "ref": "prodref", "role": "anon", "iat": 1, "exp": 2})


SERVICE = jwt({"iss": "supabase", "ref": "prodref", "role": "service_role", "iat": 1, "exp": 2})


class AuthSettings(LocalServer):
    """GoTrue's public settings endpoint; 401 without the right apikey, like Supabase."""

    def __init__(self, body: dict[str, Any]) -> None:
        outer = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                ok = self.path == "/auth/v1/settings" and self.headers.get("apikey") == ANON
                data = json.dumps(outer.body if ok else {"message": "Invalid API key"}).encode()
                self.send_response(200 if ok else 401)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        super().__init__(Handler)
        self.body = body
        self.start()


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def make_repo(root: Path, *, good: bool) -> Path:
    repo = root / "app"
    (repo / "frontend" / "src").mkdir(parents=True)
    (repo / "scripts").mkdir()
    git(repo, "init", "-q")
    (repo / "scripts" / "setup-supabase.sql").write_text(
        "".join(f"CREATE TABLE {t} (id int);\n" for t in EXPECTED_TABLES)
        + ("" if good else "CREATE TABLE strategies();")
    )
    env = repo / ".env.production"
    if good:
        (repo / ".gitignore").write_text(".env.production\n")
        env.write_text(f"SUPABASE_URL=https://prodref.supabase.co\nSUPABASE_SERVICE_ROLE_KEY={SERVICE}\n")
        env.chmod(0o600)
        (repo / "frontend" / "src" / "client.ts").write_text(
            "export const anon = import.meta.env.VITE_SUPABASE_ANON_KEY\n"
        )
    else:
        env.write_text("POSTGRES_PASSWORD=postgres\n")
        env.chmod(0o644)
        (repo / "frontend" / "src" / "client.ts").write_text(f"export const svc = '{SERVICE}'\n")
        (repo / "backend.py").write_text('AWS_ACCESS_KEY_ID = "AKIA' + 'Z7XQ4PLM2NB8KR5T"\n')
    git(repo, "add", ".")
    return repo
