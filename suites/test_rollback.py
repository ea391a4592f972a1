"""Rollback Plan: automatic triggers wired as alert rules, an old revision to return to, short DNS TTLs."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from pytest_readiness import outcomes
from pytest_readiness.lazy import probes

(rollback,) = probes("observability.rollback")


@pytest.mark.parametrize(
    "trigger",
    [
        pytest.param("error_rate", marks=pytest.mark.checklist("ROLLBACK-TRIGGER-ERROR-RATE")),
        pytest.param("p95", marks=pytest.mark.checklist("ROLLBACK-TRIGGER-P95")),
        pytest.param("health", marks=pytest.mark.checklist("ROLLBACK-TRIGGER-HEALTH")),
        pytest.param("db_errors", marks=pytest.mark.checklist("ROLLBACK-TRIGGER-DB-ERRORS")),
    ],
)
def test_rollback_trigger_alerted(trigger, prometheus_alert_rules, readiness_env, evidence):
    limits = {
        "error_rate_percent": float(readiness_env.threshold("rollback_error_rate_percent")),
        "p95_ms": float(readiness_env.threshold("rollback_p95_ms")),
    }
    evidence.check(rollback.assess_trigger(prometheus_alert_rules, trigger, **limits))


@pytest.mark.checklist("ROLLBACK-STEP-UNDO")
def test_rollout_undo_possible(k8s_inventory, evidence):
    replicasets = k8s_inventory.objects("ReplicaSet") if k8s_inventory.live else None
    evidence.check(rollback.assess_revision_history(k8s_inventory.objects("Deployment"), replicasets))


@pytest.mark.checklist("ROLLBACK-STEP-DNS")
def test_dns_ttl_allows_switch(readiness_env, evidence):
    names = readiness_env.get("dns", "names") or [
        urlsplit(u).hostname
        for u in (readiness_env.get("http", "base_url"), readiness_env.get("http", "api_url"))
        if u
    ]
    if not names:
        outcomes.not_configured("not configured: [dns] names (or [http] base_url)", "[dns] names")
    ttls = rollback.dns_ttls(
        names,
        nameservers=readiness_env.get("dns", "nameservers"),
        port=readiness_env.get("dns", "port"),
        timeout=readiness_env.timeout,
    )
    max_ttl = int(readiness_env.get("dns", "max_ttl_s"))
    evidence.check(rollback.assess_dns_ttl(ttls, max_ttl))
