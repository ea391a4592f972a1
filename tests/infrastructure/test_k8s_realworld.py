# ruff: noqa: E501  (data tables read best one case per line)
"""Our Kubernetes verdicts on kube-score's and Polaris's own fixtures, offline and live.

Every fixture listed in the peers' EXPECTED.txt is covered: we agree, or the case names the deliberate
difference in semantics.
"""

from __future__ import annotations

import pytest
from conftest import REALWORLD
from k8s_fake import FakeKubeAPI

from pytest_readiness.probes.kubernetes import live_inventory, load_manifests, offline_inventory
from pytest_readiness.probes.kubernetes import rules as k8s
from pytest_readiness.probes.kubernetes.inventory import Inventory

K8S = REALWORLD / "k8s"


def _resources_ok(inv: Inventory, keys: tuple[str, ...] = k8s.DEFAULT_REQUIRED_RESOURCES) -> bool:
    return k8s.assess_resources(inv, keys).ok


def _pdb_has_match(inv: Inventory) -> bool:
    index = k8s.pdb_index(inv)
    return all(index.matching(w) for w in inv.workloads())


def _probes_ok(inv: Inventory) -> bool:
    return k8s.assess_probes(inv).ok


#: (file, what we evaluate, peer grade, our verdict, why we differ or "" when we agree)
CASES = [
    # kube-score "Container Resources"
    ("peer-kube-score/pod-test-resources-none.yaml", _resources_ok, "CRITICAL", False, ""),
    ("peer-kube-score/pod-test-resources-only-limits.yaml", _resources_ok, "WARNING", False,
     "requests are required: without them the scheduler silently reserves the limits"),
    ("peer-kube-score/pod-test-resources-limits-and-requests.yaml", _resources_ok, "OK", True, ""),
    # kube-score "Container Image Tag"
    ("peer-kube-score/pod-image-tag-latest.yaml", lambda i: k8s.assess_image_pinning(i).ok, "CRITICAL", False, ""),
    ("peer-kube-score/pod-image-tag-fixed.yaml", lambda i: k8s.assess_image_pinning(i).ok, "OK", True, ""),
    # kube-score "Pod Probes" / "Pod Probes Identical"
    ("peer-kube-score/pod-probes-all-missing.yaml", _probes_ok, "CRITICAL", False, ""),
    ("peer-kube-score/pod-probes-identical-http.yaml", _probes_ok, "CRITICAL", False, ""),
    ("peer-kube-score/pod-probes-not-targeted-by-service.yaml", _probes_ok, "OK", False,
     "readiness is required on every serving container (as Polaris), not only behind a Service: "
     "rolling updates gate on it"),
    # kube-score "Pod NetworkPolicy"
    ("peer-kube-score/networkpolicy-not-matching.yaml", lambda i: k8s.assess_network_isolation(i).ok,
     "CRITICAL", False, ""),
    ("peer-kube-score/networkpolicy-matching.yaml", lambda i: k8s.assess_network_isolation(i).ok, "OK", True, ""),
    ("peer-kube-score/networkpolicy-matching-only-ingress.yaml", lambda i: k8s.assess_network_isolation(i).ok,
     "WARNING", True, "egress coverage is reported (evidence), not required"),
    # kube-score "Deployment has PodDisruptionBudget": selector matching agrees...
    ("peer-kube-score/deployment-poddisruptionbudget-v1-no-match.yaml", _pdb_has_match, "CRITICAL", False, ""),
    ("peer-kube-score/deployment-poddisruptionbudget-v1-matches.yaml", _pdb_has_match, "OK", True, ""),
    # ...but the item verdict differs: replicas omitted means 1 (the API server default), no PDB needed
    ("peer-kube-score/deployment-poddisruptionbudget-v1-no-match.yaml", lambda i: k8s.assess_pdb_coverage(i).ok,
     "CRITICAL", True, "spec.replicas omitted defaults to 1; a PDB on one replica only blocks drains"),
    # kube-score "PodDisruptionBudget has policy"
    ("peer-kube-score/deployment-poddisruptionbudget-v1-no-policy.yaml", lambda i: k8s.assess_pdb_policy(i).ok,
     "CRITICAL", False, ""),
    # Polaris
    ("peer-polaris/missingPodDisruptionBudget__failure.yaml", lambda i: k8s.assess_pdb_coverage(i).ok, "FAIL", True,
     "one replica (replicas omitted): we require a PDB from two replicas"),
    ("peer-polaris/missingPodDisruptionBudget__success.yaml", _pdb_has_match, "PASS", True, ""),
    ("peer-polaris/missingNetworkPolicy__failure.netpol_missing_egress_rules.yaml",
     lambda i: k8s.assess_network_isolation(i).ok, "FAIL", True,
     "policyTypes Egress with no egress rule denies all egress: stricter, not missing"),
    ("peer-polaris/missingNetworkPolicy__failure.netpol_targets_wrong_pod_label.yaml",
     lambda i: k8s.assess_network_isolation(i).ok, "FAIL", False, ""),
    ("peer-polaris/missingNetworkPolicy__success.yaml", lambda i: k8s.assess_network_isolation(i).ok, "PASS", True, ""),
    ("peer-polaris/memoryLimitsMissing__failure.yaml", lambda i: _resources_ok(i, ("limits.memory",)), "FAIL", False,
     ""),
    ("peer-polaris/memoryLimitsMissing__success.yaml", lambda i: _resources_ok(i, ("limits.memory",)), "PASS", True,
     ""),
    ("peer-polaris/cpuRequestsMissing__failure.yaml", lambda i: _resources_ok(i, ("requests.cpu",)), "FAIL", False,
     ""),
    ("peer-polaris/livenessProbeMissing__failure.yaml", lambda i: _probe_kind_ok(i, "livenessProbe"), "FAIL", False,
     ""),
    ("peer-polaris/livenessProbeMissing__success.yaml", lambda i: _probe_kind_ok(i, "livenessProbe"), "PASS", True,
     ""),
    ("peer-polaris/readinessProbeMissing__failure.yaml", lambda i: _probe_kind_ok(i, "readinessProbe"), "FAIL",
     False, ""),
    ("peer-polaris/tagNotSpecified__failure.latest.yaml", lambda i: k8s.assess_image_pinning(i).ok, "FAIL", False, ""),
    ("peer-polaris/tagNotSpecified__failure.yaml", lambda i: k8s.assess_image_pinning(i).ok, "FAIL", False, ""),
    ("peer-polaris/tagNotSpecified__success.yaml", lambda i: k8s.assess_image_pinning(i).ok, "PASS", True, ""),
    ("peer-polaris/pdbDisruptionsIsZero__failure.min.yaml", lambda i: k8s.assess_pdb_policy(i).ok, "FAIL", False, ""),
    ("peer-polaris/pdbDisruptionsIsZero__success.min.yaml", lambda i: k8s.assess_pdb_policy(i).ok, "PASS", True, ""),
]  # fmt: skip
PEER_OK = {"OK": True, "PASS": True, "WARNING": None, "CRITICAL": False, "FAIL": False}  # WARNING: neither


