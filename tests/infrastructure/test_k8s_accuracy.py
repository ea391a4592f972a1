# ruff: noqa: E501  (data tables read best one case per line)
"""Issue 15, points 1-5: the rules judge as kube-score and Polaris do, good and bad, offline and live.

Each case runs on rendered manifests and through the real ``kubernetes`` client against the fake API
server, asserting the same status and evidence from both.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pytest_readiness.assessment import Assessment
from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.kubernetes import live_inventory, load_manifests, offline_inventory
from pytest_readiness.probes.kubernetes import rules as k8s
from pytest_readiness.probes.kubernetes.storage import assess_datastore_volumes, data_paths, engine_of
from tests.support.infrastructure import PROBES, RES, good_objects, write_manifests
from tests.support.k8s_fake import FakeKubeAPI

Rule = Callable[[Any], Assessment]


def judge(tmp_path: Path, objects: list[dict[str, Any]], rule: Rule) -> Assessment:
    """The rule's assessment offline, after checking the live client gives the very same one."""
    path = write_manifests(tmp_path / "m.yaml", objects)
    offline = rule(offline_inventory(path, ["prod"]))
    with FakeKubeAPI(load_manifests(path)) as api:
        live = rule(live_inventory(api.kubeconfig(tmp_path / "kc"), "prod", ["prod"], 5))
    assert live == offline
    return offline


def workload(name: str, containers: list[dict[str, Any]], replicas: int | None = 2, kind: str = "Deployment",
             volumes: list[dict[str, Any]] | None = None, labels: dict[str, str] | None = None) -> dict[str, Any]:  # fmt: skip
    labels = labels or {"app": name}
    spec: dict[str, Any] = {"selector": {"matchLabels": labels},
                            "template": {"metadata": {"labels": labels}, "spec": {"containers": containers}}}  # fmt: skip
    if replicas is not None:
        spec["replicas"] = replicas
    if volumes:
        spec["template"]["spec"]["volumes"] = volumes
    return {
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": {"name": name, "namespace": "prod"},
        "spec": spec,
    }


def container(name: str = "app", image: str = "ghcr.io/o/app:1.0", **extra: Any) -> dict[str, Any]:
    return {"name": name, "image": image, "resources": RES, **extra}


def pdb(name: str, selector: Any, **policy: Any) -> dict[str, Any]:
    spec = {**policy}
    if selector is not None:
        spec["selector"] = selector
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": name, "namespace": "prod"},
            "spec": spec}  # fmt: skip


def netpol(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": "prod"}, "spec": spec}  # fmt: skip


# ---------------------------------------------------------------------------- 1. pod probes
def test_probes_distinct_pass_with_handlers_as_evidence(tmp_path):
    init = {"name": "migrate", "image": "ghcr.io/o/app:1.0"}  # init containers need no probe
    web = workload("web", [container(**PROBES)])
    web["spec"]["template"]["spec"]["initContainers"] = [init]
    a = judge(tmp_path, [web], k8s.assess_probes)
    assert a.ok
    assert [(f.subject, f.observed) for f in a.findings] == [
        ("prod/Deployment/web:app", {"readiness": "httpGet :8080/ready", "liveness": "httpGet :8080/live"})
    ]


def test_probes_missing_or_identical_fail_each_named(tmp_path):
    same = {"httpGet": {"path": "/healthz", "port": 8080}}
    objs = [
        workload("none", [container()]),
        workload("nolive", [container(readinessProbe=same)]),
        workload("same", [container(readinessProbe=same, livenessProbe={**same, "periodSeconds": 30})]),
        {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "once", "namespace": "prod"},
         "spec": {"template": {"spec": {"containers": [container()]}}}},  # runs to completion: no probe needed
    ]  # fmt: skip
    a = judge(tmp_path, objs, k8s.assess_probes)
    assert not a.ok
    assert {f.subject: f.note for f in a.failures} == {
        "prod/Deployment/none:app": "no readinessProbe; no livenessProbe",
        "prod/Deployment/nolive:app": "no livenessProbe",
        "prod/Deployment/same:app": "readiness and liveness probes identical",
    }
    same_finding = next(f for f in a.failures if f.subject.endswith("same:app"))
    assert same_finding.observed == {
        "readiness": "httpGet :8080/healthz",
        "liveness": "httpGet :8080/healthz",
    }
    assert same_finding.expected == "distinct readiness and liveness probes"


