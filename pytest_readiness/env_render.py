"""Render an environment file from the schema: every section and key, commented, with its help.

Used by ``scripts/env_example.py`` (``environments/staging.toml.example``) and ``readiness init``
(a team's ``environments/prod.toml``, sections commented out too) from the data of
:mod:`pytest_readiness.env_schema`: each key's kind, default, linked threshold and help.
"""

from __future__ import annotations

import json

from pytest_readiness import env_schema
from pytest_readiness.thresholds import DEFAULTS

SAMPLE = {
    "str": '""',
    "int": "0",
    "float": "0.0",
    "bool": "false",
    "path": '"path/relative/to/project"',
    "list": "[]",
    "table": "{}",
    "tables": "[]",
    "any": '""',
}
HEADER = [
    "# Every section and key an environment file may hold, generated from pytest_readiness/env_schema.py",
    "# by `python scripts/env_example.py`.  Copy to environments/staging.toml and keep what you use:",
    "# a section you leave out makes its checklist items unverified.  Secrets come from the process",
    '# environment: key = "${VARIABLE}" (or "${VARIABLE:-default}"); redacted from every output.',
]
INIT_HEADER = [
    "# The environment `readiness run --env prod` checks, written by `readiness init` from the schema.",
    "# Uncomment the sections of the targets you have and fill in their keys: a section left out makes",
    "# its checklist items not_applicable (never pass).  Secrets come from the process environment:",
    '# key = "${VARIABLE}" (or "${VARIABLE:-default}"); they are redacted from every output.',
]


def render(header: list[str] = HEADER, comment_sections: bool = False) -> str:
    """The whole file; ``comment_sections`` also comments out the ``[section]`` lines."""
    linked = {spec.threshold for keys in env_schema.SCHEMA.values() for spec in keys.values()}
    lines = [*header, ""]
    for section, keys in env_schema.SCHEMA.items():
        lines.append(("# " if comment_sections else "") + f"[{section}]")
        if section == "thresholds":  # a number with a key of its own is set there (one name per number)
            lines += [f"# {name} = {_toml(value)}" for name, value in DEFAULTS.items() if name not in linked]
        if section == "applicability":  # "ID-or-glob" = "reason": declared not applicable
            lines.append('# "ENV-POSTGRES*" = "Supabase hosts the database"')
        for key, spec in keys.items():
            lines.append(f"# {key} = {_value(section, key, spec)}  # {_note(spec)}")
        lines.append("")
    return "\n".join(lines)


def _value(section: str, key: str, spec: env_schema.Key) -> str:
    """The default where the schema has one (so uncommenting changes nothing), else a sample."""
    if spec.secret:
        return f'"${{{section.upper()}_{key.upper()}}}"'
    if spec.threshold:
        return _toml(DEFAULTS[spec.threshold])
    if spec.default is not None:
        return _toml(spec.default)
    if spec.example is not None:
        return _toml(spec.example)
    return SAMPLE.get(spec.kind, '""')


def _note(spec: env_schema.Key) -> str:
    kind = "secret, from a variable" if spec.secret else spec.kind
    if spec.threshold:
        kind += f" (default shown: checklist threshold {spec.threshold})"
    elif spec.default is not None:
        kind += " (default shown)"
    return kind + (f": {spec.help}" if spec.help else "")


def _toml(value: object) -> str:
    """A TOML literal of a default: strings, numbers, booleans and lists of strings."""
    return json.dumps(value)
