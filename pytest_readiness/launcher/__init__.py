"""Local, throw-away servers (PostgreSQL, PgBouncer, Redis, nginx, Prometheus, Alertmanager).

The probes are tested against real servers started as child processes; see :mod:`.base` for the
lifecycle guarantees and :mod:`.fixtures` for the pytest fixtures.
"""

from pytest_readiness.launcher.base import LauncherError, Service, registered_services, stop_all
from pytest_readiness.launcher.nginx import NginxServer
from pytest_readiness.launcher.pgbouncer import PgBouncer
from pytest_readiness.launcher.postgres import PostgresServer
from pytest_readiness.launcher.prometheus import AlertmanagerServer, PrometheusServer
from pytest_readiness.launcher.redis import RedisServer
from pytest_readiness.launcher.stack import ServiceGroup
from pytest_readiness.launcher.tls import CertFiles, LocalCA

__all__ = [
    "AlertmanagerServer",
    "CertFiles",
    "LauncherError",
    "LocalCA",
    "NginxServer",
    "PgBouncer",
    "PostgresServer",
    "PrometheusServer",
    "RedisServer",
    "Service",
    "ServiceGroup",
    "registered_services",
    "stop_all",
]
