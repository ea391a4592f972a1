"""``readiness demo``: real local services with a realistic mix of ready and not-ready settings.

Starts PostgreSQL, PgBouncer, Redis, nginx (TLS from a local CA), Prometheus and Alertmanager on free
loopback ports, exports their addresses as the ``DEMO_*`` variables that ``environments/demo.toml``
interpolates, runs ``pytest --env=demo suites/``, prints where the reports are, and stops everything.
It works from any folder: the demo environment, waivers, attestations and application ship with the
package (:mod:`pytest_readiness.packaged`); it first checks that trustme (the ``testing`` extra) and
the servers' binaries are present, before starting anything.
Some settings are deliberately not ready (a table without RLS, Redis ``volatile-lru``, no CSP
header, no WAL archiving, an alert rule without a runbook) so the report shows passes and failures
that come from the real services.
"""

from __future__ import annotations

import importlib.util
import secrets
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from pytest_readiness import packaged
from pytest_readiness.errors import ConfigError

if TYPE_CHECKING:
    from pytest_readiness.launcher import ServiceGroup
    from pytest_readiness.launcher.dns import LocalDNS
    from pytest_readiness.launcher.tls import StrictCA

#: Server binaries the demo starts: name, where the launcher looks, its override variable.
SCHEMA_SQL = """
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
CREATE TABLE public.accounts (id bigserial PRIMARY KEY, owner uuid NOT NULL, name text NOT NULL);
ALTER TABLE public.accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY accounts_owner ON public.accounts USING (owner = current_setting('app.user')::uuid);
CREATE TABLE public.value_models (id bigserial PRIMARY KEY, account_id bigint REFERENCES public.accounts(id),
                                  payload jsonb);
ALTER TABLE public.value_models ENABLE ROW LEVEL SECURITY;
CREATE POLICY value_models_owner ON public.value_models USING (true);
CREATE TABLE public.notes (id bigserial PRIMARY KEY, body text);
CREATE SCHEMA supabase_migrations;
CREATE TABLE supabase_migrations.schema_migrations (version text PRIMARY KEY, name text);
INSERT INTO supabase_migrations.schema_migrations VALUES ('20261001120000', 'create_accounts');
GRANT USAGE ON SCHEMA supabase_migrations TO PUBLIC;
GRANT SELECT ON supabase_migrations.schema_migrations TO PUBLIC;
"""

#: The public name resolves through a CDN, with a TTL too long to switch DNS quickly in a rollback.
DNS_ZONE = {
    "app.valueverse.example": [("CNAME", "d1a2b3c4d5e6f7.cloudfront.net", 3600)],
    "d1a2b3c4d5e6f7.cloudfront.net": [("A", "127.0.0.1", 60)],
}

MOZILLA_INTERMEDIATE_CIPHERS = ":".join(
    [
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "ECDHE-RSA-CHACHA20-POLY1305",
    ]
)

NGINX_SITE = r"""
map $http_origin $cors_origin { default ""; "https://app.valueverse.example" $http_origin; }
server {
    listen 127.0.0.1:{http_port};
    server_name localhost;
    location / { return 301 https://localhost:{https_port}$request_uri; }
}
server {
    listen 127.0.0.1:{https_port} ssl;
    server_name localhost;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    # Mozilla "intermediate" configuration
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ecdh_curve X25519:prime256v1:secp384r1;
    ssl_ciphers {mozilla_ciphers};
    ssl_prefer_server_ciphers off;
    ssl_session_tickets off;
    root {root};
    add_header Strict-Transport-Security "max-age=63072000; includeSubDomains" always;
    add_header X-Content-Type-Options "nosniff" always;
    add_header X-Frame-Options "DENY" always;
    add_header Referrer-Policy "strict-origin-when-cross-origin" always;
    location / { try_files $uri $uri/ =404; }
    location /api/ {
        add_header Access-Control-Allow-Origin $cors_origin always;
        add_header Vary Origin always;
        default_type application/json;
        return 200 '{"status":"ok"}';
    }
    location = /healthz { default_type application/json; return 200 '{"status":"ok"}'; }
}
"""

PROMETHEUS_CONFIG = """
global:
  scrape_interval: 2s
  evaluation_interval: 2s
alerting:
  alertmanagers:
    - static_configs: [{targets: ["{alertmanager}"]}]
scrape_configs:
  - job_name: prometheus
    static_configs: [{targets: ["127.0.0.1:{port}"]}]
  - job_name: alertmanager
    static_configs: [{targets: ["{alertmanager}"]}]
"""

ALERT_RULES = """
groups:
  - name: valueverse
    rules:
      - alert: HighErrorRate
        expr: sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > 0.05
        for: 5m
        labels: {severity: critical}
        annotations:
          summary: More than 5% of requests fail
          runbook_url: https://runbooks.valueverse.example/high-error-rate
      - alert: InstanceDown
        expr: up == 0
        for: 2m
        labels: {severity: critical}
        annotations:
          summary: A scrape target is down
"""

