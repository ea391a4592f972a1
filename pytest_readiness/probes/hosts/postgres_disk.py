"""PostgreSQL hosts: free space on the data directory above a threshold; the WAL archive dir present."""

from __future__ import annotations

from dataclasses import dataclass

from pytest_readiness.assessment import Assessment
from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.hosts.connect import HostHandle, gatherer


@dataclass(frozen=True)
class DiskFacts:
    subject: str
    free_percent: float | None  # None: the data directory does not exist
    archive_subject: str | None = None
    archive_ok: bool | None = None


@gatherer
def gather_disk(h: HostHandle, data_directory: str, wal_archive_dir: str | None) -> DiskFacts:
    """``df -Pk`` (testinfra has no free-space module) and ``host.file`` for the archive folder."""
    archive_ok = h.host.file(wal_archive_dir).is_directory if wal_archive_dir else None
    archive = h.subject(f"WAL archive {wal_archive_dir}") if wal_archive_dir else None
    if not h.host.file(data_directory).is_directory:
        return DiskFacts(h.subject(f"data directory {data_directory}"), None, archive, archive_ok)
    out = h.host.run("df -Pk -- %s", data_directory)
    lines = out.stdout.strip().splitlines()
    try:
        size, _used, avail = (int(x) for x in lines[-1].split()[1:4])
    except (IndexError, ValueError):
        raise ProbeError(
            f"{h.target.label}: unreadable df output for {data_directory} (rc {out.rc})"
        ) from None
    percent = round(100.0 * avail / size, 1) if size else 0.0
    return DiskFacts(h.subject(f"data directory {data_directory}"), percent, archive, archive_ok)


def assess_free_space(facts: DiskFacts, min_free_percent: float) -> Assessment:
    free = facts.free_percent
    return Assessment.single(
        "postgres data disk",
        f"{facts.subject} free %",
        free if free is not None else "missing",
        f">= {min_free_percent:g}",
        free is not None and free >= min_free_percent,
    )


def assess_wal_archive(facts: DiskFacts) -> Assessment:
    """The archive folder exists (None: not configured, decided by the caller)."""
    return Assessment.single(
        "WAL archive",
        facts.archive_subject or "WAL archive",
        "directory" if facts.archive_ok else "missing",
        "directory",
        bool(facts.archive_ok),
    )
