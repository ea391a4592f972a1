"""Migrations: repository files vs a real PostgreSQL migration table; rollbacks by convention; Job; backup."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.data import migrations as mig
from tests.support.code_cicd_docs import write_tree

SUPABASE_TABLE = """
CREATE SCHEMA supabase_migrations;
CREATE TABLE supabase_migrations.schema_migrations (version text PRIMARY KEY, name text);
INSERT INTO supabase_migrations.schema_migrations VALUES ('20240101120000', 'init'),
    ('20240201120000', 'users');
"""


def _supabase_repo(root: Path, with_third: bool = False) -> mig.RepoMigrations:
    files = {
        "supabase/migrations/20240101120000_init.sql": "create table a(id int);",
        "supabase/migrations/20240201120000_users.sql": "create table users(id int);",
        "supabase/rollback/20240101120000_init.sql": "drop table a;",
    }
    if with_third:
        files["supabase/migrations/20240301120000_orders.sql"] = "create table orders(id int);"
    write_tree(root, files)
    tool, folder = mig.detect(root)  # type: ignore[misc]
    return mig.scan(tool, folder, root / "supabase" / "rollback")


@pytest.fixture(scope="module")
def staging_db(postgres_server_factory):  # type: ignore[no-untyped-def]
    return postgres_server_factory(init_sql=SUPABASE_TABLE)


def test_applied_match_against_real_postgres(tmp_path: Path, staging_db) -> None:  # type: ignore[no-untyped-def]
    repo = _supabase_repo(tmp_path / "same")
    applied = mig.fetch_applied(staging_db.dsn, mig.applied_query("supabase"), 10)
    assert applied == ["20240101120000", "20240201120000"]
    assert mig.assess_applied(repo, applied).ok


def test_unapplied_migration_fails(tmp_path: Path, staging_db) -> None:  # type: ignore[no-untyped-def]
    repo = _supabase_repo(tmp_path / "ahead", with_third=True)
    a = mig.assess_applied(repo, mig.fetch_applied(staging_db.dsn, mig.applied_query("supabase"), 10))
    assert not a.ok
    assert [(f.subject, f.observed) for f in a.failures] == [("20240301120000_orders", "not applied")]


def test_database_only_migration_fails() -> None:
    repo = mig.RepoMigrations("supabase", "m", (mig.Migration("1", "a", "m/1_a.sql", None, None),))
    a = mig.assess_applied(repo, ["1", "2"])
    assert [f.subject for f in a.failures] == ["2 (database only)"]


def test_missing_migration_table_is_an_error(staging_db) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ProbeError, match="does not exist"):
        mig.fetch_applied(staging_db.dsn, mig.ALEMBIC_TABLE_SQL, 10)


def test_query_runs_read_only(staging_db) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ProbeError, match="ReadOnlySqlTransaction"):
        mig.fetch_applied(
            staging_db.dsn, "DELETE FROM supabase_migrations.schema_migrations RETURNING version", 10
        )


def test_unreachable_database_is_an_error() -> None:
    with pytest.raises(ProbeError):
        mig.fetch_applied("postgresql://u:p@127.0.0.1:1/db", mig.SUPABASE_TABLE_SQL, 2)


def test_supabase_rollbacks_need_the_configured_folder(tmp_path: Path) -> None:
    a = mig.assess_rollbacks(_supabase_repo(tmp_path))
    assert [f.subject for f in a.failures] == ["20240201120000_users"]


def test_sql_down_files(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "migrations/001_init.up.sql": "create table a(id int);",
            "migrations/001_init.down.sql": "drop table a;",
            "migrations/002_b.sql": "create table b(id int);",
            "migrations/down/002_b.sql": "drop table b;",
            "migrations/003_c.sql": "create table c(id int);",
        },
    )
    repo = mig.scan(*mig.detect(tmp_path))  # type: ignore[misc]
    assert repo.tool == "sql" and repo.versions == ["001", "002", "003"]
    a = mig.assess_rollbacks(repo)
    assert [f.subject for f in a.failures] == ["003_c"]


ALEMBIC = '''"""add users

Revision ID: {rev}
Create Date: 2024-03-01 10:00:00.000000
"""
revision = "{rev}"
down_revision = None


def upgrade():
    op.create_table("users")


def downgrade():
    {down}
'''


def test_alembic_downgrade_bodies(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "alembic/versions/a1_users.py": ALEMBIC.format(rev="a1", down='op.drop_table("users")'),
            "alembic/versions/b2_noop.py": ALEMBIC.format(rev="b2", down="pass"),
            "alembic/versions/c3_raise.py": ALEMBIC.format(rev="c3", down="raise NotImplementedError"),
        },
    )
    repo = mig.scan(*mig.detect(tmp_path))  # type: ignore[misc]
    assert repo.tool == "alembic" and sorted(repo.versions) == ["a1", "b2", "c3"]
    assert sorted(f.subject for f in mig.assess_rollbacks(repo).failures) == ["b2_noop", "c3_raise"]
    assert mig.assess_applied(repo, ["c3"]).ok
    assert not mig.assess_applied(repo, ["zz"]).ok
    assert repo.latest_created() == datetime(2024, 3, 1, 10, tzinfo=UTC)


def test_migration_job_rule() -> None:
    jobs = [
        ("prod/Job/db-migrate", ["migrate", "ghcr.io/x/api:1", "alembic", "upgrade", "head"]),
        ("prod/CronJob/cleanup", ["cleanup"]),
    ]
    assert mig.assess_migration_job(jobs).ok
    assert not mig.assess_migration_job(jobs[1:]).ok
    assert mig.assess_migration_job(jobs[1:], name="cleanup").ok


def test_backup_after_last_migration() -> None:
    cron = [
        {
            "metadata": {"namespace": "prod", "name": "pg-backup"},
            "status": {"lastSuccessfulTime": "2024-03-02T00:00:00Z"},
        }
    ]
    when, source = mig.latest_backup(cron, [])
    assert source == "prod/CronJob/pg-backup status.lastSuccessfulTime"
    assert mig.assess_backup_after(datetime(2024, 3, 1, tzinfo=UTC), when, source).ok
    assert not mig.assess_backup_after(datetime(2024, 3, 5, tzinfo=UTC), when, source).ok
    never, src = mig.latest_backup([{"metadata": {"name": "backup"}, "status": {}}], [])
    assert never is None and "never succeeded" in src
    assert not mig.assess_backup_after(datetime(2024, 3, 5, tzinfo=UTC), never, src).ok
