"""The packaged catalog covers the seed checklist item for item; the importer is stable."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_readiness import catalog
from pytest_readiness.catalog_import import clean_title, parse, repair_mojibake
from pytest_readiness.errors import ConfigError
from tests.support.core import SEED, ReadinessRun

SEED_MD = SEED / "production-readiness-checklist.md"
GARBLED_MD = SEED / "production-readiness-checklist.original.md"
LIST_LINE = re.compile(r"^\s*(?:[-*]|\d+\.)\s+(?:\[ \]\s*)?(.*\S)\s*$")


def seed_lines() -> list[str]:
    """Every list line of the seed that is a checklist item (the emergency-contacts table is not)."""
    return [m.group(1) for line in SEED_MD.read_text().splitlines() if (m := LIST_LINE.match(line))]


def test_catalog_covers_seed_item_for_item() -> None:
    packaged = catalog.load()
    titles = [clean_title(line) for line in seed_lines()]
    assert [item["title"] for item in packaged] == titles
    assert len(packaged) == 204
    sections = packaged.sections()
    assert sections[:8] == [
        "Environment Setup",
        "Code & Dependencies",
        "Security",
        "Testing",
        "Infrastructure",
        "Monitoring & Observability",
        "CI/CD Pipeline",
        "Documentation",
    ]
    assert sections[8:] == ["Deployment Steps", "Success Criteria", "Rollback Plan", "Sign-off"]


def test_catalog_items_are_complete() -> None:
    packaged = catalog.load()
    for item in packaged:
        assert catalog.ID_PATTERN.match(item["id"])
        assert item["severity"] in catalog.SEVERITIES and item["kind"] in catalog.KINDS
        if item["kind"] == "automated":
            assert item["remediation"], item["id"]
    assert {i["id"] for i in packaged if i["section"] == "Sign-off"} == {
        i["id"] for i in packaged if i["section"] == "Sign-off" and i["kind"] == "attestation"
    }
    phases = {i["phase"] for i in packaged if i["section"] == "Deployment Steps"}
    assert phases == {"pre-deployment", "migration", "deployment", "verification", "post-deployment"}
    assert packaged.get("ENV-SUPABASE-RLS")["parent"] == "ENV-SUPABASE"


def test_garbled_original_imports_like_the_clean_seed() -> None:
    clean_title_, clean = parse(SEED_MD.read_text())
    garbled_title, garbled = parse(GARBLED_MD.read_text())
    assert garbled == clean and garbled_title == clean_title_
    assert clean[0]["part"] == "Pre-Deployment Checklist"


def test_reimport_gives_same_ids_and_ids_are_unique() -> None:
    first = [i["id"] for i in parse(SEED_MD.read_text())[1]]
    second = [i["id"] for i in parse(SEED_MD.read_text())[1]]
    assert first == second and len(set(first)) == len(first)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("✅ Response time p50 < 500ms", "Response time p50 < 500ms"),
        ("**Supabase Project Created**", "Supabase Project Created"),
        ("Engineering Lead: ___________________ Date: ___________", "Engineering Lead"),
        ("üìã Pre-Deployment Checklist", "Pre-Deployment Checklist"),
        ("âœ… Security", "Security"),
        ("`npm install` runs successfully", "`npm install` runs successfully"),
    ],
)
def test_clean_title(raw: str, clean: str) -> None:
    assert clean_title(raw) == clean


def test_repair_mojibake_cp1252() -> None:
    assert repair_mojibake("âœ… Done") == "✅ Done"


def test_import_other_checklist_shapes(tmp_path: Path) -> None:
    md = tmp_path / "c.md"
    md.write_text(
        "# Launch\n\n## Before\n* [x] Backups on\n* [ ] 🔒 TLS everywhere\n  - [ ] HSTS set\n\n"
        "## After\n1. [ ] Tell users\n2. [ ] Watch graphs\n"
    )
    title, items = parse(md.read_text())
    assert title == "Launch"
    assert [(i["section"], i["group"], i["title"], i["parent"] != "") for i in items] == [
        ("Before", "", "Backups on", False),
        ("Before", "TLS everywhere", "TLS everywhere", False),
        ("Before", "TLS everywhere", "HSTS set", True),
        ("After", "", "Tell users", False),
        ("After", "", "Watch graphs", False),
    ]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest_readiness.cli", *args], capture_output=True, text=True, check=False
    )


def test_cli_import_and_list_roundtrip(tmp_path: Path) -> None:
    out = tmp_path / "catalog.toml"
    assert _cli("checklist", "import", str(GARBLED_MD), "-o", str(out)).returncode == 0
    listed = json.loads(_cli("checklist", "list", "--catalog", str(out), "--format", "json").stdout)
    assert len(listed) == 204
    assert set(listed[0]) == {"id", "section", "group", "title", "severity", "kind"}
    again = tmp_path / "again.toml"
    _cli("checklist", "import", str(GARBLED_MD), "-o", str(again))
    assert out.read_text() == again.read_text()


def test_bad_catalog_is_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[[items]]\nid = "A-1"\nsection = "S"\ntitle = "t"\n[[items]]\nid = "A-1"\nsection = "S"\n'
        'title = "u"\n'
    )
    with pytest.raises(ConfigError, match="duplicate ID 'A-1'"):
        catalog.load(bad)
    bad.write_text('[[items]]\nid = "a lower"\nsection = "S"\ntitle = "t"\n')
    with pytest.raises(ConfigError, match="is not an ID"):
        catalog.load(bad)


def test_project_catalog_through_ini(readiness: ReadinessRun) -> None:
    readiness.pytester.path.joinpath("my.toml").write_text(
        '[catalog]\nname = "Mine"\n[[items]]\nid = "OPS-BACKUP"\nsection = "Ops"\ntitle = "Backups"\n'
        'kind = "automated"\nremediation = "fix"\n'
        '[[items]]\nid = "OPS-DOCS"\nsection = "Ops"\ntitle = "Docs"\n'
    )
    readiness.pytester.makeini("[pytest]\nreadiness_catalog = my.toml\n")
    readiness.env()
    readiness.pytester.makepyfile(
        test_ops="import pytest\n@pytest.mark.checklist('OPS-BACKUP')\ndef test_b():\n    pass\n"
    )
    result, report = readiness.run("--env", "dev")
    assert report is not None and result.ret == 0
    assert [(i["id"], i["status"]) for i in report["items"]] == [
        ("OPS-BACKUP", "pass"),
        ("OPS-DOCS", "manual"),
    ]


def test_compiled_twin_is_in_sync_and_never_trusted_when_stale(tmp_path: Path) -> None:
    packaged = catalog.DEFAULT_CATALOG
    text = packaged.read_text()
    assert catalog._compiled(packaged, text) is not None, "run scripts/build_catalog.py"
    copy = tmp_path / "c.toml"
    copy.write_text(text)
    catalog.compile_catalog(copy)
    assert catalog.load(copy).ids() == catalog.load().ids()
    copy.write_text(text.replace('id = "ENV-SUPABASE-RLS"', 'id = "ENV-SUPABASE-ROW-SECURITY"'))
    assert "ENV-SUPABASE-ROW-SECURITY" in catalog.load(copy)  # stale twin ignored: the TOML wins
