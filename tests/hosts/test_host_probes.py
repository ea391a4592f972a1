"""Every host check both ways, on this machine (local://) and through the loopback sshd (ssh://)."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import time
from pathlib import Path

import pytest

from pytest_readiness.errors import ProbeError
from pytest_readiness.hosts_config import Target
from pytest_readiness.launcher.base import free_port
from pytest_readiness.probes.data import redis as rd
from pytest_readiness.probes.hosts import (
    env_file,
    kernel,
    listeners,
    logrotate,
    packages,
    postgres_disk,
    process_user,
    redis_config,
    services,
    time_sync,
    tls_files,
)
from pytest_readiness.probes.hosts.connect import HostPool
from tests.support.hosts import give, ssh_target

# ------------------------------------------------------------------------------------ env file


def test_env_file_600_owned_by_service_user_passes(host, login_user, shared):
    path = shared / f"env-good-{host.target.group}"
    path.write_text("DATABASE_URL=postgres://x\n")
    path.chmod(0o600)
    give(path, login_user)
    a = env_file.assess_env_file(env_file.gather_env_file(host, str(path)))
    assert a.ok, a.message()
    assert {f.subject.split()[-1]: f.observed for f in a.findings} == {"mode": "600", "owner": login_user}
    assert a.findings[0].subject.startswith(host.target.label)


def test_env_file_644_or_foreign_owner_fails(host, login_user, shared):
    path = shared / f"env-bad-{host.target.group}"
    path.write_text("DATABASE_URL=postgres://x\n")
    path.chmod(0o644)
    give(path, login_user)
    a = env_file.assess_env_file(env_file.gather_env_file(host, str(path)), service_user="www-data")
    assert {(f.subject.split()[-1], f.observed) for f in a.failures} == {
        ("mode", "644"),
        ("owner", login_user),
    }
    missing = env_file.assess_env_file(env_file.gather_env_file(host, str(shared / "nope")))
    assert (missing.ok, missing.findings[0].observed) == (False, "missing")


# ------------------------------------------------------------------------------------ services


def test_service_running_by_process_then_stopped(host, stand_in):
    svc = stand_in()
    a = services.assess_services(services.gather_services(host, [svc.name]))
    assert a.ok, a.message()
    finding = a.findings[0]
    assert finding.observed == {"processes": 1} and "no systemd" in finding.note  # no systemd as PID 1 here
    svc.stop()
    a = services.assess_services(services.gather_services(host, [svc.name]))
    assert (a.ok, a.findings[0].observed) == (False, {"processes": 0})
    assert a.findings[0].subject == f"{host.target.label} service {svc.name}"


def test_redis_role_default_service(host, redis_server_factory):
    redis_server_factory()
    a = services.assess_services(services.gather_services(host, list(services.ROLE_SERVICES["redis"])))
    assert a.ok, a.message()


# ------------------------------------------------------------------------------------ process user


def test_app_process_user(host, postgres_server_factory, stand_in):
    postgres_server_factory()  # the launcher runs PostgreSQL as the postgres user
    good = process_user.assess_process_users(process_user.gather_process_users(host, "postgres"))
    assert good.ok and {f.observed for f in good.findings} == {"postgres"}, good.message()
    as_root = stand_in("app")  # started by this (root) process
    bad = process_user.assess_process_users(process_user.gather_process_users(host, as_root.name))
    if os.geteuid() == 0:
        assert (bad.ok, bad.findings[0].observed) == (False, "root")
    gone = process_user.assess_process_users(process_user.gather_process_users(host, "no-such-proc"))
    assert (gone.ok, gone.findings[0].observed) == (False, "not running")


# ------------------------------------------------------------------------------------ listeners


def test_listener_loopback_passes_all_interfaces_fails(host, redis_server_factory):
    private = redis_server_factory()
    a = listeners.assess_listeners(listeners.gather_listeners(host, [private.port]))
    assert a.ok and a.findings[0].observed == "loopback", a.message()
    public = redis_server_factory(config={"bind": "0.0.0.0"}, password="Listener-pw-31c9", shared=False)
    try:
        a = listeners.assess_listeners(listeners.gather_listeners(host, [public.port]))
        assert (a.ok, a.findings[0].observed) == (False, "all interfaces")
        assert a.findings[0].subject == f"{host.target.label} tcp 0.0.0.0:{public.port}"
        allowed = listeners.assess_listeners(listeners.gather_listeners(host, [public.port]), ["0.0.0.0"])
        assert allowed.ok
    finally:
        public.stop()
    nothing = listeners.assess_listeners(listeners.gather_listeners(host, [free_port()]))
    assert (nothing.ok, nothing.findings[0].observed) == (False, "nothing listening")


def test_exposure_classes():
    assert [listeners.exposure(a) for a in ("127.0.0.1", "::1", "10.0.0.5", "0.0.0.0", "::", "8.8.8.8")] == [
        "loopback",
        "loopback",
        "private",
        "all interfaces",
        "all interfaces",
        "public",
    ]


# ------------------------------------------------------------------------------------ kernel


def test_kernel_reads_the_real_settings(host):
    """This machine's sysctls cannot be changed (shared): the verdict must match /proc and /sys."""
    facts = kernel.gather_kernel(host)
    assert facts.overcommit_memory == int(Path("/proc/sys/vm/overcommit_memory").read_text())
    thp = Path(kernel.THP)
    if thp.exists():
        assert facts.thp == re.search(r"\[(\w+)\]", thp.read_text()).group(1)
    a = kernel.assess_kernel(facts)
    assert a.ok == (facts.overcommit_memory == 1 and facts.thp != "always")
    assert a.findings[0].subject == f"{host.target.label} vm.overcommit_memory"


