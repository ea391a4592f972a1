"""The launcher starts real servers, proves they answer, and never leaves a process behind."""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import textwrap
import time
from collections.abc import Mapping
from pathlib import Path

import psycopg
import pytest
import redis
import requests

from pytest_readiness.launcher import (
    AlertmanagerServer,
    LauncherError,
    LocalCA,
    NginxServer,
    PgBouncer,
    PostgresServer,
    PrometheusServer,
    RedisServer,
    Service,
    ServiceGroup,
    registered_services,
)
from pytest_readiness.launcher.base import ServicePath, pid_alive
from pytest_readiness.launcher.fixtures import ServiceFactory
from pytest_readiness.launcher.sshd import SshServer

REPO = Path(__file__).resolve().parents[2]


def wait_until(predicate: object, timeout: float = 10.0) -> bool:
    """Poll ``predicate()`` until true or the deadline passes."""
    assert callable(predicate)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return bool(predicate())


def assert_stopped(service: Service, pid: int, folder: Path) -> None:
    assert not service.running
    assert wait_until(lambda: not pid_alive(pid), 5), f"pid {pid} still alive"
    assert not folder.exists(), f"{folder} not removed"
    assert service not in registered_services()


def port_closed(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) != 0


# --------------------------------------------------------------------------------------------------
# each server starts, answers and stops


def test_postgres_lifecycle() -> None:
    pg = PostgresServer(
        settings={"archive_mode": "on", "shared_preload_libraries": "pg_stat_statements"},
        init_sql="CREATE TABLE t (x int); INSERT INTO t VALUES (42);",
    )
    with pg:
        pid, folder = pg.pid, pg.dir
        assert pid is not None
        assert int(pg.pidfile.read_text()) == pid
        assert pg.dsn == f"postgresql://postgres:{pg.password}@127.0.0.1:{pg.port}/postgres"
        with psycopg.connect(pg.dsn) as conn:
            assert conn.execute("SHOW archive_mode").fetchone() == ("on",)
            assert conn.execute("SHOW shared_preload_libraries").fetchone() == ("pg_stat_statements",)
            assert conn.execute("SELECT x FROM t").fetchone() == (42,)
        dsn = pg.create_role("app", "s3cret", bypassrls=True)
        with psycopg.connect(dsn) as conn:
            row = conn.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
            assert row.fetchone() == (False, True)
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            psycopg.connect(pg.dsn_for("postgres", "wrong"), connect_timeout=5)
        # the server really runs as the unprivileged postgres user
        assert Path(f"/proc/{pid}/status").read_text().split("Uid:")[1].split()[0] != "0"
    assert_stopped(pg, pid, folder)
    assert port_closed(pg.port)


def test_postgres_ssl_with_local_ca_and_strict_hba(local_ca: LocalCA) -> None:
    """Only hostssl allowed, no local line: start and execute() still work, plain TCP is refused."""
    hba = "hostssl all all 127.0.0.1/32 scram-sha-256\n"
    with PostgresServer(ssl=True, certs=local_ca.issue(["localhost"]), hba=hba) as pg:
        dsn = pg.dsn_for(
            "postgres", pg.password, sslmode="verify-full", sslrootcert=str(local_ca.ca_pem_path)
        ).replace("127.0.0.1", "localhost")
        with psycopg.connect(dsn) as conn:
            row = conn.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone()
            assert row == (True,)
        assert pg.execute("SELECT count(*) FROM pg_hba_file_rules WHERE type = 'hostssl'") == [(1,)]
        with pytest.raises(psycopg.OperationalError, match=r"no pg_hba\.conf entry"):
            psycopg.connect(pg.dsn_for("postgres", pg.password, sslmode="disable"), connect_timeout=5)


