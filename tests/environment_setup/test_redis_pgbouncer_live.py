"""Redis and PgBouncer probes against real servers, both ways, and their failure modes."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.data import pgbouncer
from pytest_readiness.probes.data import redis as rd
from tests.support.environment_setup import REDIS_PASSWORD, closed_port

# ---------------------------------------------------------------------------------------- Redis


def test_redis_good(redis_good):
    facts = rd.gather_redis(redis_good.url, 5)
    assert facts.config is not None and facts.statements == 6
    for a in (
        rd.assess_provisioned(facts, "master", cluster=False, min_version="6.2"),
        rd.assess_persistence(facts),
        rd.assess_maxmemory(facts),
        rd.assess_eviction(facts, "allkeys-lru"),
        rd.assess_monitoring(facts),
    ):
        assert a.ok, a.message()
    assert {f.subject: f.observed for f in rd.assess_persistence(facts).findings}[
        "redis save"
    ] == "900 1 300 10"


def test_redis_bad(redis_bad):
    facts = rd.gather_redis(redis_bad.url, 5)
    persistence = {f.subject for f in rd.assess_persistence(facts).failures}
    assert persistence == {"redis appendonly", "redis save"}  # appendfsync defaults to everysec
    assert rd.assess_maxmemory(facts).failures[0].observed == 0
    ev = rd.assess_eviction(facts, "allkeys-lru")
    assert (ev.ok, ev.findings[0].observed) == (False, "volatile-lru")
    prov = rd.assess_provisioned(facts, "master", cluster=True, min_version="99")
    assert {f.subject for f in prov.failures} == {"redis version", "redis cluster mode"}


def test_redis_config_disabled_falls_back_to_info(redis_managed):
    facts = rd.gather_redis(redis_managed.url, 5)
    assert facts.config is None and "unknown command" in (facts.config_error or "").lower()
    # INFO shows maxmemory and the policy: decided
    assert rd.assess_maxmemory(facts).ok
    assert rd.assess_eviction(facts, "allkeys-lru").findings[0].note == "from INFO"
    # appendfsync and the save schedule are not in INFO: error, never pass
    with pytest.raises(ProbeError, match="cannot verify appendfsync, save: CONFIG GET refused"):
        rd.assess_persistence(facts)


def test_redis_config_disabled_but_aof_off_is_fail(redis_server_factory):
    server = redis_server_factory(config={"rename-command": 'CONFIG ""', "appendonly": "no"})
    a = rd.assess_persistence(rd.gather_redis(server.url, 5))
    assert not a.ok and a.failures[0].subject == "redis appendonly"


def test_redis_wrong_password_is_error(redis_good):
    url = redis_good.url.replace(REDIS_PASSWORD, "Wrong-pw-000")
    with pytest.raises(ProbeError, match="authentication failed") as exc:
        rd.gather_redis(url, 3)
    assert "Wrong-pw-000" not in str(exc.value)


def test_redis_closed_port_is_error():
    with pytest.raises(ProbeError, match="cannot connect"):
        rd.gather_redis(f"redis://127.0.0.1:{closed_port()}/0", 3)


def test_redis_silent_server_is_error_within_timeout(silent_server):
    started = time.monotonic()
    with pytest.raises(ProbeError, match="no answer within 2 s"):
        rd.gather_redis(f"redis://127.0.0.1:{silent_server.port}/0", 2)
    assert time.monotonic() - started < 8


# ------------------------------------------------------------------------------------ PgBouncer


def test_pgbouncer_good(pgbouncer_good):
    facts = pgbouncer.gather_pooler(pgbouncer_good.admin_dsn, 5)
    assert facts.config["pool_mode"] == "transaction" and facts.version.startswith("PgBouncer")
    a = pgbouncer.assess_pooling(facts, "transaction", 200, 1.0)
    assert a.ok, a.message()


def test_pgbouncer_bad_mode_and_lasting_waiters(pgbouncer_bad):
    holder = psycopg.connect(pgbouncer_bad.dsn, connect_timeout=5)
    holder.execute("SELECT 1")  # session mode, pool size 1: this client holds the only server connection
    waiter_done = threading.Event()

    def wait_for_server() -> None:
        try:
            with psycopg.connect(pgbouncer_bad.dsn, connect_timeout=10) as c:
                c.execute("SELECT 1")
        except psycopg.Error:
            pass
        waiter_done.set()

    t = threading.Thread(target=wait_for_server, daemon=True)
    t.start()
    try:
        deadline = time.monotonic() + 10
        facts = pgbouncer.gather_pooler(pgbouncer_bad.admin_dsn, 5)
        while time.monotonic() < deadline:
            pools = [p for p in facts.pools if p["database"] == "postgres"]
            if pools and int(pools[0]["cl_waiting"]) and int(pools[0]["maxwait"]) >= 1:
                break
            time.sleep(0.3)
            facts = pgbouncer.gather_pooler(pgbouncer_bad.admin_dsn, 5)
        a = pgbouncer.assess_pooling(facts, "transaction", 200, 1.0)
        failed = {f.subject: f.observed for f in a.failures}
        assert failed["pgbouncer pool_mode"] == "session"
        assert failed["pgbouncer max_client_conn"] == 20
        waiting = failed["pgbouncer pool postgres/postgres"]
        assert waiting["cl_waiting"] >= 1 and waiting["maxwait_s"] >= 1
    finally:
        holder.close()
        t.join(15)
    assert waiter_done.is_set()


def test_pgbouncer_wrong_password_is_error(pgbouncer_good):
    dsn = pgbouncer_good.admin_dsn.replace(pgbouncer_good.admin_password, "Wrong-pw-111")
    with pytest.raises(ProbeError, match="admin console") as exc:
        pgbouncer.gather_pooler(dsn, 3)
    assert "Wrong-pw-111" not in str(exc.value)


def test_pgbouncer_silent_server_is_error(silent_server):
    started = time.monotonic()
    with pytest.raises(ProbeError, match="cannot connect"):
        pgbouncer.gather_pooler(
            f"postgresql://a:b@127.0.0.1:{silent_server.port}/pgbouncer?sslmode=disable", 2
        )
    assert time.monotonic() - started < 8