def test_kernel_rule_both_ways():
    assert kernel.assess_kernel(kernel.KernelFacts("h", 1, "madvise")).ok
    bad = kernel.assess_kernel(kernel.KernelFacts("h", 0, "always"))
    assert [f.subject for f in bad.failures] == ["h vm.overcommit_memory", "h transparent_hugepage"]


# ------------------------------------------------------------------------------------ redis.conf


def test_redis_conf_matches_live_then_drifts(host, redis_server_factory, shared):
    server = redis_server_factory(
        config={
            "maxmemory": "64mb",
            "maxmemory-policy": "allkeys-lru",
            "appendonly": "yes",
            "save": ['"900 1"'],
        },
        shared=False,
    )
    try:
        conf = shared / f"redis-{host.target.group}.conf"
        shutil.copy(server.conf_path, conf)
        conf.chmod(0o644)
        live = rd.gather_redis(server.url, 5).config
        good = redis_config.assess_redis_conf(redis_config.gather_redis_conf(host, str(conf)), live, "x")
        assert good.ok, good.message()
        assert {f.subject.split()[-1] for f in good.findings} >= {
            "maxmemory",
            "maxmemory-policy",
            "appendonly",
        }
        with server.client() as c:
            c.config_set("maxmemory-policy", "noeviction")  # a runtime change never written to the file
        live = rd.gather_redis(server.url, 5).config
        bad = redis_config.assess_redis_conf(redis_config.gather_redis_conf(host, str(conf)), live, "x")
        assert [(f.subject, f.observed) for f in bad.failures] == [
            (f"{host.target.label} {conf} maxmemory-policy", {"file": "allkeys-lru", "live": "noeviction"})
        ]
    finally:
        server.stop()
    missing = redis_config.assess_redis_conf(
        redis_config.gather_redis_conf(host, "/nope.conf"), {}, "h /nope"
    )
    assert (missing.ok, missing.findings[0].observed) == (False, "missing")


def test_parse_redis_conf_units_and_save_lines():
    text = 'save 900 1\nsave 300 10\nmaxmemory 1gb\nmaxmemory-policy "allkeys-lru"\n# appendonly yes\n'
    assert redis_config.parse_redis_conf(text) == {
        "save": "900 1 300 10",
        "maxmemory": str(1024**3),
        "maxmemory-policy": "allkeys-lru",
    }
    assert redis_config.parse_redis_conf('save ""\n')["save"] == ""


