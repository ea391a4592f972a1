"""Pure rules over an :class:`~.inventory.Inventory`: each returns an Assessment naming every object.

Semantics follow the API documentation, compared with kube-score and Polaris on their own fixtures
(``tests/infrastructure/test_k8s_realworld.py`` names every deliberate difference):

* resources: requests and limits (CPU and memory by default) on every container, init containers
  included (kube-score only warns when requests are missing; we fail: the scheduler then uses the
  limits, which is rarely what was meant).
* PDBs (kube-score): required for Deployments/StatefulSets/Rollouts unless they explicitly run one
  replica (``replicas: 1``, no HPA above it); an omitted ``spec.replicas`` (HPA-managed or defaulted)
  needs one.  Polaris always requires one.
* a PDB is judged on its own, with or without workloads: it fails when its selector selects nothing
  (null in ``policy/v1``), ``maxUnavailable`` is 0, ``minAvailable`` is 100 % or reaches the known
  replica count at the lowest scale (HPA ``minReplicas``), or ``status.disruptionsAllowed`` is 0
  while every expected pod is healthy.
* network policies: every pod selected by a policy restricting Ingress (an ``ingress: [{}]`` rule
  allows all and does not count; a listed type with no rule denies all and does), a default-deny
  ingress policy per namespace; egress coverage is reported, not required (Polaris and kube-score
  require it).
* images: pinned by a tag naming a version (``7.2-alpine``; not ``alpine``, ``stable``, ``latest``
  or no tag) or, best, a digest, which the evidence names.
* probes: distinct readiness and liveness probes on every container of long-running pods.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from packaging.version import InvalidVersion, Version

from pytest_readiness.assessment import Assessment, Finding, JSONValue
from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.kubernetes.inventory import Inventory, Obj, Workload, ref
from pytest_readiness.probes.kubernetes.selectors import (
    Matcher,
    SelectorIndex,
    matches_nothing,
    network_policy_matcher,
    pdb_matcher,
    required_pair,
)

AUTOSCALER_PATTERN = re.compile(r"cluster-autoscaler|karpenter", re.I)
AUTOSCALER_NAMESPACES = ("kube-system", "karpenter")
BACKUP_PATTERN = re.compile(r"backup|pg_dump|pg_basebackup|pgbackrest|wal-g|walg|barman|velero", re.I)


def require_workloads(inv: Inventory) -> list[Workload]:
    """The workloads, or ProbeError: an empty inventory (wrong namespace, wrong folder) decides nothing."""
    found = inv.workloads()
    if not found:
        where = ", ".join(inv.namespaces) if inv.namespaces else "all namespaces"
        raise ProbeError(f"no workloads found ({inv.source}; {where}): wrong namespace or manifests path?")
    return found


# ------------------------------------------------------------------------------------ cluster
def assess_cluster(
    inv: Inventory,
    context: str | None,
    namespaces: Sequence[str],
    min_version: str,
) -> Assessment:
    """The API answers, its version is supported and every configured namespace exists (live only)."""
    version = inv.server_version()
    if version is None:
        raise ProbeError("offline manifests: no cluster to query")
    findings = []
    observed = version.get("gitVersion") or f"v{version.get('major')}.{version.get('minor')}"
    findings.append(
        Finding(
            f"cluster {context or '(current context)'} server version",
            observed,
            f">= {min_version}",
            _version_at_least(version, min_version),
        )
    )
    if not namespaces:
        findings.append(
            Finding(
                "namespaces",
                None,
                "configured [kubernetes] namespaces",
                False,
                "the production namespaces must be named",
            )
        )
    for ns in namespaces:
        exists = inv.namespace_exists(ns)
        findings.append(Finding(f"namespace {ns}", "exists" if exists else "missing", "exists", bool(exists)))
    return Assessment.of("kubernetes cluster", findings)


def _version_at_least(version: Mapping[str, str], minimum: str) -> bool:
    text = version.get("gitVersion") or f"{version.get('major', '0')}.{version.get('minor', '0')}"
    match = re.search(r"(\d+)\.(\d+)", text.lstrip("v"))
    if not match:
        match = re.search(r"(\d+)\D*?\.(\d+)", f"{version.get('major', '')}.{version.get('minor', '')}")
    try:
        return match is not None and Version(f"{match[1]}.{match[2]}") >= Version(minimum)
    except InvalidVersion:
        return False


# -------------------------------------------------------------------------------- autoscaling
def assess_node_autoscaling(inv: Inventory, evidence: str | None = None) -> Assessment:
    """A cluster-autoscaler or Karpenter controller (or NodePools), else the configured evidence."""
    findings: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    configured = list(inv.namespaces or [])
    namespaces = configured + [n for n in AUTOSCALER_NAMESPACES if configured and n not in configured]
    unreadable: list[str] = []
    scopes: list[str | None] = list(namespaces) or [None]
    for ns in scopes:
        try:
            deployments = inv.objects("Deployment", namespace=ns)
        except ProbeError as exc:
            if ns in configured:
                raise
            unreadable.append(str(exc))  # kube-system may be forbidden to a namespaced reader
            continue
        for obj in deployments:
            meta = obj.get("metadata") or {}
            key = (str(meta.get("namespace")), str(meta.get("name")))
            if key in seen:
                continue
            seen.add(key)
            text = " ".join([str(meta.get("name", "")), *_images(obj)])
            if AUTOSCALER_PATTERN.search(text):
                replicas = (obj.get("spec") or {}).get("replicas", 1)
                findings.append(
                    Finding(
                        ref(obj),
                        {"replicas": replicas},
                        "autoscaler running",
                        replicas != 0,
                        "" if replicas != 0 else "scaled to zero",
                    )
                )
    for pool in inv.objects("NodePool"):
        findings.append(Finding(ref(pool), "Karpenter NodePool", "node autoscaling", True))
    if not findings and evidence:
        findings.append(
            Finding(
                "configured evidence",
                evidence,
                "node autoscaling",
                True,
                "[kubernetes] autoscaler_evidence (managed autoscaling)",
            )
        )
    if not findings and unreadable:
        raise ProbeError("; ".join(unreadable) + " (or set [kubernetes] autoscaler_evidence)")
    if not findings:
        findings.append(
            Finding(
                "cluster",
                "no cluster-autoscaler/Karpenter found",
                "cluster-autoscaler or Karpenter",
                False,
                f"looked in {', '.join(namespaces) if namespaces else 'all namespaces'}",
            )
        )
    return Assessment.of("node autoscaling", findings)


def _images(obj: Obj) -> list[str]:
    from pytest_readiness.probes.kubernetes.inventory import as_workload

    w = as_workload(obj)
    return [str(c.get("image", "")) for _, c, _ in w.containers()] if w else []


def hpa_by_target(inv: Inventory) -> dict[tuple[str, str, str], Obj]:
    """HPAs keyed by the ``(namespace, kind, name)`` of their scale target."""
    out: dict[tuple[str, str, str], Obj] = {}
    for hpa in inv.objects("HorizontalPodAutoscaler"):
        target = (hpa.get("spec") or {}).get("scaleTargetRef") or {}
        ns = str((hpa.get("metadata") or {}).get("namespace") or "default")
        out[(ns, str(target.get("kind", "")), str(target.get("name", "")))] = hpa
    return out


def _hpa_min(hpa: Obj) -> int:
    value = (hpa.get("spec") or {}).get("minReplicas", 1)
    return int(value) if isinstance(value, int) else 1


def assess_hpa(inv: Inventory, min_replicas: int) -> Assessment:
    """Every HPA keeps at least ``min_replicas`` and targets an existing workload."""
    index = {(w.namespace, w.kind, w.name) for w in inv.workloads()}
    findings = []
    for (ns, kind, name), hpa in sorted(hpa_by_target(inv).items()):
        lowest = _hpa_min(hpa)
        exists = (ns, kind, name) in index
        note = "" if exists else f"target {ns}/{kind}/{name} not found"
        findings.append(
            Finding(
                ref(hpa),
                {"minReplicas": lowest, "target": f"{ns}/{kind}/{name}"},
                f"minReplicas >= {min_replicas}, existing target",
                lowest >= min_replicas and exists,
                note,
            )
        )
    return Assessment.of("HPA minReplicas", findings)


# ---------------------------------------------------------------------------------- resources
def missing_resources(
    container: Mapping[str, Any], required: Iterable[str]
) -> list[str]:
    """The ``requests.cpu``-style keys a container does not set."""
    res = container.get("resources") or {}
    missing = []
    for key in required:
        section, _, name = key.partition(".")
        values = res.get(section) or {}
        if not isinstance(values, Mapping) or values.get(name) in (None, ""):
            missing.append(key)
    return missing


def assess_resources(inv: Inventory, required: Sequence[str]) -> Assessment:
    """Requests and limits on every container, init containers included."""
    findings = []
    for w in require_workloads(inv):
        for name, c, init in w.containers():
            missing = missing_resources(c, required)
            res = c.get("resources") or {}
            findings.append(
                Finding(
                    f"{w.ref}:{name}",
                    {k: res.get(k) for k in ("requests", "limits") if res.get(k)} or None,
                    list(required),
                    not missing,
                    (f"missing {', '.join(missing)}" if missing else "")
                    + (" (init container)" if init else ""),
                )
            )
    return Assessment.of("container resources", findings, empty_ok=False)


# ---------------------------------------------------------------------------------------- PDB
@dataclass(frozen=True)
class _PdbIndex:
    index: SelectorIndex[Obj]

    def matching(self, w: Workload) -> list[Obj]:
        return self.index.matching(w.namespace, w.labels)


def pdb_index(inv: Inventory) -> _PdbIndex:
    index: SelectorIndex[Obj] = SelectorIndex()
    for pdb in inv.objects("PodDisruptionBudget"):
        ns = str((pdb.get("metadata") or {}).get("namespace") or "default")
        index.add(ns, pdb, (pdb.get("spec") or {}).get("selector"), pdb_matcher(pdb))
    return _PdbIndex(index)


def scale_bounds(w: Workload, hpas: Mapping[tuple[str, str, str], Obj]) -> tuple[int, int]:
    """``(lowest, highest)`` replica count: the HPA's range when one targets the workload."""
    hpa = hpas.get((w.namespace, w.kind, w.name))
    if hpa is not None:
        top = (hpa.get("spec") or {}).get("maxReplicas", 1)
        return _hpa_min(hpa), int(top) if isinstance(top, int) else 1
    n = w.replicas or 1
    return n, n


