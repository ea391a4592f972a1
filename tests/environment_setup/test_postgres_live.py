"""PostgreSQL probes against real servers, both ways, and the failure modes (no hang, no false green)."""

from __future__ import annotations

import time

import pytest

from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.data import postgres as pg
from tests.support.environment_setup import EXPECTED_TABLES, good_dsn

SCHEMAS = ["public"]


@pytest.fixture(scope="module")
def good_db(pg_good):
    db = pg.ReadOnlyDB(good_dsn(pg_good), 5)
    yield db
    db.close()


@pytest.fixture(scope="module")
def bad_db(pg_bad):
    db = pg.ReadOnlyDB(pg_bad.dsn, 5)
    yield db
    db.close()


def by_subject(a):
    return {f.subject: f for f in a.findings}


def test_connection_is_read_only(good_db):
    with pytest.raises(ProbeError, match="read-only transaction"):
        good_db.query("CREATE TABLE public.x (id int)")
    assert good_db.setting("default_transaction_read_only") == "on"
    assert good_db.query("SELECT %s::int AS n", (1,)) == [{"n": 1}]  # the session survives the error


def test_setting_unknown_is_none_and_settings_cached(good_db):
    before = good_db.statements
    assert good_db.setting("pgaudit.log") is None
    assert good_db.setting("fsync") == "on"
    assert good_db.statements - before <= 1


def test_production_good(good_db):
    a = pg.assess_production(pg.gather_server(good_db))
    assert a.ok, a.message()
    f = by_subject(a)
    assert f["postgres 127.0.0.1 connection TLS"].observed.startswith("TLS")


def test_production_bad(bad_db):
    a = pg.assess_production(pg.gather_server(bad_db))
    failed = {f.subject for f in a.failures}
    assert failed == {"postgres 127.0.0.1 connection TLS", "postgres durability settings"}
    assert by_subject(a)["postgres durability settings"].observed["fsync"] == "off"


def test_backups_good(good_db):
    facts = pg.gather_archiver(good_db)
    assert facts.archive_command and "cp %p" in facts.archive_command  # pg_monitor sees it
    a = pg.assess_backups(facts, 26)
    assert a.ok, a.message()


def test_backups_bad(bad_db):
    a = pg.assess_backups(pg.gather_archiver(bad_db), 26)
    failed = {f.subject for f in a.failures}
    assert "postgres archive_mode" in failed and "pg_stat_archiver last success" in failed
    assert by_subject(a)["postgres archive_mode"].observed == "off"


def test_backups_failing_archiver(postgres_server_factory):
    server = postgres_server_factory(
        settings={"archive_mode": "on", "archive_command": "exit 1"}, shared=False
    )
    server.execute("CREATE TABLE t (id int); INSERT INTO t VALUES (1)")
    server.execute("SELECT pg_switch_wal()")
    deadline = time.monotonic() + 20
    while (
        time.monotonic() < deadline and not server.execute("SELECT failed_count FROM pg_stat_archiver")[0][0]
    ):
        time.sleep(0.2)
    db = pg.ReadOnlyDB(server.dsn, 5)
    try:
        a = pg.assess_backups(pg.gather_archiver(db), 26)
    finally:
        db.close()
    failed = {f.subject for f in a.failures}
    assert {"pg_stat_archiver failures", "pg_stat_archiver last success"} <= failed
    server.stop()


def test_replicas_good(pg_good, pg_standby, good_db):
    a = pg.assess_replicas(pg.gather_replicas(good_db), 1, 30)
    assert a.ok, a.message()
    assert by_subject(a)["pg_stat_replication streaming standbys"].observed == 1


def test_replicas_bad(bad_db):
    a = pg.assess_replicas(pg.gather_replicas(bad_db), 1, 30)
    assert not a.ok
    assert a.failures[0].observed == 0


def test_monitoring_both_ways(good_db, bad_db):
    good = pg.assess_monitoring(pg.gather_extensions(good_db), good_db.setting("shared_preload_libraries"))
    assert good.ok, good.message()
    bad = pg.assess_monitoring(pg.gather_extensions(bad_db), bad_db.setting("shared_preload_libraries"))
    assert len(bad.failures) == 2


