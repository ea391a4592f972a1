"""End to end: ``pytest --env=<generated> suites/test_environment_setup.py`` → readiness.json.

Good and bad environments point at real PostgreSQL (+ a streaming standby), PgBouncer and Redis, a
local http.server answering Supabase's ``/auth/v1/settings``, and a git repository holding the
production env file and a frontend.  The unreachable environment uses a closed port, a wrong password
and a server that accepts connections but never answers.
"""

from __future__ import annotations

import json
import time
from typing import Any

from tests.support import readiness
from tests.support.environment_setup import (
    ANON,
    REDIS_PASSWORD,
    SERVICE,
    closed_port,
    good_sections,
    make_repo,
    run_suite,
)
from tests.support.readiness import findings

AUTOMATED = [
    "ENV-SUPABASE-SCHEMA", "ENV-SUPABASE-RLS", "ENV-SUPABASE-AUTH-PROVIDERS", "ENV-SUPABASE-ENV-VARS",
    "ENV-POSTGRES-PRODUCTION", "ENV-POSTGRES-BACKUPS", "ENV-POSTGRES-REPLICAS", "ENV-POSTGRES-POOLING",
    "ENV-POSTGRES-MONITORING", "ENV-REDIS-PROVISIONED", "ENV-REDIS-PERSISTENCE", "ENV-REDIS-MAXMEMORY",
    "ENV-REDIS-EVICTION", "ENV-REDIS-MONITORING", "ENV-SECRETS-ENV-FILE", "ENV-SECRETS-ROTATED",
    "ENV-SECRETS-NO-HARDCODED",
]  # fmt: skip


def statuses(items: dict[str, dict[str, Any]]) -> dict[str, str]:
    return readiness.statuses(items, AUTOMATED)


def test_good_environment_passes(tmp_path, pg_good, pg_standby, pgbouncer_good, redis_good, auth_servers):
    sections = good_sections(tmp_path, pg_good, pgbouncer_good, redis_good, auth_servers[0].url)
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