def needs_pdb(w: Workload, hpas: Mapping[tuple[str, str, str], Obj], min_replicas: int = 2) -> bool:
    """kube-score's rule: a Deployment/StatefulSet/Rollout needs a PDB unless it explicitly runs fewer
    than ``min_replicas`` (``replicas: 1``) with no HPA scaling it higher; an omitted ``spec.replicas``
    (HPA-managed or defaulted) needs one, as two or more replicas do."""
    if w.replicas is None or w.kind == "ReplicaSet":
        return False
    hpa = (w.namespace, w.kind, w.name) in hpas
    if not w.replicas_declared and not hpa:
        return True
    return scale_bounds(w, hpas)[1] >= min_replicas


def assess_pdb_coverage(inv: Inventory, min_replicas: int = 2) -> Assessment:
    """A PDB selects every Deployment/StatefulSet/Rollout that :func:`needs_pdb`.

    An inventory with PDBs but no workload has nothing to cover (the PDBs are judged by
    :func:`assess_pdb_policy`); one with neither is an error (wrong namespace or folder).
    """
    index, hpas = pdb_index(inv), hpa_by_target(inv)
    workloads = inv.workloads() or (require_workloads(inv) if not inv.objects("PodDisruptionBudget") else [])
    findings = []
    for w in workloads:
        if not needs_pdb(w, hpas, min_replicas):
            continue
        hpa = (w.namespace, w.kind, w.name) in hpas
        replicas: JSONValue = scale_bounds(w, hpas)[1] if w.replicas_declared or hpa else "omitted"
        pdbs = [ref(p) for p in index.matching(w)]
        findings.append(
            Finding(
                w.ref,
                {"replicas": replicas, "pdbs": pdbs},
                "selected by a PodDisruptionBudget",
                bool(pdbs),
                "" if pdbs else "no PDB selects its pod labels",
            )
        )
    return Assessment.of("PDB coverage", findings)


