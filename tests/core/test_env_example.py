"""environments/staging.toml.example documents every key of the schema, and stays generated from it."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path

from pytest_readiness import environment
from pytest_readiness.env_schema import SCHEMA, SCHEMES

ROOT = Path(__file__).resolve().parents[2]


def _script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("env_example", ROOT / "scripts" / "env_example.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_example_is_up_to_date() -> None:
    text = (ROOT / "environments" / "staging.toml.example").read_text()
    assert text == _script().render(), "run: python scripts/env_example.py"
    for section, keys in SCHEMA.items():
        assert f"[{section}]" in text
        for key in keys:
            assert f"# {key} = " in text, (section, key)


def test_uncommented_example_is_a_valid_environment(tmp_path: Path) -> None:
    """Every documented key, uncommented with variables set, passes validation."""
    text = (ROOT / "environments" / "staging.toml.example").read_text()
    key_line = re.compile(r"^# ([a-z_0-9]+ = .*?)(  # .*)?$")
    body = "\n".join(
        m.group(1) if (m := key_line.match(line)) else line
        for line in text.splitlines()
        if not line.startswith("# ") or key_line.match(line)
    )
    body = body.replace("timeout_s = 0.0", "timeout_s = 10.0")  # the sample 0 is out of bounds
    (tmp_path / "staging.toml").write_text(body)
    inventory = tmp_path / "path" / "relative" / "to" / "project"  # [hosts] inventory is read at load
    inventory.parent.mkdir(parents=True)
    inventory.write_text("[app]\napp-1\n")
    variables = {  # URL/DSN secrets need a scheme their key accepts
        f"{s.upper()}_{k.upper()}": f"{SCHEMES[f'{s}.{k}'][0]}://u:p@h/x" if f"{s}.{k}" in SCHEMES else "x"
        for s, keys in SCHEMA.items()
        for k in keys
    }
    env = environment.load("staging", tmp_path, tmp_path, environ=variables)
    assert set(env.data) == set(SCHEMA)
    assert tomllib.loads(body)


def test_demo_environment_is_valid() -> None:
    variables = {
        **{
            name: "1"
            for name in (
                "DEMO_DNS_PORT",
                "DEMO_HOSTS_DIR",
                "DEMO_REDIS_CONF",
                "DEMO_REDIS_PORT",
                "DEMO_PG_DATA",
                "DEMO_PG_PORT",
                "DEMO_TLS_CERT",
            )
        },
        "DEMO_DATABASE_URL": "postgresql://readiness:pw@127.0.0.1:5432/postgres",
        "DEMO_PGBOUNCER_ADMIN_URL": "postgresql://admin:pw@127.0.0.1:6432/pgbouncer",
        "DEMO_REDIS_URL": "redis://127.0.0.1:6379/0",
        "DEMO_BASE_URL": "https://localhost:8443",
        "DEMO_HTTP_URL": "http://localhost:8080",
        "DEMO_TLS_HOST": "localhost:8443",
        "DEMO_CA_FILE": "ca.pem",
        "DEMO_PROMETHEUS_URL": "http://127.0.0.1:9090",
        "DEMO_ALERTMANAGER_URL": "http://127.0.0.1:9093",
    }
    env = environment.load("demo", ROOT / "environments", ROOT, environ=variables)
    assert not env.is_production
