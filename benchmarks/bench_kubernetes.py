# ruff: noqa: E501  (generated-object tables read best one per line)
"""Benchmark (not a test): every Kubernetes rule over a generated inventory, offline and live.

    .venv/bin/python benchmarks/bench_kubernetes.py            # 500/1000/2000/4000 Deployments
    .venv/bin/python benchmarks/bench_kubernetes.py 2000       # one size

Each size spreads the Deployments over 50 namespaces, with a PDB for each, a default-deny and an
allow NetworkPolicy per namespace and an HPA for every fourth Deployment.  Offline times include
parsing the YAML; live times go through the real ``kubernetes`` client against the local fake API
server (tests/support/k8s_fake.py), so they include HTTP and JSON.  Growth should be linear.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pytest_readiness.env_schema import default  # noqa: E402
from pytest_readiness.probes.kubernetes import Inventory, live_inventory, offline_inventory  # noqa: E402
from pytest_readiness.probes.kubernetes import rules as k8s  # noqa: E402
from pytest_readiness.probes.kubernetes.storage import assess_datastore_volumes  # noqa: E402
from tests.support.k8s_fake import FakeKubeAPI  # noqa: E402

NAMESPACES = 50
RES = {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "1", "memory": "256Mi"}}


def generate(n: int) -> list[dict[str, Any]]:
    objs: list[dict[str, Any]] = []
    for ns_i in range(NAMESPACES):
        ns = f"team-{ns_i:02d}"
        objs.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                     "metadata": {"name": "default-deny", "namespace": ns},
                     "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}})
        objs.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                     "metadata": {"name": "allow-frontend", "namespace": ns},
                     "spec": {"podSelector": {"matchExpressions": [
                         {"key": "tier", "operator": "In", "values": ["frontend"]}]},
                         "ingress": [{"from": [{"namespaceSelector": {}}]}]}})
    for i in range(n):
        ns, name = f"team-{i % NAMESPACES:02d}", f"svc-{i:05d}"
        labels = {"app": name, "tier": "frontend" if i % 2 else "backend"}
        container = {"name": "app", "image": f"ghcr.io/valueverse/{name}:1.0.{i}", "resources": RES,
                     "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}},
                     "livenessProbe": {"httpGet": {"path": "/live", "port": 8080}}}
        objs.append({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns},
                     "spec": {"replicas": 3, "selector": {"matchLabels": labels},
                              "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}}}})
        objs.append({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
                     "metadata": {"name": name, "namespace": ns},
                     "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"app": name}}}})
        if i % 4 == 0:
            objs.append({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                         "metadata": {"name": name, "namespace": ns},
                         "spec": {"minReplicas": 3, "maxReplicas": 10,
                                  "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}}})
    return objs  # fmt: skip


def run_rules(inv: Inventory) -> int:
    checks = [
        k8s.assess_resources(inv, default("kubernetes", "required_resources")), k8s.assess_pdb_coverage(inv), k8s.assess_pdb_policy(inv),
        k8s.assess_network_isolation(inv, "Ingress"), k8s.assess_network_isolation(inv, "Egress"),
        k8s.assess_default_deny(inv), k8s.assess_image_pinning(inv),
        k8s.assess_image_registry(inv, "ghcr.io/valueverse"), k8s.assess_probes(inv), k8s.assess_hpa(inv, default("kubernetes", "hpa_min_replicas")),
        k8s.assess_public_exposure(inv, []), k8s.assess_backup_schedule(inv), assess_datastore_volumes(inv),
    ]  # fmt: skip
    return sum(len(a.findings) for a in checks)


def bench(n: int, tmp: Path) -> tuple[float, float, int]:
    objects = generate(n)
    path = tmp / f"inventory-{n}.yaml"
    path.write_text(yaml.dump_all(objects, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper)))
    start = time.perf_counter()
    findings = run_rules(offline_inventory(path))
    offline_s = time.perf_counter() - start
    with FakeKubeAPI(objects) as api:
        kubeconfig = api.kubeconfig(tmp / "kubeconfig")
        start = time.perf_counter()
        live_findings = run_rules(live_inventory(kubeconfig, "prod", None, 30))
        live_s = time.perf_counter() - start
    assert live_findings == findings
    return offline_s, live_s, findings


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [500, 1000, 2000, 4000]
    with tempfile.TemporaryDirectory() as tmp:
        bench(50, Path(tmp))  # warm up: imports and the client's lazily built validators stay out of the figures
        print(f"{'deployments':>11} {'objects':>8} {'findings':>9} {'offline s':>10} {'live s':>8} {'offline us/obj':>15}")
        for n in sizes:
            offline_s, live_s, findings = bench(n, Path(tmp))
            objects = len(generate(n))
            print(f"{n:>11} {objects:>8} {findings:>9} {offline_s:>10.2f} {live_s:>8.2f} {offline_s / objects * 1e6:>15.0f}")


if __name__ == "__main__":
    main(sys.argv[1:])
