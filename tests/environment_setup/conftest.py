"""Fixtures of the environment_setup tests (helpers live in ``tests.support.environment_setup``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pytest_readiness.launcher.postgres import PostgresServer
from tests.support.environment_setup import (
    BAD_SQL,
    GOOD_HBA,
    GOOD_REDIS,
    GOOD_SQL,
    REDIS_PASSWORD,
    AuthSettings,
    SilentServer,
    StandbyServer,
    wait_for,
)


@pytest.fixture(scope="session")
def pg_good(postgres_server_factory: Any) -> PostgresServer:
    server = postgres_server_factory(
        settings={
            "fsync": "on",
            "archive_mode": "on",
            "archive_command": "mkdir -p ../wal_archive && cp %p ../wal_archive/%f",
            "shared_preload_libraries": "pg_stat_statements",
            "wal_level": "replica",
        },
        hba=GOOD_HBA.replace("host ", "hostssl ").replace("hostssl    replication", "host    replication"),
        init_sql=GOOD_SQL,
        ssl=True,
    )
    server.execute("SELECT pg_switch_wal()")
    wait_for(
        lambda: server.execute("SELECT archived_count FROM pg_stat_archiver")[0][0] > 0, what="archiving"
    )
    return server


@pytest.fixture(scope="session")
def pg_standby(pg_good: PostgresServer) -> Iterator[StandbyServer]:
    standby = StandbyServer(pg_good).start()
    try:
        wait_for(
            lambda: bool(pg_good.execute("SELECT 1 FROM pg_stat_replication WHERE state = 'streaming'")),
            what="streaming standby",
        )
        yield standby
    finally:
        standby.stop()


@pytest.fixture(scope="session")
def pg_bad(postgres_server_factory: Any) -> PostgresServer:
    return postgres_server_factory(settings={"archive_mode": "off"}, init_sql=BAD_SQL)


@pytest.fixture(scope="session")
def pgbouncer_good(pgbouncer_factory: Any, pg_bad: PostgresServer) -> Any:
    return pgbouncer_factory(pg_bad, pool_mode="transaction", max_client_conn=500)


@pytest.fixture(scope="session")
def pgbouncer_bad(pgbouncer_factory: Any, pg_bad: PostgresServer) -> Any:
    return pgbouncer_factory(pg_bad, pool_mode="session", max_client_conn=20, default_pool_size=1,
                             extra={"reserve_pool_size": "0"})  # fmt: skip


@pytest.fixture(scope="session")
def redis_good(redis_server_factory: Any) -> Any:
    return redis_server_factory(config=GOOD_REDIS, password=REDIS_PASSWORD)


@pytest.fixture(scope="session")
def redis_bad(redis_server_factory: Any) -> Any:
    return redis_server_factory(config={"maxmemory-policy": "volatile-lru"})


@pytest.fixture(scope="session")
def redis_managed(redis_server_factory: Any) -> Any:
    """ElastiCache-like: CONFIG renamed away, persistence on."""
    return redis_server_factory(config={**GOOD_REDIS, "rename-command": 'CONFIG ""'})


@pytest.fixture(scope="session")
def silent_server() -> Iterator[SilentServer]:
    s = SilentServer()
    try:
        yield s
    finally:
        s.close()


@pytest.fixture(scope="module")
def auth_servers() -> Iterator[tuple[AuthSettings, AuthSettings]]:
    good = AuthSettings({"external": {"email": True, "google": True, "github": False},
                         "disable_signup": False, "mailer_autoconfirm": False})  # fmt: skip
    bad = AuthSettings({"external": {"email": True, "google": False}, "mailer_autoconfirm": True})
    yield good, bad
    for s in (good, bad):
        s.stop()
