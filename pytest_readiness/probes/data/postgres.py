"""PostgreSQL: a read-only client and the rules of the Environment Setup items (instance, backups,
replicas, monitoring, schema, row level security).

Gathering goes through :class:`ReadOnlyDB` (the ``postgres_db`` fixture), the one connection a
session opens to the database::

    db.query(sql, params=None) -> list[dict]   # one read-only transaction per call, rolled back
    db.setting(name) -> str | None             # SHOW-style value; None: unknown or hidden to us
    db.statements                               # how many statements were sent (round-trip figure)

It connects with ``connect_timeout``, ``default_transaction_read_only=on`` and a
``statement_timeout``, autocommit off and ``read_only`` transactions, so a probe cannot write even
by mistake.  Every failure (refused, wrong password, no answer, query error) is a
:class:`ProbeError` naming the host, never the password.  Each query runs in its own transaction so
that statistics views (``pg_stat_*``) are fresh on every call.

The rules (``assess_*``) are pure functions of the gathered facts.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg.rows import dict_row

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.data import pg_deadline

__all__ = [
    "ArchiverFacts",
    "ReadOnlyDB",
    "RelationFacts",
    "ServerFacts",
    "assess_backups",
    "assess_exporter_up",
    "assess_monitoring",
    "assess_policy_always_true",
    "assess_production",
    "assess_replicas",
    "assess_rls_bypass",
    "assess_rls_enabled",
    "assess_rls_policies",
    "assess_schema",
    "expected_tables_from_sql",
]

LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1", ""})
#: Roles that give away a managed platform (evidence only: self-managed can be production too).
PLATFORM_ROLES = {
    "rds_superuser": "AWS RDS",
    "cloudsqlsuperuser": "Google Cloud SQL",
    "azure_pg_admin": "Azure Database for PostgreSQL",
    "supabase_admin": "Supabase",
}
#: archive commands that archive nothing (a common way to switch archiving off while keeping the mode).
NOOP_ARCHIVE = frozenset({"", "true", "/bin/true", "/usr/bin/true", ":", "exit 0", "(disabled)"})


class ReadOnlyDB:
    """One read-only PostgreSQL session (see the module docstring for the API)."""

    def __init__(
        self, dsn: str, timeout: float, *, sslrootcert: str | None = None, label: str = "PostgreSQL"
    ):
        self.timeout = timeout
        self.statements = 0
        self._dropped = ""  # the reason, once a deadline dropped the connection
        self._settings: dict[str, str] | None = None
        kwargs: dict[str, Any] = {}
        if sslrootcert:
            kwargs["sslrootcert"] = sslrootcert
        try:
            info = psycopg.conninfo.conninfo_to_dict(dsn)
        except psycopg.Error:
            raise ProbeError(f"{label}: malformed DSN") from None
        self.host = str(info.get("host") or "")
        self.port = str(info.get("port") or "5432")
        self.label = f"{label} {self.host or 'local socket'}:{self.port}"
        statement_ms = max(1000, int(timeout * 1000))
        try:
            self.conn: psycopg.Connection[dict[str, Any]] = psycopg.connect(
                dsn,
                connect_timeout=max(1, math.ceil(timeout)),
                autocommit=False,
                row_factory=dict_row,
                application_name="pytest-readiness",
                options=(
                    "-c default_transaction_read_only=on"
                    f" -c statement_timeout={statement_ms} -c lock_timeout={statement_ms}"
                    f" -c idle_in_transaction_session_timeout={statement_ms * 3}"
                ),
                **kwargs,
            )
        except psycopg.Error as exc:
            raise ProbeError(f"{self.label}: cannot connect: {_first_line(exc)}") from None
        self.conn.read_only = True

    def query(
        self, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Run one statement in its own read-only transaction; rows as dicts.

        The extended protocol (``stream``) makes the server reject a string of several statements,
        so a configured ``COMMIT; BEGIN READ WRITE; ...`` cannot leave the read-only transaction.
        A client-side deadline bounds the call even when the server stops answering; the
        connection is then dropped and every later query fails at once with the same reason.
        """
        if self._dropped:
            raise ProbeError(self._dropped)
        self.statements += 1
        limit = self.timeout + pg_deadline.GRACE_S
        rows: list[dict[str, Any]] = []
        failure: psycopg.Error | None = None
        with pg_deadline.deadline(self.conn, limit) as watch:
            try:
                with self.conn.cursor() as cur:
                    rows = list(cur.stream(sql.encode(), params))
            except psycopg.Error as exc:
                failure = exc
            self._end()
        if watch.expired:
            self._dropped = pg_deadline.dropped(self.label, limit)
            raise ProbeError(self._dropped)
        if failure is not None:
            raise ProbeError(f"{self.label}: query failed: {_first_line(failure)}")
        return rows

    def _end(self) -> None:
        try:
            if not self.conn.closed:
                self.conn.rollback()
        except psycopg.Error:
            pass

    def settings(self) -> dict[str, str]:
        """Every setting visible to this role, SHOW-style, fetched once (one query)."""
        if self._settings is None:
            rows = self.query("SELECT name, current_setting(name) AS value FROM pg_settings")
            self._settings = {str(r["name"]): str(r["value"]) for r in rows}
        return self._settings

    def setting(self, name: str) -> str | None:
        """A setting's SHOW-style value, or None when unknown or hidden from this role."""
        return self.settings().get(name.lower())

    @property
    def ssl_in_use(self) -> bool:
        return bool(self.conn.pgconn.ssl_in_use)

    def close(self) -> None:
        self.conn.close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    lines = [ln for ln in text.splitlines() if ln.strip()]
    # libpq prefixes "connection to server at ... failed:"; the last line carries the reason
    reason = lines[-1].strip() if lines else text
    return reason[:200]


