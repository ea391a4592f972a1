"""Loading the plugin and registering every fixture module imports no heavy client library.

With ``--env`` every module of ``pytest_readiness/fixtures/`` is registered as a plugin, so a module
that imports its probe (and through it psycopg, sslyze, kubernetes...) at module level costs every
run its import time, even a run that checks none of those targets.  Fixture modules import probes
inside the fixtures that use them (as pytest-testinfra's lazy backends do); this test guards that.
Run in a fresh interpreter: the test process itself has imported all of them already.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pytest_readiness import packaged

HEAVY = (
    "psycopg",
    "requests",
    "yaml",
    "kubernetes",
    "sslyze",
    "nassl",
    "detect_secrets",
    "dns",
    "redis",
    "promql_parser",
    "openapi_spec_validator",
    "websocket",
    "trustme",
    "boto3",
    "paramiko",
    "testinfra",
)

PROGRAM = """
import importlib, json, sys
import pytest_readiness.plugin
from pytest_readiness.fixtures import modules
names = modules()
for name in names:
    importlib.import_module(name)
heavy = sys.argv[1].split(",")
loaded = {}
for mod in list(sys.modules):
    top = mod.split(".")[0]
    if top in heavy:
        loaded.setdefault(top, mod)
print(json.dumps({"modules": names, "heavy": loaded}))
"""


def test_plugin_and_fixture_modules_import_no_heavy_library() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, ",".join(HEAVY)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result = json.loads(done.stdout)
    assert len(result["modules"]) > 10, result["modules"]  # the fixture package was really listed
    assert result["heavy"] == {}, (
        "imported when the plugin and its fixture modules are loaded (move the import into the "
        f"fixture that needs it): {result['heavy']}"
    )


COLLECT = """
import json, sys
import pytest
status = pytest.main(sys.argv[2:])
heavy = sys.argv[1].split(",")
loaded = {m.split(".")[0] for m in sys.modules}
print(json.dumps({"status": int(status), "heavy": sorted(loaded & set(heavy))}))
"""


def test_collecting_every_suite_with_env_imports_no_heavy_library(tmp_path: Path) -> None:
    """What `readiness run --env prod --collect-only` loads: the plugin, fixtures, suites and probes."""
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments" / "prod.toml").write_text("[settings]\ntimeout_s = 1\n")
    command, env = packaged.pytest_command(["--collect-only", "-q", "-p", "no:cacheprovider", "--env=prod"])
    # pytest-testinfra is itself a pytest plugin (entry point): bare pytest loads it as well
    heavy = [name for name in HEAVY if name != "testinfra"]
    program = [sys.executable, "-c", COLLECT, ",".join(heavy), *command[3:]]
    done = subprocess.run(program, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["status"] == 0, done.stdout[-2000:]
    assert " collected" in done.stdout
    assert result["heavy"] == [], (
        "imported while collecting the suites (make the probe's import lazy: pytest_readiness.lazy): "
        f"{result['heavy']}"
    )


def test_every_fixture_module_is_registered_by_the_explicit_list() -> None:
    import pytest_readiness.fixtures as fixtures

    files = {p.stem for p in Path(fixtures.__file__).parent.glob("*.py")} - {"__init__", "core"}
    assert set(fixtures.TARGET_MODULES) == files