def pdb_blocking_reason(pdb: Obj, replicas: int | None) -> str:
    """Why this PDB allows no voluntary eviction at ``replicas`` pods ('' when it allows one)."""
    spec = pdb.get("spec") or {}
    min_av, max_un = spec.get("minAvailable"), spec.get("maxUnavailable")
    if min_av is None and max_un is None:
        return "neither minAvailable nor maxUnavailable set"
    if max_un is not None:
        if _is_zero(max_un):
            return f"maxUnavailable {max_un}"
        return ""
    if isinstance(min_av, str) and min_av.strip().isdigit():  # IntOrString written as "2"
        min_av = int(min_av)
    if isinstance(min_av, str) and min_av.endswith("%"):
        pct = _percent(min_av)
        if pct is None:
            return f"invalid minAvailable {min_av!r}"
        if pct >= 100:
            return f"minAvailable {min_av}"
        if replicas and math.ceil(pct * replicas / 100) >= replicas:
            return f"minAvailable {min_av} of {replicas} replicas rounds up to all of them"
        return ""
    if isinstance(min_av, int) and replicas is not None and min_av >= replicas:
        return f"minAvailable {min_av} >= {replicas} replicas"
    return ""


def _percent(value: str) -> float | None:
    try:
        return float(value.rstrip("%"))
    except ValueError:
        return None


