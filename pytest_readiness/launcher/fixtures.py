"""pytest fixtures over the launcher; enable them with ``-p pytest_readiness.launcher.plugin``.

Factories are session-scoped because starting servers costs seconds; a server requested twice with
identical arguments is shared unless ``shared=False`` is passed (do that when the test mutates the
server, e.g. creates roles or flips settings).  Missing binaries raise LauncherError: a readiness
check that silently skips in CI is worse than a red build.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

import pytest

from pytest_readiness.launcher.base import Service
from pytest_readiness.launcher.nginx import DEFAULT_SERVER_BLOCKS, NginxServer
from pytest_readiness.launcher.pgbouncer import PgBouncer
from pytest_readiness.launcher.postgres import PostgresServer
from pytest_readiness.launcher.prometheus import AlertmanagerServer, PrometheusServer
from pytest_readiness.launcher.redis import RedisServer
from pytest_readiness.launcher.sshd import SshServer
from pytest_readiness.launcher.tls import CertFiles, LocalCA

__all__ = [
    "ServiceFactory",
    "alertmanager_factory",
    "local_ca",
    "nginx_server_factory",
    "pgbouncer_factory",
    "postgres_server_factory",
    "prometheus_factory",
    "redis_server_factory",
    "sshd_factory",
]

S = TypeVar("S", bound=Service)


def _key_part(value: object) -> object:
    """Hashable identity of a constructor argument: plain data by value, objects by identity."""
    if isinstance(value, str | int | float | bool | bytes | type(None)):
        return value
    if isinstance(value, dict):
        return tuple(sorted((str(k), _key_part(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_key_part(v) for v in value)
    return ("id", id(value))


class ServiceFactory(Generic[S]):
    """Start ``cls(**kwargs)`` on demand, share identical configs, stop everything at the end."""

    def __init__(self, cls: Callable[..., S]) -> None:
        self._cls = cls
        self._shared: dict[object, S] = {}
        self._all: list[S] = []

    def __call__(self, *args: Any, shared: bool = True, **kwargs: Any) -> S:
        """Return a running server built from ``args``/``kwargs`` (see the service class)."""
        key = (_key_part(args), _key_part(kwargs))
        if shared:
            existing = self._shared.get(key)
            if existing is not None and existing.running:
                return existing
        service = self._cls(*args, **kwargs)
        service.start()
        self._all.append(service)
        if shared:
            self._shared[key] = service
        return service

    def stop_all(self) -> None:
        """Stop every server this factory started (reverse order)."""
        while self._all:
            self._all.pop().stop()
        self._shared.clear()


def _factory(cls: Callable[..., S]) -> Iterator[ServiceFactory[S]]:
    factory = ServiceFactory(cls)
    try:
        yield factory
    finally:
        factory.stop_all()


@pytest.fixture(scope="session")
def local_ca() -> Iterator[LocalCA]:
    """A session-wide CA; hand ``local_ca.ca_pem_path`` to TLS checks as the trust anchor."""
    ca = LocalCA()
    try:
        yield ca
    finally:
        ca.cleanup()


@pytest.fixture(scope="session")
def postgres_server_factory() -> Iterator[ServiceFactory[PostgresServer]]:
    """``postgres_server_factory(settings=..., hba=..., init_sql=..., ssl=..., certs=...)``."""
    yield from _factory(PostgresServer)


@pytest.fixture(scope="session")
def pgbouncer_factory(
    postgres_server_factory: ServiceFactory[PostgresServer],
) -> Iterator[ServiceFactory[PgBouncer]]:
    """``pgbouncer_factory(upstream=None, pool_mode=..., ...)``; no upstream: a shared default one."""

    def build(upstream: PostgresServer | None = None, *args: Any, **kwargs: Any) -> PgBouncer:
        return PgBouncer(upstream or postgres_server_factory(), *args, **kwargs)

    yield from _factory(build)


@pytest.fixture(scope="session")
def redis_server_factory() -> Iterator[ServiceFactory[RedisServer]]:
    """``redis_server_factory(config={...}, password=...)``."""
    yield from _factory(RedisServer)


@pytest.fixture(scope="session")
def nginx_server_factory(local_ca: LocalCA) -> Iterator[ServiceFactory[NginxServer]]:
    """``nginx_server_factory(server_blocks, certs=None, files=None)``; certs default to ``local_ca``."""
    default: list[CertFiles] = []

    def build(
        server_blocks: Any = DEFAULT_SERVER_BLOCKS, certs: CertFiles | None = None, **kwargs: Any
    ) -> NginxServer:
        if certs is None:
            if not default:
                default.append(local_ca.issue())
            certs = default[0]
        return NginxServer(server_blocks, certs=certs, **kwargs)

    yield from _factory(build)


@pytest.fixture(scope="session")
def prometheus_factory() -> Iterator[ServiceFactory[PrometheusServer]]:
    """``prometheus_factory(config_yaml, rule_files={...}, retention="15d")``."""
    yield from _factory(PrometheusServer)


@pytest.fixture(scope="session")
def alertmanager_factory() -> Iterator[ServiceFactory[AlertmanagerServer]]:
    """``alertmanager_factory(config_yaml)``."""
    yield from _factory(AlertmanagerServer)


@pytest.fixture(scope="session")
def sshd_factory() -> Iterator[ServiceFactory[SshServer]]:
    """``sshd_factory(user="postgres", passphrase="")``: OpenSSH on loopback, key login only."""
    yield from _factory(SshServer)