def _probe_kind_ok(inv: Inventory, probe: str) -> bool:
    names = "no " + probe
    return not any(names in f.note for f in k8s.assess_probes(inv).findings)


@pytest.mark.parametrize(
    ("file", "rule", "peer", "ours", "why"), CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES]
)
def test_verdicts_match_peers_or_name_the_difference(file, rule, peer, ours, why, tmp_path):
    path = K8S / file
    offline = offline_inventory(path)
    assert rule(offline) is ours
    assert (PEER_OK[peer] == ours) == (why == ""), f"{file}: a difference from the peer must say why"
    with FakeKubeAPI(load_manifests(path)) as api:
        live = live_inventory(api.kubeconfig(tmp_path / "kc"), "prod", None, 5)
        assert rule(live) is ours  # live gives the same verdict


def test_every_expected_fixture_is_covered():
    listed = set()
    for peer in ("peer-kube-score", "peer-polaris"):
        for line in (K8S / peer / "EXPECTED.txt").read_text().splitlines():
            if line and not line.startswith("#"):
                listed.add(f"{peer}/{line.split('|')[0].strip()}")
    assert listed <= {c[0] for c in CASES}


def test_identical_probes_are_named(tmp_path):
    inv = offline_inventory(K8S / "peer-kube-score/pod-probes-identical-http.yaml")
    finding = k8s.assess_probes(inv).failures[0]
    assert finding.subject == "default/Pod/pod-test-1:foobar"
    assert finding.note == "readiness and liveness probes identical"


def test_realworld_data_is_in_the_repository():
    assert K8S.is_dir(), f"missing test data: {K8S}"
