"""Database technical metrics against a real PostgreSQL: connection headroom and a real deadlock."""

from __future__ import annotations

import time

import psycopg
import pytest

from pytest_readiness.errors import ProbeError
from pytest_readiness.launcher.base import free_port
from pytest_readiness.probes.data.postgres import ReadOnlyDB
from pytest_readiness.probes.performance import technical_metrics as tech
from tests.support.technical_postgres import INIT, SETTINGS, provoke_deadlock


@pytest.fixture(scope="module")
def pg(postgres_server_factory):
    return postgres_server_factory(settings=SETTINGS, init_sql=INIT, shared=False)




def test_connections_under_threshold(pg):
    db = ReadOnlyDB(pg.dsn, 5)
    try:
        facts = tech.gather_connections(db)
    finally:
        db.close()
    assert facts.max_connections == 10 and 1 <= facts.connections <= 3
    a = tech.assess_db_connections(facts, 80)
    assert a.ok and a.findings[0].observed["max_connections"] == 10


def test_connections_over_threshold(pg):
    held = [psycopg.connect(pg.dsn) for _ in range(8)]
    try:
        db = ReadOnlyDB(pg.dsn, 5)
        facts = tech.gather_connections(db)
        db.close()
    finally:
        for conn in held:
            conn.close()
    a = tech.assess_db_connections(facts, 80)
    assert not a.ok and a.findings[0].observed["percent"] >= 80


def test_real_deadlock_in_window_fails(pg):
    db = ReadOnlyDB(pg.dsn, 5)
    try:
        quiet = tech.sample_deadlocks(db, 0.2)
        assert tech.assess_deadlocks(quiet).ok

        def window(seconds: float) -> None:
            assert provoke_deadlock(pg.dsn), "PostgreSQL did not detect the deadlock"
            time.sleep(seconds)

        samples = tech.sample_deadlocks(db, 0.2, sleep=window)
    finally:
        db.close()
    a = tech.assess_deadlocks(samples)
    assert not a.ok and a.findings[0].observed["new_deadlocks"] == 1
    # the historic deadlock alone does not fail a later window (the counter is since stats reset)
    db = ReadOnlyDB(pg.dsn, 5)
    try:
        later = tech.assess_deadlocks(tech.sample_deadlocks(db, 0.1))
    finally:
        db.close()
    assert later.ok and later.findings[0].observed["total_since_stats_reset"] >= 1


def test_read_only_and_unreachable(pg):
    db = ReadOnlyDB(pg.dsn, 5)
    try:
        with pytest.raises(ProbeError, match="read-only transaction"):
            db.query("UPDATE accounts SET balance = 0")
    finally:
        db.close()
    with pytest.raises(ProbeError, match="cannot connect"):
        ReadOnlyDB(f"postgresql://x:y@127.0.0.1:{free_port()}/postgres", 2)