def test_schema_both_ways(good_db, bad_db):
    assert pg.assess_schema(pg.gather_relations(good_db), EXPECTED_TABLES).ok
    a = pg.assess_schema(pg.gather_relations(bad_db), [*EXPECTED_TABLES, "strategies"])
    assert [(f.subject, f.observed) for f in a.failures] == [("public.strategies", "missing")]


def test_rls_good(good_db):
    rel = pg.gather_relations(good_db)
    for a in (
        pg.assess_rls_enabled(rel, SCHEMAS),
        pg.assess_rls_policies(rel, SCHEMAS),
        pg.assess_policy_always_true(pg.gather_policies(good_db, SCHEMAS), rel, SCHEMAS),
    ):
        assert a.ok, a.message()
    enabled = by_subject(pg.assess_rls_enabled(rel, SCHEMAS))
    assert enabled["public.accounts"].observed == {"rls": True, "force": True}
    assert "internal.jobs" not in enabled  # not an exposed schema


def test_rls_bad(bad_db):
    rel = pg.gather_relations(bad_db)
    assert [f.subject for f in pg.assess_rls_enabled(rel, SCHEMAS).failures] == ["public.accounts"]
    pol = pg.assess_rls_policies(rel, SCHEMAS)
    assert {f.subject: f.note for f in pol.failures} == {
        "public.accounts policies": "policies exist but RLS is off: they are ignored",
        "public.notes policies": "RLS on but no policy: every row is hidden",
    }
    true = pg.assess_policy_always_true(pg.gather_policies(bad_db, SCHEMAS), rel, SCHEMAS)
    assert [f.subject for f in true.failures] == ["public.value_models policy value_models_any"]


def test_rls_bypass_both_ways(good_db, bad_db):
    good = pg.assess_rls_bypass(pg.gather_roles(good_db, ["app", "anon"]), ["app", "anon"], required=True)
    assert good.ok, good.message()
    bad = pg.assess_rls_bypass(pg.gather_roles(bad_db, ["app", "ghost"]), ["app", "ghost"], required=True)
    assert {f.subject: f.observed for f in bad.failures} == {
        "role app": {"superuser": False, "bypassrls": True},
        "role ghost": "missing",
    }


def test_rls_bypass_unknown_roles_is_error(bad_db):
    with pytest.raises(ProbeError, match="app_roles"):
        pg.assess_rls_bypass(pg.gather_roles(bad_db, ["nobody"]), ["nobody"], required=False)


# ------------------------------------------------------------------------------ failure modes


def test_wrong_password_is_error(pg_bad):
    started = time.monotonic()
    with pytest.raises(ProbeError) as exc:
        pg.ReadOnlyDB(pg_bad.dsn_for("postgres", "wrong-password-123"), 3)
    assert "password authentication failed" in str(exc.value)
    assert "wrong-password-123" not in str(exc.value)
    assert time.monotonic() - started < 10


def test_closed_port_is_error():
    from tests.support.environment_setup import closed_port

    with pytest.raises(ProbeError, match="cannot connect"):
        pg.ReadOnlyDB(f"postgresql://u:pw-not-shown@127.0.0.1:{closed_port()}/db", 3)


def test_silent_server_is_error_within_timeout(silent_server):
    started = time.monotonic()
    with pytest.raises(ProbeError, match="cannot connect") as exc:
        pg.ReadOnlyDB(f"postgresql://u:pw-not-shown@127.0.0.1:{silent_server.port}/db?sslmode=disable", 2)
    assert time.monotonic() - started < 8  # generous "did not hang" bound
    assert "pw-not-shown" not in str(exc.value)


def test_round_trips_of_a_suite_run(pg_good):
    """Every PostgreSQL fact the suite needs costs 8 statements on one connection (README figure)."""
    db = pg.ReadOnlyDB(good_dsn(pg_good), 5)
    try:
        pg.gather_server(db)
        pg.gather_archiver(db)
        pg.gather_replicas(db)
        pg.gather_extensions(db)
        db.setting("shared_preload_libraries")
        rel = pg.gather_relations(db)
        pg.gather_policies(db, SCHEMAS)
        pg.gather_roles(db, ["app"])
        assert rel and db.statements == 8
    finally:
        db.close()
