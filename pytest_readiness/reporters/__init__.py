"""Reporters read a finished :class:`~pytest_readiness.results.RunResult`; none of them probes."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pytest_readiness.status import ORDER, Status, Verdict

#: How every reporter names a status (``not_applicable`` is too wide for a column).
STATUS_LABEL: dict[str, str] = {s.value: s.label for s in Status}
#: The summary counts of the terminal table and the pytest-html summary, in that order.
COLUMNS: tuple[tuple[str, str], ...] = tuple((s.value, s.label) for s in ORDER)
EMPTY = "—"


def verdict(result: Mapping[str, Any]) -> Verdict:
    """The verdict of a result (schema 1 files have only ``ready``)."""
    if result.get("verdict") in tuple(Verdict):
        return Verdict(result["verdict"])
    return Verdict.GO if result.get("ready") else Verdict.NO_GO


def render_value(value: Any) -> str:
    """Evidence for a person: ``rls: off, force: off``, lists joined, booleans on/off, None as "—".

    readiness.json keeps the data; terminal, Markdown and HTML show this.
    """
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str | int):
        return str(value)
    if isinstance(value, Mapping):
        if not value:
            return EMPTY
        return ", ".join(f"{k}: {_nested(v)}" for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        if not value:
            return "none"
        return ", ".join(_nested(v) for v in value)
    return str(value)


def _nested(value: Any) -> str:
    """A value inside a list or mapping: nested containers in parentheses, so commas stay readable."""
    text = render_value(value)
    return f"({text})" if isinstance(value, Mapping | list | tuple) and value else text


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
