"""Secrets (env file, development defaults, detect-secrets) and Supabase key rules on real files and git."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_readiness.probes.data import postgres as pg
from pytest_readiness.probes.data import supabase
from pytest_readiness.probes.repo import secrets


def jwt(claims: dict) -> str:
    def enc(d: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()

    return f"{enc({'alg': 'HS256', 'typ': 'JWT'})}.{enc(claims)}.c2lnbmF0dXJlLXZhbHVl"


SERVICE_JWT = jwt({"iss": "supabase", "ref": "abcdefghij", "role": "service_role", "iat": 1, "exp": 9})
ANON_JWT = jwt({"iss": "supabase", "ref": "abcdefghij", "role": "anon", "iat": 1, "exp": 9})
DEMO_ANON = jwt({"iss": "supabase-demo", "role": "anon", "exp": 1983812996})


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q")
    git(tmp_path, "config", "user.email", "t@example.com")
    git(tmp_path, "config", "user.name", "t")
    return tmp_path


def test_env_file_good(repo):
    (repo / ".gitignore").write_text(".env.production\n")
    env = repo / ".env.production"
    env.write_text("DATABASE_URL=postgresql://app:Xq7-strong-pw@db:5432/app\n")
    env.chmod(0o600)
    a = secrets.assess_env_file(secrets.gather_env_file(env))
    assert a.ok, a.message()


def test_env_file_bad_mode_and_tracked(repo):
    env = repo / ".env.production"
    env.write_text("X=1\n")
    env.chmod(0o644)
    git(repo, "add", ".env.production")
    a = secrets.assess_env_file(secrets.gather_env_file(env))
    failed = {f.subject: f.observed for f in a.failures}
    assert failed[f"{env} mode"] == "644"
    assert failed[f"{env} git"] == {"ignored": False, "tracked": True}


def test_env_file_missing(tmp_path):
    a = secrets.assess_env_file(secrets.gather_env_file(tmp_path / ".env.production"))
    assert not a.ok and a.findings[0].observed == "missing"


def test_rotated_never_reports_values(tmp_path):
    env = tmp_path / ".env.production"
    env.write_text(
        "POSTGRES_PASSWORD=postgres\n"
        f"SUPABASE_ANON_KEY={DEMO_ANON}\n"
        "REDIS_URL=redis://:changeme@cache:6379/0\n"
        "JWT_SECRET=Z8s9-d0f1-Real-Random-Secret\n"
        "APP_NAME=valueverse\n"
    )
    entries = secrets.parse_env_file(env)
    cands = secrets.secret_candidates({"postgres": {"dsn": "postgresql://u:Str0ng-Unique-pw@h/db"}},
                                      {"postgres": ["dsn"]}, entries, env.name)  # fmt: skip
    a = secrets.assess_rotated(cands)
    failed = {f.subject: f.observed for f in a.failures}
    assert failed == {
        ".env.production:1 POSTGRES_PASSWORD": "a well-known development default",
        ".env.production:2 SUPABASE_ANON_KEY": "a JWT issued by supabase-demo (local development)",
        ".env.production:3 REDIS_URL password": "a well-known development default",
    }
    text = json.dumps([f.__dict__ for f in a.findings])
    for value in ("changeme", DEMO_ANON, "Z8s9-d0f1-Real-Random-Secret", "Str0ng-Unique-pw"):
        assert value not in text
    assert secrets.dev_default_reason("Local-Only", extra=["Local-Only"])


def test_known_supabase_demo_digest():
    demo = "super-secret-jwt-token-with-at-least-32-characters-long"
    assert secrets.dev_default_reason(demo) == "Supabase local JWT secret"


AWS_KEY = "AKIA" + "Z7XQ4PLM2NB8KR5T"


def test_hardcoded_found_and_baseline_honoured(repo):
    (repo / "app.py").write_text(f'KEY = "{AWS_KEY}"\nname = "ok"\n')
    (repo / "clean.py").write_text("x = 1\n")
    git(repo, "add", ".")
    facts = secrets.scan_hardcoded(repo)
    assert facts.findings == [{"file": "app.py", "line": 1, "type": "AWS Access Key"}]
    a = secrets.assess_hardcoded(facts)
    assert not a.ok and AWS_KEY not in json.dumps([f.__dict__ for f in a.findings])
    # an accepted (audited false positive) baseline entry is honoured
    scan = subprocess.run([str(Path(sys.executable).parent / "detect-secrets"), "scan"], cwd=repo, check=True,
                          capture_output=True, text=True)  # fmt: skip
    (repo / ".secrets.baseline").write_text(scan.stdout)
    assert secrets.scan_hardcoded(repo).findings == []
    baseline = json.loads((repo / ".secrets.baseline").read_text())
    for entries in baseline["results"].values():
        for e in entries:
            e["is_secret"] = True  # audited as a real secret: still a finding
    (repo / ".secrets.baseline").write_text(json.dumps(baseline))
    assert [f["file"] for f in secrets.scan_hardcoded(repo).findings] == ["app.py"]


def test_supabase_env_vars_kinds():
    where = {"url": "[supabase] url", "anon_key": "[supabase] anon_key", "service_role_key": None}
    a = supabase.assess_env_vars(where, ANON_JWT, None)
    assert [f.subject for f in a.failures] == ["supabase service_role_key"]
    swapped = supabase.assess_env_vars(
        {"url": "x", "anon_key": "x", "service_role_key": "x"}, SERVICE_JWT, ANON_JWT
    )
    assert {f.subject for f in swapped.failures} == {
        "supabase anon key kind",
        "supabase service role key kind",
    }
    good = supabase.assess_env_vars({"url": "x", "anon_key": "x", "service_role_key": "x"},
                                    "sb_publishable_abc123", "sb_secret_def456")  # fmt: skip
    assert good.ok


def test_frontend_scan(tmp_path):
    fe = tmp_path / "frontend"
    (fe / "src").mkdir(parents=True)
    (fe / "node_modules" / "x").mkdir(parents=True)
    (fe / "src" / "client.ts").write_text(f"const anon = '{ANON_JWT}'\nconst svc = '{SERVICE_JWT}'\n")
    (fe / "src" / "admin.ts").write_text("const k = import.meta.env.VITE_SUPABASE_SERVICE_ROLE_KEY\n")
    (fe / ".env.local").write_text(
        f"SUPABASE_SERVICE_ROLE_KEY={SERVICE_JWT}\nNEXT_PUBLIC_SVC={SERVICE_JWT}\n"
    )
    (fe / "vite.config.ts").write_text("export default { define: { K: 'sb_secret_abcdefghijklmnop' } }\n")
    (fe / "node_modules" / "x" / "index.js").write_text(SERVICE_JWT)  # vendored: not ours
    scanned, exposures = supabase.scan_frontend([fe], None, root=tmp_path)
    got = {(e.file, e.line): e.what for e in exposures}
    assert got == {
        ("frontend/src/client.ts", 2): "a JWT with role service_role",
        (
            "frontend/src/admin.ts",
            1,
        ): "public variable VITE_SUPABASE_SERVICE_ROLE_KEY names a service role key",
        ("frontend/.env.local", 2): "public variable NEXT_PUBLIC_SVC holds a service role key",
        ("frontend/vite.config.ts", 1): "an sb_secret_ key",
    }
    a = supabase.assess_service_key_exposure(scanned, exposures)
    assert not a.ok and SERVICE_JWT not in json.dumps([f.__dict__ for f in a.findings])
    (fe / "src" / "client.ts").write_text(f"const anon = '{ANON_JWT}'\n")
    for name in ("admin.ts",):
        (fe / "src" / name).unlink()
    (fe / ".env.local").write_text(f"SUPABASE_SERVICE_ROLE_KEY={SERVICE_JWT}\n")  # server-side only: fine
    (fe / "vite.config.ts").write_text("export default {}\n")
    assert supabase.assess_service_key_exposure(*supabase.scan_frontend([fe], SERVICE_JWT)).ok


def test_auth_providers_rule():
    settings = {
        "external": {"email": True, "google": False},
        "mailer_autoconfirm": True,
        "disable_signup": False,
    }
    a = supabase.assess_auth_providers(settings, ["email", "google"])
    assert {f.subject for f in a.failures} == {"auth provider google", "auth mailer_autoconfirm"}
    ok = supabase.assess_auth_providers({**settings, "mailer_autoconfirm": False}, [])
    assert ok.ok


def test_expected_tables_from_sql():
    sql = """
    -- CREATE TABLE commented (id int);
    CREATE TABLE IF NOT EXISTS public.accounts (id int);
    create table "Weird Name" (id int);
    CREATE UNLOGGED TABLE app.events (id int);
    CREATE TEMP TABLE scratch (id int);
    CREATE FUNCTION f() RETURNS void AS $$ BEGIN CREATE TABLE inner_t (id int); END $$ LANGUAGE plpgsql;
    """
    assert pg.expected_tables_from_sql(sql) == ["public.accounts", "public.Weird Name", "app.events"]


def test_demo_schema_file_parses():
    path = Path(__file__).resolve().parents[2] / "examples" / "demo-app" / "scripts" / "setup-supabase.sql"
    assert pg.expected_tables_from_file(path)[:2] == ["public.accounts", "public.value_models"]


def test_replicas_rule_lag():
    rows = [{"application_name": "r1", "client_addr": "10.0.0.2", "state": "streaming", "replay_lag_s": 45.0}]
    a = pg.assess_replicas(rows, 1, 30)
    assert [f.subject for f in a.failures] == ["standby r1 (10.0.0.2)"]


def test_rds_backups_rule():
    assert not pg.assess_rds_backups({"DBInstanceIdentifier": "db", "BackupRetentionPeriod": 0}).ok
    assert pg.assess_rds_backups(
        {"DBInstanceIdentifier": "db", "BackupRetentionPeriod": 7, "LatestRestorableTime": "2026-01-01"}
    ).ok
