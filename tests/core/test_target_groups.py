"""xdist grouping: suites sharing a target run on one worker, so the target is probed once."""

from __future__ import annotations

from pytest_readiness.distribution import shared_target_groups


def test_units_sharing_a_target_fixture_form_one_group_named_after_the_first() -> None:
    uses = {
        "env_a": {"postgres_db", "redis_facts"},
        "sec_a": {"postgres_db", "security_site"},
        "tls_a": {"tls_scan"},
        "mon_a": {"prometheus_api"},
        "roll_a": {"prometheus_api", "k8s_inventory"},
        "infra_a": {"k8s_inventory"},
    }
    units = {
        "env_a": "suites.test_environment_setup",
        "sec_a": "suites.test_security",
        "tls_a": "security-tls",
        "mon_a": "suites.test_monitoring",
        "roll_a": "suites.test_rollback",
        "infra_a": "suites.test_infrastructure",
    }
    groups = shared_target_groups(units, lambda item: uses[item])  # type: ignore[arg-type,index]
    assert groups == {
        "suites.test_environment_setup": "suites.test_environment_setup",
        "suites.test_security": "suites.test_environment_setup",
        "security-tls": "security-tls",
        "suites.test_monitoring": "suites.test_monitoring",
        "suites.test_rollback": "suites.test_monitoring",
        "suites.test_infrastructure": "suites.test_monitoring",
    }