def test_pgbouncer_pools_and_admin_console() -> None:
    with PostgresServer() as pg:
        app_dsn = pg.create_role("app", "apppw")
        assert app_dsn
        with PgBouncer(pg, pool_mode="transaction", default_pool_size=3, users={"app": "apppw"}) as bouncer:
            pid, folder = bouncer.pid, bouncer.dir
            assert pid is not None
            with psycopg.connect(bouncer.dsn, autocommit=True) as conn:
                assert conn.execute("SELECT current_user").fetchone() == ("postgres",)
            with psycopg.connect(bouncer.dsn_for("app", "apppw"), autocommit=True) as conn:
                assert conn.execute("SELECT current_user").fetchone() == ("app",)
            config = {row["key"]: row["value"] for row in bouncer.admin("SHOW CONFIG")}
            assert config["pool_mode"] == "transaction"
            assert config["default_pool_size"] == "3"
            assert bouncer.admin_dsn.endswith(f"@127.0.0.1:{bouncer.port}/pgbouncer")
            with pytest.raises(psycopg.OperationalError):
                psycopg.connect(bouncer.dsn_for("app", "wrong"), connect_timeout=5)
        assert_stopped(bouncer, pid, folder)
        assert pg.running  # stopping the pooler leaves the upstream alone


@pytest.mark.parametrize("auth_type", ["md5", "plain"])
def test_pgbouncer_auth_types(
    postgres_server_factory: ServiceFactory[PostgresServer], auth_type: str
) -> None:
    pg = postgres_server_factory()
    with PgBouncer(pg, auth_type=auth_type) as bouncer:  # type: ignore[arg-type]
        rows = {r["key"]: r["value"] for r in bouncer.admin("SHOW CONFIG")}
        assert rows["auth_type"] == auth_type
        with psycopg.connect(bouncer.dsn, autocommit=True) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)


def test_redis_lifecycle_with_managed_config() -> None:
    server = RedisServer(
        config={
            "appendonly": "yes",
            "maxmemory": "100mb",
            "maxmemory-policy": "allkeys-lru",
            "save": '"900 1"',
            "rename-command": 'CONFIG ""',
        },
        password="pw",
    )
    with server:
        pid, folder = server.pid, server.dir
        assert pid is not None
        assert server.url == f"redis://:pw@127.0.0.1:{server.port}/0"
        client = redis.Redis.from_url(server.url)
        assert client.ping()
        info = client.info()
        assert info["aof_enabled"] == 1
        assert info["maxmemory"] == 100 * 1024 * 1024
        assert info["maxmemory_policy"] == "allkeys-lru"
        with pytest.raises(redis.ResponseError, match="unknown command"):
            client.config_get("maxmemory")
        with pytest.raises(redis.AuthenticationError):
            server.client(password=None).ping()
        client.close()
    assert_stopped(server, pid, folder)


def test_nginx_http_and_https(local_ca: LocalCA) -> None:
    blocks = """
    server {
        listen 127.0.0.1:{http_port};
        location / { return 301 https://localhost:{https_port}$request_uri; }
    }
    server {
        listen 127.0.0.1:{https_port} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        ssl_protocols TLSv1.2 TLSv1.3;
        add_header Strict-Transport-Security "max-age=31536000" always;
        root {root};
    }
    """
    with NginxServer(blocks, certs=local_ca.issue(), files={"index.html": "hello\n"}) as nginx:
        pid, folder = nginx.pid, nginx.dir
        assert pid is not None
        redirect = requests.get(nginx.http_url + "/x", allow_redirects=False, timeout=5)
        assert redirect.status_code == 301
        assert redirect.headers["Location"] == f"https://localhost:{nginx.https_port}/x"
        url = f"https://localhost:{nginx.https_port}/"
        resp = requests.get(url, verify=str(local_ca.ca_pem_path), timeout=5)
        assert resp.text == "hello\n"
        assert resp.headers["Strict-Transport-Security"] == "max-age=31536000"
        assert nginx.https_url == f"https://127.0.0.1:{nginx.https_port}"
    assert_stopped(nginx, pid, folder)
    assert port_closed(nginx.http_port) and port_closed(nginx.https_port)


