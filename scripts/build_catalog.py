"""Build the packaged catalog from the seed checklist and the curated overlay (maintainers only).

    python scripts/build_catalog.py [tests/data/seed/production-readiness-checklist.md]

The importer gives the structure and titles; ``catalog_overlay.txt`` gives, line by line in document
order, the stable ID, severity, kind, deployment phase and remediation of each item.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pytest_readiness.catalog import DEFAULT_CATALOG, compile_catalog, dump
from pytest_readiness.catalog_import import parse

OVERLAY = Path(__file__).with_name("catalog_overlay.txt")
#: The checklist the catalog is built from, kept in the repository (tests check the catalog against it).
SEED = Path(__file__).resolve().parents[1] / "tests" / "data" / "seed" / "production-readiness-checklist.md"


def main(seed: str) -> None:
    title, items = parse(Path(seed).read_text(encoding="utf-8"))
    rows = [line.split("|") for line in OVERLAY.read_text().splitlines() if line and not line.startswith("#")]
    if len(rows) != len(items):
        raise SystemExit(f"overlay has {len(rows)} rows, seed has {len(items)} items")
    renamed = {item["id"]: row[0] for item, row in zip(items, rows, strict=True)}
    for item, (new_id, severity, kind, phase, remediation) in zip(items, rows, strict=True):
        item.update(
            id=new_id,
            severity=severity,
            kind=kind,
            phase=phase,
            remediation=remediation,
            parent=renamed.get(item["parent"], ""),
        )
    DEFAULT_CATALOG.write_text(dump(title, Path(seed).name, items), encoding="utf-8")
    compile_catalog(DEFAULT_CATALOG)
    print(f"wrote {len(items)} items to {DEFAULT_CATALOG} (and its compiled JSON twin)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(SEED))
