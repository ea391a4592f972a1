"""One Kubernetes inventory, two sources: a live cluster or rendered manifests.

Every Kubernetes check reads an :class:`Inventory`, never the API directly, so each check works on a
live cluster and on ``helm template`` / ``kubectl get -o yaml`` output alike, and each list is fetched
once per session.  Objects are plain dicts in the API's own JSON shape (camelCase), the same from
both sources: the live source asks the official client for the raw JSON (``_preload_content=False``)
instead of its model classes, which is faster and keeps the two sources identical.

Reusable API (the ``k8s_inventory`` session fixture returns an :class:`Inventory`)::

    inv.objects("Deployment")                 # every Deployment in the configured namespaces
    inv.objects("Pod", namespace="kube-system")  # one namespace (fetched on demand, cached)
    inv.workloads()                           # top-level pod owners as Workload (template, replicas)
    inv.server_version()                      # {"major","minor","gitVersion"} live, None offline
    inv.namespace_exists("prod")              # True/False live, None offline
    Workload.ref / .containers() / .labels / .pod_spec / .replicas

Kinds known: see :data:`KINDS` (core workloads, Services, Ingresses, PDBs, NetworkPolicies, HPAs,
Argo Rollouts, Karpenter NodePools, Velero Schedules).  Custom kinds whose CRD is absent are empty.
Returned dicts are shared: callers must not mutate them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pytest_readiness import safe_yaml
from pytest_readiness.errors import ProbeError

Obj = Mapping[str, Any]


@dataclass(frozen=True)
class KindInfo:
    """Where a kind lives in the API: typed client method names, or a custom resource."""

    api_version: str
    api: str = ""  # kubernetes.client class name
    namespaced_call: str = ""
    all_call: str = ""
    plural: str = ""  # custom resources (CustomObjectsApi)
    namespaced: bool = True

    @property
    def custom(self) -> bool:
        return bool(self.plural)


KINDS: dict[str, KindInfo] = {
    "Pod": KindInfo("v1", "CoreV1Api", "list_namespaced_pod", "list_pod_for_all_namespaces"),
    "Service": KindInfo("v1", "CoreV1Api", "list_namespaced_service", "list_service_for_all_namespaces"),
    "ReplicationController": KindInfo(
        "v1",
        "CoreV1Api",
        "list_namespaced_replication_controller",
        "list_replication_controller_for_all_namespaces",
    ),
    "ConfigMap": KindInfo(
        "v1", "CoreV1Api", "list_namespaced_config_map", "list_config_map_for_all_namespaces"
    ),
    "Deployment": KindInfo(
        "apps/v1", "AppsV1Api", "list_namespaced_deployment", "list_deployment_for_all_namespaces"
    ),
    "StatefulSet": KindInfo(
        "apps/v1", "AppsV1Api", "list_namespaced_stateful_set", "list_stateful_set_for_all_namespaces"
    ),
    "DaemonSet": KindInfo(
        "apps/v1", "AppsV1Api", "list_namespaced_daemon_set", "list_daemon_set_for_all_namespaces"
    ),
    "ReplicaSet": KindInfo(
        "apps/v1", "AppsV1Api", "list_namespaced_replica_set", "list_replica_set_for_all_namespaces"
    ),
    "Job": KindInfo("batch/v1", "BatchV1Api", "list_namespaced_job", "list_job_for_all_namespaces"),
    "CronJob": KindInfo(
        "batch/v1", "BatchV1Api", "list_namespaced_cron_job", "list_cron_job_for_all_namespaces"
    ),
    "PodDisruptionBudget": KindInfo(
        "policy/v1",
        "PolicyV1Api",
        "list_namespaced_pod_disruption_budget",
        "list_pod_disruption_budget_for_all_namespaces",
    ),
    "NetworkPolicy": KindInfo(
        "networking.k8s.io/v1",
        "NetworkingV1Api",
        "list_namespaced_network_policy",
        "list_network_policy_for_all_namespaces",
    ),
    "Ingress": KindInfo(
        "networking.k8s.io/v1",
        "NetworkingV1Api",
        "list_namespaced_ingress",
        "list_ingress_for_all_namespaces",
    ),
    "HorizontalPodAutoscaler": KindInfo(
        "autoscaling/v2",
        "AutoscalingV2Api",
        "list_namespaced_horizontal_pod_autoscaler",
        "list_horizontal_pod_autoscaler_for_all_namespaces",
    ),
    "Rollout": KindInfo("argoproj.io/v1alpha1", plural="rollouts"),
    "Schedule": KindInfo("velero.io/v1", plural="schedules"),
    "NodePool": KindInfo("karpenter.sh/v1", plural="nodepools", namespaced=False),
}

#: Kinds that own a pod template; ``workloads()`` returns those not owned by another controller.
WORKLOAD_KINDS = (
    "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Rollout", "Job",
    "CronJob", "Pod",
)  # fmt: skip
#: Kinds whose ``spec.replicas`` defaults to 1 (the API server's default).
REPLICATED_KINDS = frozenset({"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController", "Rollout"})
PAGE_SIZE = 500


def ref(obj: Obj, container: str | None = None) -> str:
    """``namespace/Kind/name`` (``:container``): how every finding names its object."""
    meta = obj.get("metadata") or {}
    namespace = meta.get("namespace") or "-"
    text = f"{namespace}/{obj.get('kind', '?')}/{meta.get('name', '?')}"
    return f"{text}:{container}" if container else text


@dataclass(frozen=True)
class Workload:
    """A top-level pod owner with its pod template resolved (CronJob → jobTemplate → template)."""

    obj: Obj
    kind: str
    namespace: str
    name: str
    labels: Mapping[str, str]
    pod_spec: Mapping[str, Any]
    replicas: int | None  # None: not a replicated kind (DaemonSet, Job, CronJob, Pod)
    #: ``spec.replicas`` written in the object; omitted means HPA-managed or defaulted (to 1) by the
    #: API server, which a live object never is (the server fills the default in).
    replicas_declared: bool = True

    @property
    def ref(self) -> str:
        return f"{self.namespace}/{self.kind}/{self.name}"

    @property
    def long_running(self) -> bool:
        """Serves traffic (probes, PDBs apply), unlike a Job or CronJob that runs to completion."""
        return self.kind not in ("Job", "CronJob")

    def containers(self, init: bool = True) -> Iterator[tuple[str, Mapping[str, Any], bool]]:
        """``(name, container, is_init)`` for the containers, then the init containers."""
        for c in self.pod_spec.get("containers") or []:
            if isinstance(c, Mapping):
                yield str(c.get("name", "?")), c, False
        if init:
            for c in self.pod_spec.get("initContainers") or []:
                if isinstance(c, Mapping):
                    yield str(c.get("name", "?")), c, True


def as_workload(obj: Obj) -> Workload | None:
    kind = str(obj.get("kind", ""))
    meta = obj.get("metadata") or {}
    spec = obj.get("spec") or {}
    if kind == "Pod":
        template: Mapping[str, Any] = {"metadata": meta, "spec": spec}
    elif kind == "CronJob":
        template = ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template") or {}
    elif kind in WORKLOAD_KINDS:
        template = spec.get("template") or {}
    else:
        return None
    tmeta = template.get("metadata") or {}
    replicas: int | None = None
    declared = True
    if kind in REPLICATED_KINDS:
        raw = spec.get("replicas")
        declared = isinstance(raw, int) and not isinstance(raw, bool)
        replicas = raw if isinstance(raw, int) and declared else 1
    return Workload(
        obj=obj,
        kind=kind,
        namespace=str(meta.get("namespace") or "default"),
        name=str(meta.get("name", "?")),
        labels={str(k): str(v) for k, v in (tmeta.get("labels") or {}).items()},
        pod_spec=template.get("spec") or {},
        replicas=replicas,
        replicas_declared=declared,
    )


def _controlled(obj: Obj) -> bool:
    owners = (obj.get("metadata") or {}).get("ownerReferences") or []
    return any(isinstance(o, Mapping) and o.get("controller") for o in owners)


@dataclass
class Inventory:
    """The objects of the configured namespaces, fetched lazily once per kind and namespace."""

    source: str  # "live context=NAME" or "offline PATH": shown in evidence
    namespaces: tuple[str, ...] | None  # None: every namespace
    _backend: _Backend
    _cache: dict[tuple[str, str | None], list[Obj]] = field(default_factory=dict)
    _workloads: list[Workload] | None = None

    @property
    def live(self) -> bool:
        return isinstance(self._backend, LiveBackend)

    def objects(self, kind: str, namespace: str | None = None) -> list[Obj]:
        """Objects of ``kind`` in ``namespace``, or in every configured namespace when None."""
        info = KINDS.get(kind)
        if info is not None and not info.namespaced:
            return self._fetch(kind, None)
        if namespace is not None:
            return self._fetch(kind, namespace)
        if self.namespaces is None:
            return self._fetch(kind, None)
        out: list[Obj] = []
        for ns in self.namespaces:
            out.extend(self._fetch(kind, ns))
        return out

    def _fetch(self, kind: str, namespace: str | None) -> list[Obj]:
        key = (kind, namespace)
        if key not in self._cache:
            if namespace is not None and self.namespaces is None and (kind, None) in self._cache:
                everything = self._cache[(kind, None)]
                self._cache[key] = [o for o in everything if _ns(o) == namespace]
            else:
                self._cache[key] = self._backend.list(kind, namespace)
        return self._cache[key]

    def workloads(self) -> list[Workload]:
        """Top-level pod owners (not controlled by another object), in a stable order."""
        if self._workloads is None:
            found: list[Workload] = []
            for kind in WORKLOAD_KINDS:
                for obj in self.objects(kind):
                    if _controlled(obj):
                        continue
                    w = as_workload(obj)
                    if w is not None:
                        found.append(w)
            self._workloads = found
        return self._workloads

    def server_version(self) -> dict[str, str] | None:
        return self._backend.server_version()

    def namespace_exists(self, name: str) -> bool | None:
        return self._backend.namespace_exists(name)


def _ns(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("namespace") or "default")


class _Backend:
    def list(self, kind: str, namespace: str | None) -> list[Obj]:
        raise NotImplementedError

    def server_version(self) -> dict[str, str] | None:
        return None

    def namespace_exists(self, name: str) -> bool | None:
        return None


# --------------------------------------------------------------------------------------- offline
class OfflineBackend(_Backend):
    """Rendered manifests: one file, or every ``*.yaml``/``*.yml``/``*.json`` under a folder."""

    def __init__(self, path: Path, default_namespace: str = "default") -> None:
        self.path = path
        self.by_kind: dict[str, list[Obj]] = {}
        for obj in load_manifests(path, default_namespace):
            self.by_kind.setdefault(str(obj.get("kind")), []).append(obj)

    def list(self, kind: str, namespace: str | None) -> list[Obj]:
        objs = self.by_kind.get(kind, [])
        info = KINDS.get(kind)
        if namespace is None or (info is not None and not info.namespaced):
            return list(objs)
        return [o for o in objs if _ns(o) == namespace]


def load_manifests(path: Path, default_namespace: str = "default") -> list[Obj]:
    """Every object of a manifest file or folder; ``kind: List`` (and ``*List``) expanded."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml", ".json") and p.is_file())
    elif path.is_file():
        files = [path]
    else:
        raise ProbeError(f"manifests not found: {path}")
    out: list[Obj] = []
    for file in files:
        try:
            docs = safe_yaml.load_all(file.read_text(encoding="utf-8"), str(file))
        except (yaml.YAMLError, OSError, UnicodeDecodeError) as exc:
            raise ProbeError(f"cannot parse manifest {file}: {str(exc).splitlines()[0]}") from None
        for doc in docs:
            out.extend(_expand(doc, default_namespace))
    return out


