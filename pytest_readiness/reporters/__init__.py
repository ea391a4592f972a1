"""Reporters read a finished :class:`~pytest_readiness.results.RunResult`; none of them probes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

#: How every reporter names a status (``not_applicable`` is too wide for a column).
STATUS_LABEL: dict[str, str] = {
    "pass": "pass",
    "fail": "fail",
    "error": "error",
    "waived": "waived",
    "attested": "attested",
    "not_applicable": "n/a",
    "manual": "manual",
}
#: The summary counts of the terminal table and the pytest-html summary, in that order.
COLUMNS: tuple[tuple[str, str], ...] = tuple(
    (s, STATUS_LABEL[s]) for s in ("pass", "fail", "error", "waived", "attested", "not_applicable", "manual")
)


def write_atomic(path: Path, text: str) -> None:
    """Write through a temporary file in the same folder and rename: never a half-written report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o644 & ~umask)  # reports are artifacts: readable like any written file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
