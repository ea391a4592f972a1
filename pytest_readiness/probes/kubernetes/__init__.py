"""Kubernetes knowledge: one inventory (live cluster or rendered manifests) and pure rules over it.

* :mod:`.inventory` — :class:`Inventory` (``objects(kind)``, ``workloads()``, ``server_version()``),
  built by :func:`live_inventory` (official ``kubernetes`` client) or :func:`offline_inventory`
  (a folder or multi-document YAML, ``kind: List`` expanded).  The ``k8s_inventory`` session fixture
  (``pytest_readiness/fixtures/kubernetes.py``) returns one; other suites reuse it.
* :mod:`.selectors` — label selectors with the API server's semantics.
* :mod:`.rules` — ``assess_*`` functions returning Assessments whose findings name
  ``namespace/Kind/name[:container]``.
"""

from pytest_readiness.probes.kubernetes.inventory import (
    KINDS,
    Inventory,
    Workload,
    live_inventory,
    load_manifests,
    offline_inventory,
    ref,
)

__all__ = ["KINDS", "Inventory", "Workload", "live_inventory", "load_manifests", "offline_inventory", "ref"]
