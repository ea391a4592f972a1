"""The schema owns each key's default: ``Environment.get(section, key)`` with no default at call sites."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from pytest_readiness import environment
from pytest_readiness.env_schema import SCHEMA, default
from pytest_readiness.errors import ConfigError
from pytest_readiness.thresholds import DEFAULTS

ROOT = Path(__file__).resolve().parents[2]
LINKED = {spec.threshold: (s, k) for s, keys in SCHEMA.items() for k, spec in keys.items() if spec.threshold}


def _calls() -> list[tuple[str, ast.Call]]:
    found = []
    for folder in ("pytest_readiness", "suites"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                    found.append((f"{path.relative_to(ROOT)}:{node.lineno}", node))
    return found


def _strings(call: ast.Call) -> list[str]:
    return [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]


def test_no_call_site_passes_a_default() -> None:
    offenders = []
    for where, call in _calls():
        names = _strings(call)
        schema_key = len(names) >= 2 and names[0] in SCHEMA and names[1] in SCHEMA[names[0]]
        if call.func.attr == "get" and schema_key and (len(call.args) > 2 or call.keywords):
            offenders.append(f"{where}: get({names[0]!r}, {names[1]!r}, <default>)")
        if call.func.attr == "threshold" and names and names[0] in LINKED:
            offenders.append(f"{where}: threshold({names[0]!r}) has a key: get{LINKED[names[0]]}")
    assert offenders == [], "the default belongs in env_schema.py:\n" + "\n".join(offenders)


KEYS = {k for keys in SCHEMA.values() for k in keys}


def _is_default(node: ast.expr) -> bool:
    """A literal that is not just "unset" (``[]``, ``""``, ``None``) or an UPPER_CASE constant."""
    if isinstance(node, ast.Constant):
        return node.value not in (None, "", ())
    if isinstance(node, ast.List | ast.Tuple):
        return bool(node.elts)
    name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""
    return name.isupper()


def test_no_fixture_or_check_reads_a_section_with_its_own_default() -> None:
    """``values.get("rate", 100.0)`` on a raw section or ``env.get(s, k) or 2`` bypass the schema."""
    offenders = []
    for folder in ("pytest_readiness/fixtures", "suites"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                    first = node.args[0] if node.args else None
                    key = first.value if isinstance(first, ast.Constant) else None
                    raw = node.func.attr == "get" and len(node.args) == 2 and key in KEYS
                    if raw and key not in SCHEMA:
                        offenders.append(f"{where}: .get({key!r}, <default>)")
                if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
                    first, *rest = node.values
                    read = _strings(first)[:2] if isinstance(first, ast.Call) else []
                    known = read[-1:] and read[-1] in (SCHEMA.get(read[0], {}) if len(read) == 2 else KEYS)
                    if known and any(map(_is_default, rest)):
                        offenders.append(f"{where}: get({', '.join(map(repr, read))}) or <default>")
    assert offenders == [], "read with readiness_env.get(section, key); the default in env_schema.py:\n" + (
        "\n".join(offenders)
    )


def test_value_then_threshold_then_default(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text("[tls]\nmin_days = 45\n[redis]\neviction_policy = 'noeviction'\n")
    env = environment.load("a", tmp_path, tmp_path)
    assert env.get("tls", "min_days") == 45  # the file
    assert env.get("redis", "eviction_policy") == "noeviction"
    assert env.get("dns", "max_ttl_s") == DEFAULTS["dns_max_ttl_s"]  # the checklist threshold
    assert env.get("postgres", "min_replicas") == 1  # the schema's default
    assert env.get("http", "verify_tls") is True
    assert env.get("tls", "ca_file") is None  # no default
    assert env.timeout == 10.0
    env.get("prometheus", "page_severities").append("x")  # a copy: the schema's default is untouched
    assert env.get("prometheus", "page_severities") == ["critical"]


@pytest.mark.parametrize("key", ["http.paths", "kubernetes.required_resources", "repo.frontend_pages"])
def test_a_list_with_a_default_cannot_be_emptied(tmp_path: Path, key: str) -> None:
    section, name = key.split(".")
    (tmp_path / "c.toml").write_text(f"[{section}]\n{name} = []\n")
    with pytest.raises(ConfigError) as caught:
        environment.load("c", tmp_path, tmp_path)
    problem = f"must not be empty (leave it out for {json.dumps(default(section, name))})"
    assert (caught.value.key, caught.value.problem) == (key, problem)


def test_second_spelling_works_one_release_with_a_deprecation(tmp_path: Path) -> None:
    (tmp_path / "b.toml").write_text("[thresholds]\ntls_min_days = 21\np95_ms = 900\n")
    with pytest.warns(FutureWarning, match=r"\[thresholds\] tls_min_days is deprecated.*\[tls\] min_days"):
        env = environment.load("b", tmp_path, tmp_path)
    assert env.get("tls", "min_days") == 21
    assert env.threshold("p95_ms") == 900


def test_every_linked_threshold_exists() -> None:
    assert set(LINKED) <= set(DEFAULTS)
    assert len(LINKED) == 7
