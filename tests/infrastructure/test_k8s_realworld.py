# ruff: noqa: E501  (data tables read best one case per line)
"""Our Kubernetes verdicts on kube-score's and Polaris's own fixtures, offline and live.

Every line of the peers' EXPECTED.txt is graded, offline and through the live client: we agree with
the peer's grade, or DIFFERENCES names the deliberate difference and why.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pytest_readiness.env_schema import default
from pytest_readiness.probes.kubernetes import live_inventory, load_manifests, offline_inventory
from pytest_readiness.probes.kubernetes import rules as k8s
from pytest_readiness.probes.kubernetes.inventory import Inventory
from pytest_readiness.probes.kubernetes.storage import assess_datastore_volumes
from tests.support.infrastructure import REALWORLD
from tests.support.k8s_fake import FakeKubeAPI

K8S = REALWORLD / "k8s"


def _resources_ok(keys: tuple[str, ...] = tuple(default("kubernetes", "required_resources"))) -> Rule:
    return lambda inv: k8s.assess_resources(inv, keys).ok


def _probes_ok(*problems: str) -> Rule:
    """The probe check graded on the named problems only (the peers split it in several checks)."""
    return lambda inv: not any(p in f.note for f in k8s.assess_probes(inv).findings for p in problems)


Rule = Callable[[Inventory], bool]
#: peer check -> our verdict (True: pass) on the fixture, from the rule of the item it maps to
RULES: dict[str, Rule] = {
    # kube-score
    "Container Resources": _resources_ok(),
    "Container Image Tag": lambda i: k8s.assess_image_pinning(i).ok,
    "Pod Probes": _probes_ok("no readinessProbe", "no livenessProbe", "identical"),
    "Pod Probes Identical": _probes_ok("identical"),
    "Pod NetworkPolicy": lambda i: k8s.assess_network_isolation(i, "Ingress").ok,
    "Deployment has PodDisruptionBudget": lambda i: k8s.assess_pdb_coverage(i).ok,
    "PodDisruptionBudget has policy": lambda i: k8s.assess_pdb_policy(i).ok,
    # Polaris
    "missingPodDisruptionBudget": lambda i: k8s.assess_pdb_coverage(i).ok,
    "missingNetworkPolicy": lambda i: k8s.assess_network_isolation(i, "Ingress").ok,
    "memoryLimitsMissing": _resources_ok(("limits.memory",)),
    "cpuRequestsMissing": _resources_ok(("requests.cpu",)),
    "livenessProbeMissing": _probes_ok("no livenessProbe"),
    "readinessProbeMissing": _probes_ok("no readinessProbe"),
    "tagNotSpecified": lambda i: k8s.assess_image_pinning(i).ok,
    "pdbDisruptionsIsZero": lambda i: k8s.assess_pdb_policy(i).ok,
}
#: Peer grade -> pass?  kube-score WARNING is a finding (its exit code is non-zero with --exit-one-on-warning).
PEER_OK = {"OK": True, "PASS": True, "WARNING": False, "CRITICAL": False, "FAIL": False}
_NULL_SELECTOR = (
    "the fixture's PDB has no selector: in policy/v1 a null selector selects no pod, so the budget protects "
    "nothing; we judge that on its own (Polaris checks only the numbers)"
)
#: Every deliberate difference, (fixture, check) -> why.  Anything else must agree.
DIFFERENCES = {
    ("peer-kube-score/pod-probes-not-targeted-by-service.yaml", "Pod Probes"):
        "readiness and liveness are required on every long-running container (as Polaris), not only "
        "behind a Service: rolling updates and restarts gate on them",
    ("peer-kube-score-more/pod-probes-on-different-containers.yaml", "Pod Probes"):
        "probes are required per container: kube-score accepts one readiness and one liveness probe "
        "anywhere in the pod, so a second container is restarted and routed to blindly",
    ("peer-kube-score/networkpolicy-matching-only-ingress.yaml", "Pod NetworkPolicy"):
        "egress isolation is reported as evidence, not required (ingress isolation and a default-deny "
        "ingress policy are)",
    ("peer-polaris/missingNetworkPolicy__failure.netpol_missing_egress_rules.yaml", "missingNetworkPolicy"):
        "policyTypes Egress with no egress rule denies all egress: stricter isolation, not a missing policy",
    ("peer-polaris-more/missingNetworkPolicy__failure.netpol_missing_ingress_rules.yaml", "missingNetworkPolicy"):
        "policyTypes Ingress with no ingress rule denies all ingress: the pod is isolated, not unprotected",
    ("peer-polaris/pdbDisruptionsIsZero__success.min.yaml", "pdbDisruptionsIsZero"):
        _NULL_SELECTOR,
    ("peer-polaris-more/pdbDisruptionsIsZero__success.max.yaml", "pdbDisruptionsIsZero"): _NULL_SELECTOR,
    ("peer-polaris-more/pdbDisruptionsIsZero__success.none.yaml", "pdbDisruptionsIsZero"): _NULL_SELECTOR,
    ("peer-polaris-more/missingPodDisruptionBudget__success.many.yaml", "missingPodDisruptionBudget"):
        "a PDB selects pods by their labels (the Deployment's pod template, which has none here); Polaris "
        "matches the Deployment's own metadata labels, which the eviction API never looks at",
}  # fmt: skip


#: fixture folders with an EXPECTED.txt; the *-more sets: further peer fixtures fetched for issue 15
PEER_SETS = ("peer-kube-score", "peer-kube-score-more", "peer-polaris", "peer-polaris-more")


def expected_rows() -> list[tuple[str, str, str]]:
    """``(peer/fixture, check, grade)`` of every line of both EXPECTED.txt."""
    rows = []
    for peer in PEER_SETS:
        for line in (K8S / peer / "EXPECTED.txt").read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                fixture, check, grade = (part.strip() for part in line.split("|")[:3])
                rows.append((f"{peer}/{fixture}", check, grade))
    return rows


ROWS = expected_rows()


@pytest.mark.parametrize(("file", "check", "grade"), ROWS, ids=[f"{r[0]}|{r[1]}" for r in ROWS])
def test_every_peer_fixture_graded(file, check, grade, tmp_path):
    """Each EXPECTED.txt line: we agree with the peer, or DIFFERENCES says why; live gives the same."""
    rule = RULES[check]
    path = K8S / file
    ours = rule(offline_inventory(path))
    if (file, check) in DIFFERENCES:
        assert ours != PEER_OK[grade], f"{file} {check}: listed as a difference but we agree"
    else:
        assert ours == PEER_OK[grade], f"{file} {check}: peer {grade}, ours {'pass' if ours else 'fail'}"
    with FakeKubeAPI(load_manifests(path)) as api:
        live = live_inventory(api.kubeconfig(tmp_path / "kc"), "prod", None, 5)
        assert rule(live) is ours  # the live path gives the same verdict


def test_differences_are_real_rows_and_agreement_figures():
    keys = {(f, c) for f, c, _ in ROWS}
    assert set(DIFFERENCES) <= keys
    by_peer = {p: sum(f.startswith(p) for f, _, _ in ROWS) for p in ("peer-kube-score", "peer-polaris")}
    diff = {p: sum(f.startswith(p) for f, _ in DIFFERENCES) for p in by_peer}
    # the README "Peer agreement" table quotes these figures
    assert by_peer == {"peer-kube-score": 18, "peer-polaris": 25}  # peer-x*: both sets of a peer
    assert diff == {"peer-kube-score": 3, "peer-polaris": 6}


def test_identical_probes_are_named(tmp_path):
    inv = offline_inventory(K8S / "peer-kube-score/pod-probes-identical-http.yaml")
    finding = k8s.assess_probes(inv).failures[0]
    assert finding.subject == "default/Pod/pod-test-1:foobar"
    assert finding.note == "readiness and liveness probes identical"


EXAMPLES = K8S / "kubernetes-examples"


def test_kubernetes_examples_datastores_on_emptydir(tmp_path):
    """Real manifests (kubernetes/examples): Redis and Elasticsearch keeping data on emptyDir."""
    for name, subject, engine, mount in [
        ("redis-master.yaml", "default/Pod/redis-master:master", "redis", "/redis-master-data"),
        ("es-rc.yaml", "default/ReplicationController/es:es", "elasticsearch", "/data"),
    ]:
        path = EXAMPLES / name
        offline = assess_datastore_volumes(offline_inventory(path))
        bad = {f.subject: f for f in offline.failures}
        assert list(bad) == [subject]
        assert bad[subject].observed == {"engine": engine, "data_mounts": {mount: "emptyDir"}}
        assert bad[subject].note == f"{engine} data on emptyDir at {mount}: lost on every reschedule"
        with FakeKubeAPI(load_manifests(path)) as api:
            live = live_inventory(api.kubeconfig(tmp_path / "kc"), "prod", None, 5)
            assert assess_datastore_volumes(live) == offline


def test_kubernetes_examples_other_rules():
    sts = offline_inventory(EXAMPLES / "redis-statefulset.yaml")
    assert assess_datastore_volumes(sts).ok  # no data volume at all: nothing on emptyDir
    pins = {f.subject: f.note for f in k8s.assess_image_pinning(sts).failures}
    assert pins == {
        "default/StatefulSet/redis:redis": "tag latest",
        "default/StatefulSet/redis:sentinel": "tag latest",
    }
    assert {f.note for f in k8s.assess_probes(sts).failures} == {"no readinessProbe; no livenessProbe"}
    es = offline_inventory(EXAMPLES / "es-rc.yaml")
    assert k8s.assess_pdb_coverage(es).findings == ()  # explicit replicas: 1 needs no PDB
    pin = {f.subject: f.observed["pinned_by"] for f in k8s.assess_image_pinning(es).findings}
    assert pin == {
        "default/ReplicationController/es:es": "version tag",
        "default/ReplicationController/es:init-sysctl": None,
    }


def test_realworld_data_is_in_the_repository():
    assert K8S.is_dir(), f"missing test data: {K8S}"
