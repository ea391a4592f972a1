"""Write ``environments/staging.toml.example``: every section and key of the schema, commented.

    .venv/bin/python scripts/env_example.py

Keys and their comments come from ``pytest_readiness/env_schema.py`` (the source of truth);
``tests/core/test_env_example.py`` fails when the example falls behind the schema.
"""

from __future__ import annotations

import re
from pathlib import Path

from pytest_readiness import env_schema
from pytest_readiness.thresholds import DEFAULTS

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "environments" / "staging.toml.example"
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


def comments() -> dict[tuple[str, str], str]:
    """The ``# comment`` written after each key in env_schema.py."""
    found: dict[tuple[str, str], str] = {}
    section = ""
    for line in Path(env_schema.__file__).read_text().splitlines():
        if m := _SECTION_LINE.match(line):
            section = m["section"]
        elif (m := _KEY_LINE.match(line)) and m["comment"]:
            found[(section, m["key"])] = m["comment"].strip()
    return found


def render() -> str:
    notes = comments()
    lines = [
        "# Every section and key an environment file may hold, generated from pytest_readiness/env_schema.py",
        "# by `python scripts/env_example.py`.  Copy to environments/staging.toml and keep what you use:",
        "# a section you leave out makes its checklist items unverified.  Secrets come from the process",
        '# environment: key = "${VARIABLE}" (or "${VARIABLE:-default}"); redacted from every output.',
        "",
    ]
    for section, keys in env_schema.SCHEMA.items():
        lines.append(f"[{section}]")
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


if __name__ == "__main__":
    OUT.write_text(render())
    print(f"wrote {OUT}")