# ------------------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class ServerFacts:
    """What kind of instance answered, and how we are connected to it."""

    host: str
    version: str
    in_recovery: bool
    ssl_in_use: bool
    ssl_protocol: str | None
    platform: str  # AWS RDS / Google Cloud SQL / ... / self-managed
    settings: dict[str, str | None] = field(default_factory=dict)


SERVER_SQL = (
    "SELECT current_setting('server_version') AS version, pg_is_in_recovery() AS in_recovery,"
    " ARRAY(SELECT rolname::text FROM pg_roles WHERE rolname = ANY(%s)) AS platform_roles,"
    " (SELECT version FROM pg_stat_ssl WHERE pid = pg_backend_pid() AND ssl) AS ssl_protocol"
)
PRODUCTION_SETTINGS = ("ssl", "fsync", "full_page_writes", "synchronous_commit")


def gather_server(db: ReadOnlyDB) -> ServerFacts:
    row = db.query(SERVER_SQL, (list(PLATFORM_ROLES),))[0]
    roles = [r for r in row["platform_roles"] if r in PLATFORM_ROLES]
    platform = PLATFORM_ROLES[roles[0]] if roles else "self-managed"
    return ServerFacts(
        host=db.host,
        version=str(row["version"]),
        in_recovery=bool(row["in_recovery"]),
        ssl_in_use=db.ssl_in_use and row["ssl_protocol"] is not None,
        ssl_protocol=row["ssl_protocol"],
        platform=platform,
        settings={k: db.setting(k) for k in PRODUCTION_SETTINGS},
    )


def assess_production(facts: ServerFacts, require_tls: bool = True) -> Assessment:
    """A production instance: reached over TLS, durable settings, the primary; platform as evidence.

    A development instance typically runs without TLS and often with ``fsync = off`` or
    ``synchronous_commit = off``; a managed platform (RDS, Cloud SQL, Supabase) is recorded but not
    required.  A loopback host is noted (a tunnel or proxy is fine when ``require_tls = false``).
    """
    s = facts.settings
    loop = facts.host in LOOPBACK or facts.host.startswith(("127.", "/"))
    findings = [
        Finding(
            f"postgres {facts.host or 'socket'} connection TLS",
            facts.ssl_protocol or "no TLS",
            "TLS in use" if require_tls else "TLS not required ([postgres] require_tls = false)",
            facts.ssl_in_use or not require_tls,
            "loopback host: a tunnel or local instance" if loop else "",
        ),
        Finding(
            "postgres durability settings",
            {k: s.get(k) for k in ("fsync", "full_page_writes", "synchronous_commit")},
            {"fsync": "on", "full_page_writes": "on", "synchronous_commit": "not off"},
            s.get("fsync") == "on"
            and s.get("full_page_writes") == "on"
            and s.get("synchronous_commit") != "off",
            "a development instance often trades durability for speed",
        ),
        Finding(
            "postgres role of the instance",
            "standby (read-only replica)" if facts.in_recovery else "primary",
            "primary",
            not facts.in_recovery,
            "the configured DSN must reach the primary",
        ),
        Finding(
            "postgres platform", {"platform": facts.platform, "version": facts.version}, "recorded", True
        ),
    ]
    return Assessment.of("production PostgreSQL instance", findings)


