"""suites/test_hosts.py end to end: a ready and a not-ready set of hosts (local:// and ssh://), an
unreachable and a refusing host among them, -n 0 and -n 2 agreeing, and no passphrase anywhere."""

from __future__ import annotations

import datetime as dt
import shutil
import time
from pathlib import Path

import pytest

from pytest_readiness.launcher.base import free_port
from tests.support.hosts import CANARY, give
from tests.support.readiness import env_toml, findings, run_readiness, statuses

SUITE = "suites/test_hosts.py"
ITEMS = (
    "ENV-SECRETS-ENV-FILE",
    "CODE-BACKEND-SERVICES-START",
    "CODE-BACKEND-NO-DEV-DEPS",
    "SEC-INFRA-NETWORK-POLICIES",
    "ENV-REDIS-EVICTION",
    "ENV-POSTGRES-PRODUCTION",
    "ENV-POSTGRES-BACKUPS",
    "SEC-INFRA-TLS",
    "MON-LOGGING-RETENTION",
)


@pytest.fixture(scope="module")
def stack(
    redis_server_factory, postgres_server_factory, nginx_server_factory, local_ca, sshd_factory, shared, venvs
):
    """The servers and files both environments point at."""
    locked = sshd_factory(passphrase=CANARY)
    redis = redis_server_factory(
        config={"maxmemory": "64mb", "maxmemory-policy": "allkeys-lru"}, shared=False
    )
    exposed = redis_server_factory(config={"bind": "0.0.0.0"}, password="Exposed-pw-c0ffee", shared=False)
    postgres = postgres_server_factory()
    served = local_ca.issue(["localhost", "127.0.0.1"])
    expiring = local_ca.issue(["localhost"], not_after=dt.datetime.now(dt.UTC) + dt.timedelta(days=5))
    nginx = nginx_server_factory(certs=served)
    files = shared / "e2e"
    files.mkdir(exist_ok=True)
    for name, mode, owner in (
        ("env-root", 0o600, "root"),
        ("env-ssh", 0o600, locked.user),
        ("env-644", 0o644, "root"),
    ):
        (files / name).write_text("SECRET_KEY=x\n")
        (files / name).chmod(mode)
        give(files / name, owner)
    shutil.copy(redis.conf_path, files / "redis.conf")
    for name, certs in (("served.pem", served), ("expiring.pem", expiring)):
        shutil.copy(certs.cert_path, files / name)
    (files / "logrotate.d").mkdir(exist_ok=True)
    (files / "logrotate.d" / "app").write_text("/srv/app/*.log {\n  daily\n}\n")
    (files / "wal").mkdir(exist_ok=True)
    for path in files.rglob("*"):
        if not path.name.startswith("env-"):
            path.chmod(0o755 if path.is_dir() else 0o644)
    yield {
        "sshd": locked,
        "redis": redis,
        "exposed": exposed,
        "postgres": postgres,
        "nginx": nginx,
        "files": files,
    }
    redis.stop()
    exposed.stop()


def _env(stack, venvs, good: bool, daemon: str) -> str:
    f: Path = stack["files"]
    sshd, redis = stack["sshd"], stack["redis"]
    ssh = {
        "targets": [sshd.spec()],
        "role": "app",
        "ssh_identity_file": str(sshd.client_key if good else sshd.wrong_key),
        "env_file": str(f / "env-ssh"),
        "pip": str(venvs["good"]),
        "process": "postgres",
        "time_daemons": [daemon if good else "ntpd-nowhere"],
    }
    app = {
        "targets": ["local://"],
        "role": "app",
        "env_file": str(f / ("env-root" if good else "env-644")),
        "pip": str(venvs["good" if good else "bad"]),
        "process": "postgres" if good else daemon,
        "log_files": ["/srv/app/api.log" if good else "/var/log/other.log"],
        "logrotate_dir": str(f / "logrotate.d"),
        "time_daemons": [daemon if good else "ntpd-nowhere"],
    }
    cache_port = redis.port if good else stack["exposed"].port
    sections = {
        "settings": {"timeout_s": 3},
        "hosts": {
            "ssh_key_passphrase": "${HOSTS_KEY_PASSPHRASE}",
            "app": app,
            "appssh": ssh,
            "cache": {
                "targets": ["local://"],
                "role": "redis",
                "redis_conf": str(f / "redis.conf"),
                "redis_url": redis.url if good else stack["exposed"].url,
                "ports": [cache_port],
            },
            "db": {
                "targets": ["local://"],
                "role": "postgres",
                "data_directory": str(f),
                "min_free_percent": 0.5 if good else 100.5,
                "ports": [stack["postgres"].port],
                "wal_archive_dir": str(f / ("wal" if good else "no-wal")),
            },
            "web": {
                "targets": ["local://"],
                "role": "nginx",
                "tls_certs": [str(f / ("served.pem" if good else "expiring.pem"))],
                "tls_endpoint": f"127.0.0.1:{stack['nginx'].https_port}",
            },
        },
    }
    if not good:
        sections["hosts"]["gone"] = {
            "targets": [f"ssh://deploy@127.0.0.1:{free_port()}"],
            "role": "app",
            "env_file": "/srv/app/.env.production",
        }
    return env_toml(sections)


