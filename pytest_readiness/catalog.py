"""The checklist catalog: items with stable IDs, loaded from a TOML file.

The package ships ``checklists/valueverse.toml`` (the seed checklist, curated); a project points the
plugin at its own file with the ``readiness_catalog`` ini option or ``--readiness-catalog``.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

from pytest_readiness.errors import ConfigError

DEFAULT_CATALOG = Path(__file__).parent / "checklists" / "valueverse.toml"
SEVERITIES = ("critical", "high", "medium", "low")
KINDS = ("automated", "manual", "attestation")
STYLES = ("checkbox", "numbered", "bullet", "check-emoji")
ID_PATTERN = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$")


class Item(TypedDict):
    id: str
    part: str
    section: str
    group: str
    title: str
    parent: str
    severity: str
    kind: str
    remediation: str
    style: str
    number: int
    phase: str


REQUIRED = ("id", "section", "title")


@dataclass(frozen=True)
class Catalog:
    name: str
    source: str
    items: tuple[Item, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {item["id"]: item for item in self.items})

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._by_id  # type: ignore[attr-defined]

    def get(self, item_id: str) -> Item:
        return self._by_id[item_id]  # type: ignore[attr-defined, no-any-return]

    def ids(self) -> list[str]:
        return [item["id"] for item in self.items]

    def children(self, item_id: str) -> list[Item]:
        return [item for item in self.items if item["parent"] == item_id]

    def sections(self) -> list[str]:
        seen: dict[str, None] = {}
        for item in self.items:
            seen.setdefault(item["section"], None)
        return list(seen)

    def closest(self, unknown: str, n: int = 3) -> list[str]:
        ids = self.ids()
        close = difflib.get_close_matches(unknown, ids, n=n, cutoff=0.5)
        if not close:
            parts = set(unknown.split("-"))
            scored = sorted(ids, key=lambda i: -len(parts & set(i.split("-"))))
            close = [i for i in scored[:n] if parts & set(i.split("-"))]
        return close


def load(path: Path | None = None) -> Catalog:
    """Load and validate a catalog file (the packaged one by default)."""
    path = path or DEFAULT_CATALOG
    shown = str(path)
    try:
        text = path.read_text(encoding="utf-8")
        raw = _compiled(path, text) or tomllib.loads(text)
    except FileNotFoundError:
        raise ConfigError(shown, "", "catalog file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(shown, "", f"malformed TOML: {exc}") from None
    meta = raw.get("catalog", {})
    entries = raw.get("items")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(shown, "items", "expected a non-empty array of [[items]]")
    items: list[Item] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        items.append(_item(entry, f"items[{index}]", shown, seen))
    ids = {i["id"] for i in items}
    for item in items:
        if item["parent"] and item["parent"] not in ids:
            raise ConfigError(shown, f"{item['id']}.parent", f"unknown parent {item['parent']!r}")
    return Catalog(
        name=str(meta.get("name", path.stem)), source=str(meta.get("source", "")), items=tuple(items)
    )


def compiled_path(path: Path) -> Path:
    return path.with_suffix(".json")


def compile_catalog(path: Path) -> Path:
    """Write the JSON twin of a catalog TOML: parsed once at build time, loaded ~30x faster each run."""
    text = path.read_text(encoding="utf-8")
    twin = compiled_path(path)
    payload = {"sha256": hashlib.sha256(text.encode()).hexdigest(), "catalog": tomllib.loads(text)}
    twin.write_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    return twin


def _compiled(path: Path, text: str) -> dict[str, Any] | None:
    """The JSON twin's content if it was compiled from exactly this TOML text, else None."""
    twin = compiled_path(path)
    if not twin.is_file():
        return None
    try:
        payload = json.loads(twin.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(payload, dict) or payload.get("sha256") != hashlib.sha256(text.encode()).hexdigest():
        return None
    catalog = payload.get("catalog")
    return catalog if isinstance(catalog, dict) else None


def _item(entry: Any, where: str, shown: str, seen: set[str]) -> Item:
    if not isinstance(entry, dict):
        raise ConfigError(shown, where, "must be a table")
    for key in REQUIRED:
        if not isinstance(entry.get(key), str) or not entry[key]:
            raise ConfigError(shown, f"{where}.{key}", "missing or not a string")
    item_id = entry["id"]
    if not ID_PATTERN.match(item_id):
        raise ConfigError(shown, f"{where}.id", f"{item_id!r} is not an ID (UPPER-CASE-WITH-DASHES)")
    if item_id in seen:
        raise ConfigError(shown, f"{where}.id", f"duplicate ID {item_id!r}")
    seen.add(item_id)
    severity = entry.get("severity", "medium")
    kind = entry.get("kind", "manual")
    style = entry.get("style", "checkbox")
    for key, value, allowed in (
        ("severity", severity, SEVERITIES),
        ("kind", kind, KINDS),
        ("style", style, STYLES),
    ):
        if value not in allowed:
            raise ConfigError(shown, f"{item_id}.{key}", f"{value!r} is not one of {', '.join(allowed)}")
    return Item(
        id=item_id,
        part=str(entry.get("part", "")),
        section=entry["section"],
        group=str(entry.get("group", "")),
        title=entry["title"],
        parent=str(entry.get("parent", "")),
        severity=severity,
        kind=kind,
        remediation=str(entry.get("remediation", "")),
        style=style,
        number=int(entry.get("number", 0)),
        phase=str(entry.get("phase", "")),
    )


def dump(catalog_name: str, source: str, items: list[Item]) -> str:
    """Serialise items as catalog TOML (stable key order, one [[items]] table each)."""
    lines = ["[catalog]", f"name = {_q(catalog_name)}", f"source = {_q(source)}", ""]
    for item in items:
        lines.append("[[items]]")
        for key in (
            "id",
            "part",
            "section",
            "group",
            "title",
            "parent",
            "severity",
            "kind",
            "style",
            "number",
            "phase",
            "remediation",
        ):
            value: Any = item[key]
            if value in ("", 0) and key not in ("id", "section", "title"):
                continue
            lines.append(f"{key} = {value}" if isinstance(value, int) else f"{key} = {_q(str(value))}")
        lines.append("")
    return "\n".join(lines)


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