def test_nginx_server_blocks_callable() -> None:
    def blocks(values: Mapping[str, str]) -> str:
        return "server { listen 127.0.0.1:" + values["http_port"] + "; return 204; }"

    with NginxServer(blocks) as nginx:
        assert requests.get(nginx.http_url, timeout=5).status_code == 204


def _verify_error(port: int, ca: Path) -> str:
    ctx = ssl.create_default_context(cafile=str(ca))
    try:
        with (
            socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
            ctx.wrap_socket(raw, server_hostname="localhost"),
        ):
            return "ok"
    except ssl.SSLCertVerificationError as exc:
        return str(exc.verify_message)


def test_broken_certificates_are_really_broken(
    local_ca: LocalCA, nginx_server_factory: ServiceFactory[NginxServer]
) -> None:
    cases = {
        "ok": local_ca.issue(),
        "certificate has expired": local_ca.issue(expired=True),
        "self-signed certificate": local_ca.self_signed(),
        "Hostname mismatch": local_ca.issue(["other.example"]),
    }
    for expected, certs in cases.items():
        nginx = nginx_server_factory(certs=certs)
        assert expected in _verify_error(nginx.https_port, local_ca.ca_pem_path)


def test_prometheus_and_alertmanager() -> None:
    rules = """
groups:
  - name: availability
    rules:
      - alert: InstanceDown
        expr: up == 0
        for: 5m
        labels: {severity: page}
        annotations: {summary: "{{ $labels.instance }} down"}
"""
    config = """
global: {scrape_interval: 15s}
alerting:
  alertmanagers:
    - static_configs: [{targets: ["127.0.0.1:{am_port}"]}]
scrape_configs:
  - job_name: self
    static_configs: [{targets: ["127.0.0.1:{port}"]}]
"""
    with (
        AlertmanagerServer() as am,
        PrometheusServer(
            config.replace("{am_port}", str(am.port)), rule_files={"a.yml": rules}, retention="30d"
        ) as prom,
    ):
        pids = [am.pid, prom.pid]
        folders = [am.dir, prom.dir]
        groups = requests.get(prom.url + "/api/v1/rules", timeout=5).json()["data"]["groups"]
        assert groups[0]["rules"][0]["name"] == "InstanceDown"
        assert groups[0]["rules"][0]["annotations"]["summary"] == "{{ $labels.instance }} down"
        flags = requests.get(prom.url + "/api/v1/status/flags", timeout=5).json()["data"]
        assert flags["storage.tsdb.retention.time"] == "30d"
        assert requests.get(am.url + "/api/v2/status", timeout=5).status_code == 200
    for service, pid, folder in zip((am, prom), pids, folders, strict=True):
        assert pid is not None
        assert_stopped(service, pid, folder)


# --------------------------------------------------------------------------------------------------
# bad configuration fails fast with the log tail


@pytest.mark.parametrize(
    ("make", "log_marker"),
    [
        (lambda: RedisServer({"no-such-directive": "1"}), "Bad directive"),
        (lambda: PostgresServer({"no_such_setting": "1"}), "no_such_setting"),
        (
            lambda: NginxServer("server { listen 127.0.0.1:{http_port}; bogus_directive on; }"),
            "bogus_directive",
        ),
        (lambda: PrometheusServer("scrape_configs: [{job_name: x, bogus: 1}]"), "bogus"),
        (lambda: AlertmanagerServer("route: {receiver: missing}\nreceivers: []\n"), "missing"),
    ],
    ids=["redis", "postgres", "nginx", "prometheus", "alertmanager"],
)
def test_bad_config_fails_fast_with_log_tail(make: object, log_marker: str) -> None:
    assert callable(make)
    service = make()
    started = time.monotonic()
    with pytest.raises(LauncherError) as info:
        service.start()
    elapsed = time.monotonic() - started
    assert elapsed < 10, f"took {elapsed:.1f}s: should fail on process exit, not on the deadline"
    assert "exited with status" in str(info.value)
    assert log_marker in str(info.value)
    assert not service.running
    assert service not in registered_services()


