"""Redis: reachability, role, persistence, memory limit and eviction policy, from read commands only.

One connection sends ``INFO`` (one round trip) and the ``CONFIG GET`` of five parameters as one
non-transactional pipeline (one round trip).  Managed Redis (ElastiCache, some Redis Cloud plans)
renames or forbids ``CONFIG``: the probe then falls back to ``INFO`` (``aof_enabled``,
``maxmemory``, ``maxmemory_policy``, last bgsave/AOF write status).  What INFO cannot show
(``appendfsync``, the ``save`` schedule) makes the item ``error`` with that reason, unless what
*was* seen already fails it; it never passes on a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from packaging.version import InvalidVersion, Version

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.errors import ProbeError
from pytest_readiness.lazy import lazy
from pytest_readiness.probes.watchdog import watchdog

if TYPE_CHECKING:
    import redis as redis_client
else:
    redis_client = lazy("redis")

__all__ = [
    "CONFIG_PARAMS",
    "RedisFacts",
    "assess_eviction",
    "assess_maxmemory",
    "assess_monitoring",
    "assess_persistence",
    "assess_provisioned",
    "gather_redis",
]

#: The whole exchange (connect, INFO, CONFIG GETs) ends by ``timeout_s`` plus this; socket timeouts
#: alone bound each read, and a server dripping one byte per read would hold the probe for ever.
DEADLINE_GRACE_S = 0.5
CONFIG_PARAMS = ("appendonly", "appendfsync", "save", "maxmemory", "maxmemory-policy")


@dataclass(frozen=True)
class RedisFacts:
    """``info``: the parsed default INFO sections; ``config``: None when CONFIG GET was refused."""

    address: str
    info: dict[str, Any]
    config: dict[str, str] | None
    config_error: str | None = None
    statements: int = 0

    def value(self, param: str) -> tuple[Any, str]:
        """A parameter from CONFIG, else from INFO; ``(None, "")`` when neither shows it."""
        if self.config is not None and param in self.config:
            return self.config[param], "CONFIG GET"
        info_key = {
            "appendonly": "aof_enabled",
            "maxmemory": "maxmemory",
            "maxmemory-policy": "maxmemory_policy",
        }
        key = info_key.get(param)
        if key and key in self.info:
            raw = self.info[key]
            if param == "appendonly":
                return ("yes" if str(raw) == "1" else "no"), "INFO"
            return str(raw), "INFO"
        return None, ""


def gather_redis(url: str, timeout: float, ca_file: str | None = None) -> RedisFacts:
    """INFO, then CONFIG GET (pipelined); connection or INFO failures are a ProbeError."""
    parts = urlsplit(url)
    address = f"{parts.hostname or '?'}:{parts.port or 6379}"
    kwargs: dict[str, Any] = {}
    if parts.scheme == "rediss" and ca_file:
        kwargs["ssl_ca_certs"] = ca_file
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    try:
        client = redis_client.Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
            decode_responses=True,
            driver_info=None,  # no CLIENT SETINFO: the probe sends only read commands
            **kwargs,
        )
    except ValueError as exc:
        raise ProbeError(f"Redis: malformed URL ({exc})") from None
    statements = 0
    limit = timeout + DEADLINE_GRACE_S
    watch = None
    try:
        with client, watchdog(limit, lambda: client.connection_pool.disconnect()) as watch:
            statements += 1
            info = dict(client.info())
            config: dict[str, str] | None = None
            config_error = None
            pipe = client.pipeline(transaction=False)
            for param in CONFIG_PARAMS:
                pipe.config_get(param)
            statements += len(CONFIG_PARAMS)
            try:
                config = {}
                for answer in pipe.execute(raise_on_error=True):
                    config.update({str(k): str(v) for k, v in dict(answer).items()})
            except redis_client.ResponseError as exc:
                config, config_error = None, str(exc).splitlines()[0][:160]
    except (redis_client.RedisError, OSError, ValueError) as exc:  # a dropped socket: "closed file"
        if watch is not None and watch.expired:
            raise ProbeError(f"Redis {address}: no answer within {limit:g} s (connection dropped)") from None
        if not isinstance(exc, redis_client.RedisError):
            raise
        if isinstance(exc, redis_client.AuthenticationError):
            raise ProbeError(f"Redis {address}: authentication failed (wrong password or user)") from None
        if isinstance(exc, redis_client.TimeoutError):
            raise ProbeError(f"Redis {address}: no answer within {timeout:g} s") from None
        if isinstance(exc, redis_client.ConnectionError):
            raise ProbeError(f"Redis {address}: cannot connect ({_reason(exc)})") from None
        raise ProbeError(f"Redis {address}: INFO failed ({_reason(exc)})") from None
    return RedisFacts(address, info, config, config_error, statements)


def _reason(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:160]


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def assess_provisioned(
    facts: RedisFacts,
    expected_role: str = "master",
    cluster: bool | None = None,
    min_version: str | None = None,
) -> Assessment:
    """Reachable (INFO answered), version at least ``min_version``, role and cluster mode as planned."""
    info = facts.info
    version = str(info.get("redis_version", "?"))
    role = str(info.get("role", "?"))
    findings = [Finding(f"redis {facts.address}", "INFO answered", "reachable", True)]
    observed_version = _version(version)
    if min_version:
        wanted = _version(min_version)
        ok = observed_version is not None and wanted is not None and observed_version >= wanted
        findings.append(Finding("redis version", version, f">= {min_version}", ok))
    else:
        findings.append(Finding("redis version", version, "recorded", True))
    findings.append(Finding("redis role", role, expected_role, role == expected_role))
    enabled = str(info.get("cluster_enabled", "0")) == "1" or info.get("redis_mode") == "cluster"
    if cluster is not None:
        findings.append(Finding("redis cluster mode", enabled, cluster, enabled == cluster))
    return Assessment.of("Redis provisioned", findings)


def _unverifiable(facts: RedisFacts, missing: Sequence[str]) -> ProbeError:
    why = facts.config_error or "not shown"
    return ProbeError(
        f"Redis {facts.address}: cannot verify {', '.join(missing)}: CONFIG GET refused ({why})"
        " and INFO does not show it"
    )


def assess_persistence(facts: RedisFacts) -> Assessment:
    """AOF (``appendonly yes``, ``appendfsync everysec``) and RDB (``save`` not empty), last writes ok."""
    info = facts.info
    appendonly, src_aof = facts.value("appendonly")
    fsync, src_fsync = facts.value("appendfsync")
    save, src_save = facts.value("save")
    findings: list[Finding] = []
    missing: list[str] = []
    for name, value, source, expected, ok in (
        ("appendonly", appendonly, src_aof, "yes", appendonly == "yes"),
        ("appendfsync", fsync, src_fsync, "everysec", fsync == "everysec"),
        ("save", save, src_save, "a schedule (not empty)", bool(save and str(save).strip())),
    ):
        if value is None:
            missing.append(name)
            continue
        findings.append(Finding(f"redis {name}", value, expected, ok, f"from {source}"))
    for key, expected in (
        ("rdb_last_bgsave_status", "ok"),
        ("aof_last_write_status", "ok"),
        ("aof_last_bgrewrite_status", "ok"),
    ):
        if key in info:
            findings.append(Finding(f"redis {key}", info[key], expected, str(info[key]) == expected))
    assessment = Assessment.of("Redis persistence (AOF + RDB)", findings)
    if missing and assessment.ok:
        raise _unverifiable(facts, missing)
    return assessment


def _int(value: Any) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0


def assess_maxmemory(facts: RedisFacts) -> Assessment:
    """``maxmemory`` > 0 and below the machine's memory when Redis reports it."""
    value, source = facts.value("maxmemory")
    if value is None:
        raise _unverifiable(facts, ["maxmemory"])
    limit = _int(value)
    total = _int(facts.info.get("total_system_memory", 0))
    findings = [
        Finding(
            "redis maxmemory",
            limit,
            "> 0 (bytes)",
            limit > 0,
            f"from {source}" + ("" if limit else ": no limit, Redis grows until the OOM killer"),
        )
    ]
    if limit and total:
        findings.append(
            Finding(
                "redis maxmemory vs total_system_memory",
                {"maxmemory": limit, "total": total},
                "maxmemory below the machine's memory",
                limit < total,
            )
        )
    return Assessment.of("Redis memory limit", findings)


def assess_eviction(facts: RedisFacts, expected: str = "allkeys-lru") -> Assessment:
    value, source = facts.value("maxmemory-policy")
    if value is None:
        raise _unverifiable(facts, ["maxmemory-policy"])
    return Assessment.single(
        "Redis eviction policy",
        "redis maxmemory-policy",
        value,
        expected,
        value == expected,
        f"from {source}",
    )


def assess_monitoring(facts: RedisFacts) -> Assessment:
    """INFO is readable with the fields monitoring relies on (what redis_exporter scrapes)."""
    keys = ("redis_version", "connected_clients", "used_memory", "instantaneous_ops_per_sec")
    present = {k: facts.info.get(k) for k in keys}
    return Assessment.single(
        "Redis monitoring",
        "redis INFO",
        present,
        "every field present",
        all(v is not None for v in present.values()),
    )
