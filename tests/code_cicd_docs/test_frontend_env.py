"""Frontend environment variables: what the code reads is set; no secret in NEXT_PUBLIC_*."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from pytest_readiness.probes.repo.node_frontend import (
    assess_env_set,
    assess_no_public_secrets,
    gather_frontend_env,
)
from tests.support.code_cicd_docs import write_tree


def _jwt(role: str) -> str:
    part = (
        base64.urlsafe_b64encode(json.dumps({"role": role, "iss": "supabase"}).encode()).decode().rstrip("=")
    )
    return f"eyJhbGciOiJIUzI1NiJ9.{part}.c2lnbmF0dXJl"


SOURCE = """
export const url = process.env.NEXT_PUBLIC_SUPABASE_URL!;
export const anon = process.env["NEXT_PUBLIC_SUPABASE_ANON_KEY"];
const api = process.env.API_BASE_URL || "http://localhost:8000";
const env = process.env.NODE_ENV;
"""


def test_all_set_no_secret(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "src/lib/supabase.ts": SOURCE,
            "node_modules/x/index.js": "process.env.SOMETHING_ELSE",
            ".env.production": f"NEXT_PUBLIC_SUPABASE_URL=https://x.supabase.co\nNEXT_PUBLIC_SUPABASE_ANON_KEY={_jwt('anon')}\n",
        },
    )
    facts = gather_frontend_env(tmp_path, environ={})
    assert set(facts.referenced) == {
        "NEXT_PUBLIC_SUPABASE_URL",
        "NEXT_PUBLIC_SUPABASE_ANON_KEY",
        "API_BASE_URL",
        "NODE_ENV",
    }
    env_set = assess_env_set(facts)
    assert env_set.ok and {f.subject for f in env_set.findings} == {
        "NEXT_PUBLIC_SUPABASE_URL",
        "NEXT_PUBLIC_SUPABASE_ANON_KEY",
    }
    assert assess_no_public_secrets(facts).ok


def test_missing_variable_and_service_role_in_public(tmp_path: Path) -> None:
    secret = _jwt("service_role")
    write_tree(
        tmp_path,
        {
            "app/page.tsx": SOURCE + "const k = process.env.NEXT_PUBLIC_STRIPE_SECRET_KEY;\n",
            ".env": f"NEXT_PUBLIC_SUPABASE_ANON_KEY={secret}\n",
        },
    )
    facts = gather_frontend_env(tmp_path, environ={})
    missing = assess_env_set(facts)
    assert not missing.ok
    assert {f.subject for f in missing.failures} == {
        "NEXT_PUBLIC_SUPABASE_URL",
        "NEXT_PUBLIC_STRIPE_SECRET_KEY",
    }
    leaks = assess_no_public_secrets(facts)
    assert not leaks.ok
    reasons = {f.subject.split()[0]: f.observed for f in leaks.failures}
    assert reasons["NEXT_PUBLIC_SUPABASE_ANON_KEY"] == "value is a Supabase JWT with role service_role"
    assert reasons["NEXT_PUBLIC_STRIPE_SECRET_KEY"] == "name says it is a secret"
    assert secret not in json.dumps([f.__dict__ for f in leaks.findings])  # never the value


def test_known_secret_copied_into_public_variable(tmp_path: Path) -> None:
    write_tree(
        tmp_path, {"a.js": "process.env.NEXT_PUBLIC_X", ".env.local": "NEXT_PUBLIC_X=very-secret-value-1\n"}
    )
    facts = gather_frontend_env(tmp_path, environ={})
    a = assess_no_public_secrets(facts, known_secrets={"very-secret-value-1"})
    assert not a.ok and a.failures[0].observed == "value equals a secret of the environment file"


def test_process_environment_counts_as_set(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.ts": "process.env.DATABASE_HOST"})
    assert assess_env_set(gather_frontend_env(tmp_path, environ={"DATABASE_HOST": "db"})).ok
    assert assess_env_set(gather_frontend_env(tmp_path, environ={}), required=["OTHER"]).failures
