"""End to end: ``pytest --env=<generated> suites/test_environment_setup.py`` → readiness.json.

Good and bad environments point at real PostgreSQL (+ a streaming standby), PgBouncer and Redis, a
local http.server answering Supabase's ``/auth/v1/settings``, and a git repository holding the
production env file and a frontend.  The unreachable environment uses a closed port, a wrong password
and a server that accepts connections but never answers.
"""

from __future__ import annotations

import base64
import json
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.environment_setup.conftest import (
    EXPECTED_TABLES,
    REDIS_PASSWORD,
    closed_port,
    good_dsn,
    run_suite,
)
from tests.support import readiness as readiness_helpers
from tests.support.readiness import findings

AUTOMATED = [
    "ENV-SUPABASE-SCHEMA", "ENV-SUPABASE-RLS", "ENV-SUPABASE-AUTH-PROVIDERS", "ENV-SUPABASE-ENV-VARS",
    "ENV-POSTGRES-PRODUCTION", "ENV-POSTGRES-BACKUPS", "ENV-POSTGRES-REPLICAS", "ENV-POSTGRES-POOLING",
    "ENV-POSTGRES-MONITORING", "ENV-REDIS-PROVISIONED", "ENV-REDIS-PERSISTENCE", "ENV-REDIS-MAXMEMORY",
    "ENV-REDIS-EVICTION", "ENV-REDIS-MONITORING", "ENV-SECRETS-ENV-FILE", "ENV-SECRETS-ROTATED",
    "ENV-SECRETS-NO-HARDCODED",
]  # fmt: skip