# -------------------------------------------------------------------------------- backups


@dataclass(frozen=True)
class ArchiverFacts:
    archive_mode: str | None
    archive_command: str | None
    archive_library: str | None
    archived_count: int
    last_archived_age_s: float | None
    failed_count: int
    last_failed_age_s: float | None


ARCHIVER_SQL = (
    "SELECT archived_count, failed_count,"
    " EXTRACT(EPOCH FROM now() - last_archived_time)::float8 AS last_archived_age_s,"
    " EXTRACT(EPOCH FROM now() - last_failed_time)::float8 AS last_failed_age_s"
    " FROM pg_stat_archiver"
)


def gather_archiver(db: ReadOnlyDB) -> ArchiverFacts:
    row = db.query(ARCHIVER_SQL)[0]
    return ArchiverFacts(
        archive_mode=db.setting("archive_mode"),
        archive_command=db.setting("archive_command"),
        archive_library=db.setting("archive_library"),
        archived_count=int(row["archived_count"] or 0),
        last_archived_age_s=_float(row["last_archived_age_s"]),
        failed_count=int(row["failed_count"] or 0),
        last_failed_age_s=_float(row["last_failed_age_s"]),
    )


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def assess_backups(facts: ArchiverFacts, max_age_h: float) -> Assessment:
    """WAL archiving on, a real archiver, a success within ``max_age_h`` and no newer failure."""
    mode_ok = facts.archive_mode in ("on", "always")
    cmd, lib = (facts.archive_command or "").strip(), (facts.archive_library or "").strip()
    hidden = facts.archive_command is None and facts.archive_library is None
    age = facts.last_archived_age_s
    recent = age is not None and age <= max_age_h * 3600
    if hidden and not recent:
        raise ProbeError(
            "archive_command/archive_library are hidden from this role and pg_stat_archiver shows no "
            "recent success: grant pg_read_all_settings to decide"
        )
    archiver_ok = hidden or bool(lib) or cmd.lower() not in NOOP_ARCHIVE
    failed_after = facts.last_failed_age_s is not None and (age is None or facts.last_failed_age_s < age)
    findings = [
        Finding("postgres archive_mode", facts.archive_mode, "on or always", mode_ok),
        Finding(
            "postgres archive_command / archive_library",
            "hidden from this role" if hidden else ("archive_library set" if lib else (cmd or "(empty)")),
            "a command or library that archives (not empty, not true)",
            archiver_ok,
        ),
        Finding(
            "pg_stat_archiver last success",
            None if age is None else f"{age / 3600:.1f} h ago ({facts.archived_count} archived)",
            f"within {max_age_h:g} h",
            recent,
            "" if recent else "no WAL segment archived recently",
        ),
        Finding(
            "pg_stat_archiver failures",
            None
            if facts.last_failed_age_s is None
            else f"last failure {facts.last_failed_age_s / 3600:.1f} h ago ({facts.failed_count} failed)",
            "no failure newer than the last success",
            not failed_after,
        ),
    ]
    return Assessment.of("WAL archiving (backups)", findings)