# ------------------------------------------------------------------------------------ postgres disk


def test_postgres_free_space_and_wal_archive(host, shared):
    archive = shared / "wal-archive"
    archive.mkdir(exist_ok=True)
    facts = postgres_disk.gather_disk(host, str(shared), str(archive))
    assert 0 <= facts.free_percent <= 100
    assert postgres_disk.assess_free_space(facts, 0.5).ok
    too_full = postgres_disk.assess_free_space(facts, 100.1)  # a threshold no disk meets: the "full disk"
    assert (
        not too_full.ok
        and too_full.findings[0].subject == f"{host.target.label} data directory {shared} free %"
    )
    assert postgres_disk.assess_wal_archive(facts).ok
    gone = postgres_disk.gather_disk(host, str(shared / "missing-data"), str(shared / "missing-archive"))
    assert not postgres_disk.assess_free_space(gone, 20.0).ok
    assert not postgres_disk.assess_wal_archive(gone).ok


# ------------------------------------------------------------------------------------ time sync


def test_time_sync_daemon_absent_then_running(host, stand_in):
    name = "chronyd"
    absent = time_sync.assess_time(time_sync.gather_time(host, [f"nochrony{os.getpid()}"]))
    assert (absent.ok, absent.findings[0].observed) == (False, "none running")
    daemon = stand_in("chronyd")  # a process with a daemon's name stands in for chronyd
    facts = time_sync.gather_time(host, [daemon.name, name])
    assert daemon.name in facts.running
    a = time_sync.assess_time(facts)
    assert a.ok, a.message()
    if facts.synced is None:
        assert "sync state not readable" in a.findings[0].note
    assert not time_sync.assess_time(time_sync.TimeFacts("h", ("chronyd",), False, "chronyc tracking")).ok


# ------------------------------------------------------------------------------------ TLS files


@pytest.fixture(scope="module")
def tls_setup(local_ca, nginx_server_factory, shared):
    served = local_ca.issue(["localhost", "127.0.0.1"])
    other = local_ca.issue(["localhost"], not_after=dt.datetime.now(dt.UTC) + dt.timedelta(days=5))
    nginx = nginx_server_factory(certs=served)
    out = {}
    for name, certs in (("served", served), ("other", other)):
        path = shared / f"{name}.pem"
        shutil.copy(certs.cert_path, path)
        path.chmod(0o644)
        out[name] = str(path)
    return out, f"127.0.0.1:{nginx.https_port}"


def test_tls_files_valid_and_served_pass(host, tls_setup):
    paths, endpoint = tls_setup
    files = tls_files.gather_cert_files(host, [paths["served"]])
    a = tls_files.assess_cert_files(files, 30, endpoint, tls_files.served_fingerprint(endpoint, 5))
    assert a.ok, a.message()
    assert a.findings[0].subject == f"{host.target.label} {paths['served']}"


def test_tls_files_expiring_or_not_served_fail(host, tls_setup):
    paths, endpoint = tls_setup
    files = tls_files.gather_cert_files(host, [paths["other"], "/no/such.pem"])
    a = tls_files.assess_cert_files(
        files, 30, endpoint, tls_files.served_fingerprint(endpoint, 5), host.target.label
    )
    observed = [f.observed for f in a.failures]
    assert 4 < observed[0] < 5.1 and observed[1] == "missing or not PEM"
    assert a.failures[2].subject == f"{host.target.label} {endpoint} served certificate"
    with pytest.raises(ProbeError, match="cannot fetch"):
        tls_files.served_fingerprint(f"127.0.0.1:{free_port()}", 2)


# ------------------------------------------------------------------------------------ packages