def _is_zero(value: Any) -> bool:
    if isinstance(value, str):
        return _percent(value) == 0
    return bool(value == 0)


def assess_pdb_policy(inv: Inventory) -> Assessment:
    """Every PDB selects pods and allows an eviction (else node drains hang), at the lowest scale.

    Judged on its own, also with no workload in the inventory: a selector that can select nothing
    (null in ``policy/v1``, empty in ``v1beta1``, malformed) or a budget that forbids every eviction
    (``maxUnavailable: 0``, ``minAvailable: 100%``) is wrong whatever it selects.  The replica count
    is known for declared ``spec.replicas`` or an HPA; an omitted one (offline) leaves it unknown.
    """
    hpas = hpa_by_target(inv)
    by_ns: dict[str, list[Workload]] = defaultdict(list)
    by_pair: dict[tuple[str, str, str], list[Workload]] = defaultdict(list)
    for w in inv.workloads():
        by_ns[w.namespace].append(w)
        for key, value in w.labels.items():
            by_pair[(w.namespace, key, value)].append(w)
    findings = []
    for pdb in inv.objects("PodDisruptionBudget"):
        ns = str((pdb.get("metadata") or {}).get("namespace") or "default")
        match = pdb_matcher(pdb)
        pair = required_pair((pdb.get("spec") or {}).get("selector"))
        candidates = by_pair.get((ns, *pair), []) if pair else by_ns.get(ns, [])
        matched = [w for w in candidates if match(w.labels)]
        counted = [w for w in matched if w.replicas is not None]
        known = all(w.replicas_declared or (w.namespace, w.kind, w.name) in hpas for w in counted)
        lowest = sum(scale_bounds(w, hpas)[0] for w in counted) if counted and known else None
        reason = "its selector selects no pod" if matches_nothing(match) else pdb_blocking_reason(pdb, lowest)
        status = pdb.get("status") or {}
        if not reason and status:  # live, or a `kubectl get -o yaml` dump
            allowed, healthy, expected = (
                status.get(k) for k in ("disruptionsAllowed", "currentHealthy", "expectedPods")
            )
            if allowed == 0 and isinstance(expected, int) and expected > 0 and healthy == expected:
                reason = f"status.disruptionsAllowed 0 with all {expected} pods healthy"
        spec = pdb.get("spec") or {}
        observed: dict[str, JSONValue] = {
            k: spec.get(k) for k in ("minAvailable", "maxUnavailable") if k in spec
        }
        observed["selects"] = [w.ref for w in matched]
        if lowest is not None:
            observed["lowest_replicas"] = lowest
        findings.append(
            Finding(
                ref(pdb), observed, "selects pods, allows at least one voluntary eviction", not reason, reason
            )
        )
    return Assessment.of("PDB allows evictions", findings)


# --------------------------------------------------------------------------- network policies
def _policy_types(policy: Obj) -> set[str]:
    spec = policy.get("spec") or {}
    declared = spec.get("policyTypes")
    if isinstance(declared, list) and declared:
        return {str(t) for t in declared}
    return {"Ingress"} | ({"Egress"} if spec.get("egress") else set())