def _outcomes(items: dict, item_id: str) -> dict[str, str]:
    return {t["nodeid"].split("::")[-1]: t["outcome"] for t in items[item_id]["tests"]}


def _no_canary(run, out: Path) -> None:
    assert CANARY not in run.stdout + run.stderr
    for path in out.rglob("*"):
        if path.is_file():
            assert CANARY not in path.read_text(errors="replace"), path


def test_ready_hosts_pass(stack, venvs, tmp_path, monkeypatch, stand_in):
    monkeypatch.setenv("HOSTS_KEY_PASSPHRASE", CANARY)
    daemon = stand_in("chronyd")
    run = run_readiness(tmp_path, _env(stack, venvs, True, daemon.name), SUITE, "-n", "0")
    expected = {i: "pass" for i in ITEMS}
    overcommit = int(Path("/proc/sys/vm/overcommit_memory").read_text())
    expected["ENV-REDIS-PERSISTENCE"] = (
        "pass" if overcommit == 1 else "fail"
    )  # this machine's kernel, unchangeable
    assert statuses(run.items, list(expected)) == expected, run.stdout[-3000:]
    subjects = {f["subject"] for f in findings(run.items["ENV-SECRETS-ENV-FILE"])}
    assert (
        f"{stack['sshd'].spec()} {stack['files'] / 'env-ssh'} mode" in subjects
    )  # logged in with the locked key
    assert f"test_host_env_file[appssh:ssh://127.0.0.1:{stack['sshd'].port}]" in _outcomes(
        run.items, "ENV-SECRETS-ENV-FILE"
    )
    _no_canary(run, tmp_path)


@pytest.mark.parametrize("workers", ["0", "2"])
def test_not_ready_hosts_fail_and_broken_hosts_error(stack, venvs, tmp_path, monkeypatch, stand_in, workers):
    monkeypatch.setenv("HOSTS_KEY_PASSPHRASE", CANARY)
    root_app = stand_in("apprunner")  # the "app", running as root
    start = time.monotonic()
    run = run_readiness(tmp_path, _env(stack, venvs, False, root_app.name), SUITE, "-n", workers)
    elapsed = time.monotonic() - start
    got = statuses(run.items, ITEMS)
    # every item fails on the not-ready hosts; the refused and unreachable hosts are `error` tests beside them
    assert got == {i: "fail" for i in ITEMS}, run.stdout[-3000:]
    env_tests = _outcomes(run.items, "ENV-SECRETS-ENV-FILE")
    port = stack["sshd"].port
    assert env_tests[f"test_host_env_file[appssh:ssh://127.0.0.1:{port}]"] == "error"
    assert [v for k, v in env_tests.items() if k.startswith("test_host_env_file[gone:")] == ["error"]
    assert env_tests["test_host_env_file[app:local]"] == "failed"
    observed = {f["subject"]: f["observed"] for f in findings(run.items["CODE-BACKEND-NO-DEV-DEPS"])}
    assert observed == {f"local {venvs['bad']} pytest": "8.3.2"}
    assert elapsed < 60  # refused and unreachable hosts cost one timeout each at most
    _no_canary(run, tmp_path)


def test_no_hosts_for_a_role_is_never_pass(tmp_path):
    text = env_toml({"hosts": {"app": {"targets": ["local://"], "role": "app"}}})
    items = run_readiness(tmp_path, text, SUITE, "-n", "0").items
    for item in (
        "ENV-REDIS-EVICTION",
        "ENV-POSTGRES-BACKUPS",
        "MON-LOGGING-RETENTION",
        "CODE-BACKEND-NO-DEV-DEPS",
    ):
        assert items[item]["status"] not in ("pass", "fail"), items[item]
        assert "[hosts]" in items[item]["reason"]