def test_image_dev_packages_both_ways(host, venvs):
    good = packages.assess_no_dev_packages(packages.gather_installed(host, str(venvs["good"])), ["requests"])
    assert good.ok, good.message()
    facts = packages.gather_installed(host, str(venvs["bad"]))
    assert facts.packages["pytest"] == "8.3.2"
    bad = packages.assess_no_dev_packages(facts, ["requests"])
    assert [(f.subject, f.observed) for f in bad.failures] == [
        (f"{host.target.label} {venvs['bad']} pytest", "8.3.2")
    ]
    assert packages.assess_no_dev_packages(facts, ["requests", "pytest"]).ok  # declared production: allowed


# ------------------------------------------------------------------------------------ logrotate


def test_logrotate_covers_logs_or_not(host, shared):
    conf_dir = shared / "logrotate.d"
    conf_dir.mkdir(exist_ok=True)
    (conf_dir / "app").write_text(
        "# app logs\n/srv/app/logs/*.log /srv/app/worker.log {\n  daily\n  rotate 14\n  postrotate\n"
        "    kill -HUP $(cat /run/app.pid)\n  endscript\n}\n"
    )
    (conf_dir / "app").chmod(0o644)
    facts = logrotate.gather_logrotate(host, str(conf_dir))
    a = logrotate.assess_logrotate(facts, ["/srv/app/logs/api.log", "/srv/app/worker.log"])
    assert a.ok and a.findings[0].observed == [f"{conf_dir}/app"], a.message()
    bad = logrotate.assess_logrotate(facts, ["/var/log/other/api.log"])
    assert (bad.ok, bad.findings[0].observed) == (False, "no logrotate stanza")
    assert bad.findings[0].subject == f"{host.target.label} /var/log/other/api.log"


# ------------------------------------------------------------------------------------ connections


def test_wrong_key_is_an_error_within_the_timeout(sshd):
    target = Target("ssh", "app", sshd.spec(), {"ssh_identity_file": str(sshd.wrong_key)})
    start = time.monotonic()
    with pytest.raises(
        ProbeError, match=r"ssh://postgres@127\.0\.0\.1:\d+: cannot connect: AuthenticationException"
    ):
        HostPool(timeout=3).connect(target)
    assert time.monotonic() - start < 3


def test_unreachable_port_is_an_error_fast():
    target = Target("ssh", "app", f"ssh://deploy@127.0.0.1:{free_port()}", {})
    pool = HostPool(timeout=2)
    start = time.monotonic()
    with pytest.raises(ProbeError, match="cannot connect: NoValidConnectionsError"):
        pool.connect(target)
    with pytest.raises(ProbeError):  # remembered: the host's other checks do not wait again
        pool.connect(target)
    assert time.monotonic() - start < 2


def test_silent_server_times_out_within_the_timeout():
    import socket

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)  # accepts (kernel backlog) but never sends the SSH banner
        target = Target("ssh", "app", f"ssh://deploy@127.0.0.1:{server.getsockname()[1]}", {"timeout_s": 2})
        start = time.monotonic()
        with pytest.raises(ProbeError, match="cannot connect"):
            HostPool(timeout=10).connect(target)
        assert time.monotonic() - start < 4


def test_passphrase_protected_key(sshd_factory):
    from tests.support.hosts import CANARY

    locked = sshd_factory(passphrase=CANARY)
    handle = HostPool(timeout=5).connect(ssh_target(locked, ssh_key_passphrase=CANARY))
    assert handle.host.user().name == locked.user
    with pytest.raises(ProbeError) as info:
        HostPool(timeout=5).connect(ssh_target(locked, ssh_key_passphrase="wrong-" + CANARY))
    assert CANARY not in str(info.value)


def test_sudo_password_goes_to_stdin_never_the_command_line():
    from pytest_readiness.probes.hosts.connect import _backend
    from tests.support.hosts import CANARY

    target = Target("ssh", "app", "ssh://deploy@app-1", {"sudo": True, "sudo_password": CANARY})
    backend = _backend(target, 5)
    command = backend.get_command("cat %s", "/etc/shadow")
    assert command.startswith("sudo -S -p '' /bin/sh -c") and CANARY not in command
    plain = _backend(Target("ssh", "app", "ssh://deploy@app-1", {"sudo": True}), 5)
    assert plain.get_command("id").startswith("sudo /bin/sh -c")
