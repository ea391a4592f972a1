"""The launcher's fixtures as an opt-in pytest plugin, enabled like pytester.

``pytest -p pytest_readiness.launcher.plugin`` (or ``addopts`` in the project's ini) gives tests the
session factories of :mod:`.fixtures` for real local services.  It needs the ``testing`` extra
(``pip install pytest-readiness[testing]``, which carries trustme for the local CA); a readiness run
against a live environment never loads it.
"""

from __future__ import annotations

from pytest_readiness.launcher.fixtures import (
    alertmanager_factory,
    local_ca,
    nginx_server_factory,
    pgbouncer_factory,
    postgres_server_factory,
    prometheus_factory,
    redis_server_factory,
    sshd_factory,
)

__all__ = [
    "alertmanager_factory",
    "local_ca",
    "nginx_server_factory",
    "pgbouncer_factory",
    "postgres_server_factory",
    "prometheus_factory",
    "redis_server_factory",
    "sshd_factory",
]
