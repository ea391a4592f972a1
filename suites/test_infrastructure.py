"""Infrastructure: Kubernetes (live or offline), container registry, DNS and networking, backups.

Kubernetes checks read ``k8s_inventory`` (live cluster or rendered manifests, listed once per kind);
every finding names ``namespace/Kind/name[:container]``.
"""

from __future__ import annotations

import pytest

from pytest_readiness.lazy import probes
from pytest_readiness.outcomes import not_configured

backup, dns_probe, reg, k8s, k8s_storage = probes(
    "data.backup", "web.dns", "kubernetes.registry", "kubernetes.rules", "kubernetes.storage"
)

pytestmark = pytest.mark.xdist_group("infrastructure")


# --------------------------------------------------------------------------- Kubernetes cluster
@pytest.mark.checklist("INFRA-K8S-CLUSTER")
def test_cluster_reachable_supported(k8s_live_inventory, readiness_env, evidence):
    minimum = readiness_env.get("kubernetes", "min_server_version")
    namespaces = readiness_env.get("kubernetes", "namespaces") or []
    context = readiness_env.get("kubernetes", "context")
    evidence.check(k8s.assess_cluster(k8s_live_inventory, context, namespaces, minimum))


@pytest.mark.checklist("INFRA-K8S-CLUSTER")
def test_pod_probes(k8s_inventory, evidence):
    result = k8s.assess_probes(k8s_inventory)
    if result.ok and not k8s_inventory.live:  # manifests can fail the item, only a live cluster passes it
        not_configured("offline manifests: probes set; a live cluster ([kubernetes] context) passes it")
    evidence.check(result)


@pytest.mark.checklist("CODE-BACKEND-HEALTH")
def test_health_endpoints_probed(k8s_inventory, health_responses, evidence):
    # needs the health URLs too: probes configured never alone prove endpoints that respond
    evidence.check(k8s.assess_probes(k8s_inventory))


@pytest.mark.checklist("INFRA-K8S-AUTOSCALING")
def test_node_autoscaler(k8s_inventory, evidence):
    # managed autoscaling the cluster API cannot show is attested (attestations.toml), not configured
    evidence.check(k8s.assess_node_autoscaling(k8s_inventory))


@pytest.mark.checklist("INFRA-K8S-AUTOSCALING")
def test_hpa_keeps_two_replicas(k8s_inventory, readiness_env, evidence):
    evidence.check(k8s.assess_hpa(k8s_inventory, readiness_env.get("kubernetes", "hpa_min_replicas")))


@pytest.mark.checklist("INFRA-K8S-RESOURCES")
def test_requests_and_limits(k8s_inventory, readiness_env, evidence):
    required = readiness_env.get("kubernetes", "required_resources")
    evidence.check(k8s.assess_resources(k8s_inventory, required))


@pytest.mark.checklist("INFRA-K8S-PDB")
def test_pdb_for_replicated_workloads(k8s_inventory, evidence):
    evidence.check(k8s.assess_pdb_coverage(k8s_inventory))


@pytest.mark.checklist("INFRA-K8S-PDB")
def test_pdb_allows_evictions(k8s_inventory, evidence):
    evidence.check(k8s.assess_pdb_policy(k8s_inventory))


@pytest.mark.checklist("INFRA-K8S-NETWORK-POLICIES", "SEC-INFRA-NETWORK-POLICIES")
def test_network_policies(k8s_inventory, evidence):
    evidence.add(k8s.assess_network_isolation(k8s_inventory, "Egress"))  # reported, not required
    evidence.require(
        k8s.assess_network_isolation(k8s_inventory, "Ingress"), k8s.assess_default_deny(k8s_inventory)
    )


# ---------------------------------------------------------------------------- container registry
@pytest.mark.checklist("INFRA-REGISTRY-CONFIGURED")
def test_images_pinned(k8s_inventory, evidence):
    evidence.check(k8s.assess_image_pinning(k8s_inventory))


@pytest.mark.checklist("INFRA-REGISTRY-CONFIGURED")
def test_images_from_configured_registry(k8s_inventory, readiness_env, evidence):
    registry = readiness_env.get("kubernetes", "registry") or readiness_env.get("registry", "url")
    if not registry:
        not_configured("not configured: [kubernetes] registry or [registry] url", "[registry] url")
    evidence.check(k8s.assess_image_registry(k8s_inventory, registry))


@pytest.mark.checklist("INFRA-REGISTRY-CONFIGURED", "DEPLOY-PRE-IMAGES")
def test_images_exist_in_registry(registry_facts, evidence):
    f = registry_facts
    evidence.check(reg.assess_images_exist(f.checks, f.manifests, f.host, f.release_tag))


# -------------------------------------------------------------------------------- DNS & network
@pytest.mark.checklist("INFRA-DNS-DOMAINS")
def test_domains_resolve(dns_facts, evidence):
    evidence.check(dns_probe.assess_resolves(dns_facts))


@pytest.mark.checklist("INFRA-DNS-RECORDS")
def test_records_point_at_targets(dns_facts, dns_expected_targets, dns_max_ttl, evidence):
    evidence.check(dns_probe.assess_targets(dns_facts, dns_expected_targets, "expected target", dns_max_ttl))


@pytest.mark.checklist("INFRA-DNS-CDN")
def test_names_behind_cdn(dns_facts, dns_cdn_targets, evidence):
    evidence.check(dns_probe.assess_targets(dns_facts, dns_cdn_targets, "CDN"))


@pytest.mark.checklist("INFRA-DNS-LOAD-BALANCER")
def test_load_balancer_or_tls_ingress(k8s_inventory, readiness_env, evidence):
    from pytest_readiness.fixtures.dns import public_hosts

    evidence.check(k8s.assess_public_exposure(k8s_inventory, public_hosts(readiness_env)))


# ---------------------------------------------------------------------------- backup & recovery
@pytest.mark.checklist("INFRA-BACKUP-STRATEGY")
def test_backups_scheduled(backup_sources, readiness_env, evidence):
    inventory, managed = backup_sources
    evidence.check(k8s.assess_backup_schedule(inventory, readiness_env.get("backup", "cronjob"), managed))


@pytest.mark.checklist("INFRA-BACKUP-STRATEGY")
def test_datastores_not_on_emptydir(backup_sources, evidence):
    inventory, _ = backup_sources
    if inventory is None:
        not_configured("[kubernetes] context or manifests: the datastores' volumes")
    evidence.check(k8s_storage.assess_datastore_volumes(inventory))


@pytest.mark.checklist("INFRA-BACKUP-RESTORE-TESTED")
def test_restore_tested_recently(restore_test_date, restore_max_age_days, evidence):
    source, when = restore_test_date
    evidence.check(backup.assess_restore_age(when, restore_max_age_days, source))


@pytest.mark.checklist("INFRA-BACKUP-DR-PLAN")
def test_dr_plan_documented(dr_plan_docs, evidence):
    evidence.check(backup.assess_dr_plan(dr_plan_docs))


@pytest.mark.checklist("INFRA-BACKUP-RTO-RPO")
def test_rto_rpo_defined(dr_objectives, evidence):
    evidence.check(backup.assess_objectives(dr_objectives))
