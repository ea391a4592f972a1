"""Where datastores keep their data: a database or cache on ``emptyDir`` loses it on every reschedule.

A datastore container is recognised by its image name (``postgres``, ``bitnami/redis``,
``confluentinc/cp-kafka``...; exporters, UIs, operators and proxies of those are not datastores).
Its data paths are the engine's documented defaults plus those its environment or arguments set
(``PGDATA``, ``--dbpath``, ``--datadir``, ``minio server /data``...).  A mount covers a data path
when it is that path, one of its parents or lies inside it; when it is an ``emptyDir`` (memory-backed
or not) the data dies with the pod, whatever the backup schedule.  A mount named for data
(``/redis-master-data``, ``/pgdata``) counts too: images built in-house move the defaults.  Data
on a PersistentVolumeClaim (volume or ``volumeClaimTemplates``) or a hostPath is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.probes.kubernetes.inventory import Inventory, Workload
from pytest_readiness.probes.kubernetes.rules import parse_image

#: Engine (a word of the image's last path segment) → default data directories of its images
#: (official image, Bitnami, vendor).  ``/bitnami/<engine>`` is added for every engine.
ENGINES: dict[str, tuple[str, ...]] = {
    "postgres": ("/var/lib/postgresql", "/var/lib/postgresql/data", "/home/postgres/pgdata"),
    "postgresql": ("/var/lib/postgresql", "/var/lib/postgresql/data", "/bitnami/postgresql"),
    "postgis": ("/var/lib/postgresql/data",),
    "timescaledb": ("/var/lib/postgresql/data", "/home/postgres/pgdata"),
    "mysql": ("/var/lib/mysql",),
    "mariadb": ("/var/lib/mysql",),
    "percona": ("/var/lib/mysql",),
    "mongo": ("/data/db", "/data/configdb"),
    "mongodb": ("/data/db", "/bitnami/mongodb"),
    "redis": ("/data",),
    "valkey": ("/data",),
    "keydb": ("/data",),
    "elasticsearch": ("/usr/share/elasticsearch/data",),
    "opensearch": ("/usr/share/opensearch/data",),
    "rabbitmq": ("/var/lib/rabbitmq",),
    "kafka": ("/var/lib/kafka", "/var/lib/kafka/data", "/opt/kafka/data", "/tmp/kafka-logs"),
    "zookeeper": ("/data", "/datalog", "/var/lib/zookeeper"),
    "etcd": ("/var/lib/etcd", "/var/run/etcd", "/etcd-data", "/default.etcd"),
    "cassandra": ("/var/lib/cassandra",),
    "scylla": ("/var/lib/scylla",),
    "clickhouse": ("/var/lib/clickhouse",),
    "minio": ("/data", "/export"),
    "influxdb": ("/var/lib/influxdb", "/var/lib/influxdb2"),
    "couchdb": ("/opt/couchdb/data",),
    "neo4j": ("/data",),
    "cockroach": ("/cockroach/cockroach-data",),
    "nats": ("/data",),
}
#: Words that make an image a companion of a datastore, not the datastore itself.
COMPANIONS = frozenset(
    {"exporter", "ui", "commander", "operator", "proxy", "client", "cli", "metrics", "admin", "backup",
     "bouncer", "pgbouncer", "sentinel", "connect", "rest", "schema", "registry", "insight", "kibana",
     "dashboards", "manager", "controller", "init", "sidecar", "tools", "express", "curator", "console",
     "reaper"}
)  # fmt: skip
_ENV_PATH = re.compile(r"(^|_)(DATA|DATADIR|DATA_DIR|DBPATH|DATA_PATH|PGDATA|LOG_DIRS|DIR)$")
_ARG_PATH = ("--dbpath", "--datadir", "--data-dir", "--dir", "--data", "--path.data", "--log.dirs")


def engine_of(image: str) -> str | None:
    """The datastore engine an image runs, by its last path segment (None for everything else)."""
    if not image:
        return None
    name = parse_image(image).repository.rsplit("/", 1)[-1].lower()
    words = re.split(r"[-_.]", name)
    if any(w in COMPANIONS for w in words):
        return None
    return next((w for w in words if w in ENGINES), None)


_REDIS_LIKE = frozenset({"redis", "valkey", "keydb"})


def persistence_disabled(engine: str, container: Mapping[str, Any]) -> bool:
    """A Redis-like cache told to keep nothing (``--save ""`` and no ``--appendonly yes``): its data is
    meant to be lost, so an emptyDir loses nothing."""
    if engine not in _REDIS_LIKE:
        return False
    args = [str(a) for a in [*(container.get("command") or []), *(container.get("args") or [])]]
    text = " ".join(args)
    no_save = any(
        a == "--save" and (i + 1 == len(args) or args[i + 1] in ("", '""', "''")) for i, a in enumerate(args)
    ) or bool(re.search(r"--save\s+(\"\"|''|$)", text))
    return no_save and not re.search(r"--appendonly\s+yes", text)


def data_paths(engine: str, container: Mapping[str, Any]) -> set[str]:
    """The engine's default data paths plus those set by the container's env and arguments."""
    paths = {*ENGINES[engine], f"/bitnami/{engine}"}
    for env in container.get("env") or []:
        if isinstance(env, Mapping) and _ENV_PATH.search(str(env.get("name", ""))):
            value = env.get("value")
            if isinstance(value, str) and value.startswith("/"):
                paths.update(v for v in value.split(",") if v.startswith("/"))
    args = [str(a) for a in [*(container.get("command") or []), *(container.get("args") or [])]]
    for i, arg in enumerate(args):
        key, eq, value = arg.partition("=")
        if key in _ARG_PATH:
            value = value if eq else (args[i + 1] if i + 1 < len(args) else "")
            if value.startswith("/"):
                paths.add(value)
        if arg == "server" and engine == "minio":  # minio server /data [/data2 ...]
            paths.update(a for a in args[i + 1 :] if a.startswith("/"))
    return {p.rstrip("/") or "/" for p in paths}


_DATA_NAME = re.compile(r"data", re.I)


def _is_data_mount(mount: str, paths: set[str]) -> bool:
    """A mount on a data path, or one named for data (``/redis-master-data``, ``/pgdata``, ``/data``)."""
    return any(_covers(mount, p) for p in paths) or bool(
        _DATA_NAME.search(mount.rstrip("/").rsplit("/", 1)[-1])
    )


def _covers(mount: str, path: str) -> bool:
    """The mount is the data path, holds it, or lies inside a data root (``/bitnami/redis/data``)."""
    mount = mount.rstrip("/") or "/"
    return mount != "/" and (path == mount or path.startswith(mount + "/") or mount.startswith(path + "/"))


def _volumes(w: Workload) -> dict[str, Mapping[str, Any]]:
    return {
        str(v.get("name")): v
        for v in w.pod_spec.get("volumes") or []
        if isinstance(v, Mapping) and v.get("name")
    }


def _claim_templates(w: Workload) -> set[str]:
    templates = (w.obj.get("spec") or {}).get("volumeClaimTemplates") or []
    return {str((t.get("metadata") or {}).get("name")) for t in templates if isinstance(t, Mapping)}


def _backing(volume: Mapping[str, Any] | None, name: str, claims: set[str]) -> str:
    if name in claims:
        return "volumeClaimTemplate"
    if volume is None:
        return "unknown volume"
    for kind in ("emptyDir", "persistentVolumeClaim", "hostPath", "ephemeral", "csi", "nfs"):
        if kind in volume:
            return kind
    return next((k for k in volume if k != "name"), "unknown volume")


def datastore_findings(workloads: Iterable[Workload]) -> list[Finding]:
    """One finding per datastore container: where its data paths are mounted."""
    findings = []
    for w in workloads:
        volumes, claims = _volumes(w), _claim_templates(w)
        for name, c, init in w.containers(init=False):
            engine = engine_of(str(c.get("image") or ""))
            if engine is None or init:
                continue
            paths = data_paths(engine, c)
            mounts: dict[str, str] = {}
            for m in c.get("volumeMounts") or []:
                if not isinstance(m, Mapping) or not _is_data_mount(str(m.get("mountPath", "")), paths):
                    continue
                vol = str(m.get("name"))
                mounts[str(m.get("mountPath"))] = _backing(volumes.get(vol), vol, claims)
            ephemeral = sorted(path for path, kind in mounts.items() if kind == "emptyDir")
            cache = persistence_disabled(engine, c)
            if cache:
                note = 'persistence disabled (--save ""): a cache, nothing to keep'
                ephemeral = []
            elif ephemeral:
                note = f"{engine} data on emptyDir at {', '.join(ephemeral)}: lost on every reschedule"
            else:
                note = "" if mounts else f"no volume on the {engine} data path (stateless use)"
            findings.append(
                Finding(
                    f"{w.ref}:{name}",
                    {"engine": engine, "data_mounts": mounts},
                    "data path on a persistent volume, not emptyDir",
                    not ephemeral,
                    note,
                )
            )
    return findings


def assess_datastore_volumes(inv: Inventory) -> Assessment:
    """No database or cache container keeps its data on an ``emptyDir``."""
    return Assessment.of("datastore data not on emptyDir", datastore_findings(inv.workloads()))
