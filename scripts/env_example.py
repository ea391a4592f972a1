"""Write ``environments/staging.toml.example``: every section and key of the schema, commented.

    .venv/bin/python scripts/env_example.py

The renderer is :mod:`pytest_readiness.env_render` (also used by ``readiness init``); keys and their
help come from ``pytest_readiness/env_schema.py``. ``tests/core/test_env_example.py`` fails when the
example falls behind the schema.
"""

from __future__ import annotations

from pathlib import Path

from pytest_readiness.env_render import render

__all__ = ["render"]

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "environments" / "staging.toml.example"


if __name__ == "__main__":
    OUT.write_text(render())
    print(f"wrote {OUT}")
