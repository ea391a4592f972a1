"""Code & Dependencies: the frontend builds, Python dependencies are pinned, services start, migrations."""

import pytest

from pytest_readiness.lazy import probes

browser, commands, health, migrations, node_frontend, python_deps = probes(
    "repo.browser", "repo.commands", "web.health", "data.migrations", "repo.node_frontend", "repo.python_deps"
)


@pytest.mark.checklist("CODE-FRONTEND-INSTALL")
def test_npm_install(frontend_commands, evidence):
    evidence.check(commands.assess_command(frontend_commands("install")))


@pytest.mark.checklist("CODE-FRONTEND-BUILD")
def test_npm_build(frontend_commands, evidence):
    evidence.check(commands.assess_command(frontend_commands("build")))


@pytest.mark.checklist("CODE-FRONTEND-TYPESCRIPT")
def test_typescript_compiles(frontend_commands, evidence):
    evidence.check(commands.assess_command(frontend_commands("typescript")))


@pytest.mark.checklist("CODE-FRONTEND-CONSOLE")
def test_no_console_errors(frontend_console, evidence):
    evidence.check(browser.assess_console(frontend_console))


@pytest.mark.checklist("CODE-FRONTEND-ENV-VARS")
def test_frontend_env_vars(frontend_env_facts, known_secrets, readiness_env, evidence):
    required = readiness_env.get("repo", "frontend_required_env")
    evidence.require(
        node_frontend.assess_env_set(frontend_env_facts, required),
        node_frontend.assess_no_public_secrets(frontend_env_facts, known_secrets),
    )


@pytest.mark.checklist("CODE-BACKEND-PINNED")
def test_python_deps_pinned(python_deps_facts, evidence):
    evidence.check(python_deps.assess_pinned(python_deps_facts))


@pytest.mark.checklist("CODE-BACKEND-NO-DEV-DEPS")
def test_no_dev_deps_in_production(python_deps_facts, readiness_env, evidence):
    extra = readiness_env.get("repo", "dev_packages") or []
    evidence.check(python_deps.assess_no_dev_deps(python_deps_facts, extra))


@pytest.mark.checklist("CODE-BACKEND-SERVICES-START", "DEPLOY-SERVICE-HEALTH")
def test_pods_started(k8s_live_inventory, readiness_env, evidence):
    limit = int(readiness_env.threshold("pod_max_restarts"))
    evidence.check(health.assess_pods_started(k8s_live_inventory.objects("Pod"), limit))


@pytest.mark.checklist("CODE-BACKEND-HEALTH", "DEPLOY-SERVICE-HEALTH")
def test_health_endpoints(health_responses, evidence):
    evidence.check(health.assess_health(health_responses))


@pytest.mark.checklist("CODE-MIGRATIONS-STAGING", "DEPLOY-MIGRATION-RUN")
def test_migrations_applied(repo_migrations, applied_migrations, evidence):
    evidence.check(migrations.assess_applied(repo_migrations, applied_migrations))


@pytest.mark.checklist("CODE-MIGRATIONS-ROLLBACK")
def test_migration_rollbacks(repo_migrations, evidence):
    evidence.check(migrations.assess_rollbacks(repo_migrations))


@pytest.mark.checklist("CODE-MIGRATIONS-K8S-JOB")
def test_migration_job(migration_jobs, readiness_env, evidence):
    evidence.check(
        migrations.assess_migration_job(migration_jobs, readiness_env.get("kubernetes", "migration_job"))
    )


@pytest.mark.checklist("CODE-MIGRATIONS-BACKUP", "DEPLOY-PRE-BACKUP")
def test_backup_after_last_migration(repo_migrations, latest_backup_time, evidence):
    when, source = latest_backup_time
    evidence.check(migrations.assess_backup_after(repo_migrations.latest_created(), when, source))
