# ruff: noqa: E501  (data tables read best one case per line)
"""Kubernetes rules on a compliant and a non-compliant application, offline and live (same verdicts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_readiness.env_schema import default
from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.kubernetes import Inventory, live_inventory, load_manifests, offline_inventory
from pytest_readiness.probes.kubernetes import rules as k8s
from pytest_readiness.probes.kubernetes.selectors import compile_selector, pdb_matcher
from pytest_readiness.probes.kubernetes.storage import assess_datastore_volumes
from tests.support.infrastructure import bad_objects, good_objects, write_manifests
from tests.support.k8s_fake import FakeKubeAPI

RESOURCES = default("kubernetes", "required_resources")
MIN_REPLICAS = default("kubernetes", "hpa_min_replicas")
RULES = {
    "resources": lambda inv: k8s.assess_resources(inv, RESOURCES),
    "pdb_coverage": lambda inv: k8s.assess_pdb_coverage(inv),
    "pdb_policy": lambda inv: k8s.assess_pdb_policy(inv),
    "ingress": lambda inv: k8s.assess_network_isolation(inv, "Ingress"),
    "egress": lambda inv: k8s.assess_network_isolation(inv, "Egress"),
    "default_deny": lambda inv: k8s.assess_default_deny(inv),
    "pinning": lambda inv: k8s.assess_image_pinning(inv),
    "registry": lambda inv: k8s.assess_image_registry(inv, "ghcr.io/valueverse"),
    "probes": lambda inv: k8s.assess_probes(inv),
    "hpa": lambda inv: k8s.assess_hpa(inv, MIN_REPLICAS),
    "autoscaler": lambda inv: k8s.assess_node_autoscaling(inv),
    "migration": lambda inv: k8s.assess_migration_job(inv),
    "exposure": lambda inv: k8s.assess_public_exposure(inv, ["app.valueverse.example"]),
    "backup": lambda inv: k8s.assess_backup_schedule(inv),
    "datastores": lambda inv: assess_datastore_volumes(inv),
}


def verdicts(inv: Inventory) -> dict[str, tuple[bool, list[tuple[str, bool]]]]:
    out = {}
    for name, rule in RULES.items():
        a = rule(inv)
        out[name] = (a.ok, sorted((f.subject, f.ok) for f in a.findings))
    return out


@pytest.fixture(params=["good", "bad"])
def both(request, tmp_path: Path):
    objects = good_objects() if request.param == "good" else bad_objects()
    path = write_manifests(tmp_path / "m.yaml", objects)
    with FakeKubeAPI(load_manifests(path)) as api:
        live = live_inventory(api.kubeconfig(tmp_path / "kc"), "prod", ["prod"], 5)
        yield request.param, offline_inventory(path, ["prod"]), live, api


def test_good_passes_everything_bad_fails_each_rule(both):
    name, offline, _live, _ = both
    result = verdicts(offline)
    if name == "good":
        assert {k: v[0] for k, v in result.items()} == dict.fromkeys(RULES, True)
    else:
        assert {k for k, v in result.items() if not v[0]} == set(RULES)


def test_live_and_offline_give_identical_verdicts(both):
    _, offline, live, api = both
    assert verdicts(live) == verdicts(offline)
    # one list call per kind and namespace, whatever the number of rules
    assert api.requests and max(api.requests.values()) == 1


def test_bad_findings_name_objects_and_reasons(bad_manifests):
    inv = offline_inventory(bad_manifests, ["prod"])
    res = {f.subject: f for f in k8s.assess_resources(inv, RESOURCES).failures}
    assert "missing requests.cpu" in res["prod/Deployment/web:web"].note
    assert "(init container)" in res["prod/Deployment/web:init"].note
    pin = {f.subject: f.note for f in k8s.assess_image_pinning(inv).failures}
    assert pin == {
        "prod/Deployment/web:web": "tag latest",
        "prod/Deployment/worker:worker": "no tag (implies latest)",
        "prod/StatefulSet/db:db": "floating tag alpine (names no version)",
    }
    cover = k8s.assess_pdb_coverage(inv)
    assert [f.subject for f in cover.failures] == ["prod/Deployment/worker"]
    policy = k8s.assess_pdb_policy(inv).failures[0]
    assert policy.subject == "prod/PodDisruptionBudget/web" and policy.note == "minAvailable 100%"
    hpa = k8s.assess_hpa(inv, MIN_REPLICAS).failures[0]
    assert hpa.observed == {"minReplicas": 1, "target": "prod/Deployment/web"}
    exposure = k8s.assess_public_exposure(inv, ["app.valueverse.example"]).failures[0]
    assert "Ingress without TLS" in exposure.note and "prod/Ingress/web" in exposure.note
    deny = k8s.assess_default_deny(inv).failures[0]
    assert deny.subject == "namespace prod" and deny.observed == []


def test_good_evidence_reports_digest_hpa_scale_and_egress(good_manifests):
    inv = offline_inventory(good_manifests, ["prod"])
    cover = {f.subject: f.observed for f in k8s.assess_pdb_coverage(inv).findings}
    assert cover["prod/Deployment/web"] == {"replicas": 10, "pdbs": ["prod/PodDisruptionBudget/web"]}
    policy = {f.subject: f.observed for f in k8s.assess_pdb_policy(inv).findings}
    assert policy["prod/PodDisruptionBudget/web"]["lowest_replicas"] == 3
    egress = {f.subject: f.observed for f in k8s.assess_network_isolation(inv, "Egress").findings}
    assert egress["prod/Deployment/web"] == [
        "prod/NetworkPolicy/default-deny",
        "prod/NetworkPolicy/web-allow",
    ]
    auto = k8s.assess_node_autoscaling(inv).findings[0]
    assert auto.subject == "kube-system/Deployment/cluster-autoscaler"


@pytest.mark.parametrize(
    ("spec", "replicas", "blocked"),
    [
        ({"maxUnavailable": 0}, 3, "maxUnavailable 0"),
        ({"maxUnavailable": "0%"}, 3, "maxUnavailable 0%"),
        ({"maxUnavailable": 1}, 1, ""),
        ({"minAvailable": 2}, 2, "minAvailable 2 >= 2 replicas"),
        ({"minAvailable": 2}, 3, ""),
        ({"minAvailable": "3"}, 3, "minAvailable 3 >= 3 replicas"),  # IntOrString as a string
        ({"minAvailable": "60%"}, 2, "minAvailable 60% of 2 replicas rounds up to all of them"),
        ({"minAvailable": "50%"}, 4, ""),
        ({"minAvailable": 5}, None, ""),  # Polaris pdbDisruptionsIsZero success: replicas unknown
        ({}, 3, "neither minAvailable nor maxUnavailable set"),
    ],
)
def test_pdb_blocking_reason(spec, replicas, blocked):
    assert k8s.pdb_blocking_reason({"spec": spec}, replicas) == blocked


def test_pdb_status_disruptions_allowed_zero_while_healthy(tmp_path):
    objs = good_objects()
    pdb = next(o for o in objs if o["kind"] == "PodDisruptionBudget" and o["metadata"]["name"] == "worker")
    pdb["status"] = {"disruptionsAllowed": 0, "currentHealthy": 2, "expectedPods": 2, "desiredHealthy": 2}
    path = write_manifests(tmp_path / "m.yaml", objs)
    with FakeKubeAPI(load_manifests(path)) as api:
        live = live_inventory(api.kubeconfig(tmp_path / "kc"), "prod", ["prod"], 5)
        bad = {f.subject: f.note for f in k8s.assess_pdb_policy(live).failures}
    assert bad == {"prod/PodDisruptionBudget/worker": "status.disruptionsAllowed 0 with all 2 pods healthy"}
    # a PDB at 0 because a pod is unhealthy is the budget working, not blocking
    pdb["status"]["currentHealthy"] = 1
    assert k8s.assess_pdb_policy(offline_inventory(write_manifests(tmp_path / "n.yaml", objs), ["prod"])).ok


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        ({"matchLabels": {"app": "web"}}, {"app": "web", "x": "1"}, True),
        ({"matchLabels": {"app": "web"}}, {"app": "api"}, False),
        ({"matchExpressions": [{"key": "app", "operator": "In", "values": ["a", "b"]}]}, {"app": "b"}, True),
        ({"matchExpressions": [{"key": "app", "operator": "In", "values": ["a"]}]}, {}, False),
        ({"matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["dev"]}]}, {}, True),
        ({"matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["dev"]}]}, {"env": "dev"}, False),
        ({"matchExpressions": [{"key": "env", "operator": "Exists"}]}, {"env": ""}, True),
        ({"matchExpressions": [{"key": "env", "operator": "DoesNotExist"}]}, {"env": "x"}, False),
        ({"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "t", "operator": "Exists"}]},
         {"app": "web"}, False),
        ({"matchExpressions": [{"key": "a", "operator": "Bogus"}]}, {"a": "1"}, False),
    ],
)  # fmt: skip
def test_label_selector_semantics(selector, labels, expected):
    assert compile_selector(selector)(labels) is expected


def test_empty_selector_semantics_follow_the_api_docs():
    assert pdb_matcher({"apiVersion": "policy/v1", "spec": {"selector": {}}})({"a": "1"}) is True
    assert pdb_matcher({"apiVersion": "policy/v1", "spec": {}})({"a": "1"}) is False  # null selects nothing
    assert pdb_matcher({"apiVersion": "policy/v1beta1", "spec": {"selector": {}}})({"a": "1"}) is False


def test_parse_image_references():
    p = k8s.parse_image
    assert p("nginx") == k8s.ImageRef("docker.io", "library/nginx", None, None)
    assert p("ghcr.io/o/app:1.2@sha256:ab") == k8s.ImageRef("ghcr.io", "o/app", "1.2", "sha256:ab")
    assert p("localhost:5000/app") == k8s.ImageRef("localhost:5000", "app", None, None)
    assert p("org/app:v1") == k8s.ImageRef("docker.io", "org/app", "v1", None)


def test_kind_list_documents_and_folders(tmp_path):
    (tmp_path / "sub").mkdir()
    dump = {"apiVersion": "v1", "kind": "List", "items": good_objects()[:2]}
    write_manifests(tmp_path / "sub" / "dump.yaml", [dump])
    write_manifests(tmp_path / "other.yml", good_objects()[2:4])
    inv = offline_inventory(tmp_path)
    assert sorted(w.ref for w in inv.workloads()) == [
        "kube-system/Deployment/cluster-autoscaler", "prod/Deployment/web", "prod/Deployment/worker",
        "prod/Job/db-migrate",
    ]  # fmt: skip


def test_empty_inventory_is_an_error_not_a_pass(tmp_path):
    inv = offline_inventory(write_manifests(tmp_path / "m.yaml", good_objects()), ["staging"])
    with pytest.raises(ProbeError, match="no workloads found"):
        k8s.assess_resources(inv, RESOURCES)


def test_broken_manifest_is_an_error(tmp_path):
    (tmp_path / "m.yaml").write_text("kind: [unclosed\n")
    with pytest.raises(ProbeError, match="cannot parse manifest"):
        offline_inventory(tmp_path / "m.yaml")


def test_live_owned_objects_are_not_double_counted(tmp_path):
    objs = good_objects()
    rs = _owned("ReplicaSet", "web-5d9", "Deployment", "web", objs[0])
    pod = _owned("Pod", "web-5d9-x", "ReplicaSet", "web-5d9", None)
    pod["spec"] = objs[0]["spec"]["template"]["spec"]
    with FakeKubeAPI([*objs, rs, pod]) as api:
        live = live_inventory(api.kubeconfig(tmp_path / "kc"), "prod", ["prod"], 5)
        refs = [w.ref for w in live.workloads()]
        assert "prod/ReplicaSet/web-5d9" not in refs and "prod/Pod/web-5d9-x" not in refs
        assert [p["metadata"]["name"] for p in live.objects("Pod")] == [
            "web-5d9-x"
        ]  # still listed for others


def _owned(kind, name, owner_kind, owner, template_of):
    obj = {"apiVersion": "v1", "kind": kind, "metadata": {"name": name, "namespace": "prod", "ownerReferences": [
        {"kind": owner_kind, "name": owner, "controller": True}]}}  # fmt: skip
    if template_of is not None:
        obj["spec"] = template_of["spec"]
    return obj


def test_selector_index_agrees_with_brute_force():
    from pytest_readiness.probes.kubernetes.selectors import SelectorIndex

    selectors = [
        {"matchLabels": {"app": "a"}}, {"matchLabels": {"app": "a", "tier": "x"}}, {},
        {"matchExpressions": [{"key": "app", "operator": "In", "values": ["b"]}]},
        {"matchExpressions": [{"key": "app", "operator": "In", "values": ["a", "b"]}]},
        {"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["x"]}]},
    ]  # fmt: skip
    index = SelectorIndex()
    for i, sel in enumerate(selectors):
        index.add("ns", i, sel, compile_selector(sel))
    for labels in ({"app": "a"}, {"app": "a", "tier": "x"}, {"app": "b"}, {}, {"tier": "y"}):
        brute = [i for i, sel in enumerate(selectors) if compile_selector(sel)(labels)]
        assert index.matching("ns", labels) == brute
        assert index.matching("other", labels) == []
