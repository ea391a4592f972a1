"""Hosts and containers (``[hosts]``, pytest-testinfra): the checklist verified where the services run.

One test per host (ids ``group:host``); one connection per host and worker.  Item mapping: the env
file on the hosts (ENV-SECRETS-ENV-FILE), services running (CODE-BACKEND-SERVICES-START, also the
app not running as root), databases/caches not listening publicly (SEC-INFRA-NETWORK-POLICIES),
Redis kernel settings and redis.conf vs live (ENV-REDIS-PERSISTENCE/-EVICTION), PostgreSQL disk
(ENV-POSTGRES-PRODUCTION) and WAL archive (ENV-POSTGRES-BACKUPS), clock sync and certificate files
(SEC-INFRA-TLS), dev packages in the image (CODE-BACKEND-NO-DEV-DEPS), log rotation
(MON-LOGGING-RETENTION).
"""

from __future__ import annotations

import pytest

from pytest_readiness.fixtures.hosts import setting
from pytest_readiness.lazy import probes

env_file, kernel, listeners, logrotate, packages, postgres_disk = probes(
    "hosts.env_file", "hosts.kernel", "hosts.listeners", "hosts.logrotate", "hosts.packages",
    "hosts.postgres_disk",
)
process_user, redis_config, services, time_sync, tls_files = probes(
    "hosts.process_user", "hosts.redis_config", "hosts.services", "hosts.time_sync", "hosts.tls_files"
)


@pytest.mark.checklist("ENV-SECRETS-ENV-FILE")
def test_host_env_file(env_file_host, evidence):
    facts = env_file.gather_env_file(env_file_host, env_file_host.target.get("env_file"))
    evidence.check(env_file.assess_env_file(facts, env_file_host.target.get("service_user")))


@pytest.mark.checklist("CODE-BACKEND-SERVICES-START")
def test_host_services_running(service_host, evidence):
    names = service_host.target.get("services") or list(services.ROLE_SERVICES[service_host.target.role])
    evidence.check(services.assess_services(services.gather_services(service_host, names)))


@pytest.mark.checklist("CODE-BACKEND-SERVICES-START")
def test_app_process_not_root(app_host, readiness_env, evidence):
    comm = setting(app_host, "process", readiness_env)
    evidence.check(process_user.assess_process_users(process_user.gather_process_users(app_host, comm)))


@pytest.mark.checklist("SEC-INFRA-NETWORK-POLICIES")
def test_db_not_listening_publicly(db_host, evidence):
    ports = [int(p) for p in db_host.target.get("ports") or listeners.ROLE_PORTS.get(db_host.target.role, ())]
    facts = listeners.gather_listeners(db_host, ports)
    evidence.check(listeners.assess_listeners(facts, db_host.target.get("public_listeners")))


@pytest.mark.checklist("ENV-REDIS-PERSISTENCE")
def test_redis_host_kernel(redis_host, evidence):
    evidence.check(kernel.assess_kernel(kernel.gather_kernel(redis_host)))


@pytest.mark.checklist("ENV-REDIS-PERSISTENCE", "ENV-REDIS-EVICTION")
def test_redis_conf_matches_live(redis_host, readiness_env, evidence):
    from pytest_readiness.probes.data import redis as rd

    path = setting(redis_host, "redis_conf", readiness_env)
    url = (
        redis_host.target.get("redis_url")
        or readiness_env.get("redis", "url")
        or setting(redis_host, "redis_url")
    )
    live = rd.gather_redis(url, readiness_env.timeout).config
    facts = redis_config.gather_redis_conf(redis_host, path)
    evidence.check(redis_config.assess_redis_conf(facts, live, redis_host.subject(path)))


@pytest.mark.checklist("ENV-POSTGRES-PRODUCTION")
def test_postgres_free_space(postgres_host, readiness_env, evidence):
    facts = postgres_disk.gather_disk(
        postgres_host, setting(postgres_host, "data_directory", readiness_env), None
    )
    minimum = postgres_host.target.get("min_free_percent")
    evidence.check(postgres_disk.assess_free_space(facts, minimum))


@pytest.mark.checklist("ENV-POSTGRES-BACKUPS")
def test_postgres_wal_archive_dir(postgres_host, readiness_env, evidence):
    archive = setting(postgres_host, "wal_archive_dir", readiness_env)
    facts = postgres_disk.gather_disk(
        postgres_host, setting(postgres_host, "data_directory", readiness_env), archive
    )
    evidence.check(postgres_disk.assess_wal_archive(facts))


@pytest.mark.checklist("SEC-INFRA-TLS")
def test_host_clock_synchronised(clock_host, evidence):
    evidence.check(
        time_sync.assess_time(time_sync.gather_time(clock_host, clock_host.target.get("time_daemons")))
    )


@pytest.mark.checklist("SEC-INFRA-TLS")
def test_host_certificate_files(tls_host, readiness_env, evidence):
    files = tls_files.gather_cert_files(tls_host, tls_host.target.get("tls_certs"))
    endpoint = tls_host.target.get("tls_endpoint")
    served = tls_files.served_fingerprint(endpoint, readiness_env.timeout) if endpoint else None
    min_days = readiness_env.get("tls", "min_days")
    evidence.check(
        tls_files.assess_cert_files(files, float(min_days), endpoint, served, tls_host.target.label)
    )


@pytest.mark.checklist("CODE-BACKEND-NO-DEV-DEPS")
def test_image_has_no_dev_packages(app_host, hosts_production_packages, readiness_env, evidence):
    production, extra_dev = hosts_production_packages
    production = app_host.target.get("production_packages") or production
    facts = packages.gather_installed(app_host, setting(app_host, "pip", readiness_env))
    evidence.check(packages.assess_no_dev_packages(facts, production, extra_dev))


@pytest.mark.checklist("MON-LOGGING-RETENTION")
def test_service_logs_rotated(logrotate_host, evidence):
    conf_dir = logrotate_host.target.get("logrotate_dir")
    facts = logrotate.gather_logrotate(logrotate_host, conf_dir)
    evidence.check(logrotate.assess_logrotate(facts, logrotate_host.target.get("log_files")))
