"""Render an environment file from the schema: every section and key, commented, with its help.

Used by ``scripts/env_example.py`` (``environments/staging.toml.example``) and ``readiness init``
(a team's ``environments/prod.toml``, sections commented out too), so both stay in step with
:mod:`pytest_readiness.env_schema`.
"""

from __future__ import annotations

import re
from pathlib import Path

from pytest_readiness import env_schema
from pytest_readiness.thresholds import DEFAULTS

_KEY_LINE = re.compile(r'^\s+"(?P<key>[a-z_0-9]+)":\s*(?P<kind>[A-Z]+),?\s*(?:#\s*(?P<comment>.*))?$')
_SECTION_LINE = re.compile(r'^\s+"(?P<section>[a-z_]+)":\s*\{')
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


def comments() -> dict[tuple[str, str], str]:
    """The help of each key: the ``# comment`` written after it in env_schema.py."""
    found: dict[tuple[str, str], str] = {}
    section = ""
    for line in Path(env_schema.__file__).read_text(encoding="utf-8").splitlines():
        if m := _SECTION_LINE.match(line):
            section = m["section"]
        elif (m := _KEY_LINE.match(line)) and m["comment"]:
            found[(section, m["key"])] = m["comment"].strip()
    return found


def render(header: list[str] = HEADER, comment_sections: bool = False) -> str:
    """The whole file; ``comment_sections`` also comments out the ``[section]`` lines."""
    notes = comments()
    lines = [*header, ""]
    for section, keys in env_schema.SCHEMA.items():
        lines.append(("# " if comment_sections else "") + f"[{section}]")
        if section == "thresholds":
            lines += [f"# {name} = {value!r}".replace("'", '"') for name, value in DEFAULTS.items()]
        if section == "applicability":  # "ID-or-glob" = "reason": declared not applicable
            lines.append('# "ENV-POSTGRES*" = "Supabase hosts the database"')
        for key, spec in keys.items():
            value = f'"${{{section.upper()}_{key.upper()}}}"' if spec.secret else SAMPLE.get(spec.kind, '""')
            note = notes.get((section, key), "")
            kind = "secret, from a variable" if spec.secret else spec.kind
            lines.append(f"# {key} = {value}  # {kind}" + (f": {note}" if note else ""))
        lines.append("")
    return "\n".join(lines)
