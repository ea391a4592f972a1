"""Database migrations: the repository's migration files against a database's migration table.

Three conventions are understood: Supabase (``supabase/migrations/<timestamp>_name.sql`` recorded in
``supabase_migrations.schema_migrations(version)``), Alembic (``alembic/versions/*.py`` with
``revision = "..."``, recorded in ``alembic_version``) and plain SQL folders (``<version>_name.sql``
with rollbacks as ``*.down.sql``, ``*_down.sql`` or a ``down/`` folder).  Rollback counterparts follow
each tool's convention: an Alembic ``downgrade()`` with a real body; Supabase writes no down
migrations, so a configured rollback folder must hold one file per version.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.errors import ProbeError

SUPABASE_TABLE_SQL = "SELECT version FROM supabase_migrations.schema_migrations ORDER BY version"
ALEMBIC_TABLE_SQL = "SELECT version_num FROM alembic_version"
_VERSION = re.compile(r"^(?P<version>\d+|V\d+(?:[._]\d+)*)[_\-.](?P<name>.+?)\.sql$", re.I)
_DOWN = re.compile(r"(\.down|_down|\.rollback|_rollback|\.undo|_undo)\.sql$", re.I)
_UP = re.compile(r"(\.up|_up)\.sql$", re.I)
_CREATE_DATE = re.compile(r"Create Date:\s*(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2})")


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    path: str
    rollback: str | None  # the counterpart file/function, None when missing
    created: str | None  # ISO time from the version timestamp or the Alembic header, when known


@dataclass(frozen=True)
class RepoMigrations:
    tool: str  # "supabase" | "alembic" | "sql"
    folder: str
    migrations: tuple[Migration, ...]

    @property
    def versions(self) -> list[str]:
        return [m.version for m in self.migrations]

    def latest_created(self) -> datetime | None:
        times = [datetime.fromisoformat(m.created) for m in self.migrations if m.created]
        return max(times) if times else None


def detect(root: Path, migrations_dir: str | None = None, tool: str | None = None) -> tuple[str, Path] | None:
    """(tool, folder) from the configuration, else by convention; None when the repo has no migrations."""
    if migrations_dir:
        folder = root / migrations_dir
        if tool:
            return tool, folder
        return (
            "alembic" if any(folder.glob("*.py")) else "supabase" if "supabase" in folder.parts else "sql"
        ), folder
    candidates = [
        ("supabase", root / "supabase" / "migrations"),
        ("alembic", root / "alembic" / "versions"),
        ("alembic", root / "migrations" / "versions"),
        ("sql", root / "migrations"),
        ("sql", root / "db" / "migrations"),
    ]
    for name, folder in candidates:
        if (tool is None or tool == name) and folder.is_dir():
            return name, folder
    return None


def _timestamp(version: str) -> str | None:
    for fmt, width in (("%Y%m%d%H%M%S", 14), ("%Y%m%d%H%M", 12), ("%Y%m%d", 8)):
        if len(version) == width and version.isdigit():
            try:
                return datetime.strptime(version, fmt).replace(tzinfo=UTC).isoformat()
            except ValueError:
                return None
    return None


def scan_sql(folder: Path, tool: str, rollback_dir: Path | None = None) -> RepoMigrations:
    """``<version>_<name>.sql`` files; rollbacks: ``*.down.sql``, ``*_down.sql``, ``down/``, a folder."""
    downs: dict[str, str] = {}
    down_folders = [folder / "down", folder / "rollback", *([rollback_dir] if rollback_dir else [])]
    for d in down_folders:
        if d.is_dir():
            for f in sorted(d.glob("*.sql")):
                m = _VERSION.match(f.name)
                if m:
                    downs.setdefault(m["version"], str(f))
    ups: list[tuple[str, str, Path]] = []
    for f in sorted(folder.glob("*.sql")):
        m = _VERSION.match(f.name)
        if not m:
            continue
        if _DOWN.search(f.name):
            downs.setdefault(m["version"], str(f))
            continue
        name = _UP.sub("", m["name"] + ".sql").removesuffix(".sql")
        ups.append((m["version"], name, f))
    migrations = tuple(
        Migration(v, n, str(f), downs.get(v), _timestamp(v)) for v, n, f in sorted(ups, key=lambda t: t[0])
    )
    return RepoMigrations(tool, str(folder), migrations)


def _alembic_file(path: Path) -> tuple[str | None, bool, str | None]:
    """(revision, downgrade has a real body, create date) of one Alembic revision file."""
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None, False, None
    revision: str | None = None
    real_down = False
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "revision" for t in targets) and isinstance(
                node.value, ast.Constant
            ):
                revision = str(node.value.value)
        if isinstance(node, ast.FunctionDef) and node.name == "downgrade":
            body = [
                s
                for s in node.body
                if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))  # docstring
                and not isinstance(s, ast.Pass)
            ]
            raises = len(body) == 1 and isinstance(body[0], ast.Raise)  # raise NotImplementedError
            real_down = bool(body) and not raises
    date = _CREATE_DATE.search(text)
    created = datetime.fromisoformat(date[1]).replace(tzinfo=UTC).isoformat() if date else None
    return revision, real_down, created


def scan_alembic(folder: Path) -> RepoMigrations:
    out = []
    for f in sorted(folder.glob("*.py")):
        if f.name == "__init__.py":
            continue
        revision, real_down, created = _alembic_file(f)
        if revision:
            out.append(
                Migration(revision, f.stem, str(f), f"{f.name}:downgrade()" if real_down else None, created)
            )
    return RepoMigrations("alembic", str(folder), tuple(out))


def scan(tool: str, folder: Path, rollback_dir: Path | None = None) -> RepoMigrations:
    return scan_alembic(folder) if tool == "alembic" else scan_sql(folder, tool, rollback_dir)


def applied_query(tool: str, configured: str | None = None) -> str:
    """The read-only query listing applied versions (first column) for a tool."""
    if configured:
        return configured
    return ALEMBIC_TABLE_SQL if tool == "alembic" else SUPABASE_TABLE_SQL


def _label(m: Migration) -> str:
    return m.name if m.name.startswith(m.version) else f"{m.version}_{m.name}"


def assess_applied(repo: RepoMigrations, applied: Iterable[str]) -> Assessment:
    """Every repository migration applied in the database, and nothing applied the repository lacks.

    Alembic records only the head revision: there, the head must be the repository's newest file
    (one not named as any other's ``down_revision``; we approximate with the set of revisions).
    """
    applied_set = {str(v) for v in applied}
    findings = []
    if repo.tool == "alembic":
        heads = sorted(applied_set)
        known = set(repo.versions)
        ok = bool(heads) and all(h in known for h in heads)
        findings.append(
            Finding(
                f"{repo.folder} alembic_version",
                heads,
                f"one of {len(known)} repository revisions",
                ok,
                "" if ok else "database head unknown to the repository or missing",
            )
        )
        return Assessment.of("migrations applied match the repository", findings, empty_ok=False)
    for m in repo.migrations:
        ok = m.version in applied_set
        findings.append(Finding(_label(m), "applied" if ok else "not applied", "applied", ok))
    for v in sorted(applied_set - set(repo.versions)):
        findings.append(
            Finding(
                f"{v} (database only)",
                "applied",
                "present in the repository",
                False,
                "applied in the database but missing from the repository",
            )
        )
    return Assessment.of("migrations applied match the repository", findings, empty_ok=False)


def assess_rollbacks(repo: RepoMigrations) -> Assessment:
    """Every migration has its down/rollback counterpart by the tool's convention."""
    expected = {
        "alembic": "downgrade() with a body (not pass / NotImplementedError)",
        "supabase": "a rollback file per version in the configured rollback folder",
    }.get(repo.tool, "*.down.sql, *_down.sql or down/<version>_*.sql")
    findings = [
        Finding(_label(m), m.rollback or "missing", expected, m.rollback is not None)
        for m in repo.migrations
    ]
    return Assessment.of("rollback scripts prepared", findings, empty_ok=False)


def assess_migration_job(jobs: Iterable[tuple[str, Iterable[str]]], name: str | None = None) -> Assessment:
    """A Job/CronJob named ``name`` (configured), else any Job whose name or command says migrate.

    ``jobs`` are (``ns/Kind/name``, command words) pairs from the Kubernetes inventory.
    """
    findings = []
    for ref, words in jobs:
        obj_name = ref.rsplit("/", 1)[-1]
        text = " ".join(words).lower()
        if (name and obj_name == name) or (
            not name
            and (
                "migrat" in obj_name.lower()
                or "migrat" in text
                or "db push" in text
                or "alembic upgrade" in text
            )
        ):
            findings.append(Finding(ref, "migration Job", "migration Job", True))
    if not findings:
        findings.append(
            Finding(
                "Jobs in the inventory",
                "none runs migrations",
                f"a Job named {name}" if name else "a Job running migrations",
                False,
            )
        )
    return Assessment.of("migration Job configured", findings)


def assess_backup_after(
    latest_migration: datetime | None, latest_backup: datetime | None, source: str
) -> Assessment:
    """The newest backup is newer than the newest migration (so the migration can be undone by restore)."""
    if latest_migration is None:
        return Assessment.single(
            "backup newer than the last migration",
            "latest migration",
            None,
            "a dated migration",
            True,
            "no dated migration: nothing to protect",
        )
    ok = latest_backup is not None and latest_backup >= latest_migration
    return Assessment.single(
        "backup newer than the last migration",
        source,
        latest_backup.isoformat() if latest_backup else None,
        f">= {latest_migration.isoformat()} (latest migration)",
        ok,
        "" if ok else "take a backup before applying the migration",
    )


def fetch_applied(dsn: str, sql: str, timeout: float) -> list[str]:
    """The applied versions (first column of ``sql``) in a read-only transaction with timeouts.

    ``sql`` may come from the environment file: it runs with the extended protocol (``stream``), so
    the server rejects more than one statement, under a client-side deadline.
    """
    import psycopg

    from pytest_readiness.probes.data import pg_deadline

    limit = timeout + pg_deadline.GRACE_S
    try:
        with psycopg.connect(
            dsn,
            connect_timeout=max(1, math.ceil(timeout)),
            autocommit=False,
            options=f"-c default_transaction_read_only=on -c statement_timeout={int(timeout * 1000)}",
        ) as conn:
            conn.read_only = True
            with pg_deadline.deadline(conn, limit) as watch:
                try:
                    with conn.cursor() as cur:
                        rows = list(cur.stream(sql.encode()))
                    conn.rollback()
                except psycopg.OperationalError:
                    if watch.expired:
                        raise ProbeError(pg_deadline.dropped("migration query", limit)) from None
                    raise
    except psycopg.errors.UndefinedTable:
        raise ProbeError(
            f"migration table of {sql!r} does not exist: no migration was applied with this tool "
            "(set [repo] migrations_tool or [postgres] migrations_query)"
        ) from None
    except psycopg.Error as exc:
        raise ProbeError(
            f"migration query failed: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
        ) from None
    return [str(r[0]) for r in rows]


def latest_backup(
    cronjobs: Iterable[Mapping[str, Any]],
    velero_schedules: Iterable[Mapping[str, Any]],
    name: str | None = None,
) -> tuple[datetime | None, str]:
    """Newest successful backup: a backup CronJob's ``lastSuccessfulTime`` or a Velero ``lastBackup``."""
    best: tuple[datetime | None, str] = (None, "no backup CronJob or Velero Schedule in the inventory")
    for kind, objs, field_name in (
        ("CronJob", cronjobs, "lastSuccessfulTime"),
        ("Schedule", velero_schedules, "lastBackup"),
    ):
        for obj in objs:
            meta = obj.get("metadata") or {}
            obj_name = str(meta.get("name", ""))
            if kind == "CronJob" and not (obj_name == name if name else "backup" in obj_name.lower()):
                continue
            stamp = (obj.get("status") or {}).get(field_name)
            when = _parse_time(stamp)
            ref = f"{meta.get('namespace', '')}/{kind}/{obj_name} status.{field_name}"
            if when is not None and (best[0] is None or when > best[0]):
                best = (when, ref)
            elif best[0] is None:
                best = (None, ref + " (never succeeded)")
    return best


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