def assess_rds_backups(instance: Mapping[str, Any], min_retention_days: int = 1) -> Assessment:
    """``DescribeDBInstances`` entry: automated backups kept ``BackupRetentionPeriod`` days (0 = off)."""
    name = str(instance.get("DBInstanceIdentifier", "?"))
    retention = int(instance.get("BackupRetentionPeriod") or 0)
    latest = instance.get("LatestRestorableTime")
    return Assessment.of(
        "RDS automated backups",
        [
            Finding(
                f"rds/{name} BackupRetentionPeriod",
                retention,
                f">= {min_retention_days} days",
                retention >= min_retention_days,
            ),
            Finding(
                f"rds/{name} LatestRestorableTime", str(latest) if latest else None, "set", latest is not None
            ),
        ],
    )


# ------------------------------------------------------------------------------- replicas


REPLICATION_SQL = (
    "SELECT application_name, client_addr::text AS client_addr, state, sync_state,"
    " EXTRACT(EPOCH FROM replay_lag)::float8 AS replay_lag_s FROM pg_stat_replication"
)


def gather_replicas(db: ReadOnlyDB) -> list[dict[str, Any]]:
    rows = db.query(REPLICATION_SQL)
    if rows and all(r["state"] is None for r in rows):
        raise ProbeError("pg_stat_replication details are hidden from this role: grant pg_monitor")
    return rows


def assess_replicas(rows: Sequence[Mapping[str, Any]], min_replicas: int, max_lag_s: float) -> Assessment:
    """At least ``min_replicas`` streaming standbys, each replaying within ``max_lag_s``.

    ``replay_lag`` is NULL when a standby has caught up and nothing was written since: that is 0.
    """
    streaming = [r for r in rows if r.get("state") == "streaming"]
    findings = [
        Finding(
            "pg_stat_replication streaming standbys",
            len(streaming),
            f">= {min_replicas}",
            len(streaming) >= min_replicas,
        )
    ]
    for r in rows:
        lag = r.get("replay_lag_s")
        lag_value = 0.0 if lag is None else float(lag)
        findings.append(
            Finding(
                f"standby {r.get('application_name') or '?'} ({r.get('client_addr') or 'local'})",
                {"state": r.get("state"), "replay_lag_s": round(lag_value, 3)},
                {"state": "streaming", "replay_lag_s": f"<= {max_lag_s:g}"},
                r.get("state") == "streaming" and lag_value <= max_lag_s,
            )
        )
    return Assessment.of("read replicas", findings)


# ----------------------------------------------------------------------------- monitoring


def gather_extensions(db: ReadOnlyDB) -> dict[str, str]:
    return {
        str(r["extname"]): str(r["extversion"])
        for r in db.query("SELECT extname, extversion FROM pg_extension")
    }


def assess_monitoring(extensions: Mapping[str, str], preload: str | None) -> Assessment:
    """``pg_stat_statements``: the extension created and the library preloaded (else it errors on use)."""
    libs = [x.strip().strip('"') for x in (preload or "").split(",") if x.strip()]
    return Assessment.of(
        "pg_stat_statements",
        [
            Finding(
                "extension pg_stat_statements",
                extensions.get("pg_stat_statements"),
                "installed",
                "pg_stat_statements" in extensions,
            ),
            Finding(
                "shared_preload_libraries", libs, "includes pg_stat_statements", "pg_stat_statements" in libs
            ),
        ],
    )


def assess_exporter_up(results: Sequence[Mapping[str, Any]], job: str) -> Assessment:
    """Prometheus ``up{job=...}``: at least one target, every one of them up."""
    findings = []
    for r in results:
        labels = r.get("metric", {})
        value = r.get("value", [0, "0"])[1]
        findings.append(
            Finding(
                f"prometheus up{{job={job!r}, instance={labels.get('instance', '?')!r}}}",
                value,
                "1",
                str(value) == "1",
            )
        )
    return Assessment.of(f"exporter job {job} scraped", findings, empty_ok=False)


# ---------------------------------------------------------------------------------- schema


@dataclass(frozen=True)
class RelationFacts:
    """A table-like relation: kind r (table), p (partitioned), v, m, f; RLS flags; policy count."""

    schema: str
    name: str
    kind: str
    rls: bool
    force_rls: bool
    policies: int
    partition: bool = False

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


RELATIONS_SQL = (
    "SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS kind, c.relrowsecurity AS rls,"
    " c.relforcerowsecurity AS force_rls, c.relispartition AS partition,"
    " (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid)::int AS policies"
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')"
    " AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%%'"
)


