"""Blue-green deployment, read from the Kubernetes inventory (live cluster or rendered manifests).

Two shapes count: an Argo Rollouts ``Rollout`` with ``spec.strategy.blueGreen`` (an
``activeService``; a ``previewService`` is recommended), or two Deployments in one namespace whose
pod labels differ only in the value of one key (``color: blue`` / ``color: green``) and a Service
whose selector uses that key to pick one of them — switching the selector switches the traffic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.probes.kubernetes.selectors import compile_map_selector

Obj = Mapping[str, Any]


def _meta(obj: Obj) -> tuple[str, str]:
    m = obj.get("metadata") or {}
    return str(m.get("namespace") or "default"), str(m.get("name") or "")


def _pod_labels(obj: Obj) -> dict[str, str]:
    tpl = ((obj.get("spec") or {}).get("template") or {}).get("metadata") or {}
    return {str(k): str(v) for k, v in (tpl.get("labels") or {}).items()}


def blue_green_pairs(deployments: Iterable[Obj], services: Iterable[Obj]) -> list[tuple[str, str, str, str]]:
    """(namespace, Service, active Deployment, idle Deployment) for every switching pair."""
    deps = list(deployments)
    out = []
    for svc in services:
        ns, name = _meta(svc)
        selector = {str(k): str(v) for k, v in ((svc.get("spec") or {}).get("selector") or {}).items()}
        if not selector:
            continue
        same_ns = [(d, _pod_labels(d)) for d in deps if _meta(d)[0] == ns]
        for active, labels in same_ns:
            if not compile_map_selector(selector)(labels):
                continue
            for idle, other in same_ns:
                if idle is active:
                    continue
                differ = {k for k in set(labels) | set(other) if labels.get(k) != other.get(k)}
                if len(differ) == 1 and next(iter(differ)) in selector and set(labels) == set(other):
                    out.append((ns, name, _meta(active)[1], _meta(idle)[1]))
    return out


def assess_blue_green(
    rollouts: Iterable[Obj], deployments: Iterable[Obj], services: Iterable[Obj]
) -> Assessment:
    findings = []
    for r in rollouts:
        ns, name = _meta(r)
        strategy = (r.get("spec") or {}).get("strategy") or {}
        bg = strategy.get("blueGreen")
        if isinstance(bg, Mapping):
            ok = bool(bg.get("activeService"))
            findings.append(
                Finding(
                    f"{ns}/Rollout/{name}",
                    {
                        "strategy": "blueGreen",
                        "activeService": bg.get("activeService"),
                        "previewService": bg.get("previewService"),
                    },
                    {"strategy": "blueGreen", "activeService": "set"},
                    ok,
                    ""
                    if bg.get("previewService")
                    else "no previewService: the new version cannot be checked first",
                )
            )
        else:
            findings.append(
                Finding(
                    f"{ns}/Rollout/{name}",
                    {"strategy": sorted(strategy)},
                    {"strategy": "blueGreen"},
                    False,
                    "a Rollout without blueGreen strategy",
                )
            )
    for ns, svc, active, idle in blue_green_pairs(deployments, services):
        findings.append(
            Finding(
                f"{ns}/Service/{svc}",
                {"active": active, "idle": idle},
                "selector switching between two Deployments",
                True,
            )
        )
    if not any(f.ok for f in findings):
        findings.append(
            Finding(
                "Kubernetes inventory",
                "no blue-green setup",
                "Rollout with blueGreen, or two Deployments behind a switching Service",
                False,
            )
        )
    return Assessment.of("blue-green deployment configured", [f for f in findings if f.ok] or findings)
