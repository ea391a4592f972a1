"""Every public file under tests/data is listed in tests/data/SOURCES.md with its origin and licence."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
LICENCES = {"MIT", "Apache-2.0", "Apache-2.0 WITH LLVM-exception", "BSD-3-Clause", "CC-BY-4.0", "AGPL-3.0"}


def test_every_public_file_is_listed_with_its_source_and_licence() -> None:
    rows = {}
    for line in (DATA / "SOURCES.md").read_text().splitlines():
        if line.startswith("| `"):
            file, source, licence = (cell.strip() for cell in line.strip("|").split("|"))
            rows[file.strip("`")] = (source, licence)
    public = sorted(
        str(p.relative_to(DATA))
        for p in (DATA / "realworld").rglob("*")
        if p.is_file() and p.name not in ("README.md", "SOURCE.txt")
    )
    assert public, "tests/data/realworld is missing: the tests need it"
    assert sorted(rows) == public
    for file, (source, licence) in rows.items():
        assert licence in LICENCES, (file, licence)
        repo, _, rest = source.partition("@")
        commit = rest.split(":", 1)[0]
        per_fixture = file.endswith("EXPECTED.txt") and commit == "<commit in each fixture's first line>"
        assert repo.count("/") == 1 and (len(commit) == 40 or per_fixture), (file, source)
        beside = (DATA / file).with_name("SOURCE.txt")
        first_line = (DATA / file).read_text(errors="replace").splitlines()[0]
        named = beside.read_text() if beside.exists() else first_line
        assert repo in named, file