def gather_relations(db: ReadOnlyDB) -> list[RelationFacts]:
    return [
        RelationFacts(
            r["schema"],
            r["name"],
            r["kind"],
            bool(r["rls"]),
            bool(r["force_rls"]),
            int(r["policies"]),
            bool(r["partition"]),
        )
        for r in db.query(RELATIONS_SQL)
    ]


_CREATE_TABLE = re.compile(
    r"\bCREATE\s+(?:(?:GLOBAL|LOCAL)\s+)?(?:(?:TEMP|TEMPORARY|UNLOGGED)\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"
    r"(?P<name>(?:\"[^\"]+\"|[A-Za-z_][\w$]*)(?:\s*\.\s*(?:\"[^\"]+\"|[A-Za-z_][\w$]*))?)",
    re.IGNORECASE,
)


def _ident(part: str) -> str:
    part = part.strip()
    return part[1:-1].replace('""', '"') if part.startswith('"') else part.lower()


def expected_tables_from_sql(text: str) -> list[str]:
    """``schema.table`` of every CREATE TABLE in a SQL script (comments and strings ignored)."""
    text = re.sub(r"--[^\n]*", " ", text)
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"\$(\w*)\$.*?\$\1\$", " ", text, flags=re.S)  # function bodies
    text = re.sub(r"'(?:[^']|'')*'", "''", text)
    out: list[str] = []
    for m in _CREATE_TABLE.finditer(text):
        if re.search(r"\bTEMP(?:ORARY)?\b", m.group(0), re.I):
            continue
        parts = re.split(r"\s*\.\s*(?=(?:\"|[A-Za-z_]))", m.group("name"), maxsplit=1)
        schema, name = (parts[0], parts[1]) if len(parts) == 2 else ("public", parts[0])
        qualified = f"{_ident(schema)}.{_ident(name)}"
        if qualified not in out:
            out.append(qualified)
    return out


def expected_tables_from_file(path: Path) -> list[str]:
    try:
        return expected_tables_from_sql(path.read_text(encoding="utf-8", errors="replace"))
    except OSError as exc:
        raise ProbeError(f"schema file {path}: cannot read ({exc.strerror})") from None


def assess_schema(relations: Iterable[RelationFacts], expected: Sequence[str]) -> Assessment:
    """Every expected ``schema.table`` exists (as a table or partitioned table)."""
    present = {r.qualified: r.kind for r in relations}
    findings = []
    for q in expected:
        q = q if "." in q else f"public.{q}"
        kind = present.get(q)
        findings.append(
            Finding(
                q,
                "present" if kind in ("r", "p") else (f"relkind {kind}" if kind else "missing"),
                "table present",
                kind in ("r", "p"),
            )
        )
    return Assessment.of("schema applied", findings, empty_ok=False)


# ------------------------------------------------------------------------------------- RLS


def _exposed_tables(relations: Iterable[RelationFacts], schemas: Sequence[str]) -> list[RelationFacts]:
    # partitions inherit the parent's policies when queried through it; splinter also skips them
    return [r for r in relations if r.schema in schemas and r.kind in ("r", "p") and not r.partition]


def assess_rls_enabled(relations: Iterable[RelationFacts], schemas: Sequence[str]) -> Assessment:
    """RLS on for every table of the exposed schemas (splinter 0013); FORCE shown as evidence."""
    findings = [
        Finding(
            r.qualified,
            {"rls": r.rls, "force": r.force_rls},
            {"rls": True},
            r.rls,
            "" if r.rls else "exposed table without row level security",
        )
        for r in _exposed_tables(relations, schemas)
    ]
    return Assessment.of(f"RLS enabled in {', '.join(schemas)}", findings)


def assess_rls_policies(relations: Iterable[RelationFacts], schemas: Sequence[str]) -> Assessment:
    """Every RLS table has a policy (splinter 0008) and no policy sits on a table without RLS (0007)."""
    findings = []
    for r in _exposed_tables(relations, schemas):
        if r.rls:
            findings.append(
                Finding(
                    f"{r.qualified} policies",
                    r.policies,
                    ">= 1 (RLS on)",
                    r.policies > 0,
                    "" if r.policies else "RLS on but no policy: every row is hidden",
                )
            )
        elif r.policies:
            findings.append(
                Finding(
                    f"{r.qualified} policies",
                    r.policies,
                    "RLS enabled where policies exist",
                    False,
                    "policies exist but RLS is off: they are ignored",
                )
            )
    return Assessment.of("RLS policies", findings)