def _policies(inv: Inventory) -> dict[str, list[tuple[Obj, Matcher, set[str]]]]:
    by_ns: dict[str, list[tuple[Obj, Matcher, set[str]]]] = defaultdict(list)
    for p in inv.objects("NetworkPolicy"):
        ns = str((p.get("metadata") or {}).get("namespace") or "default")
        by_ns[ns].append((p, network_policy_matcher(p), _policy_types(p)))
    return by_ns


PEER_FIELD = {"Ingress": "from", "Egress": "to"}


def allows_all(rule: Any, direction: str) -> bool:
    """An ingress/egress rule that matches every peer on every port: no peer ("if this field is empty
    or missing, this rule matches all sources", API docs), as in ``ingress: [{}]``, or an ipBlock of
    the whole address space (``0.0.0.0/0``, ``::/0``) without exceptions; ports restrict it."""
    if not isinstance(rule, Mapping) or rule.get("ports"):
        return False
    peers = rule.get(PEER_FIELD.get(direction, "from"))
    if not peers:
        return True
    return any(
        isinstance(peer, Mapping)
        and isinstance(peer.get("ipBlock"), Mapping)
        and str(peer["ipBlock"].get("cidr")) in ("0.0.0.0/0", "::/0")
        and not peer["ipBlock"].get("except")
        for peer in peers
    )


def isolating_types(policy: Obj) -> set[str]:
    """The directions a policy restricts: declared types without an allow-all rule.

    A listed type with no rule denies everything and counts; one with ``[{}]`` allows everything
    and does not.
    """
    spec = policy.get("spec") or {}
    return {t for t in _policy_types(policy) if not any(allows_all(r, t) for r in spec.get(t.lower()) or [])}


def _policy_index(inv: Inventory) -> SelectorIndex[tuple[Obj, set[str], set[str]]]:
    index: SelectorIndex[tuple[Obj, set[str], set[str]]] = SelectorIndex()
    for p in inv.objects("NetworkPolicy"):
        ns = str((p.get("metadata") or {}).get("namespace") or "default")
        entry = (p, _policy_types(p), isolating_types(p))
        index.add(ns, entry, (p.get("spec") or {}).get("podSelector"), network_policy_matcher(p))
    return index


def assess_network_isolation(inv: Inventory, direction: str = "Ingress") -> Assessment:
    """Every workload's pods are selected by a NetworkPolicy that restricts ``direction`` traffic.

    A policy whose rule for ``direction`` allows all (``[{}]``) is listed in the note, not counted.
    """
    index = _policy_index(inv)
    findings = []
    for w in require_workloads(inv):
        names, open_ = [], []
        for p, types, isolating in index.matching(w.namespace, w.labels):
            if direction in isolating:
                names.append(ref(p))
            elif direction in types:
                open_.append(ref(p))
        note = ""
        if not names:
            note = f"{direction.lower()} traffic unrestricted"
            if open_:
                note += f": allow-all {direction.lower()} rule in {', '.join(open_)}"
        findings.append(
            Finding(
                w.ref,
                names,
                f"selected by a NetworkPolicy restricting {direction}",
                bool(names),
                note,
            )
        )
    return Assessment.of(f"network policy {direction.lower()} isolation", findings, empty_ok=False)


def is_default_deny(policy: Obj, direction: str = "Ingress") -> bool:
    """``podSelector: {}``, type ``direction``, no allow rule for it."""
    spec = policy.get("spec") or {}
    selector = spec.get("podSelector") or {}
    empty = not selector.get("matchLabels") and not selector.get("matchExpressions")
    return empty and direction in _policy_types(policy) and not spec.get(direction.lower())


def assess_default_deny(inv: Inventory, direction: str = "Ingress") -> Assessment:
    """Each namespace running workloads has a default-deny policy for ``direction``."""
    namespaces = sorted({w.namespace for w in require_workloads(inv)})
    policies = _policies(inv)
    findings = []
    for ns in namespaces:
        deny = [ref(p) for p, _, _ in policies.get(ns, []) if is_default_deny(p, direction)]
        findings.append(
            Finding(f"namespace {ns}", deny, f"a default-deny {direction} NetworkPolicy", bool(deny))
        )
    return Assessment.of(f"default deny {direction.lower()}", findings, empty_ok=False)


# ------------------------------------------------------------------------------------- images
@dataclass(frozen=True)
class ImageRef:
    registry: str
    repository: str
    tag: str | None
    digest: str | None

    @property
    def name(self) -> str:
        return f"{self.registry}/{self.repository}"


