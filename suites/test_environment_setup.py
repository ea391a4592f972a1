"""Environment Setup: Supabase/PostgreSQL, PgBouncer, Redis, environment variables and secrets.

Round trips per run (one connection per target): PostgreSQL 8 statements (settings, server,
archiver, replication, extensions, relations, policies, roles; each in its own read-only
transaction, so 24 protocol round trips with BEGIN/ROLLBACK), PgBouncer 3 admin commands, Redis 2
round trips (INFO, then 5 pipelined CONFIG GETs), Supabase 1 GET.
Manual: ENV-SECRETS-VAULT (where secrets are stored is not observable from here).
"""

from __future__ import annotations

import pytest

from pytest_readiness.lazy import probes

pgbouncer, secrets, supabase, pg, rd = probes(
    "data.pgbouncer", "repo.secrets", "data.supabase", "data.postgres", "data.redis"
)

# -- Supabase ---------------------------------------------------------------------------------------


@pytest.mark.checklist("ENV-SUPABASE-SCHEMA", "DEPLOY-MIGRATION-VERIFY-SCHEMA")
def test_schema_applied(postgres_relations, postgres_expected_tables, evidence):
    evidence.check(pg.assess_schema(postgres_relations, postgres_expected_tables))


@pytest.mark.checklist("ENV-SUPABASE-RLS")
def test_rls_enabled_with_policies(postgres_relations, postgres_policies, postgres_schemas, evidence):
    evidence.require(
        pg.assess_rls_enabled(postgres_relations, postgres_schemas),
        pg.assess_rls_policies(postgres_relations, postgres_schemas),
        pg.assess_policy_always_true(postgres_policies, postgres_relations, postgres_schemas),
    )


@pytest.mark.checklist("ENV-SUPABASE-RLS")
def test_app_roles_do_not_bypass_rls(postgres_app_roles, evidence):
    roles, found, required = postgres_app_roles
    evidence.check(pg.assess_rls_bypass(found, roles, required=required))


@pytest.mark.checklist("ENV-SUPABASE-AUTH-PROVIDERS")
def test_auth_providers(supabase_auth_settings, readiness_env, evidence):
    providers = readiness_env.get("supabase", "providers") or []
    evidence.check(supabase.assess_auth_providers(supabase_auth_settings, providers))


@pytest.mark.checklist("ENV-SUPABASE-ENV-VARS")
def test_supabase_env_vars_set(supabase_env_vars, evidence):
    values = supabase_env_vars["values"]
    evidence.check(
        supabase.assess_env_vars(
            supabase_env_vars["where"], values.get("anon_key"), values.get("service_role_key")
        )
    )


@pytest.mark.checklist("ENV-SUPABASE-ENV-VARS")
def test_service_role_key_not_in_frontend(supabase_frontend_scan, evidence):
    evidence.check(supabase.assess_service_key_exposure(*supabase_frontend_scan))


# -- PostgreSQL -------------------------------------------------------------------------------------


@pytest.mark.checklist("ENV-POSTGRES-PRODUCTION")
def test_postgres_production_instance(postgres_server, readiness_env, evidence):
    evidence.check(pg.assess_production(postgres_server, bool(readiness_env.get("postgres", "require_tls"))))


@pytest.mark.checklist("ENV-POSTGRES-BACKUPS", "DEPLOY-PRE-BACKUP")
def test_postgres_backups(readiness_env, request, evidence):
    if readiness_env.get("postgres", "rds_instance"):
        evidence.check(pg.assess_rds_backups(request.getfixturevalue("postgres_rds_instance")))
        return
    max_age = readiness_env.get("postgres", "archive_max_age_h")
    evidence.check(pg.assess_backups(request.getfixturevalue("postgres_archiver"), float(max_age)))


@pytest.mark.checklist("ENV-POSTGRES-REPLICAS")
def test_postgres_read_replicas(postgres_replicas, readiness_env, evidence):
    min_replicas = int(readiness_env.get("postgres", "min_replicas"))
    max_lag = readiness_env.get("postgres", "max_replay_lag_s")
    evidence.check(pg.assess_replicas(postgres_replicas, min_replicas, float(max_lag)))


@pytest.mark.checklist("ENV-POSTGRES-POOLING")
def test_connection_pooling(pgbouncer_facts, readiness_env, evidence):
    evidence.check(
        pgbouncer.assess_pooling(
            pgbouncer_facts,
            readiness_env.get("pgbouncer", "expected_pool_mode"),
            int(readiness_env.get("pgbouncer", "min_max_client_conn")),
            float(readiness_env.threshold("pool_max_wait_s")),
            readiness_env.get("pgbouncer", "databases"),
        )
    )


@pytest.mark.checklist("ENV-POSTGRES-MONITORING")
def test_postgres_monitoring(readiness_env, request, evidence):
    if readiness_env.get("postgres", "monitoring") == "exporter":
        job = readiness_env.get("postgres", "exporter_job")
        up = request.getfixturevalue("prometheus_api").query(f'up{{job="{job}"}}')
        evidence.check(pg.assess_exporter_up(up, job))
        return
    db = request.getfixturevalue("postgres_db")
    evidence.check(
        pg.assess_monitoring(
            request.getfixturevalue("postgres_extensions"), db.setting("shared_preload_libraries")
        )
    )


# -- Redis ------------------------------------------------------------------------------------------


@pytest.mark.checklist("ENV-REDIS-PROVISIONED")
def test_redis_provisioned(redis_facts, readiness_env, evidence):
    evidence.check(
        rd.assess_provisioned(
            redis_facts,
            readiness_env.get("redis", "expected_role"),
            readiness_env.get("redis", "cluster"),
            readiness_env.get("redis", "expected_version"),
        )
    )


@pytest.mark.checklist("ENV-REDIS-PERSISTENCE")
def test_redis_persistence(redis_facts, evidence):
    evidence.check(rd.assess_persistence(redis_facts))


@pytest.mark.checklist("ENV-REDIS-MAXMEMORY")
def test_redis_maxmemory(redis_facts, evidence):
    evidence.check(rd.assess_maxmemory(redis_facts))


@pytest.mark.checklist("ENV-REDIS-EVICTION")
def test_redis_eviction_policy(redis_facts, readiness_env, evidence):
    evidence.check(rd.assess_eviction(redis_facts, readiness_env.get("redis", "eviction_policy")))


@pytest.mark.checklist("ENV-REDIS-MONITORING")
def test_redis_monitoring(redis_facts, readiness_env, request, evidence):
    job = readiness_env.get("redis", "exporter_job")
    if job:
        evidence.check(
            pg.assess_exporter_up(request.getfixturevalue("prometheus_api").query(f'up{{job="{job}"}}'), job)
        )
        return
    evidence.check(rd.assess_monitoring(redis_facts))


# -- Environment variables and secrets --------------------------------------------------------------


@pytest.mark.checklist("ENV-SECRETS-ENV-FILE")
def test_env_file_secured(secrets_env_file, evidence):
    evidence.check(secrets.assess_env_file(secrets_env_file))


@pytest.mark.checklist("ENV-SECRETS-ROTATED")
def test_secrets_rotated(secrets_candidates, readiness_env, evidence):
    evidence.check(
        secrets.assess_rotated(secrets_candidates, readiness_env.get("secrets", "dev_defaults") or [])
    )


@pytest.mark.checklist("ENV-SECRETS-NO-HARDCODED")
def test_no_hardcoded_credentials(secrets_hardcoded, evidence):
    evidence.check(secrets.assess_hardcoded(secrets_hardcoded))