ALERTMANAGER_CONFIG = """
route:
  receiver: oncall
  group_by: [alertname]
  routes:
    - matchers: ['severity="critical"']
      receiver: pagerduty
    - matchers: ['severity="warning"']
      receiver: slack
receivers:
  - name: oncall
  - name: pagerduty
    pagerduty_configs:
      - routing_key: 0f3e9a4b6c1d4e2f8a7b5c6d9e0f1a2b
  - name: slack
    slack_configs:
      - api_url: https://hooks.slack.com/services/XXXXXXXX/XXXXXXXX/XXXXXXXXXXXXXXXX
        channel: '#alerts'
"""


def missing_prerequisites() -> list[str]:
    """What the demo needs and cannot find (the ``testing`` extra, server binaries), before any start."""
    from pytest_readiness.launcher.base import (
        ALERTMANAGER,
        NGINX,
        PGBOUNCER,
        PROMETHEUS,
        REDIS,
        LauncherError,
        find_binary,
    )
    from pytest_readiness.launcher.postgres import pg_bindir

    missing = []
    if importlib.util.find_spec("trustme") is None:
        missing.append("trustme: pip install 'pytest-readiness[testing]'")
    try:
        find_binary("postgres", str(pg_bindir() / "postgres"))
    except LauncherError as exc:
        missing.append(str(exc))
    for binary in (PGBOUNCER, REDIS, NGINX, PROMETHEUS, ALERTMANAGER):
        try:
            binary.find()
        except LauncherError as exc:
            missing.append(str(exc))
    return missing


def start_services(group: ServiceGroup, ca: StrictCA, dns: LocalDNS) -> dict[str, str]:
    """Start the demo services inside ``group``; return the ``DEMO_*`` variables for demo.toml."""
    from pytest_readiness.launcher import (
        AlertmanagerServer,
        NginxServer,
        PgBouncer,
        PostgresServer,
        PrometheusServer,
        RedisServer,
    )

    monitor_password = secrets.token_urlsafe(16)
    postgres = group.add(
        PostgresServer(
            settings={"shared_preload_libraries": "pg_stat_statements", "archive_mode": "off"},
            init_sql=SCHEMA_SQL,
        )
    )
    postgres.execute(f"CREATE ROLE readiness LOGIN PASSWORD '{monitor_password}' IN ROLE pg_monitor")
    postgres.execute("CREATE ROLE app LOGIN PASSWORD 'app-demo-password'")
    bouncer = group.add(PgBouncer(postgres, pool_mode="transaction", max_client_conn=500))
    redis = group.add(
        RedisServer(
            config={
                "maxmemory": "64mb",
                "maxmemory-policy": "volatile-lru",
                "appendonly": "yes",
                "appendfsync": "everysec",
                "save": "900 1",
            }
        )
    )
    certs = ca.issue(["localhost", "127.0.0.1"])
    nginx = group.add(
        NginxServer(
            NGINX_SITE.replace("{mozilla_ciphers}", MOZILLA_INTERMEDIATE_CIPHERS),
            certs=certs,
            files={"index.html": "<h1>ValueVerse demo</h1>\n"},
        )
    )
    alertmanager = group.add(AlertmanagerServer(ALERTMANAGER_CONFIG))
    am_address = alertmanager.url.removeprefix("http://")
    prometheus = group.add(
        PrometheusServer(
            PROMETHEUS_CONFIG.replace("{alertmanager}", am_address),
            rule_files={"valueverse.yml": ALERT_RULES},
            retention="7d",
        )
    )
    wait_for_scrapes(prometheus.url)
    return {
        "DEMO_DNS_PORT": str(dns.port),
        "DEMO_DATABASE_URL": postgres.dsn_for("readiness", monitor_password, "postgres"),
        "DEMO_PGBOUNCER_ADMIN_URL": bouncer.admin_dsn,
        "DEMO_REDIS_URL": redis.url,
        "DEMO_BASE_URL": nginx.https_url.replace("127.0.0.1", "localhost"),
        "DEMO_HTTP_URL": nginx.http_url.replace("127.0.0.1", "localhost"),
        "DEMO_TLS_HOST": f"localhost:{nginx.https_port}",
        "DEMO_CA_FILE": str(ca.ca_path),
        "DEMO_PROMETHEUS_URL": prometheus.url,
        "DEMO_ALERTMANAGER_URL": alertmanager.url,
        # [hosts]: this machine, where the services above run
        "DEMO_REDIS_CONF": str(redis.conf_path),
        "DEMO_REDIS_PORT": str(redis.port),
        "DEMO_PG_DATA": str(postgres.data_dir),
        "DEMO_PG_PORT": str(postgres.port),
        "DEMO_TLS_CERT": str(certs.cert_path),
    }