def parse_image(image: str) -> ImageRef:
    """Docker reference grammar: ``[registry/]repository[:tag][@digest]``; docker.io by default."""
    rest, _, digest = image.partition("@")
    slash = rest.rfind("/")
    tag: str | None = None
    if ":" in rest[slash + 1 :]:
        rest, _, tag = rest.rpartition(":")
    first, _, remainder = rest.partition("/")
    if remainder and ("." in first or ":" in first or first == "localhost"):
        registry, repository = first, remainder
    else:
        registry, repository = "docker.io", rest
        if "/" not in repository:
            repository = f"library/{repository}"
    return ImageRef(registry, repository, tag or None, digest or None)


def container_images(inv: Inventory) -> list[tuple[str, str]]:
    """``(namespace/Kind/name:container, image)`` for every container, init containers included."""
    return [
        (f"{w.ref}:{name}", str(c.get("image") or ""))
        for w in inv.workloads()
        for name, c, _ in w.containers()
    ]


#: Tag words that move with every release, even next to a number (``latest-2``, ``edge``).
FLOATING_WORDS = frozenset(
    {"latest", "stable", "edge", "nightly", "main", "master", "dev", "develop", "head"}
)
#: Tag parts whose digits name a base image, runtime or architecture, not the image's own version:
#: ``nginx:alpine3.19`` or ``app:jdk17-amd64`` still float.
BASE_PART = re.compile(
    r"(alpine|debian|ubuntu|bookworm|bullseye|buster|jammy|focal|noble|ubi|rhel|centos|el|amazonlinux|al"
    r"|windowsservercore|nanoserver|ltsc|jdk|jre|openjdk|temurin|node|python|py|php|ruby|golang|go"
    r"|amd|arm|i|ppc|s|x)[\d.]*(v\d+|le|x)?|64"
)


def _names_version(tag: str) -> bool:
    """A tag naming a version: a part with a digit that is not a base/arch part, no floating word."""
    parts = re.split(r"[-_]", tag.lower())
    if FLOATING_WORDS & {w for part in parts for w in part.split(".")}:
        return False
    return any(re.search(r"\d", part) and not BASE_PART.fullmatch(part) for part in parts)


def image_pinning(image: str) -> tuple[str, str]:
    """``(how, problem)``: how an image is pinned (``digest``, ``version tag``) or why it floats.

    A tag pins a version only if it names one (:func:`_names_version`): ``redis:alpine``,
    ``nginx:stable``, ``nginx:alpine3.19``, ``:latest`` and no tag float while ``7.2-alpine`` or
    ``v1`` pin.  A digest pins the exact bytes, whatever the tag.
    """
    if not image:
        return "", "no image"
    ref_ = parse_image(image)
    if ref_.digest:
        return "digest", ""
    if ref_.tag is None:
        return "", "no tag (implies latest)"
    if ref_.tag == "latest":
        return "", "tag latest"
    if not _names_version(ref_.tag):
        return "", f"floating tag {ref_.tag} (names no version)"
    return "version tag", ""


def image_pin_problem(image: str) -> str:
    """Why an image reference floats ('' when pinned by a version tag or by digest)."""
    return image_pinning(image)[1]


def assess_image_pinning(inv: Inventory) -> Assessment:
    """Every image pinned by a version tag or (best) a digest; the evidence says which."""
    findings = []
    for subject, image in container_images(inv):
        how, problem = image_pinning(image)
        parsed = parse_image(image) if image else None
        observed = {"image": image, "pinned_by": how or None, "digest": parsed.digest if parsed else None}
        note = problem or ("pinned by digest" if how == "digest" else "")
        findings.append(Finding(subject, observed, "version tag or digest", not problem, note))
    return Assessment.of("images pinned", findings, empty_ok=False)


def assess_image_registry(inv: Inventory, registry: str) -> Assessment:
    """Every image is pulled from ``registry`` (a host, optionally with a path prefix)."""
    prefix = registry.rstrip("/").removeprefix("https://").removeprefix("http://")
    findings = []
    for subject, image in container_images(inv):
        name = parse_image(image).name if image else ""
        ok = name == prefix or name.startswith(prefix + "/")
        findings.append(Finding(subject, image, f"{prefix}/...", ok))
    return Assessment.of("images from the configured registry", findings, empty_ok=False)