def test_readiness_deadline_is_enforced() -> None:
    """A server that never answers the protocol check fails at the deadline, with the log."""

    class NeverReady(RedisServer):
        def is_ready(self) -> bool:
            return False

    service = NeverReady(start_timeout=1.0)
    started = time.monotonic()
    with pytest.raises(LauncherError, match="not ready after 1s") as info:
        service.start()
    assert time.monotonic() - started < 8
    assert "Ready to accept connections" in str(info.value)
    assert service.pid is not None and wait_until(lambda: not pid_alive(service.pid or 0), 5)


# --------------------------------------------------------------------------------------------------
# variants side by side, groups, fixtures


def test_two_variants_side_by_side() -> None:
    with ServiceGroup(
        RedisServer({"appendonly": "yes"}),
        RedisServer({"appendonly": "no"}),
        PostgresServer({"archive_mode": "on"}),
        PostgresServer({"archive_mode": "off"}),
    ) as group:
        r1, r2, p1, p2 = group.services
        assert isinstance(r1, RedisServer) and isinstance(r2, RedisServer)
        assert isinstance(p1, PostgresServer) and isinstance(p2, PostgresServer)
        assert len({r1.port, r2.port, p1.port, p2.port}) == 4
        assert redis.Redis(port=r1.port).info()["aof_enabled"] == 1
        assert redis.Redis(port=r2.port).info()["aof_enabled"] == 0
        assert p1.execute("SHOW archive_mode") == [("on",)]
        assert p2.execute("SHOW archive_mode") == [("off",)]
        pids = [s.pid for s in group.services]
    assert all(pid is not None and not pid_alive(pid) for pid in pids)


def test_service_group_stops_everything_on_exception() -> None:
    group = ServiceGroup(RedisServer(), RedisServer())
    with pytest.raises(RuntimeError, match="boom"), group:
        pids = [s.pid for s in group.services]
        raise RuntimeError("boom")
    assert all(pid is not None and wait_until(lambda p=pid: not pid_alive(p), 5) for pid in pids)
    assert not set(group.services) & set(registered_services())


def test_service_group_cleans_up_when_a_later_service_fails() -> None:
    good = RedisServer()
    group = ServiceGroup(good, RedisServer({"bad-directive": "x"}))
    with pytest.raises(LauncherError):
        group.start()
    assert good.pid is not None and wait_until(lambda: not pid_alive(good.pid or 0), 5)
    assert not good.running


def test_factories_share_identical_configs(redis_server_factory: ServiceFactory[RedisServer]) -> None:
    a = redis_server_factory(config={"maxmemory": "10mb"})
    b = redis_server_factory(config={"maxmemory": "10mb"})
    c = redis_server_factory(config={"maxmemory": "20mb"})
    d = redis_server_factory(config={"maxmemory": "10mb"}, shared=False)
    assert a is b
    assert len({a.port, c.port, d.port}) == 3


def test_pgbouncer_factory_defaults_to_a_shared_upstream(
    pgbouncer_factory: ServiceFactory[PgBouncer],
) -> None:
    bouncer = pgbouncer_factory(pool_mode="session")
    with psycopg.connect(bouncer.dsn, autocommit=True) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_prometheus_and_alertmanager_factories(
    prometheus_factory: ServiceFactory[PrometheusServer],
    alertmanager_factory: ServiceFactory[AlertmanagerServer],
) -> None:
    assert requests.get(prometheus_factory().url + "/-/healthy", timeout=5).ok
    assert requests.get(alertmanager_factory().url + "/-/healthy", timeout=5).ok


# --------------------------------------------------------------------------------------------------
# interrupting pytest leaves nothing behind

