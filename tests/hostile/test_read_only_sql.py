"""Read-only by construction: a configured SQL string cannot leave the read-only transaction.

The attack of the audit: ``migrations_query = "COMMIT; BEGIN READ WRITE; INSERT ...; COMMIT; SELECT ..."``
committed a write with the simple query protocol.  Against a real PostgreSQL (superuser DSN, the
worst case), the probes' extended protocol makes the server refuse it and nothing is committed;
configuration validation refuses it earlier, offline, with exit 4.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pytest_readiness.environment import load
from pytest_readiness.errors import ConfigError, ProbeError
from pytest_readiness.probes.data import migrations
from pytest_readiness.probes.data.postgres import ReadOnlyDB
from pytest_readiness.sql_text import statement_count

REPO = Path(__file__).resolve().parents[2]
ATTACK = (
    "COMMIT; BEGIN READ WRITE; INSERT INTO public.stolen VALUES ('written'); COMMIT; "
    "SELECT version FROM public.schema_migrations"
)


@pytest.fixture(scope="module")
def pg(postgres_server_factory: Any) -> Any:
    return postgres_server_factory(
        init_sql="CREATE TABLE public.stolen (v text);"
        "CREATE TABLE public.schema_migrations (version text);"
        "INSERT INTO public.schema_migrations VALUES ('20240101');"
    )


def _stolen(pg: Any) -> int:
    return int(pg.execute("SELECT count(*) FROM public.stolen")[0][0])


def test_server_refuses_a_second_statement_and_nothing_is_committed(pg: Any) -> None:
    with pytest.raises(ProbeError, match="cannot insert multiple commands into a prepared statement"):
        migrations.fetch_applied(pg.dsn, ATTACK, 5)
    db = ReadOnlyDB(pg.dsn, 5)
    with pytest.raises(ProbeError, match="cannot insert multiple commands"):
        db.query(ATTACK)
    assert _stolen(pg) == 0
    # one statement still works, read-only
    assert migrations.fetch_applied(pg.dsn, "SELECT version FROM public.schema_migrations", 5) == ["20240101"]
    assert db.query("SELECT current_setting('transaction_read_only') AS ro") == [{"ro": "on"}]
    with pytest.raises(ProbeError, match="read-only transaction"):
        db.query("INSERT INTO public.stolen VALUES ('x')")
    assert _stolen(pg) == 0


@pytest.mark.parametrize(
    ("sql", "count"),
    [
        ("SELECT 1", 1),
        ("SELECT 1;  -- trailing", 1),
        ("SELECT ';' AS semi, \"a;b\" FROM t /* ; */", 1),
        ("SELECT 'it''s; fine', $q$a;b$q$", 1),
        (ATTACK, 5),
        ("SELECT 1; SELECT 2", 2),
        ("  ;  ", 0),
    ],
)
def test_statement_count(sql: str, count: int) -> None:
    assert statement_count(sql) == count


def test_multi_statement_query_is_a_configuration_error(tmp_path: Path) -> None:
    env = tmp_path / "env.toml"
    env.write_text(f'[postgres]\ndsn = "postgresql://x@127.0.0.1:1/db"\nmigrations_query = {ATTACK!r}\n')
    with pytest.raises(ConfigError, match=r"postgres\.migrations_query: must hold one SQL statement, not"):
        load(str(env), tmp_path, tmp_path, environ={})
    env.write_text('[postgres]\nmigrations_query = "SELECT version FROM schema_migrations;"\n')
    assert load(str(env), tmp_path, tmp_path, environ={}).get("postgres", "migrations_query")
    # end to end: exit 4 before any probe, no report
    env.write_text(f'[postgres]\ndsn = "postgresql://x@127.0.0.1:1/db"\nmigrations_query = {ATTACK!r}\n')
    out = tmp_path / "out"
    argv = ["suites/test_cicd.py", "-n", "0", "-p", "no:cacheprovider", f"--readiness-dir={out}", "-q"]
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", f"--env={env}", *argv],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 4, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "migrations_query: must hold one SQL statement, not several" in proc.stderr
    assert not (out / "readiness.json").exists()