# ------------------------------------------------------------------------------------- probes
def _handler(probe: Mapping[str, Any]) -> Any:
    return {k: probe[k] for k in ("httpGet", "tcpSocket", "exec", "grpc") if k in probe}


def _probe_target(probe: Mapping[str, Any]) -> tuple[str, ...] | None:
    """What a probe checks, as kube-score compares them: HTTP path and port, TCP port, exec command,
    gRPC port and service; headers, scheme and timings do not make two probes different."""
    for kind, spec in _handler(probe).items():
        if not isinstance(spec, Mapping):
            return (kind,)
        if kind == "httpGet":
            return (kind, str(spec.get("port")), str(spec.get("path") or "/"))
        if kind == "exec":
            return (kind, *map(str, spec.get("command") or []))
        return (kind, str(spec.get("port")), str(spec.get("service") or ""))
    return None


def describe_probe(probe: Any) -> str | None:
    """``httpGet :8080/ready``-style text for evidence (None when there is no probe)."""
    if not isinstance(probe, Mapping) or not probe:
        return None
    handlers: dict[str, Any] = _handler(probe)
    for kind, spec in handlers.items():
        if not isinstance(spec, Mapping):
            return kind
        if kind == "httpGet":
            return f"httpGet :{spec.get('port', '?')}{spec.get('path', '/')}"
        if kind == "exec":
            return "exec " + " ".join(map(str, spec.get("command") or []))
        return f"{kind} :{spec.get('port', '?')}"
    return "no handler"


def assess_probes(inv: Inventory) -> Assessment:
    """Readiness and liveness probes on every container of long-running pods (init containers
    excepted, Jobs/CronJobs run to completion); a liveness probe with the readiness handler is
    flagged (kube-score "Pod Probes Identical"): a busy pod is then restarted, not just unrouted."""
    findings = []
    for w in require_workloads(inv):
        if not w.long_running:
            continue
        for name, c, _ in w.containers(init=False):
            ready, live = c.get("readinessProbe"), c.get("livenessProbe")
            problems = [p for p, v in (("no readinessProbe", ready), ("no livenessProbe", live)) if not v]
            if ready and live and _probe_target(ready) == _probe_target(live) is not None:
                problems.append("readiness and liveness probes identical")
            findings.append(
                Finding(
                    f"{w.ref}:{name}",
                    {"readiness": describe_probe(ready), "liveness": describe_probe(live)},
                    "distinct readiness and liveness probes",
                    not problems,
                    "; ".join(problems),
                )
            )
    return Assessment.of("pod probes", findings, empty_ok=False)


# ------------------------------------------------------------------------------ migration job
def assess_migration_job(inv: Inventory, name: str | None = None) -> Assessment:
    """A Job (or CronJob, or Helm hook Job) that runs the database migrations."""
    pattern = re.compile(re.escape(name) if name else r"migrat", re.I)
    findings = []
    for w in inv.workloads():
        if w.kind not in ("Job", "CronJob"):
            continue
        if pattern.search(w.name):
            hook = ((w.obj.get("metadata") or {}).get("annotations") or {}).get("helm.sh/hook")
            findings.append(Finding(w.ref, {"hook": hook} if hook else "present", "migration Job", True))
    if not findings:
        findings.append(Finding("Jobs", "none matching", f"a Job named like {pattern.pattern!r}", False))
    return Assessment.of("migration job", findings)


# --------------------------------------------------------------------------- public exposure
def host_matches(pattern: str, host: str) -> bool:
    """Ingress host semantics: exact, or ``*.example.com`` matching exactly one leading label."""
    pattern, host = pattern.lower().rstrip("."), host.lower().rstrip(".")
    if pattern.startswith("*."):
        head, _, tail = host.partition(".")
        return bool(head) and tail == pattern[2:]
    return pattern == host


