"""``--readiness-phase`` on the real suites: each deployment phase gates on its own steps only.

The whole ``suites/`` folder runs against real services (Prometheus with a firing critical rule, a
local JSON app for the smoke flows, PostgreSQL with a half-applied migration history); the report
must hold exactly that phase's DEPLOY-* items plus the items its selected checks also prove.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from pytest_readiness import catalog as catalog_mod
from pytest_readiness.probes.observability.prometheus import PrometheusAPI
from tests.support.readiness import run_readiness
from tests.support.smoke_app import FLOWS, SmokeApp

CATALOG = catalog_mod.load()

PROM_CONFIG = "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
FIRING = """\
groups:
  - name: deploy
    rules:
      - alert: CheckoutBroken
        expr: vector(1) > 0
        for: 0s
        labels: {severity: critical}
"""


def phase_ids(phase: str) -> set[str]:
    return {item["id"] for item in CATALOG if item["phase"] == phase}


def run_phase(tmp_path: Path, phase: str, env_toml: str) -> tuple[int, dict[str, Any]]:
    run = run_readiness(tmp_path, env_toml, "suites/", f"--readiness-phase={phase}")
    return run.returncode, run.report


def node_ids(result: dict[str, Any]) -> set[str]:
    return {t["nodeid"].split("[")[0] for i in result["items"] for t in i["tests"]}


@pytest.fixture(scope="module")
def prom_firing(prometheus_factory: Any) -> Any:
    server = prometheus_factory(PROM_CONFIG, rule_files={"deploy.yml": FIRING})
    api = PrometheusAPI(server.url, timeout=5)
    deadline = time.monotonic() + 40  # generous "did not hang" bound; evaluations run every second
    while not any(a["state"] == "firing" for a in api.get("/api/v1/alerts")["alerts"]):
        assert time.monotonic() < deadline, "rule never evaluated"
        time.sleep(0.2)
    return server


def test_verification_phase(tmp_path: Path, prom_firing: Any) -> None:
    app = SmokeApp()
    try:
        code, result = run_phase(
            tmp_path,
            "verification",
            f'[prometheus]\nurl = "{prom_firing.url}"\n'
            f'[smoke]\nbase_url = "{app.url}"\ntenant = "readiness-test"\nflows = {_inline(FLOWS)}\n',
        )
    finally:
        app.close()
    status = {i["id"]: i["status"] for i in result["items"]}
    biz = {
        "SUCCESS-BIZ-REGISTRATION",
        "SUCCESS-BIZ-VALUE-MODEL",
        "SUCCESS-BIZ-STRATEGY",
        "SUCCESS-BIZ-BILLING",
    }
    assert set(status) == phase_ids("verification") | biz  # no MON-*, no other phase's step
    assert status == {
        "DEPLOY-VERIFY-SMOKE": "pass",
        "DEPLOY-VERIFY-USER-FLOWS": "pass",
        "DEPLOY-VERIFY-NO-ALERTS": "fail",  # CheckoutBroken is firing with severity critical
        "DEPLOY-VERIFY-DASHBOARDS": "manual",
        **dict.fromkeys(biz, "pass"),
    }
    assert node_ids(result) == {
        "suites/test_monitoring.py::test_no_critical_alerts_firing",
        "suites/test_success_criteria.py::test_business_flow",
    }
    assert result["meta"]["phase"] == "verification" and code != 0  # a failed step blocks the phase
    alerts = next(i for i in result["items"] if i["id"] == "DEPLOY-VERIFY-NO-ALERTS")
    subjects = [f["subject"] for ev in alerts["evidence"] for f in ev["findings"] if not f["ok"]]
    assert "alert CheckoutBroken" in subjects


def test_migration_phase(tmp_path: Path, postgres_server_factory: Any) -> None:
    repo = tmp_path / "app" / "supabase" / "migrations"
    repo.mkdir(parents=True)
    (repo / "20240101000000_init.sql").write_text("create table accounts(id int);")
    (repo / "20240201000000_orders.sql").write_text("create table orders(id int);")
    pg = postgres_server_factory(
        init_sql="create schema supabase_migrations;"
        "create table supabase_migrations.schema_migrations(version text primary key);"
        "insert into supabase_migrations.schema_migrations values ('20240101000000');"
        "create table public.accounts(id int);",
        shared=False,
    )
    code, result = run_phase(
        tmp_path,
        "migration",
        f'[repo]\npath = "{tmp_path / "app"}"\n'
        f'[postgres]\ndsn = "{pg.dsn}"\nrequire_tls = false\nexpected_tables = ["public.accounts"]\n',
    )
    status = {i["id"]: i["status"] for i in result["items"]}
    assert set(status) == phase_ids("migration") | {"CODE-MIGRATIONS-STAGING", "ENV-SUPABASE-SCHEMA"}
    assert status == {
        "DEPLOY-MIGRATION-RUN": "fail",  # 20240201000000_orders is not applied
        "DEPLOY-MIGRATION-VERIFY-SCHEMA": "pass",
        "DEPLOY-MIGRATION-CRITICAL-QUERIES": "manual",
        "DEPLOY-MIGRATION-INDEXES": "manual",
        "CODE-MIGRATIONS-STAGING": "fail",
        "ENV-SUPABASE-SCHEMA": "pass",
    }
    assert node_ids(result) == {
        "suites/test_code_dependencies.py::test_migrations_applied",
        "suites/test_environment_setup.py::test_schema_applied",
    }
    assert code != 0
    run = next(i for i in result["items"] if i["id"] == "DEPLOY-MIGRATION-RUN")
    failed = [f for ev in run["evidence"] for f in ev["findings"] if not f["ok"]]
    assert failed and "20240201000000" in json.dumps(failed)


def _inline(value: Any) -> str:
    """Inline TOML for the JSON-like flow definitions (JSON scalars are valid TOML)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f'"{k}" = {_inline(v)}' for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    return json.dumps(value)
