"""Technical success criteria: CPU, memory, memory growth (Prometheus) and database health (PostgreSQL).

PostgreSQL is read through any object with ``query(sql)`` returning rows (the Environment Setup
suite's ``postgres_db`` fixture: read-only transaction, timeouts).  Deadlocks are judged over a
window: ``pg_stat_database.deadlocks`` is a counter since the last stats reset, so a historical
count says little; the counter must not move between two samples taken ``window_s`` apart.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.performance.slo import PromQuery, Sample, first_with_data, series_history

__all__ = [
    "CONNECTIONS_SQL",
    "DEADLOCKS_SQL",
    "DbConnections",
    "DeadlockSamples",
    "SqlQuery",
    "assess_db_connections",
    "assess_deadlocks",
    "assess_memory_growth",
    "assess_pool_waiting",
    "assess_usage",
    "gather_connections",
    "prom_series",
    "sample_deadlocks",
    "series_history",
]

CONNECTIONS_SQL = (
    "SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend') AS connections,"
    " current_setting('max_connections')::int AS max_connections,"
    " current_setting('superuser_reserved_connections')::int AS reserved"
)
DEADLOCKS_SQL = "SELECT coalesce(sum(deadlocks), 0)::bigint AS deadlocks FROM pg_stat_database"


class SqlQuery(Protocol):
    """The ``postgres_db`` fixture (or any read-only client with the same method)."""

    def query(self, sql: str) -> Any: ...


def _first_row(rows: Any, what: str) -> Sequence[Any]:
    if isinstance(rows, Sequence) and rows and not isinstance(rows, str | bytes):
        row = rows[0]
        if isinstance(row, Mapping):
            return list(row.values())
        if isinstance(row, Sequence) and not isinstance(row, str | bytes):
            return row
    raise ProbeError(f"PostgreSQL gave no row for {what}")


@dataclass(frozen=True)
class DbConnections:
    connections: int
    max_connections: int
    reserved: int

    @property
    def percent(self) -> float:
        return 100.0 * self.connections / self.max_connections if self.max_connections else 100.0


def gather_connections(db: SqlQuery) -> DbConnections:
    """Client backends now, against ``max_connections`` (reserved superuser slots shown, not subtracted)."""
    row = _first_row(db.query(CONNECTIONS_SQL), "connection counts")
    return DbConnections(int(row[0]), int(row[1]), int(row[2]))


def assess_db_connections(facts: DbConnections, max_percent: float) -> Assessment:
    return Assessment.single(
        f"database connections below {max_percent:g} % of max_connections",
        "pg_stat_activity client backends",
        {
            "connections": facts.connections,
            "max_connections": facts.max_connections,
            "percent": round(facts.percent, 1),
        },
        f"< {max_percent:g} %",
        facts.percent < max_percent,
        f"{facts.reserved} slots reserved for superusers",
    )


@dataclass(frozen=True)
class DeadlockSamples:
    before: int
    after: int
    window_s: float


def sample_deadlocks(
    db: SqlQuery, window_s: float, sleep: Callable[[float], None] = time.sleep
) -> DeadlockSamples:
    """Read the cluster-wide deadlock counter twice, ``window_s`` apart."""
    before = int(_first_row(db.query(DEADLOCKS_SQL), "pg_stat_database.deadlocks")[0])
    sleep(window_s)
    after = int(_first_row(db.query(DEADLOCKS_SQL), "pg_stat_database.deadlocks")[0])
    return DeadlockSamples(before, after, window_s)


def assess_deadlocks(samples: DeadlockSamples) -> Assessment:
    new = samples.after - samples.before
    return Assessment.single(
        "no deadlocks",
        "pg_stat_database.deadlocks (all databases)",
        {"new_deadlocks": new, "total_since_stats_reset": samples.after},
        f"0 new over {samples.window_s:g} s",
        new == 0,
        "" if new == 0 else "deadlocks happened during the observation window",
    )


def prom_series(prom: PromQuery, name: str, overrides: Mapping[str, Any] | None) -> tuple[str, list[Sample]]:
    """The series of a criterion (``cpu_percent``, ``memory_percent``...): first candidate with data."""
    return first_with_data(prom, name, overrides)


def _per_series(
    check: str, promql: str, samples: Sequence[Sample], ok: Callable[[float], bool], expected: str
) -> Assessment:
    return Assessment.of(
        check,
        [Finding(s.name, round(s.value, 2), expected, ok(s.value), f"PromQL: {promql}") for s in samples],
        empty_ok=False,
    )


def assess_usage(what: str, promql: str, samples: Sequence[Sample], max_percent: float) -> Assessment:
    """Every series (container or node) strictly under the threshold."""
    return _per_series(
        f"{what} usage below {max_percent:g} %",
        promql,
        samples,
        lambda v: v < max_percent,
        f"< {max_percent:g} %",
    )


def assess_memory_growth(
    promql: str,
    samples: Sequence[Sample],
    max_growth_percent_per_h: float,
    history_s: Mapping[str, float] | None = None,
    min_history_s: float = 0,
) -> Assessment:
    """Memory flat: the fitted growth of each series stays under the tolerance (percent per hour).

    A growth fitted over less than ``min_history_s`` of data (``history_s`` per series; a freshly
    started process extrapolates minutes to "4193 %/h") is not evidence: such a series is not
    judged, and if no judged series fails the item is an error ("not enough history").  ``history_s``
    None means the observation window is unknown (a custom query): judged, and the note says so.
    """
    check = f"memory growth below {max_growth_percent_per_h:g} %/h"
    expected = f"< {max_growth_percent_per_h:g} %/h"
    findings: list[Finding] = []
    short: list[tuple[float, str]] = []
    for s in samples:
        seen = None if history_s is None else history_s.get(s.name, 0.0)
        if seen is not None and seen < min_history_s:
            short.append((seen, s.name))
            continue
        note = f"PromQL: {promql}"
        if seen is None:
            note += "; observation window not verified (set queries.memory_growth_percent_per_h_history)"
        else:
            note += f"; {seen / 60:.0f} min of history"
        ok = s.value < max_growth_percent_per_h
        findings.append(Finding(s.name, round(s.value, 2), expected, ok, note))
    if short and not any(not f.ok for f in findings):
        seen, name = min(short)
        more = f" (and {len(short) - 1} more series)" if len(short) > 1 else ""
        raise ProbeError(
            f"not enough history: {seen / 60:.0f} min of {min_history_s / 60:.0f} required for {name}{more}"
        )
    return Assessment.of(check, findings, empty_ok=False)


def assess_pool_waiting(promql: str, samples: Sequence[Sample]) -> Assessment:
    """PgBouncer clients never waited for a server connection over the window."""
    return _per_series("no client waited for a pooled connection", promql, samples, lambda v: v == 0, "0")