def host_files(folder: Path) -> dict[str, str]:
    """The app host's files: an env file readable by everyone (not ready), rotated logs (ready)."""
    (folder / "logrotate.d").mkdir(parents=True)
    env_file = folder / ".env.production"
    env_file.write_text("DATABASE_URL=postgres://app@db.internal/valueverse\n")
    env_file.chmod(0o644)
    (folder / "logrotate.d" / "valueverse").write_text(f"{folder}/log/*.log {{\n  daily\n  rotate 14\n}}\n")
    return {"DEMO_HOSTS_DIR": str(folder)}


def wait_for_scrapes(url: str, deadline_s: float = 30.0) -> None:
    """Wait until Prometheus holds three scrapes of every target, so rate() and SLO queries have data."""
    import requests

    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            young = requests.get(
                f"{url}/api/v1/query", params={"query": "count_over_time(up[1m]) < 3"}, timeout=2
            )
            up = requests.get(f"{url}/api/v1/query", params={"query": "up"}, timeout=2)
            if young.ok and up.ok and up.json()["data"]["result"] and not young.json()["data"]["result"]:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)


def run_demo(pytest_args: list[str], root: Path | None = None) -> int:
    """Start the stack, run ``pytest --env=demo`` on the shipped suites against it, stop the stack.

    Reports go to ``root/reports`` (the current folder) unless ``--readiness-dir`` says otherwise.
    SIGTERM and SIGINT are forwarded to the pytest child (which writes its reports, marked
    incomplete); then every ``with`` block unwinds: services stopped, temporary folders (the local
    CA's private key among them) removed.
    """
    root = root or Path.cwd()
    missing = missing_prerequisites()
    if missing:
        problems = "".join(f"\n  - {m}" for m in missing)
        raise ConfigError("readiness demo", "", f"cannot start the demo services:{problems}")
    from pytest_readiness.launcher import ServiceGroup
    from pytest_readiness.launcher.dns import LocalDNS
    from pytest_readiness.launcher.tls import StrictCA

    examples = packaged.folder("examples")
    reports = _reports_dir(pytest_args, root)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        with tempfile.TemporaryDirectory(prefix="readiness-demo-") as tmp, LocalDNS(DNS_ZONE) as dns:
            ca = StrictCA(Path(tmp) / "ca")
            with ServiceGroup() as group:
                services = "PostgreSQL, PgBouncer, Redis, nginx, Prometheus, Alertmanager"
                print(f"readiness demo: starting {services} ...")
                variables = start_services(group, ca, dns) | host_files(Path(tmp) / "hosts")
                args = ["--env=demo", f"--readiness-envdir={packaged.folder('environments')}"]
                args += [f"--{kind}={examples / f'demo-{kind}.toml'}" for kind in ("waivers", "attestations")]
                args += ["-p", "no:cacheprovider", f"--readiness-dir={reports}", *pytest_args]
                command, env = packaged.pytest_command(args)
                env.update(variables, DEMO_APP_DIR=str(examples / "demo-app"))
                print("readiness demo: " + " ".join(command[2:]), flush=True)
                status = _run_child(command, root, env)
    except KeyboardInterrupt as exc:
        name = str(exc) or "SIGINT"
        print(f"readiness demo: interrupted ({name}); services stopped, temporary files removed", flush=True)
        return 128 + int(getattr(signal, name, signal.SIGINT))
    finally:
        signal.signal(signal.SIGTERM, previous)
    print(f"readiness demo: services stopped; reports in {reports} (pytest exit status {status})")
    # A NO-GO verdict (1) or undecided items (3) are the demo working as intended.
    return 0 if status in (0, 1, 3) else status


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM unwinds like Ctrl-C (a second one is ignored so that the cleanup finishes)."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt(signal.Signals(signum).name)


def _run_child(command: list[str], cwd: Path, env: dict[str, str]) -> int:
    """Run pytest in its own session, so that exactly one interrupt reaches it: the one forwarded."""
    child = subprocess.Popen(command, cwd=cwd, env=env, start_new_session=True)
    try:
        return child.wait()
    except KeyboardInterrupt as exc:
        child.send_signal(signal.SIGTERM if str(exc) == "SIGTERM" else signal.SIGINT)
        try:
            child.wait(timeout=60)  # pytest writes its reports (marked incomplete) and exits
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        raise


def _reports_dir(pytest_args: list[str], root: Path) -> Path:
    """The folder the run writes to: the last ``--readiness-dir`` among the extra args, else reports/."""
    chosen = root / "reports"
    for i, arg in enumerate(pytest_args):
        if arg.startswith("--readiness-dir="):
            chosen = root / arg.split("=", 1)[1]
        elif arg == "--readiness-dir" and i + 1 < len(pytest_args):
            chosen = root / pytest_args[i + 1]
    return chosen
