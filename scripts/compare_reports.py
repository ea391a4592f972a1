"""Compare two readiness.json files item by item: status and every evidence finding.

For refactors that must not change behaviour (e.g. the demo before and after): ports, temporary
folders and the like are masked, so what remains is a real difference or a live measurement.
``readiness diff`` compares statuses for drift; this compares the evidence too.

    python scripts/compare_reports.py before/readiness.json after/readiness.json
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

MASKS = (
    (re.compile(r"/tmp/readiness-[a-z]+-[A-Za-z0-9_]+"), "/tmp/T"),
    (re.compile(r"(127\.0\.0\.1|localhost):\d+"), r"\1:P"),
)


def _mask(text: str) -> str:
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return text


def flatten(path: Path) -> dict[tuple[Any, ...], str]:
    """``(id, "status")`` and ``(id, evidence index, finding index)`` -> masked JSON text."""
    out: dict[tuple[Any, ...], str] = {}
    for item in json.loads(path.read_text(encoding="utf-8"))["items"]:
        out[(item["id"], "status")] = item["status"]
        for n, record in enumerate(item.get("evidence", [])):
            head = {k: v for k, v in record.items() if k != "findings"}
            out[(item["id"], n, "head")] = _mask(json.dumps(head, sort_keys=True))
            for m, finding in enumerate(record.get("findings", [])):
                out[(item["id"], n, m)] = _mask(json.dumps(finding, sort_keys=True))
    return out


def main(argv: list[str]) -> int:
    before, after = flatten(Path(argv[0])), flatten(Path(argv[1]))
    differ = [k for k in sorted(before.keys() | after.keys(), key=str) if before.get(k) != after.get(k)]
    for key in differ:
        print(key, f"\n  - {before.get(key)}\n  + {after.get(key)}")
    statuses = [k for k in differ if k[-1] == "status"]
    print(f"{len(differ)} difference(s), {len(statuses)} in statuses")
    return 1 if statuses else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
