"""The project's tests import shared code one way: from ``tests.support``, under its own names.

No test module imports a ``conftest.py`` or another test module (helpers live in
``tests/support``), and a support module is never renamed (``from tests.support import recorded as
rec`` makes the same helper read three ways across the tree).
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def _imports() -> list[tuple[str, str, list[ast.alias]]]:
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        if "data" in path.relative_to(TESTS).parts[:1]:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            where = f"{path.relative_to(TESTS.parent)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((where, node.module, node.names))
            elif isinstance(node, ast.Import):
                found += [(where, alias.name, [alias]) for alias in node.names]
    return found


def test_tests_import_shared_code_from_tests_support_under_its_own_names() -> None:
    offenders = []
    for where, module, names in _imports():
        if module != "tests" and not module.startswith("tests."):
            continue
        if not (module == "tests.support" or module.startswith("tests.support.")):
            offenders.append(f"{where}: import from {module} (shared helpers go in tests/support)")
        elif module == "tests.support":
            offenders += [f"{where}: {a.name} as {a.asname}" for a in names if a.asname]
        elif module.split(".")[-1].startswith(("test_", "conftest")):
            offenders.append(f"{where}: import from {module}")
    assert offenders == [], "\n".join(offenders)
