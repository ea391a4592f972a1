"""Python dependencies: pinned vs unpinned, hashes, constraints, lock files, dev tools in production."""

from __future__ import annotations

from pathlib import Path

from pytest_readiness.probes.repo.python_deps import (
    assess_no_dev_deps,
    assess_pinned,
    gather_python_deps,
    is_dev_file,
)
from tests.support.code_cicd_docs import write_tree


def _subjects(a) -> dict[str, bool]:
    return {f.subject: f.ok for f in a.findings}


def test_pinned_service_passes(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "requirements.txt": (
                "fastapi==0.110.0\nuvicorn[standard]==0.29.0 ; python_version >= '3.9'\n-r base.txt\n"
            ),
            "base.txt": (
                "requests==2.31.0 \\\n"
                "    --hash=sha256:58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f\n"
            ),
            "requirements-dev.txt": "pytest>=8\nruff\n",
        },
    )
    facts = gather_python_deps(tmp_path)
    pinned = assess_pinned(facts)
    assert pinned.ok, pinned.message()
    assert {f.subject.split()[-1] for f in pinned.findings} == {"fastapi", "uvicorn", "requests"}
    assert assess_no_dev_deps(facts).ok  # pytest/ruff sit in requirements-dev.txt


def test_unpinned_and_dev_tools_fail(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "backend/requirements.txt": (
                "fastapi>=0.100\nrequests\nsqlalchemy==2.*\npydantic==2.6.4\npytest==8.1.1\n"
            ),
        },
    )
    facts = gather_python_deps(tmp_path)
    pinned = assess_pinned(facts)
    assert not pinned.ok
    bad = {f.subject.split()[-1]: f.observed for f in pinned.failures}
    assert bad == {"fastapi": ">=0.100", "requests": "any", "sqlalchemy": "==2.*"}
    dev = assess_no_dev_deps(facts)
    assert not dev.ok and [f.subject for f in dev.failures] == ["backend/requirements.txt:5 pytest"]


def test_constraints_file_pins(tmp_path: Path) -> None:
    write_tree(
        tmp_path, {"requirements.txt": "-c constraints.txt\nflask\n", "constraints.txt": "flask==3.0.2\n"}
    )
    a = assess_pinned(gather_python_deps(tmp_path))
    assert a.ok and a.findings[0].note == "constraint"


def test_pyproject_with_and_without_lock(tmp_path: Path) -> None:
    pyproject = """
[project]
name = "svc"
dependencies = ["fastapi>=0.100", "httpx"]
[project.optional-dependencies]
test = ["pytest"]
[tool.poetry.group.dev.dependencies]
mypy = "^1.8"
"""
    write_tree(tmp_path / "unlocked", {"pyproject.toml": pyproject})
    write_tree(tmp_path / "locked", {"pyproject.toml": pyproject, "uv.lock": "version = 1\n"})
    assert not assess_pinned(gather_python_deps(tmp_path / "unlocked")).ok
    locked = assess_pinned(gather_python_deps(tmp_path / "locked"))
    assert locked.ok and {f.note for f in locked.findings} == {"lock file"}
    # pytest and mypy live in dev/test groups: not production.
    assert assess_no_dev_deps(gather_python_deps(tmp_path / "locked")).ok


def test_dev_tool_in_project_dependencies_is_flagged(tmp_path: Path) -> None:
    write_tree(
        tmp_path, {"pyproject.toml": '[project]\nname="x"\ndependencies=["black==24.2.0", "flask==3.0.2"]\n'}
    )
    a = assess_no_dev_deps(gather_python_deps(tmp_path), dev_tools=["flask"])
    assert sorted(f.subject.split()[-1] for f in a.failures) == ["black", "flask"]


def test_unparsable_line_is_a_finding_not_ignored(tmp_path: Path) -> None:
    write_tree(tmp_path, {"requirements.txt": "flask==3.0.2\nthis is not a requirement!!\n"})
    a = assess_pinned(gather_python_deps(tmp_path))
    assert not a.ok and "unparsable" in a.failures[0].observed


def test_dev_file_names() -> None:
    assert is_dev_file(Path("requirements-dev.txt")) and is_dev_file(Path("dev-requirements.txt"))
    assert is_dev_file(Path("requirements/test.txt"))
    assert not is_dev_file(Path("requirements.txt")) and not is_dev_file(Path("requirements-docker.txt"))
    assert not is_dev_file(Path("requirements/prod.txt"))
