"""Fixtures of the monitoring tests (helpers live in ``tests.support.monitoring``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.support.monitoring import (
    BAD_AM,
    BAD_CONFIG,
    BAD_RULES,
    FAST_CONFIG,
    GOOD_AM,
    GOOD_RULES,
    PROM_REALWORLD,
    LocalDNS,
    RecordedHTTP,
    Route,
    simple_yml_for_debian,
)


@pytest.fixture
def recorded_http() -> Iterator[Callable[[dict[str, Route]], RecordedHTTP]]:
    servers: list[RecordedHTTP] = []

    def start(routes: dict[str, Route]) -> RecordedHTTP:
        servers.append(RecordedHTTP(routes))
        return servers[-1]

    yield start
    for s in servers:
        s.close()


@pytest.fixture(scope="session")
def prom_good(prometheus_factory: Any) -> Any:
    return prometheus_factory(FAST_CONFIG, rule_files={"good.yml": GOOD_RULES}, retention="30d")


@pytest.fixture(scope="session")
def prom_bad(prometheus_factory: Any) -> Any:
    return prometheus_factory(BAD_CONFIG, rule_files={"bad.yml": BAD_RULES}, retention="2d")


@pytest.fixture(scope="session")
def prom_realworld(prometheus_factory: Any) -> Any:
    rules = (PROM_REALWORLD / "awesome-prometheus-alerts-postgresql-postgres-exporter.yml").read_text()
    return prometheus_factory(FAST_CONFIG, rule_files={"postgres.yml": rules}, retention="15d")


@pytest.fixture(scope="session")
def am_good(alertmanager_factory: Any) -> Any:
    return alertmanager_factory(GOOD_AM)


@pytest.fixture(scope="session")
def am_bad(alertmanager_factory: Any) -> Any:
    return alertmanager_factory(BAD_AM)


@pytest.fixture(scope="session")
def am_simple(alertmanager_factory: Any) -> Any:
    return alertmanager_factory(simple_yml_for_debian())


@pytest.fixture
def local_dns() -> Iterator[Callable[[dict[str, tuple[str, int]]], LocalDNS]]:
    servers: list[LocalDNS] = []

    def start(records: dict[str, tuple[str, int]]) -> LocalDNS:
        servers.append(LocalDNS(records))
        return servers[-1]

    yield start
    for s in servers:
        s.close()
