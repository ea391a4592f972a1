"""``readiness init [DIR]``: scaffold a team's readiness repository.

Writes ``environments/prod.toml`` (rendered from the schema, every section commented out), a root
``conftest.py`` for the team's own fixtures, markers and checks, empty ``waivers.toml`` and
``attestations.toml``, the nightly workflow and a ``.gitignore`` for ``reports/``.  Existing files
are never overwritten: re-running ``init`` only adds what is missing.
"""

from __future__ import annotations

from pathlib import Path

from pytest_readiness import env_render, packaged

CONFTEST = '''\
"""The team's readiness checks: fixtures, markers and extra checks beside the shipped suites.

`readiness run --env prod` runs the suites shipped with pytest-readiness; pytest loads this file
first, so what is defined here is available to them and to your own checks:

    readiness run --env prod checks/      # the shipped suites plus your checks in checks/

A check is a test marked with the checklist IDs it proves (`readiness checklist list`), e.g. in
checks/test_payments.py:

    import pytest

    @pytest.mark.checklist("ENV-REDIS-PERSISTENCE")
    def test_payments_queue_is_persistent(redis_info):
        assert redis_info["aof_enabled"] == 1

Fixtures of the targets (postgres, redis, http, ...) come from the plugin and read
environments/<env>.toml; add your own here, session-scoped when they probe a target.
"""

import pytest

# pytest_plugins = ["my_team.readiness_fixtures"]   # fixtures shared between several repositories


def pytest_configure(config: pytest.Config) -> None:
    """Markers of your own checks (the `checklist` marker is the plugin's)."""
    config.addinivalue_line("markers", "team(name): the team that owns a check")
'''

WAIVERS = """\
# Accepted, owned, time-boxed failures (`readiness run --waivers waivers.toml`):
# [[waiver]]
# id = "SEC-API-RATE-LIMIT"
# reason = "why the release may go without it"
# owner = "someone@example.com"
# ticket = "OPS-123"
# expires = 2027-01-31
# environments = ["prod"]
"""

ATTESTATIONS = """\
# Manual items a person vouches for (`readiness run --attestations attestations.toml`):
# [[attestation]]
# id = "SIGNOFF-SECURITY"
# by = "someone@example.com"
# date = 2026-11-20
# evidence_url = "https://tickets.example.com/SEC-901"
# expires = 2027-11-20
# environments = ["prod"]       # optional: only these environments (else every environment)
"""

GITIGNORE = "reports/\n"


def nightly_workflow() -> str:
    """The shipped nightly workflow, turned from a repository checkout to an installed package."""
    text = (packaged.folder("examples") / "nightly-readiness.yml").read_text(encoding="utf-8")
    replacements = {
        "run: pip install .": "run: pip install pytest-readiness",
        "python -m pytest suites/ --env": "readiness run --env",
        "-n 2 $BASELINE --fail-on-drift": "-n 2 $BASELINE --fail-on-drift --waivers waivers.toml "
        "--attestations attestations.toml",
    }
    for old, new in replacements.items():
        if old not in text:
            raise RuntimeError(f"nightly-readiness.yml changed: {old!r} not found")
        text = text.replace(old, new)
    return text


def files() -> dict[str, str]:
    """Relative path -> content of everything ``init`` writes."""
    return {
        "environments/prod.toml": env_render.render(env_render.INIT_HEADER, comment_sections=True),
        "conftest.py": CONFTEST,
        "waivers.toml": WAIVERS,
        "attestations.toml": ATTESTATIONS,
        ".github/workflows/nightly-readiness.yml": nightly_workflow(),
        ".gitignore": GITIGNORE,
    }


def init(target: Path) -> list[tuple[Path, bool]]:
    """Write the scaffold under ``target``; return each path and whether it was written (not kept)."""
    done = []
    for rel, content in files().items():
        path = target / rel
        if path.exists():
            done.append((path, False))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        done.append((path, True))
    return done
