"""Python dependency declarations of the checkout: are they pinned, is the production set lean?

Parsed with ``packaging`` (the reference implementation of PEP 508/440) rather than regexes:
requirements files (with ``-r``/``-c`` includes and ``--hash``), ``pyproject.toml``
(``[project]`` dependencies and optional dependencies, Poetry groups) and lock files.  A lock file
(``poetry.lock``, ``uv.lock``, ``pdm.lock``, ``Pipfile.lock``) beside a ``pyproject.toml`` pins that
project.  A requirement counts as pinned when its specifier is one exact ``==``/``===`` version
(no wildcard), it carries ``--hash``, a constraints file pins it, or it is a VCS URL at a commit.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from pytest_readiness.assessment import Assessment, Finding

SKIP_DIRS = frozenset(
    {
        "node_modules",
        ".git",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "site-packages",
        "dist",
        "build",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
    }
)
LOCK_FILES = ("poetry.lock", "uv.lock", "pdm.lock", "Pipfile.lock")
DEV_FILE_TOKENS = frozenset(
    {
        "dev",
        "develop",
        "development",
        "test",
        "tests",
        "testing",
        "lint",
        "docs",
        "doc",
        "ci",
        "typing",
        "types",
        "check",
        "local",
        "style",
        "qa",
        "bench",
    }
)
_DEV_GROUP = re.compile(
    r"^(dev|develop|development|test|tests|testing|lint|linting|docs?|typing|types|ci|"
    r"check|style|qa|bench|benchmark)([-_].*)?$",
    re.I,
)
#: Test, lint, type-check and debugging tools: fine in development, a finding in production.
DEV_TOOLS = frozenset(
    canonicalize_name(n)
    for n in (
        "pytest",
        "pytest-cov",
        "pytest-mock",
        "pytest-asyncio",
        "pytest-xdist",
        "pytest-django",
        "pytest-env",
        "coverage",
        "tox",
        "nox",
        "hypothesis",
        "faker",
        "factory-boy",
        "freezegun",
        "responses",
        "respx",
        "ruff",
        "flake8",
        "pylint",
        "pyflakes",
        "pycodestyle",
        "pydocstyle",
        "black",
        "isort",
        "autopep8",
        "yapf",
        "mypy",
        "pyright",
        "pytype",
        "pre-commit",
        "bandit",
        "ipython",
        "ipdb",
        "pdbpp",
        "debugpy",
        "django-debug-toolbar",
        "sphinx",
        "mkdocs",
        "mkdocs-material",
        "locust",
        "moto",
        "watchdog",
    )
)
_SHA = re.compile(r"@[0-9a-f]{40}\b")


@dataclass(frozen=True)
class Dependency:
    """One declared requirement, where it came from and whether it is production."""

    source: str  # "requirements.txt:3", "pyproject.toml [project] dependencies"
    name: str
    specifier: str
    production: bool
    pinned: bool
    how: str  # "==", "hash", "constraint", "lock file", "vcs commit", ""


@dataclass(frozen=True)
class PythonDeps:
    dependencies: tuple[Dependency, ...]
    files: tuple[str, ...]
    problems: tuple[str, ...]  # unparsable lines, reported as findings


def is_dev_file(path: Path) -> bool:
    """``requirements-dev.txt``, ``dev-requirements.txt``, ``requirements/test.txt`` ... by name tokens."""
    stem = path.name.lower().removesuffix(".txt").removesuffix(".in")
    tokens = set(re.split(r"[-_.]+", stem.replace("requirements", " ").strip().replace(" ", "-")))
    return bool(tokens & DEV_FILE_TOKENS)


def exact_pin(req: Requirement) -> bool:
    specs = list(req.specifier)
    return len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version


def _join_continuations(text: str) -> list[tuple[int, str]]:
    lines: list[tuple[int, str]] = []
    buf, start = "", 0
    for i, raw in enumerate(text.splitlines(), 1):
        if not buf:
            start = i
        line = raw.rstrip()
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        buf += line
        lines.append((start, buf))
        buf = ""
    if buf:
        lines.append((start, buf))
    return lines


def _parse_requirements(
    path: Path,
    root: Path,
    production: bool,
    seen: set[Path],
    constraints: dict[str, str],
    out: list[Dependency],
    problems: list[str],
) -> None:
    if path in seen or not path.is_file():
        return
    seen.add(path)
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    text = path.read_text(encoding="utf-8", errors="replace")
    for lineno, raw in _join_continuations(text):
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if not line:
            continue
        if line.startswith(("-r ", "--requirement ", "-r", "-c ", "--constraint ", "-c")):
            is_constraint = line.startswith(("-c", "--constraint"))
            target = re.sub(r"^(-r|-c|--requirement|--constraint)\s*=?\s*", "", line).strip()
            child = (path.parent / target).resolve()
            if is_constraint:
                _read_constraints(child, constraints)
            else:
                _parse_requirements(child, root, production, seen, constraints, out, problems)
            continue
        if line.startswith(("-e ", "--editable", ".", "/")) or line.startswith("-"):
            continue  # the project itself, a local path, or a pip option (--index-url, ...)
        hashed = "--hash=" in line or "--hash " in line
        spec_text = re.split(r"\s--", line, maxsplit=1)[0].strip()
        try:
            req = Requirement(spec_text)
        except InvalidRequirement:
            problems.append(f"{rel}:{lineno}: unparsable requirement {spec_text[:80]!r}")
            continue
        out.append(_dependency(f"{rel}:{lineno}", req, production, hashed, constraints))


def _read_constraints(path: Path, constraints: dict[str, str]) -> None:
    if not path.is_file():
        return
    for _, raw in _join_continuations(path.read_text(encoding="utf-8", errors="replace")):
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if not line or line.startswith("-"):
            continue
        try:
            req = Requirement(re.split(r"\s--", line, maxsplit=1)[0].strip())
        except InvalidRequirement:
            continue
        if exact_pin(req) or "--hash" in line:
            constraints[canonicalize_name(req.name)] = str(req.specifier)


def _dependency(
    source: str,
    req: Requirement,
    production: bool,
    hashed: bool = False,
    constraints: dict[str, str] | None = None,
    locked: bool = False,
) -> Dependency:
    name = canonicalize_name(req.name)
    how = ""
    if exact_pin(req):
        how = "=="
    elif hashed:
        how = "hash"
    elif req.url and _SHA.search(req.url):
        how = "vcs commit"
    elif constraints and name in constraints:
        how = "constraint"
    elif locked:
        how = "lock file"
    return Dependency(source, name, str(req.specifier) or (req.url or "any"), production, bool(how), how)


def _pyproject(path: Path, root: Path, out: list[Dependency], problems: list[str]) -> None:
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problems.append(f"{rel}: malformed TOML: {exc}")
        return
    locked = any((path.parent / lock).is_file() for lock in LOCK_FILES)
    project = data.get("project", {})

    def add(where: str, specs: Iterable[object], production: bool) -> None:
        for spec in specs:
            if not isinstance(spec, str):
                continue
            try:
                req = Requirement(spec)
            except InvalidRequirement:
                problems.append(f"{rel} {where}: unparsable requirement {spec[:80]!r}")
                continue
            out.append(_dependency(f"{rel} {where}", req, production, locked=locked))

    add("[project] dependencies", project.get("dependencies", []), True)
    for group, specs in project.get("optional-dependencies", {}).items():
        add(f"[project.optional-dependencies] {group}", specs, not _DEV_GROUP.match(group))
    for group, specs in data.get("dependency-groups", {}).items():  # PEP 735: never installed by default
        add(f"[dependency-groups] {group}", [s for s in specs if isinstance(s, str)], False)
    poetry = data.get("tool", {}).get("poetry", {})
    groups: dict[str, tuple[dict[str, object], bool]] = {}
    if "dependencies" in poetry:
        groups["[tool.poetry.dependencies]"] = (poetry["dependencies"], True)
    if "dev-dependencies" in poetry:
        groups["[tool.poetry.dev-dependencies]"] = (poetry["dev-dependencies"], False)
    for group, body in poetry.get("group", {}).items():
        groups[f"[tool.poetry.group.{group}]"] = (body.get("dependencies", {}), not _DEV_GROUP.match(group))
    for where, (deps, production) in groups.items():
        for name, spec in deps.items():
            if canonicalize_name(name) == "python":
                continue
            version = spec.get("version", "") if isinstance(spec, dict) else str(spec)
            out.append(_poetry_dependency(f"{rel} {where}", name, str(version), production, locked, spec))


def _poetry_dependency(
    source: str, name: str, version: str, production: bool, locked: bool, spec: object
) -> Dependency:
    exact = bool(re.fullmatch(r"=?=?\s*\d[\w.+!-]*", version.strip())) and "*" not in version
    vcs = isinstance(spec, dict) and bool(
        spec.get("rev") and re.fullmatch(r"[0-9a-f]{40}", str(spec.get("rev")))
    )
    how = "==" if exact else "vcs commit" if vcs else "lock file" if locked else ""
    return Dependency(source, canonicalize_name(name), version or "any", production, bool(how), how)


def gather_python_deps(root: Path, requirement_files: Iterable[str] | None = None) -> PythonDeps:
    """Every requirements file and ``pyproject.toml`` under ``root`` (or the configured files)."""
    out: list[Dependency] = []
    problems: list[str] = []
    files: list[str] = []
    if requirement_files is not None:
        candidates = [(root / f).resolve() for f in requirement_files]
    else:
        candidates = []
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
            for name in sorted(filenames):
                if (
                    (name.endswith(".txt") and "requirements" in name)
                    or name == "pyproject.toml"
                    or (Path(dirpath).name == "requirements" and name.endswith(".txt"))
                ):
                    candidates.append(Path(dirpath) / name)
    seen: set[Path] = set()
    for path in candidates:
        if not path.is_file():
            problems.append(f"{path}: configured requirements file not found")
            continue
        files.append(path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path))
        if path.name == "pyproject.toml":
            _pyproject(path, root, out, problems)
        else:
            # A file included by another keeps the includer's role; top-level files by their name.
            _parse_requirements(path, root, not is_dev_file(path), seen, {}, out, problems)
    return PythonDeps(tuple(out), tuple(files), tuple(problems))


def assess_pinned(facts: PythonDeps) -> Assessment:
    """Every production requirement pinned exactly; unparsable lines count against."""
    findings = [
        Finding(
            f"{d.source} {d.name}",
            d.specifier,
            "== exact version, --hash, constraint or lock file",
            d.pinned,
            d.how if d.pinned else "unpinned: a new release can change production",
        )
        for d in facts.dependencies
        if d.production
    ]
    findings += [
        Finding(p.split(": ", 1)[0], p.split(": ", 1)[-1], "parsable", False) for p in facts.problems
    ]
    return Assessment.of("python dependencies pinned", findings, empty_ok=False)


def assess_no_dev_deps(facts: PythonDeps, dev_tools: Iterable[str] = ()) -> Assessment:
    """No test, lint or type-check tool in the production dependency set."""
    tools = DEV_TOOLS | {canonicalize_name(t) for t in dev_tools}
    findings = [
        Finding(
            f"{d.source} {d.name}",
            "development tool in the production set",
            "listed in a dev set",
            False,
            "move it to requirements-dev.txt or a dev dependency group",
        )
        for d in facts.dependencies
        if d.production and (d.name in tools or d.name.startswith(("pytest-", "types-", "flake8-")))
    ]
    prod = [d for d in facts.dependencies if d.production]
    if not findings:
        findings = (
            [
                Finding(
                    f"{len(prod)} production dependencies", "no development tool", "no development tool", True
                )
            ]
            if prod
            else []
        )
    return Assessment.of("no development dependencies in production", findings, empty_ok=False)