# ---------------------------------------------------------------------------- 2. PDB coverage
@pytest.mark.parametrize(
    ("replicas", "hpa", "needs"),
    [(None, False, True),   # omitted: defaulted or HPA-managed elsewhere (kube-score)
     (None, True, True), (2, False, True), (1, False, False),  # only an explicit 1 is exempt
     (1, True, True)],      # ...unless an HPA scales it up
)  # fmt: skip
def test_pdb_needed_unless_explicit_single_replica(tmp_path, replicas, hpa, needs):
    objs = [workload("api", [container(**PROBES)], replicas=replicas)]
    if hpa:
        objs.append({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                     "metadata": {"name": "api", "namespace": "prod"},
                     "spec": {"minReplicas": 2, "maxReplicas": 5,
                              "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "api"}}})  # fmt: skip
    a = judge(tmp_path, objs, k8s.assess_pdb_coverage)
    if not needs:
        assert a.findings == () and a.ok
        return
    assert not a.ok
    finding = a.findings[0]
    assert finding.subject == "prod/Deployment/api" and finding.note == "no PDB selects its pod labels"
    assert finding.observed["replicas"] == (5 if hpa else "omitted" if replicas is None else replicas)
    covered = judge(tmp_path, [*objs, pdb("api", {"matchLabels": {"app": "api"}}, maxUnavailable=1)],
                    k8s.assess_pdb_coverage)  # fmt: skip
    assert covered.ok and covered.findings[0].observed["pdbs"] == ["prod/PodDisruptionBudget/api"]


@pytest.mark.parametrize(
    ("budget", "reason"),
    [(pdb("p", None, maxUnavailable=1), "its selector selects no pod"),
     (pdb("p", {"matchLabels": {"app": "api"}}, maxUnavailable=0), "maxUnavailable 0"),
     (pdb("p", {"matchLabels": {"app": "api"}}, minAvailable="100%"), "minAvailable 100%"),
     (pdb("p", {"matchLabels": {"app": "api"}}), "neither minAvailable nor maxUnavailable set")],
)  # fmt: skip
def test_pdb_judged_on_its_own_without_any_workload(tmp_path, budget, reason):
    a = judge(tmp_path, [budget], k8s.assess_pdb_policy)
    assert [(f.subject, f.ok, f.note) for f in a.findings] == [("prod/PodDisruptionBudget/p", False, reason)]
    assert a.findings[0].observed["selects"] == []
    # "no workloads found" does not turn the item into an error: coverage has nothing to cover
    assert judge(tmp_path, [budget], k8s.assess_pdb_coverage).findings == ()


def test_pdb_minavailable_reaching_declared_replicas_blocks(tmp_path):
    objs = [
        workload("api", [container()], replicas=2),
        pdb("p", {"matchLabels": {"app": "api"}}, minAvailable=2),
    ]
    bad = judge(tmp_path, objs, k8s.assess_pdb_policy).findings[0]
    assert not bad.ok and bad.note == "minAvailable 2 >= 2 replicas"
    assert bad.observed == {"minAvailable": 2, "selects": ["prod/Deployment/api"], "lowest_replicas": 2}
    objs[0]["spec"]["replicas"] = 3
    good = judge(tmp_path, objs, k8s.assess_pdb_policy).findings[0]
    assert good.ok and good.observed["lowest_replicas"] == 3
    del objs[0]["spec"]["replicas"]  # omitted offline: count unknown, minAvailable 2 not judged blocking
    unknown = judge(tmp_path, objs, k8s.assess_pdb_policy).findings[0]
    assert unknown.ok and "lowest_replicas" not in unknown.observed


def test_nothing_at_all_is_still_an_error(tmp_path):
    path = write_manifests(tmp_path / "m.yaml", [netpol("x", {"podSelector": {}})])
    with pytest.raises(ProbeError, match="no workloads found"):
        k8s.assess_pdb_coverage(offline_inventory(path, ["prod"]))


# ---------------------------------------------------------------------- 3. allow-all policies
@pytest.mark.parametrize(
    ("spec", "ingress", "egress"),
    [({"podSelector": {}, "ingress": [{}]}, False, False),                          # allow-all ingress
     ({"podSelector": {}, "policyTypes": ["Ingress", "Egress"], "egress": [{}]}, True, False),
     ({"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}, True, True),       # deny all, both ways
     ({"podSelector": {}, "ingress": [{"from": []}]}, False, False),                # empty peer list: all
     ({"podSelector": {}, "ingress": [{"ports": [{"port": 8080}]}]}, True, False),  # restricted to a port
     ({"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}]}, False, False),
     ({"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}}]}]},
      True, False),
     ({"podSelector": {}, "ingress": [{}, {"from": [{"podSelector": {}}]}]}, False, False)],  # one [{}] opens all
)  # fmt: skip
def test_allow_all_rules_do_not_isolate(tmp_path, spec, ingress, egress):
    objs = [workload("api", [container()]), netpol("p", spec)]
    a_in = judge(tmp_path, objs, lambda i: k8s.assess_network_isolation(i, "Ingress"))
    a_out = judge(tmp_path, objs, lambda i: k8s.assess_network_isolation(i, "Egress"))
    assert (a_in.ok, a_out.ok) == (ingress, egress)
    f = a_in.findings[0]
    assert f.observed == (["prod/NetworkPolicy/p"] if ingress else [])
    if not ingress:
        assert f.note == "ingress traffic unrestricted: allow-all ingress rule in prod/NetworkPolicy/p"


def test_allow_all_is_not_a_default_deny(tmp_path):
    objs = [workload("api", [container()]), netpol("open", {"podSelector": {}, "ingress": [{}]})]
    a = judge(tmp_path, objs, k8s.assess_default_deny)
    assert not a.ok and a.findings[0].observed == []
    objs.append(netpol("deny", {"podSelector": {}, "policyTypes": ["Ingress"]}))
    assert judge(tmp_path, objs, k8s.assess_default_deny).findings[0].observed == ["prod/NetworkPolicy/deny"]


# --------------------------------------------------------------------------- 4. floating tags
@pytest.mark.parametrize(
    ("image", "how", "problem"),
    [("redis:alpine", None, "floating tag alpine (names no version)"),
     ("nginx:stable", None, "floating tag stable (names no version)"),
     ("nginx:stable-alpine", None, "floating tag stable-alpine (names no version)"),
     ("postgres:bookworm", None, "floating tag bookworm (names no version)"),
     ("nginx:latest", None, "tag latest"),
     ("ghcr.io/o/app", None, "no tag (implies latest)"),
     ("registry.local:5000/app", None, "no tag (implies latest)"),
     ("nginx:alpine3.19", None, "floating tag alpine3.19 (names no version)"),  # the base's version only
     ("ghcr.io/o/app:jdk17-amd64", None, "floating tag jdk17-amd64 (names no version)"),
     ("redis:7.2.4-alpine", "version tag", ""),
     ("redis:7.2.4-alpine3.19", "version tag", ""),
     ("ghcr.io/o/app:v1", "version tag", ""),
     ("ghcr.io/o/app:sha-3f2a9c1", "version tag", ""),
     (f"redis:alpine@sha256:{'b' * 64}", "digest", "pinned by digest"),
     (f"ghcr.io/o/app@sha256:{'c' * 64}", "digest", "pinned by digest")],
)  # fmt: skip
def test_floating_tags_fail_version_tags_pass_digest_best(tmp_path, image, how, problem):
    a = judge(tmp_path, [workload("api", [container(image=image)])], k8s.assess_image_pinning)
    f = a.findings[0]
    assert (a.ok, f.observed["pinned_by"], f.note) == (how is not None, how, problem)
    assert f.observed["image"] == image and f.expected == "version tag or digest"


# ------------------------------------------------------------------------ 5. data on emptyDir
EMPTY = {"name": "data", "emptyDir": {}}
PVC = {"name": "data", "persistentVolumeClaim": {"claimName": "data"}}


@pytest.mark.parametrize(
    ("image", "mount", "env_args", "volume", "ephemeral"),
    [("redis:7.2", "/data", {}, EMPTY, True),
     ("bitnami/redis:7.2", "/bitnami/redis/data", {}, EMPTY, True),
     ("postgres:16", "/var/lib/postgresql/data", {}, {"name": "data", "emptyDir": {"medium": "Memory"}}, True),
     ("postgres:16", "/pgdata", {"env": [{"name": "PGDATA", "value": "/pgdata/db"}]}, EMPTY, True),
     ("mongo:7", "/data/db", {}, EMPTY, True),
     ("mysql:8.4", "/var/lib/mysql", {}, EMPTY, True),
     ("docker.elastic.co/elasticsearch/elasticsearch:8.14.0", "/usr/share/elasticsearch/data", {}, EMPTY, True),
     ("confluentinc/cp-kafka:7.6.1", "/var/lib/kafka/data", {}, EMPTY, True),
     ("minio/minio:RELEASE.2024-06-04", "/export", {"args": ["server", "/export"]}, EMPTY, True),
     ("redis:7.2", "/data", {}, PVC, False),
     ("redis:7.2", "/tmp", {}, EMPTY, False),                          # scratch, not the data path
     ("oliver006/redis_exporter:v1.61.0", "/data", {}, EMPTY, None),   # a companion, not a datastore
     ("nginx:1.27", "/data", {}, EMPTY, None)],
)  # fmt: skip
def test_datastore_data_on_emptydir(tmp_path, image, mount, env_args, volume, ephemeral):
    db = container("db", image, volumeMounts=[{"name": "data", "mountPath": mount}], **env_args)
    a = judge(tmp_path, [workload("db", [db], replicas=1, kind="StatefulSet", volumes=[volume])],
              assess_datastore_volumes)  # fmt: skip
    if ephemeral is None:
        assert a.findings == ()
        return
    f = a.findings[0]
    assert f.subject == "prod/StatefulSet/db:db" and f.ok is not ephemeral
    assert f.observed["engine"] == engine_of(image)
    if ephemeral:
        assert f.observed["data_mounts"] == {mount: "emptyDir"}
        assert f.note == f"{engine_of(image)} data on emptyDir at {mount}: lost on every reschedule"
    elif mount != "/tmp":
        assert f.observed["data_mounts"] == {mount: "persistentVolumeClaim"}


def test_volume_claim_templates_are_persistent(tmp_path):
    db = container(
        "db", "postgres:16", volumeMounts=[{"name": "pg", "mountPath": "/var/lib/postgresql/data"}]
    )
    sts = workload("pg", [db], replicas=1, kind="StatefulSet")
    sts["spec"]["volumeClaimTemplates"] = [
        {"metadata": {"name": "pg"}, "spec": {"accessModes": ["ReadWriteOnce"]}}
    ]
    f = judge(tmp_path, [sts], assess_datastore_volumes).findings[0]
    assert f.ok and f.observed["data_mounts"] == {"/var/lib/postgresql/data": "volumeClaimTemplate"}


@pytest.mark.parametrize(
    ("args", "ok"),
    [(["redis-server", "--save", "", "--appendonly", "no"], True),  # a cache by configuration
     (["redis-server", "--save", '""'], True),
     (["redis-server", "--save", "", "--appendonly", "yes"], False),  # AOF still writes /data
     (["redis-server", "--save", "60 1"], False)],
)  # fmt: skip
def test_redis_cache_without_persistence_keeps_nothing(tmp_path, args, ok):
    db = container("db", "redis:7.2", args=args, volumeMounts=[{"name": "data", "mountPath": "/data"}])
    f = judge(tmp_path, [workload("cache", [db], volumes=[EMPTY])], assess_datastore_volumes).findings[0]
    assert f.ok is ok
    assert ("persistence disabled" in f.note) is ok


def test_data_paths_from_arguments():
    assert "/srv/mongo" in data_paths("mongo", {"args": ["--dbpath", "/srv/mongo"]})
    assert "/srv/my" in data_paths("mysql", {"args": ["--datadir=/srv/my"]})


def test_good_application_has_a_datastore_on_a_claim(tmp_path):
    a = judge(tmp_path, good_objects(), assess_datastore_volumes)
    assert a.ok and [f.subject for f in a.findings] == ["prod/StatefulSet/db:db"]


@pytest.mark.parametrize(
    ("ready", "live", "identical"),
    [({"httpGet": {"path": "/h", "port": 80}}, {"httpGet": {"path": "/h", "port": 80, "scheme": "HTTP",
                                                           "httpHeaders": [{"name": "X", "value": "1"}]}}, True),
     ({"httpGet": {"path": "/ready", "port": 80}}, {"httpGet": {"path": "/live", "port": 80}}, False),
     ({"tcpSocket": {"port": 5432}}, {"tcpSocket": {"port": 5432}, "periodSeconds": 60}, True),
     ({"exec": {"command": ["pg_isready"]}}, {"exec": {"command": ["pg_isready"]}}, True),
     ({"exec": {"command": ["pg_isready"]}}, {"tcpSocket": {"port": 5432}}, False)],
)  # fmt: skip
def test_identical_means_same_target_as_kube_score(tmp_path, ready, live, identical):
    a = judge(
        tmp_path, [workload("api", [container(readinessProbe=ready, livenessProbe=live)])], k8s.assess_probes
    )
    assert a.ok is not identical
    assert ("readiness and liveness probes identical" in a.findings[0].note) is identical