def jwt(claims: dict[str, Any]) -> str:
    def enc(d: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()

    return f"{enc({'alg': 'HS256', 'typ': 'JWT'})}.{enc(claims)}.c2lnbmF0dXJlLXZhbHVlLWxvbmc"


ANON = jwt({"iss": "supabase", "ref": "prodref", "role": "anon", "iat": 1, "exp": 2})
SERVICE = jwt({"iss": "supabase", "ref": "prodref", "role": "service_role", "iat": 1, "exp": 2})


class AuthSettings(ThreadingHTTPServer):
    """GoTrue's public settings endpoint; 401 without the right apikey, like Supabase."""

    def __init__(self, body: dict[str, Any]) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                ok = self.path == "/auth/v1/settings" and self.headers.get("apikey") == ANON
                data = json.dumps(outer.body if ok else {"message": "Invalid API key"}).encode()
                self.send_response(200 if ok else 401)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.body = body
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture(scope="module")
def auth_servers() -> Iterator[tuple[AuthSettings, AuthSettings]]:
    good = AuthSettings({"external": {"email": True, "google": True, "github": False},
                         "disable_signup": False, "mailer_autoconfirm": False})  # fmt: skip
    bad = AuthSettings({"external": {"email": True, "google": False}, "mailer_autoconfirm": True})
    yield good, bad
    for s in (good, bad):
        s.shutdown()
        s.server_close()


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


def statuses(items: dict[str, dict[str, Any]]) -> dict[str, str]:
    return readiness_helpers.statuses(items, AUTOMATED)


def test_good_environment_passes(tmp_path, pg_good, pg_standby, pgbouncer_good, redis_good, auth_servers):
    repo = make_repo(tmp_path, good=True)
    sections = {
        "settings": {"timeout_s": 5},
        "postgres": {
            "dsn": good_dsn(pg_good),
            "app_roles": ["app", "anon", "authenticated"],
            "min_replicas": 1,
        },
        "pgbouncer": {"dsn": pgbouncer_good.admin_dsn, "min_max_client_conn": 200},
        "redis": {"url": redis_good.url, "expected_version": "6.2"},
        "supabase": {"url": auth_servers[0].url, "anon_key": ANON, "providers": ["email", "google"]},
        "repo": {"path": str(repo), "frontend_dir": "frontend"},
    }
    items = run_suite(tmp_path / "run", sections)
    bad = {i: (s, items[i].get("reason")) for i, s in statuses(items).items() if s != "pass"}
    assert not bad, bad
    assert statuses(run_suite(tmp_path / "xdist", sections, "-n", "2")) == statuses(items)  # xdist-safe
    rls = {f["subject"]: f["observed"] for f in findings(items["ENV-SUPABASE-RLS"])}
    assert rls["public.accounts"] == {"rls": True, "force": True}
    env_vars = {f["subject"]: f["observed"] for f in findings(items["ENV-SUPABASE-ENV-VARS"])}
    assert env_vars["supabase service_role_key"] == ".env.production:2 SUPABASE_SERVICE_ROLE_KEY"
    text = json.dumps(items)
    for secret in (SERVICE, REDIS_PASSWORD, "Reader-pw-4c1e9f2b7a"):
        assert secret not in text


def test_bad_environment_fails(tmp_path, pg_bad, pgbouncer_bad, redis_bad, auth_servers):
    repo = make_repo(tmp_path, good=False)
    sections = {
        "settings": {"timeout_s": 5},
        "postgres": {"dsn": pg_bad.dsn, "app_roles": ["app"], "min_replicas": 1},
        "pgbouncer": {"dsn": pgbouncer_bad.admin_dsn},
        "redis": {"url": redis_bad.url, "cluster": True},
        "supabase": {"url": auth_servers[1].url, "anon_key": ANON, "providers": ["email", "google"]},
        "repo": {"path": str(repo), "frontend_dir": "frontend"},
    }
    items = run_suite(tmp_path / "run", sections)
    assert statuses(items) == {**{i: "fail" for i in AUTOMATED}, "ENV-REDIS-MONITORING": "pass"}
    obs = {f["subject"]: f["observed"] for i in AUTOMATED for f in findings(items[i]) if not f["ok"]}
    assert obs["public.strategies"] == "missing"
    assert obs["redis maxmemory-policy"] == "volatile-lru"
    assert obs["pgbouncer pool_mode"] == "session"
    assert obs[".env.production:1 POSTGRES_PASSWORD"] == "a well-known development default"
    assert obs["backend.py:1"] == "AWS Access Key"
    env_vars = {f["subject"]: f["observed"] for f in findings(items["ENV-SUPABASE-ENV-VARS"]) if not f["ok"]}
    assert env_vars["frontend/src/client.ts:1"] == "a JWT with role service_role"
    assert obs["auth mailer_autoconfirm"] is True
    assert SERVICE not in json.dumps(items)


def test_unreachable_targets_are_errors_fast(tmp_path, pg_bad, silent_server, pgbouncer_good):
    sections = {
        "settings": {"timeout_s": 2},
        "postgres": {"dsn": f"postgresql://postgres:Not-Shown-pw@127.0.0.1:{closed_port()}/postgres"},
        "pgbouncer": {
            "dsn": pgbouncer_good.admin_dsn.replace(pgbouncer_good.admin_password, "Wrong-Admin-pw")
        },
        "redis": {"url": f"redis://127.0.0.1:{silent_server.port}/0"},
    }
    started = time.monotonic()
    items = run_suite(tmp_path / "run", sections)
    assert time.monotonic() - started < 60  # did not hang
    pg_items = [
        i for i in AUTOMATED if i.startswith(("ENV-POSTGRES", "ENV-SUPABASE-SCHEMA", "ENV-SUPABASE-RLS"))
    ]
    for i in pg_items:
        if i == "ENV-POSTGRES-POOLING":
            assert items[i]["status"] == "error" and "admin console" in items[i]["reason"]
        else:
            assert items[i]["status"] == "error", (i, items[i])
            assert "cannot connect" in items[i]["reason"]
    for i in [i for i in AUTOMATED if i.startswith("ENV-REDIS")]:
        assert items[i]["status"] == "error" and "no answer within 2 s" in items[i]["reason"]
    assert "Not-Shown-pw" not in json.dumps(items) and "Wrong-Admin-pw" not in json.dumps(items)