def assess_public_exposure(inv: Inventory, hosts: Sequence[str]) -> Assessment:
    """Each public host is served by an Ingress with TLS for it, or a LoadBalancer Service."""
    ingresses = inv.objects("Ingress")
    balancers = [s for s in inv.objects("Service") if (s.get("spec") or {}).get("type") == "LoadBalancer"]
    findings = []
    for host in hosts:
        tls, plain = [], []
        for ing in ingresses:
            spec = ing.get("spec") or {}
            routed = any(
                host_matches(str(r.get("host", "")), host) for r in spec.get("rules") or [] if r.get("host")
            )
            covered = any(
                host_matches(str(h), host) for t in spec.get("tls") or [] for h in t.get("hosts") or []
            )
            if routed and covered:
                tls.append(ref(ing))
            elif routed:
                plain.append(ref(ing))
        lbs = [ref(s) for s in balancers if _lb_serves(s, host)]
        ok = bool(tls or lbs)
        note = (
            ""
            if ok
            else (
                f"Ingress without TLS for the host: {', '.join(plain)}"
                if plain
                else "no Ingress rule or LoadBalancer Service for this host"
            )
        )
        findings.append(
            Finding(
                f"host {host}",
                {"ingress_tls": tls, "load_balancers": lbs},
                "an Ingress with TLS or a LoadBalancer Service",
                ok,
                note,
            )
        )
    if not hosts:
        for s in balancers:
            findings.append(Finding(ref(s), "type LoadBalancer", "LoadBalancer or TLS Ingress", True))
        for ing in ingresses:
            has_tls = bool((ing.get("spec") or {}).get("tls"))
            findings.append(Finding(ref(ing), {"tls": has_tls}, "Ingress with TLS", has_tls))
    return Assessment.of("public load balancer", findings, empty_ok=False)


def _lb_serves(service: Obj, host: str) -> bool:
    """A LoadBalancer Service names its hosts through external-dns, else it serves any host."""
    annotations = (service.get("metadata") or {}).get("annotations") or {}
    names = annotations.get("external-dns.alpha.kubernetes.io/hostname")
    if not names:
        return True
    return any(host_matches(n.strip(), host) for n in str(names).split(","))


def lb_addresses(inv: Inventory) -> list[str]:
    """IPs and hostnames from ``status.loadBalancer.ingress`` of Services and Ingresses (live)."""
    out: list[str] = []
    for kind in ("Service", "Ingress"):
        for obj in inv.objects(kind):
            for entry in ((obj.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []:
                out.extend(str(entry[k]) for k in ("ip", "hostname") if entry.get(k))
    return out


# ------------------------------------------------------------------------------------- backups
def backup_schedules(inv: Inventory, name: str | None = None) -> list[Finding]:
    """Backup CronJobs (by configured name, else by name/image/command) and Velero Schedules."""
    pattern = re.compile(re.escape(name), re.I) if name else BACKUP_PATTERN
    findings = []
    for w in inv.workloads():
        if w.kind != "CronJob":
            continue
        text = " ".join(
            [w.name]
            + [
                " ".join(map(str, [c.get("image", ""), *(c.get("command") or []), *(c.get("args") or [])]))
                for _, c, _ in w.containers()
            ]
        )
        if not (pattern.search(w.name) if name else pattern.search(text)):
            continue
        spec = w.obj.get("spec") or {}
        suspended = bool(spec.get("suspend"))
        last = (w.obj.get("status") or {}).get("lastSuccessfulTime")
        observed = {"schedule": spec.get("schedule"), "suspend": suspended}
        if last:
            observed["lastSuccessfulTime"] = last
        findings.append(
            Finding(
                w.ref, observed, "scheduled, not suspended", not suspended, "suspended" if suspended else ""
            )
        )
    for sched in inv.objects("Schedule"):
        spec = sched.get("spec") or {}
        paused = bool(spec.get("paused"))
        findings.append(
            Finding(
                ref(sched),
                {"schedule": spec.get("schedule"), "paused": paused},
                "Velero schedule, not paused",
                not paused,
                "paused" if paused else "",
            )
        )
    return findings


def assess_backup_schedule(
    inv: Inventory | None, name: str | None = None, managed: str | None = None
) -> Assessment:
    """A backup CronJob/Velero Schedule in the cluster, or configured managed-backup evidence."""
    findings = backup_schedules(inv, name) if inv is not None else []
    if managed:
        findings.append(
            Finding("managed backups", managed, "managed backups enabled", True, "[backup] managed_evidence")
        )
    if not findings:
        findings.append(
            Finding(
                "backups",
                "no backup CronJob, Velero Schedule or managed-backup evidence",
                "a scheduled backup",
                False,
            )
        )
    return Assessment.of("backup schedule", findings)
