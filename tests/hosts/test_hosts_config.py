"""``[hosts]``: groups and inventory parsed, every malformed spec a one-line error before any probe."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pytest_readiness import environment, redact
from pytest_readiness.errors import ConfigError
from pytest_readiness.hosts_config import Target

REPO = Path(__file__).resolve().parents[2]


def load(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> environment.Environment:
    (tmp_path / "env.toml").write_text(text)
    return environment.load(str(tmp_path / "env.toml"), tmp_path, tmp_path, environ or {})


def test_groups_defaults_and_labels(tmp_path):
    env = load(
        tmp_path,
        '[hosts]\nssh_identity_file = "keys/deploy"\ntimeout_s = 3\n'
        'app = { targets = ["ssh://deploy@app-1:2222", "kubectl://api-7d9f?namespace=prod&container=api"], '
        'role = "app", env_file = "/srv/app/.env.production" }\n'
        'db = { targets = ["local://"], role = "postgres", ssh_identity_file = "/k" }\n',
    )
    from pytest_readiness.fixtures.hosts import host_targets

    targets = host_targets(env)
    assert [t.test_id for t in targets] == [
        "app:ssh://app-1:2222",
        "app:kubectl://prod/api-7d9f[api]",
        "db:local",
    ]
    assert targets[0].get("ssh_identity_file") == str(tmp_path / "keys" / "deploy")
    assert targets[0].get("timeout_s") == 3 and targets[2].get("ssh_identity_file") == "/k"
    # a check key left out reads the schema's default; one without a default reads None
    assert targets[2].get("min_free_percent") == 20.0 and targets[2].get("logrotate_dir") is None


def test_inventory_groups_become_roles(tmp_path):
    (tmp_path / "hosts.ini").write_text(
        "[redis]\nredis-1 ansible_host=10.0.0.5\n\n[app]\napp-1\napp-2 # comment\n[app:vars]\nx=1\n"
    )
    env = load(tmp_path, '[hosts]\ninventory = "hosts.ini"\n')
    from pytest_readiness.fixtures.hosts import host_targets

    targets = host_targets(env)
    assert [(t.role, t.label) for t in targets] == [
        ("redis", "ansible://redis-1"),
        ("app", "ansible://app-1"),
        ("app", "ansible://app-2"),
    ]
    assert targets[0].spec.endswith(f"ansible_inventory={tmp_path / 'hosts.ini'}")


@pytest.mark.parametrize(
    ("body", "key", "problem"),
    [
        ('app = { targets = ["sshh://x"] }', "hosts.app.targets[0]", "unknown backend 'sshh'"),
        ('app = { targets = ["app-1"] }', "hosts.app.targets[0]", "expected a testinfra spec"),
        ('app = { targets = ["ssh://"] }', "hosts.app.targets[0]", "ssh:// needs a host"),
        ('app = { targets = ["ssh://h:99999"] }', "hosts.app.targets[0]", "invalid port"),
        ('app = { targets = ["ssh://h?colour=red"] }', "hosts.app.targets[0]", "unknown option 'colour'"),
        ("app = { targets = [] }", "hosts.app.targets", "required"),
        ('app = { targets = ["local://"], rol = "x" }', "hosts.app.rol", "unknown key"),
        ('app = { targets = ["local://"], sudo = "yes" }', "hosts.app.sudo", "expected a bool"),
        ('app = "local://"', "hosts.app", "expected a table"),
        ('inventory = "missing.ini"', "hosts.inventory", "cannot read"),
    ],
)
def test_malformed_is_one_config_error(tmp_path, body, key, problem):
    with pytest.raises(ConfigError) as info:
        load(tmp_path, f"[hosts]\n{body}\n")
    assert (info.value.file, info.value.key) == ("env.toml", key)
    assert problem in info.value.problem


def test_secrets_registered_from_file_and_process_environment(tmp_path):
    redact.clear()
    load(
        tmp_path,
        '[hosts]\nssh_key_passphrase = "${KEY_PASS}"\n'
        'app = { targets = ["ssh://deploy:Url-pw-1f2e@app-1"], sudo_password = "Sudo-pw-9a8b" }\n',
        {"KEY_PASS": "Key-pass-5c6d"},
    )
    assert {"Key-pass-5c6d", "Sudo-pw-9a8b", "Url-pw-1f2e"} <= redact.registered()
    assert Target("a", "app", "ssh://deploy:Url-pw-1f2e@app-1").label == "ssh://deploy@app-1"


def test_malformed_spec_exits_4_before_any_probe(tmp_path):
    env = tmp_path / "env.toml"
    env.write_text('[hosts]\napp = { targets = ["ssh://ok", "dockr://api"], role = "app" }\n')
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            f"--env={env}",
            "suites/test_hosts.py",
            "-p",
            "no:cacheprovider",
            f"--readiness-dir={tmp_path / 'out'}",
            "-q",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 4
    assert "env.toml: hosts.app.targets[1]: unknown backend 'dockr'" in proc.stderr
    assert not (tmp_path / "out").exists()