INTERRUPTED_SUITE = """
import os, time
from pathlib import Path

def test_hangs(redis_server_factory, postgres_server_factory):
    r = redis_server_factory(config={"appendonly": "yes"})
    pg = postgres_server_factory()
    out = Path(os.environ["LAUNCHER_PIDFILES"])
    out.write_text(f"{r.pidfile}\\n{pg.pidfile}\\n{r.pid}\\n{pg.pid}\\n")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # wait for the SIGINT
        time.sleep(0.05)
"""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupted_pytest_leaves_no_server(tmp_path: Path, signum: signal.Signals) -> None:
    (tmp_path / "test_hang.py").write_text(textwrap.dedent(INTERRUPTED_SUITE))
    listing = tmp_path / "pidfiles.txt"
    env = {**os.environ, "LAUNCHER_PIDFILES": str(listing), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "pytest_readiness.launcher.fixtures",
            "-q",
            "-s",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            "-c",
            os.devnull,
            str(tmp_path / "test_hang.py"),
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        assert wait_until(lambda: listing.exists() or proc.poll() is not None, 90)
        assert proc.poll() is None, proc.communicate()[0].decode()
        pidfile_redis, pidfile_pg, *pid_lines = listing.read_text().split()
        pids = [int(Path(pidfile_redis).read_text()), int(Path(pidfile_pg).read_text())]
        assert pids == [int(p) for p in pid_lines]
        assert all(pid_alive(pid) for pid in pids)
        proc.send_signal(signum)
        output = proc.communicate(timeout=60)[0].decode()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    survivors = [pid for pid in pids if pid_alive(pid)]
    for pid in survivors:  # don't leak even when failing
        os.kill(pid, signal.SIGKILL)
    assert not survivors, output
    assert not Path(pidfile_redis).parent.exists()
    assert not Path(pidfile_pg).parent.exists()
    if signum == signal.SIGINT:
        assert "KeyboardInterrupt" in output


def test_atexit_stops_servers_a_script_forgot() -> None:
    script = textwrap.dedent(
        """
        from pytest_readiness.launcher import RedisServer
        server = RedisServer().start()
        print(server.pid, server.dir, flush=True)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    ).stdout.split()
    pid, folder = int(out[0]), Path(out[1])
    assert wait_until(lambda: not pid_alive(pid), 5)
    assert not folder.exists()


# --------------------------------------------------------------------------------------------------
# what every service shares: deadlines, paths in its folder, its URL


class _Idle(Service):
    """A service that is never started: enough to read what the base class knows."""

    name = "idle"
    stop_timeout = 3.0
    notes = ServicePath("notes.txt")

    def prepare(self) -> None:
        """Nothing to write."""

    def command(self) -> list[str]:
        return ["true"]

    def is_ready(self) -> bool:
        return False


def test_timeouts_come_from_the_class_unless_the_instance_overrides_them() -> None:
    assert (_Idle().start_timeout, _Idle().stop_timeout) == (60.0, 3.0)
    assert (RedisServer().start_timeout, RedisServer().stop_timeout) == (30.0, 15.0)
    assert (SshServer().start_timeout, SshServer().stop_timeout) == (30.0, 10.0)
    quick = RedisServer({"appendonly": "yes"}, start_timeout=1.0)
    assert (quick.start_timeout, quick.stop_timeout) == (1.0, 15.0)
    assert RedisServer.start_timeout == 30.0  # the override stays on the instance


def test_service_paths_live_in_the_service_folder_and_only_while_it_exists(tmp_path: Path) -> None:
    service = _Idle()
    with pytest.raises(LauncherError, match="idle: not started"):
        _ = service.notes
    service._dir = tmp_path
    assert (service.notes, service.pidfile) == (tmp_path / "notes.txt", tmp_path / "launcher.pid")
    assert _Idle.notes.__doc__ == "``<service dir>/notes.txt``."


def test_url_for_spells_userinfo_host_and_port_once() -> None:
    service = _Idle()
    service.port = 5432
    assert service.url_for("http") == "http://127.0.0.1:5432"
    assert service.url_for("https", "/x", port=8443) == "https://127.0.0.1:8443/x"
    assert service.url_for("ssh", user="u") == "ssh://u@127.0.0.1:5432"
    assert service.url_for("redis", "/0", password="p") == "redis://:p@127.0.0.1:5432/0"
    assert service.url_for("postgresql", "/db", user="u", password="") == "postgresql://u:@127.0.0.1:5432/db"
