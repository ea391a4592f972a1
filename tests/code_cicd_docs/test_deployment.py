"""Blue-green from a Kubernetes inventory (offline manifests): Argo Rollouts and switching Services."""

from __future__ import annotations

from pathlib import Path

from pytest_readiness.probes.kubernetes import offline_inventory
from pytest_readiness.probes.kubernetes.deployment import assess_blue_green
from tests.support.code_cicd_docs import write_tree

ROLLOUT = """
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web, namespace: prod}
spec:
  strategy:
    blueGreen: {activeService: web-active, previewService: web-preview, autoPromotionEnabled: false}
"""
TWO_COLORS = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: api-blue, namespace: prod}
spec:
  template: {metadata: {labels: {app: api, color: blue}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api-green, namespace: prod}
spec:
  template: {metadata: {labels: {app: api, color: green}}}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: prod}
spec:
  selector: {app: api, color: blue}
"""
ROLLING = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: prod}
spec:
  strategy: {type: RollingUpdate}
  template: {metadata: {labels: {app: api}}}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: prod}
spec:
  selector: {app: api}
"""


def _assess(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    write_tree(tmp_path, {"manifests/all.yaml": text})
    inv = offline_inventory(tmp_path / "manifests")
    return assess_blue_green(inv.objects("Rollout"), inv.objects("Deployment"), inv.objects("Service"))


def test_argo_rollout_blue_green(tmp_path: Path) -> None:
    a = _assess(tmp_path, ROLLOUT)
    assert a.ok and a.findings[0].subject == "prod/Rollout/web"


def test_two_deployments_behind_switching_service(tmp_path: Path) -> None:
    a = _assess(tmp_path, TWO_COLORS)
    assert a.ok and a.findings[0].observed == {"active": "api-blue", "idle": "api-green"}


def test_rolling_update_only_fails(tmp_path: Path) -> None:
    a = _assess(tmp_path, ROLLING)
    assert not a.ok and a.findings[0].observed == "no blue-green setup"


def test_canary_rollout_is_not_blue_green(tmp_path: Path) -> None:
    a = _assess(
        tmp_path,
        ROLLOUT.replace(
            "blueGreen: {activeService: web-active, previewService: web-preview, "
            "autoPromotionEnabled: false}",
            "canary: {steps: [{setWeight: 20}]}",
        ),
    )
    assert not a.ok and a.failures[0].observed == {"strategy": ["canary"]}
