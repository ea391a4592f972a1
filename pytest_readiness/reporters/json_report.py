"""``readiness.json``: the machine-readable result (schema_version 2; v1 still read), secrets redacted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

from pytest_readiness import redact
from pytest_readiness.reporters import write_atomic
from pytest_readiness.results import RunResult

FILENAME = "readiness.json"


def dumps(result: RunResult) -> str:
    return json.dumps(redact.redact_value(result), indent=2, ensure_ascii=False) + "\n"


def write(result: RunResult, out_dir: Path) -> Path:
    path = out_dir / FILENAME
    write_atomic(path, dumps(result))
    return path


def read(path: Path) -> RunResult:
    return cast(RunResult, json.loads(path.read_text(encoding="utf-8")))