def _expand(doc: Any, default_namespace: str, list_kind: str = "") -> Iterable[Obj]:
    if not isinstance(doc, dict):
        return
    kind = doc.get("kind") or (list_kind[:-4] if list_kind.endswith("List") else "")
    if isinstance(doc.get("items"), list) and str(kind).endswith("List"):
        for item in doc["items"]:
            yield from _expand(item, default_namespace, str(kind))
        return
    if not kind:
        return
    doc["kind"] = kind
    meta = doc.setdefault("metadata", {}) if isinstance(doc.get("metadata", {}), dict) else {}
    info = KINDS.get(str(kind))
    if isinstance(meta, dict) and not meta.get("namespace") and (info is None or info.namespaced):
        meta["namespace"] = default_namespace
    yield doc


# ------------------------------------------------------------------------------------------ live
class LiveBackend(_Backend):
    """The official ``kubernetes`` client: list calls, paginated, raw JSON, with a timeout."""

    def __init__(self, kubeconfig: Path | None, context: str | None, timeout: float) -> None:
        from kubernetes import client, config  # imported lazily: offline runs do not need it

        self.timeout = timeout
        cfg = client.Configuration()
        try:
            config.load_kube_config(  # type: ignore[no-untyped-call]
                config_file=str(kubeconfig) if kubeconfig else None,
                context=context,
                client_configuration=cfg,
                persist_config=False,  # read-only: never rewrite the kubeconfig
            )
        except (config.ConfigException, OSError, TypeError, ValueError) as exc:
            raise ProbeError(f"kubeconfig: {exc}") from None
        cfg.retries = 0  # an unreachable API server is an error now, not after urllib3's retries
        self.host = str(cfg.host)
        self.api_client = client.ApiClient(cfg)
        self._client = client

    def _call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        from urllib3.exceptions import HTTPError

        from kubernetes.client.exceptions import ApiException

        try:
            resp = fn(*args, _preload_content=False, _request_timeout=self.timeout, **kwargs)
            return json.loads(resp.data)
        except ApiException as exc:
            raise _ApiError(exc.status or 0, f"{what}: HTTP {exc.status} {exc.reason}") from None
        except HTTPError as exc:
            raise ProbeError(
                f"{what}: Kubernetes API {self.host} unreachable ({type(exc).__name__})"
            ) from None
        except (ValueError, TypeError) as exc:
            raise ProbeError(f"{what}: unexpected answer from {self.host}: {exc}") from None

    def list(self, kind: str, namespace: str | None) -> list[Obj]:
        info = KINDS.get(kind)
        if info is None:
            raise ProbeError(f"unknown kind {kind!r} (known: {', '.join(sorted(KINDS))})")
        where = f"namespace {namespace}" if namespace else "all namespaces"
        what = f"list {kind} in {where}"
        items: list[Obj] = []
        token: str | None = None
        while True:
            paging: dict[str, Any] = {"limit": PAGE_SIZE}
            if token:
                paging["_continue"] = token
            try:
                body = self._list_page(info, namespace, what, paging)
            except _ApiError as exc:
                if exc.status == 404 and info.custom:
                    return []  # the CRD is not installed: no such objects
                raise ProbeError(str(exc)) from None
            for item in body.get("items") or []:
                if isinstance(item, dict):
                    item.setdefault("kind", kind)
                    item.setdefault("apiVersion", info.api_version)
                    items.append(item)
            token = (body.get("metadata") or {}).get("continue") or None
            if not token:
                return items

    def _list_page(self, info: KindInfo, namespace: str | None, what: str, paging: dict[str, Any]) -> Any:
        if info.custom:
            api = self._client.CustomObjectsApi(self.api_client)
            group, version = info.api_version.split("/")
            if namespace and info.namespaced:
                return self._call(
                    what, api.list_namespaced_custom_object, group, version, namespace, info.plural, **paging
                )
            return self._call(what, api.list_cluster_custom_object, group, version, info.plural, **paging)
        api = getattr(self._client, info.api)(self.api_client)
        if namespace:
            return self._call(what, getattr(api, info.namespaced_call), namespace, **paging)
        return self._call(what, getattr(api, info.all_call), **paging)

    def server_version(self) -> dict[str, str] | None:
        api = self._client.VersionApi(self.api_client)
        try:
            body = self._call("get server version", api.get_code)
        except _ApiError as exc:
            raise ProbeError(str(exc)) from None
        return {k: str(body.get(k, "")) for k in ("major", "minor", "gitVersion", "platform")}

    def namespace_exists(self, name: str) -> bool | None:
        api = self._client.CoreV1Api(self.api_client)
        try:
            self._call(f"get namespace {name}", api.read_namespace, name)
        except _ApiError as exc:
            if exc.status == 404:
                return False
            raise ProbeError(str(exc)) from None
        return True


class _ApiError(ProbeError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


# --------------------------------------------------------------------------------------- builders
def offline_inventory(path: Path, namespaces: Iterable[str] | None = None) -> Inventory:
    """An inventory of rendered manifests; objects without a namespace land in the first configured
    namespace (as ``helm template | kubectl apply -n NS`` would), else ``default``."""
    ns = tuple(namespaces) if namespaces else None
    backend = OfflineBackend(path, default_namespace=ns[0] if ns else "default")
    return Inventory(source=f"offline {path}", namespaces=ns, _backend=backend)


def live_inventory(
    kubeconfig: Path | None, context: str | None, namespaces: Iterable[str] | None, timeout: float
) -> Inventory:
    """An inventory of a live cluster through the official client (nothing is fetched yet)."""
    ns = tuple(namespaces) if namespaces else None
    backend = LiveBackend(kubeconfig, context, timeout)
    return Inventory(source=f"live context={context or '(current)'}", namespaces=ns, _backend=backend)
