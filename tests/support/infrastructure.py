# ruff: noqa: E501  (data tables read best one case per line)
"""Infrastructure tests: manifests of a compliant and a non-compliant application, DR text, suite runner."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.support import readiness

ROOT = Path(__file__).resolve().parents[2]
REALWORLD = ROOT / "tests" / "data" / "realworld"
REGISTRY = "ghcr.io/valueverse"
RES = {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}}
PROBES = {
    "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}},
    "livenessProbe": {"httpGet": {"path": "/live", "port": 8080}},
}


def _deploy(name: str, ns: str, labels: dict[str, str], replicas: int | None, containers: list[dict[str, Any]],
            init: list[dict[str, Any]] | None = None, kind: str = "Deployment") -> dict[str, Any]:  # fmt: skip
    spec: dict[str, Any] = {
        "selector": {"matchLabels": labels},
        "template": {"metadata": {"labels": labels}, "spec": {"containers": containers}},
    }
    if replicas is not None:
        spec["replicas"] = replicas
    if init:
        spec["template"]["spec"]["initContainers"] = init
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name, "namespace": ns}, "spec": spec}


def _cronjob(name: str, ns: str, container: dict[str, Any], hook: str | None = None, kind: str = "CronJob"):
    pod = {"spec": {"restartPolicy": "OnFailure", "containers": [container]}}
    if kind == "Job":
        meta: dict[str, Any] = {"name": name, "namespace": ns}
        if hook:
            meta["annotations"] = {"helm.sh/hook": hook}
        return {"apiVersion": "batch/v1", "kind": "Job", "metadata": meta, "spec": {"template": pod}}
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": pod}}},
    }


def good_objects() -> list[dict[str, Any]]:
    web = {"name": "web", "image": f"{REGISTRY}/web:1.4.0", "resources": RES, **PROBES}
    init = {"name": "wait-db", "image": f"{REGISTRY}/web:1.4.0", "resources": RES}
    worker = {"name": "worker", "image": f"{REGISTRY}/worker:1.4.0", "resources": RES, **PROBES}
    return [
        _deploy("web", "prod", {"app": "web", "tier": "frontend"}, None, [web], [init]),
        _deploy("worker", "prod", {"app": "worker"}, 2, [worker]),
        _deploy("cluster-autoscaler", "kube-system", {"app": "cluster-autoscaler"}, 1,
                [{"name": "ca", "image": "registry.k8s.io/autoscaling/cluster-autoscaler:v1.31.0"}]),
        _cronjob("db-migrate", "prod", {"name": "migrate", "image": f"{REGISTRY}/web:1.4.0", "resources": RES},
                 hook="pre-upgrade", kind="Job"),
        _cronjob("pg-backup", "prod", {"name": "dump", "image": f"{REGISTRY}/pg-backup:1.4.0", "resources": RES,
                                        "command": ["pg_dump"]}),
        {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web", "namespace": "prod"},
         "spec": {"maxUnavailable": 1, "selector": {"matchExpressions": [
             {"key": "app", "operator": "In", "values": ["web"]}, {"key": "canary", "operator": "DoesNotExist"}]}}},
        {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "worker", "namespace": "prod"},
         "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "worker"}}}},
        {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
         "metadata": {"name": "web", "namespace": "prod"},
         "spec": {"minReplicas": 3, "maxReplicas": 10,
                  "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
         "metadata": {"name": "default-deny", "namespace": "prod"},
         "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
         "metadata": {"name": "web-allow", "namespace": "prod"},
         "spec": {"podSelector": {"matchLabels": {"app": "web"}},
                  "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"name": "ingress-nginx"}}}]}],
                  "egress": [{"to": [{"podSelector": {"matchLabels": {"app": "db"}}}]}]}},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "prod"},
         "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web", "namespace": "prod"},
         "spec": {"tls": [{"hosts": ["*.valueverse.example"], "secretName": "web-tls"}],
                  "rules": [{"host": "app.valueverse.example", "http": {"paths": []}},
                            {"host": "www.valueverse.example", "http": {"paths": []}}]}},
        _datastore(f"{REGISTRY}/postgres:16.4@sha256:{'a' * 64}", "/var/lib/postgresql/data",
                   {"name": "data", "persistentVolumeClaim": {"claimName": "pg-data"}}),
    ]  # fmt: skip


def _datastore(image: str, path: str, volume: dict[str, Any]) -> dict[str, Any]:
    """A one-replica database StatefulSet keeping its data on ``volume`` (mounted at ``path``)."""
    probes = {"readinessProbe": {"exec": {"command": ["pg_isready"]}},
              "livenessProbe": {"tcpSocket": {"port": 5432}}}  # fmt: skip
    db = {"name": "db", "image": image, "resources": RES, **probes,
          "volumeMounts": [{"name": "data", "mountPath": path}]}  # fmt: skip
    obj = _deploy("db", "prod", {"app": "db"}, 1, [db], kind="StatefulSet")
    obj["spec"]["template"]["spec"]["volumes"] = [volume]
    return obj


def bad_objects() -> list[dict[str, Any]]:
    web = {"name": "web", "image": "valueverse/web:latest", "resources": {"limits": {"memory": "256Mi"}}}
    worker = {"name": "worker", "image": f"{REGISTRY}/worker", "resources": RES, **PROBES}
    return [
        _deploy("web", "prod", {"app": "web"}, 3, [web], [{"name": "init", "image": "busybox:1.36"}]),
        _deploy("worker", "prod", {"app": "worker"}, 2, [worker]),
        {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web", "namespace": "prod"},
         "spec": {"minAvailable": "100%", "selector": {"matchLabels": {"app": "web"}}}},
        {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
         "metadata": {"name": "web", "namespace": "prod"},
         "spec": {"minReplicas": 1, "maxReplicas": 4,
                  "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web", "namespace": "prod"},
         "spec": {"rules": [{"host": "app.valueverse.example", "http": {"paths": []}}]}},
        _datastore("redis:alpine", "/data", {"name": "data", "emptyDir": {}}),
    ]  # fmt: skip


def write_manifests(path: Path, objects: list[dict[str, Any]]) -> Path:
    path.write_text(yaml.safe_dump_all(objects, sort_keys=False), encoding="utf-8")
    return path


def run_suite(tmp: Path, env_toml: str, *extra: str) -> dict[str, dict[str, Any]]:
    """Run ``suites/test_infrastructure.py`` in a subprocess; items of readiness.json by id."""
    return readiness.run_suite(tmp, env_toml, str(ROOT / "suites" / "test_infrastructure.py"), *extra)


DR_TEXT = """# Disaster recovery plan

Scope: the PostgreSQL primary, Redis and the object store. Backups run nightly with pg_dump and WAL
archiving to a second region. Restores are rehearsed quarterly into a scratch instance.

## Objectives
- RTO: 4 hours
- Recovery Point Objective (RPO) <= 15 minutes
"""
