"""Reports written by other tools: JUnit, coverage, vulnerability scans."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pytest_readiness.errors import ProbeError


def check_size(path: Path, label: str, max_bytes: int) -> None:
    """Refuse a report larger than ``max_bytes`` before reading it (a runaway artifact is an error)."""
    size = path.stat().st_size
    if size > max_bytes:
        raise ProbeError(f"{label} {path} is {size} bytes, above the {max_bytes} bytes limit")


def load_json_report(path: Path, label: str, max_bytes: int) -> Any:
    """A tool's JSON report, bounded in size; a too large or non-JSON file is a :class:`ProbeError`."""
    check_size(path, label, max_bytes)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProbeError(f"{label} {path} is not JSON: {exc}") from None