POLICIES_SQL = (
    "SELECT schemaname AS schema, tablename AS table, policyname AS policy, permissive,"
    " roles::text[] AS roles, cmd, qual, with_check"
    " FROM pg_policies WHERE schemaname = ANY(%s)"
)
_TRUE = re.compile(r"^\(*\s*(true|1\s*=\s*1)\s*\)*$", re.I)
API_ROLES = frozenset({"public", "anon", "authenticated"})


def gather_policies(db: ReadOnlyDB, schemas: Sequence[str]) -> list[dict[str, Any]]:
    return db.query(POLICIES_SQL, (list(schemas),))


def assess_policy_always_true(
    policies: Sequence[Mapping[str, Any]], relations: Iterable[RelationFacts], schemas: Sequence[str]
) -> Assessment:
    """A permissive write policy for API roles whose USING/WITH CHECK is always true (splinter 0024).

    SELECT ``USING (true)`` is public read access by design and not flagged; a restrictive policy or
    one for another role is not flagged; a table without RLS is covered by the other rules.
    """
    rls = {r.qualified for r in relations if r.rls}
    findings = []
    for p in policies:
        table = f"{p['schema']}.{p['table']}"
        cmd = str(p.get("cmd") or "ALL").upper()
        roles = set(p.get("roles") or ["public"])
        if (
            table not in rls
            or p.get("schema") not in schemas
            or str(p.get("permissive")).upper() != "PERMISSIVE"
        ):
            continue
        if cmd == "SELECT" or not roles & API_ROLES:
            continue
        qual, check = p.get("qual"), p.get("with_check")
        using_true = cmd in ("UPDATE", "DELETE", "ALL") and qual is not None and bool(_TRUE.match(str(qual)))
        check_src = check if check is not None else (qual if cmd in ("UPDATE", "ALL") else None)
        check_true = cmd in ("INSERT", "UPDATE", "ALL") and (
            (check_src is None and cmd == "INSERT")
            or (check_src is not None and bool(_TRUE.match(str(check_src))))
        )
        if using_true or check_true:
            findings.append(
                Finding(
                    f"{table} policy {p['policy']}",
                    {"command": cmd, "using_true": using_true, "with_check_true": check_true},
                    "a real condition for writes",
                    False,
                    "permissive write policy that is always true: RLS does nothing for it",
                )
            )
    return Assessment.of("RLS write policies not always true", findings)


ROLES_SQL = "SELECT rolname::text AS role, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = ANY(%s)"
DEFAULT_APP_ROLES = ("anon", "authenticated", "authenticator")


def gather_roles(db: ReadOnlyDB, roles: Sequence[str]) -> dict[str, dict[str, Any]]:
    return {str(r["role"]): r for r in db.query(ROLES_SQL, (list(roles),))}


def assess_rls_bypass(
    found: Mapping[str, Mapping[str, Any]], roles: Sequence[str], *, required: bool
) -> Assessment:
    """No application role is a superuser or has BYPASSRLS (both ignore every policy)."""
    findings = []
    for name in roles:
        r = found.get(name)
        if r is None:
            if required:
                findings.append(
                    Finding(f"role {name}", "missing", "exists", False, "configured in [postgres] app_roles")
                )
            continue
        bypass = bool(r["rolsuper"]) or bool(r["rolbypassrls"])
        findings.append(
            Finding(
                f"role {name}",
                {"superuser": bool(r["rolsuper"]), "bypassrls": bool(r["rolbypassrls"])},
                {"superuser": False, "bypassrls": False},
                not bypass,
                "bypasses every RLS policy" if bypass else "",
            )
        )
    if not findings:
        raise ProbeError(f"none of the roles {', '.join(roles)} exists: set [postgres] app_roles")
    return Assessment.of("application roles subject to RLS", findings)
