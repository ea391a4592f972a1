"""TEST-LOAD-DB-POOL without exporter history: PgBouncer's own SHOW POOLS, against a real PgBouncer."""

from __future__ import annotations

import threading
import time

import psycopg

from pytest_readiness.probes.data import pgbouncer


def test_no_waiting_on_idle_pool(pgbouncer_factory, postgres_server_factory) -> None:
    bouncer = pgbouncer_factory(postgres_server_factory(), pool_mode="transaction", shared=False)
    facts = pgbouncer.gather_pooler(bouncer.admin_dsn, timeout=5)
    assessment = pgbouncer.assess_no_waiting(facts)
    assert assessment.ok
    assert all(f.observed == 0 and f.expected == 0 for f in assessment.findings)


def test_client_waiting_for_a_server_connection_fails(pgbouncer_factory, postgres_server_factory) -> None:
    bouncer = pgbouncer_factory(
        postgres_server_factory(), pool_mode="transaction", default_pool_size=1, shared=False
    )
    holder = psycopg.connect(bouncer.dsn, autocommit=True)
    holder.execute("BEGIN")
    holder.execute("SELECT 1")  # the only server connection is now held by an open transaction
    waiter_done = threading.Event()

    def wait_for_a_server() -> None:
        with psycopg.connect(bouncer.dsn, autocommit=True, connect_timeout=10) as conn:
            conn.execute("SELECT 1")
        waiter_done.set()

    thread = threading.Thread(target=wait_for_a_server, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        assessment = pgbouncer.assess_no_waiting(pgbouncer.gather_pooler(bouncer.admin_dsn, timeout=5))
        while assessment.ok and time.monotonic() < deadline:
            time.sleep(0.1)
            assessment = pgbouncer.assess_no_waiting(pgbouncer.gather_pooler(bouncer.admin_dsn, timeout=5))
        assert not assessment.ok
        bad = assessment.failures[0]
        assert bad.observed >= 1 and bad.expected == 0
    finally:
        holder.execute("COMMIT")
        holder.close()
        thread.join(timeout=10)
    assert waiter_done.is_set()
