"""PgBouncer: pool mode, client limit and waiting clients from the admin console.

The admin console (database ``pgbouncer``) only speaks the simple query protocol, so commands go
through a :class:`psycopg.ClientCursor` on an autocommit connection (no Parse/Bind messages) and
take no parameters.  Only ``SHOW`` commands are sent.  ``SHOW POOLS`` is sampled once: a waiting
client counts only when it has been waiting at least ``max_wait_s`` (``maxwait``), so a momentary
queue is not a finding.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.data import pg_deadline

__all__ = ["PoolerFacts", "assess_pooling", "gather_pooler"]

COMMANDS = ("SHOW VERSION", "SHOW CONFIG", "SHOW POOLS")


@dataclass(frozen=True)
class PoolerFacts:
    version: str
    config: dict[str, str]
    pools: list[dict[str, Any]] = field(default_factory=list)
    statements: int = 0


def gather_pooler(admin_dsn: str, timeout: float) -> PoolerFacts:
    """Connect to the admin console once and read version, config and pools (3 round trips)."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(admin_dsn)
    except psycopg.Error:
        raise ProbeError("PgBouncer: malformed admin DSN") from None
    where = f"PgBouncer {info.get('host') or 'socket'}:{info.get('port') or 6432}"
    try:
        conn = psycopg.connect(
            admin_dsn,
            autocommit=True,
            connect_timeout=max(1, math.ceil(timeout)),
            cursor_factory=psycopg.ClientCursor,
        )
    except psycopg.Error as exc:
        raise ProbeError(f"{where}: cannot connect to the admin console: {_reason(exc)}") from None
    results: dict[str, list[dict[str, Any]]] = {}
    command = COMMANDS[0]
    limit = timeout + pg_deadline.GRACE_S
    try:
        with conn, pg_deadline.deadline(conn, limit) as watch:
            for command in COMMANDS:
                with conn.cursor() as cur:
                    cur.execute(command.encode(), prepare=False)
                    names = [d.name for d in cur.description or []]
                    results[command] = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    except psycopg.Error as exc:
        if watch.expired:
            raise ProbeError(pg_deadline.dropped(f"{where} {command!r}", limit)) from None
        raise ProbeError(f"{where}: admin console refused {command!r}: {_reason(exc)}") from None
    version_rows = results["SHOW VERSION"]
    version = str(next(iter(version_rows[0].values()))) if version_rows else "?"
    config = {str(r["key"]): str(r["value"]) for r in results["SHOW CONFIG"]}
    return PoolerFacts(version=version, config=config, pools=results["SHOW POOLS"], statements=len(COMMANDS))


def _reason(exc: BaseException) -> str:
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    return (lines[-1] if lines else type(exc).__name__)[:200]


def _int(value: Any) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0


def assess_pooling(
    facts: PoolerFacts,
    expected_pool_mode: str = "transaction",
    min_max_client_conn: int = 0,
    max_wait_s: float = 1.0,
    databases: Sequence[str] | None = None,
) -> Assessment:
    """pool_mode as expected, max_client_conn high enough, no client waiting ``max_wait_s`` or more.

    Pools of the admin database ``pgbouncer`` are ignored (they are the console itself).
    """
    mode = facts.config.get("pool_mode")
    mcc = _int(facts.config.get("max_client_conn", "0"))
    findings = [
        Finding("pgbouncer pool_mode", mode, expected_pool_mode, mode == expected_pool_mode),
        Finding(
            "pgbouncer max_client_conn",
            mcc,
            f">= {min_max_client_conn}" if min_max_client_conn else "> 0",
            mcc >= max(1, min_max_client_conn),
        ),
    ]
    pools = [
        p
        for p in facts.pools
        if p.get("database") != "pgbouncer" and (not databases or p.get("database") in databases)
    ]
    for p in pools:
        waiting = _int(p.get("cl_waiting", 0))
        maxwait = _int(p.get("maxwait", 0)) + _int(p.get("maxwait_us", 0)) / 1e6
        lasting = waiting > 0 and maxwait >= max_wait_s
        findings.append(
            Finding(
                f"pgbouncer pool {p.get('database')}/{p.get('user')}",
                {"cl_waiting": waiting, "maxwait_s": round(maxwait, 3), "pool_mode": p.get("pool_mode")},
                {"cl_waiting": f"0, or waiting < {max_wait_s:g} s"},
                not lasting,
                "clients queue for a server connection: pool too small" if lasting else "",
            )
        )
    findings.append(Finding("pgbouncer version", facts.version, "recorded", True))
    return Assessment.of("connection pooling", findings)


def assess_no_waiting(facts: PoolerFacts) -> Assessment:
    """No client waits for a server connection right now (``SHOW POOLS``: cl_waiting == 0).

    A point-in-time view: used for the load-testing item when Prometheus holds no PgBouncer exporter
    series to show the whole load window.
    """
    findings = [
        Finding(
            f"pgbouncer pool {p.get('database')}/{p.get('user')} (now)",
            _int(p.get("cl_waiting", 0)),
            0,
            _int(p.get("cl_waiting", 0)) == 0,
            "point in time: export pgbouncer_pools_client_waiting_connections to see the load window",
        )
        for p in facts.pools
        if p.get("database") != "pgbouncer"
    ]
    return Assessment.of("no client waited for a pooled connection", findings)
