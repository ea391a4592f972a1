"""The keys an environment file may hold, with their types and which of them are secrets.

One table per section.  An unknown section or key is a configuration error (a typo must not silently
turn a check into ``unverified``).  Kinds: ``str``, ``secret`` (a string never shown in any
output), ``int``, ``float``, ``bool``, ``path`` (relative to the project root), ``list`` (of
strings), ``table`` (free-form mapping), ``tables`` (list of mappings), ``any``, ``sql`` (a string
holding exactly one SQL statement: it runs read-only against the target).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Key:
    """One key: its kind, help (rendered into example files), default, and linked checklist threshold.

    ``Environment.get(section, key)`` resolves the value set in the file, else ``[thresholds]
    <threshold>`` (the deprecated second spelling), else the threshold's default in
    :data:`pytest_readiness.thresholds.DEFAULTS`, else ``default``.
    """

    kind: str
    help: str = ""
    default: Any = None
    threshold: str = ""
    #: Shown in rendered example files when there is no constant default (one that validates).
    example: Any = None

    @property
    def secret(self) -> bool:
        return self.kind == "secret"


S, SECRET, I, F, B, P, L, T, TS, A = (  # noqa: E741 - a compact table
    Key("str"),
    Key("secret"),
    Key("int"),
    Key("float"),
    Key("bool"),
    Key("path"),
    Key("list"),
    Key("table"),
    Key("tables"),
    Key("any"),
)

Q = Key("sql")  # exactly one statement: run alone (extended protocol) in a read-only transaction

#: Free-text keys that used to pass an item on any string, with no owner, date or expiry: now a
#: configuration error pointing to an attestation of the item (``attestations.toml``).
REMOVED: dict[str, str] = {
    "kubernetes.autoscaler_evidence": "INFRA-K8S-AUTOSCALING",
    "backup.managed_evidence": "INFRA-BACKUP-STRATEGY",
}

SCHEMA: dict[str, dict[str, Key]] = {
    "settings": {
        "timeout_s": Key("float", default=10.0, help="per network probe"),
        "check_budget_s": Key(
            "float",
            help="per-check last-resort deadline; default max(120, 20 x timeout_s), "
            "plus the load probe's longest run with --readiness-load",
            example=300.0,
        ),
        "production": Key(
            "bool", help="treat as production (refuses load probes); default: name in prod/production"
        ),
        "description": S,
        "gate": Key(
            "str", default="high", help="lowest severity verified for GO: critical|high|medium|low"
        ),
    },
    #: "ID-or-glob" = "reason": items that do not apply here (validated against the catalog)
    "applicability": {},
    "postgres": {
        "dsn": SECRET,
        "sslrootcert": P,
        "exposed_schemas": Key("list", default=["public"]),
        "expected_tables": Key("list", help="else parsed from [repo] schema_file"),
        "app_roles": Key("list", help="roles the application connects as (RLS bypass check)"),
        "min_replicas": Key("int", default=1),
        "max_replay_lag_s": Key("float", threshold="replica_max_lag_s"),
        "archive_max_age_h": Key("float", threshold="archive_max_age_h"),
        "monitoring": Key("str", default="pg_stat_statements", help='"pg_stat_statements" | "exporter"'),
        "exporter_job": Key("str", default="postgres"),
        "rds_instance": S,
        "aws_region": S,
        "require_tls": Key("bool", default=True),
        "migrations_query": Key("sql", help="one SELECT returning the applied versions"),
    },
    "pgbouncer": {
        "dsn": SECRET,
        "expected_pool_mode": Key("str", default="transaction"),
        "min_max_client_conn": Key("int", default=0, help="0: any positive max_client_conn"),
        "databases": Key("list", help="pools judged for waiting clients; default every pool but the console"),
    },
    "supabase": {
        "url": S,
        "anon_key": SECRET,
        "service_role_key": SECRET,
        "jwt_secret": SECRET,
        "providers": Key("list", help='auth providers that must be enabled (e.g. ["email", "google"])'),
        "frontend_paths": Key("list", help="searched for the service role key; default [repo] frontend_dir"),
    },
    "redis": {
        "url": SECRET,
        "ca_file": P,
        "expected_role": Key("str", default="master"),
        "cluster": B,
        "eviction_policy": Key("str", default="allkeys-lru"),
        "exporter_job": S,
        "expected_version": S,
    },
    "secrets": {
        "env_file": Key("path", help="default <[repo] path>/.env.production"),
        "dev_defaults": Key("list", help="extra values that count as development defaults"),
        "scan_path": Key("path", help="repository scanned by detect-secrets; default [repo] path"),
    },
    "http": {
        "base_url": S,
        "api_url": S,
        "paths": Key("list", default=["/"], help="joined to base_url"),
        "follow_links": Key("int", default=8, help="same-origin links of the home page judged too; 0 = off"),
        "ca_file": P,
        "verify_tls": Key("bool", default=True),
        "production_domains": L,
        "cors_endpoints": L,
        "rate_limit_endpoints": L,
        "rate_limit_burst": Key("int", default=20, help="GETs per endpoint, at most 200"),
        "rate_limit_budget_s": Key("float", default=10.0, help="seconds the burst may take"),
        "input_endpoints": L,
        "privacy_policy_url": S,
        "rbac": TS,
        "health_urls": L,
        "session_cookie": S,
        "http_url": Key(
            "str", help="plain-HTTP entry point for the HTTPS redirect check; default http://<base host>/"
        ),
        "sample_token": Key(
            "secret", help="an access token of a test user: its exp - iat is the session lifetime"
        ),
        "input_max_body_bytes": Key(
            "int", default=1024 * 1024 + 1, help="oversized body of the input-validation probe: 1 MiB + 1"
        ),
    },
    "tls": {
        "hosts": Key("list", help="host[:port], default port 443"),
        "ca_file": Key("path", help="extra trust anchor for internal CAs"),
        "min_days": Key("int", threshold="tls_min_days", help="days a certificate must stay valid"),
        "mozilla_profile": Key("str", default="intermediate", help="modern | intermediate | old | none"),
    },
    "compliance": {
        "audit_settings": Key("table", help="expected PostgreSQL log_* settings when pgaudit is not used"),
    },
    "kubernetes": {
        "context": Key("str", help="live: kubeconfig context (else offline [kubernetes] manifests)"),
        "kubeconfig": Key("path", help="default: $KUBECONFIG or ~/.kube/config"),
        "namespaces": Key("list", help="default: every namespace"),
        "manifests": Key(
            "path", help="offline: folder or multi-document YAML (helm template, kubectl get -o yaml)"
        ),
        "registry": Key("str", help='images must come from here, e.g. "ghcr.io/valueverse"'),
        "migration_job": S,
        "min_server_version": Key("str", default="1.30"),
        "required_resources": Key(
            "list", default=["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"]
        ),
        "hpa_min_replicas": Key("int", default=2),
    },
    "registry": {
        "url": Key("str", help="e.g. https://ghcr.io"),
        "token": Key("secret", help="PAT exchanged at the registry's token endpoint"),
        "username": Key("str", help="for the token exchange (GHCR accepts any)"),
        "ca_file": P,
        "tag": Key("str", help="release tag every image must carry"),
        "repositories": Key("list", help="checked at the release tag in addition to the manifests' images"),
    },
    "dns": {
        "names": L,
        "nameservers": Key("list", default=[], help="empty: the system resolver"),
        "port": Key("int", default=53),
        "expected_targets": Key("list", help="hostnames (CNAME suffix), IPs or CIDRs the names must reach"),
        "cdn_targets": Key("list", help="CDN hostnames/CIDRs; CloudFront and Cloudflare are known"),
        "max_ttl_s": Key("int", threshold="dns_max_ttl_s"),
    },
    "backup": {
        "restore_evidence": Key("str", help="file path or URL holding the last restore test date"),
        "max_restore_age_days": Key("int", threshold="restore_test_max_age_days"),
        "cronjob": Key("str", help="name of the backup CronJob (else found by name/image)"),
        "dr_plan": Key("str", help="repository path of the disaster recovery plan (else searched in docs)"),
    },
    "prometheus": {
        "url": S,
        "token": SECRET,
        "jobs": Key("list", default=[]),
        "business_metrics": L,
        "min_retention_days": Key("int", threshold="prometheus_min_retention_days"),
        "queries": T,
        "ca_file": Key("path", help="CA bundle for an https Prometheus (TLS is always verified)"),
        "workload_targets": Key(
            "bool", default=False, help="require a scrape target per long-running Kubernetes workload"
        ),
        "page_severities": Key(
            "list",
            default=["critical"],
            help="severities that page: need a `for` duration",
        ),
    },
    "alertmanager": {
        "url": S,
        "severities": Key("list", default=["critical", "warning"]),
        "config_file": Key(
            "path", help="the deployed alertmanager.yml: the API masks keys, the file shows placeholders"
        ),
        "ca_file": P,
    },
    "grafana": {
        "url": S,
        "token": SECRET,
        "service_dashboards": L,
        "business_dashboards": L,
        "sla_dashboards": Key("list", help='entries: a title, or "tag:NAME"'),
        "ca_file": P,
    },
    "logging": {
        "kind": Key("str", help='"loki" | "elasticsearch"'),
        "url": S,
        "token": SECRET,
        "services": L,
        "min_retention_days": Key("int", threshold="log_min_retention_days"),
        "sample_lines": Key("int", default=500, help="redaction sample size"),
        "lookback_minutes": Key("int", default=60, help='"recent" window'),
        "service_label": Key("str", default="service_name", help="Loki stream label naming the service"),
        "index": Key("str", default="logs-*", help="Elasticsearch index pattern"),
        "service_field": Key("str", default="service.name", help="Elasticsearch field naming the service"),
        "message_field": Key("str", default="message", help="Elasticsearch field holding the line"),
        "ca_file": P,
    },
    "tracing": {
        "kind": Key("str", help='"jaeger" | "zipkin"'),
        "url": S,
        "services": L,
        "operations": Key("list", help='"service:operation" or "operation"'),
        "ca_file": P,
    },
    "repo": {
        "path": P,
        "schema_file": Key("str", default="scripts/setup-supabase.sql", help="its CREATE TABLEs"),
        "frontend_dir": S,
        "commands": T,
        "command_timeout_s": Key("float", default=600.0),
        "migrations_dir": S,
        "migrations_tool": S,
        "docs": Key(
            "table",
            help="kind -> path or list of globs (architecture, db_schema, deploy_guide, runbooks, ...)",
        ),
        "changelog": S,
        "release_tag": Key("str", help="else the newest git tag"),
        "frontend_pages": Key("list", default=["/"], help="paths loaded in Chromium for console errors"),
        "frontend_required_env": Key("list", help="else every process.env read without a fallback"),
        "frontend_env_files": Key(
            "list", help="extra dotenv files the build reads (relative to frontend_dir)"
        ),
        "python_requirements": Key("list", help="requirement files / pyproject.toml; else discovered"),
        "dev_packages": Key("list", default=[], help="extra names that must stay out of the production set"),
        "rollback_dir": Key("str", help="rollback scripts folder (Supabase writes no down migrations)"),
        "openapi": Key("str", help="OpenAPI document path; else common locations"),
        "api_routes": Key("list", help='"GET /users/{id}" or "/health": every one must be documented'),
        "deploy_paths": Key("list", help="deployment configuration the deployment guide must be newer than"),
        "attestation_urls": Key("table", help="on_call / user_guides / faq / videos -> URL answering 200"),
    },
    "github": {
        "repository": S,
        "token": SECRET,
        "api_url": Key("str", default="https://api.github.com"),
        "ref": S,
    },
    "artifacts": {
        "junit_frontend": Key("path", help="JUnit XML file or folder of *.xml (e.g. jest-junit)"),
        "junit_backend": Key("path", help="pytest --junitxml"),
        "junit_api": P,
        "junit_e2e": P,
        "coverage": Key("path", help="Cobertura XML, lcov.info or coverage.py JSON (backend or combined)"),
        "coverage_frontend": Key("path", help="a second coverage report, judged separately"),
        "k6_summary": Key("path", help="k6 --summary-export or handleSummary JSON"),
        "vulnerability_report": Key("path", help="Trivy or Snyk JSON, file or folder of *.json"),
        "release": Key("str", help="release the k6 run must record (default: [repo] release_tag)"),
    },
    "load": {
        "endpoints": Key("list", help="absolute http(s) URLs, GET only; used with --readiness-load"),
        "rate": Key("float", default=100.0, help="requests per second, at most 5000"),
        "duration_s": Key("float", default=10.0, help="at most 300"),
        "max_requests": Key("int", default=10_000, help="hard cap on the total"),
        "connections": Key("int", default=64, help="keep-alive connection pool"),
    },
    "smoke": {
        "flows": Key("tables", help="[[smoke.flows]] name, item, steps (see probes/smoke.py)"),
        "base_url": Key("str", default="", help="base URL of flows whose steps give a path"),
        "tenant": Key("str", help="the test tenant the flows act on (required: {tenant} placeholder)"),
        "allow_production": Key(
            "bool", help="the flows write test data: on production they run only if true"
        ),
    },
    "hosts": {  # plus named groups {targets, role, ...}: see pytest_readiness/hosts_config.py
        "inventory": Key(
            "path", help="Ansible INI inventory: its groups become groups, the group name the role"
        ),
        "ssh_config": Key("path", help="defaults for every group:"),
        "ssh_identity_file": P,
        "ssh_key_passphrase": SECRET,
        "sudo": B,
        "sudo_user": S,
        "sudo_password": SECRET,
        "timeout_s": Key("float", help="connect/command timeout; default [settings] timeout_s"),
    },
    "thresholds": {},  # validated against pytest_readiness.thresholds.DEFAULTS
}

def default(section: str, key: str) -> Any:
    """The schema's default of ``[section] key`` (for callers without an Environment: tests, benchmarks)."""
    return SCHEMA[section][key].default


#: URL schemes each URL/DSN key accepts (a ``mysql://`` DSN or a base_url without scheme is exit 4).
#: Kept apart from :data:`SCHEMA` so that it merges with other changes to the key table.
_PG, _HTTP = ("postgres", "postgresql"), ("http", "https")
SCHEMES: dict[str, tuple[str, ...]] = {
    "postgres.dsn": _PG,
    "pgbouncer.dsn": _PG,
    "redis.url": ("redis", "rediss", "unix"),
    **{
        key: _HTTP
        for key in (
            "supabase.url",
            "http.base_url",
            "http.api_url",
            "http.privacy_policy_url",
            "http.http_url",
            "http.health_urls",
            "registry.url",
            "prometheus.url",
            "alertmanager.url",
            "grafana.url",
            "logging.url",
            "tracing.url",
            "github.api_url",
            "load.endpoints",
            "smoke.base_url",
        )
    },
}

#: Numeric bounds (exclusive low, inclusive high): a probe timeout of 0, nan, inf or a day is refused.
BOUNDS: dict[str, tuple[float, float]] = {
    "settings.timeout_s": (0.0, 300.0),
    "settings.check_budget_s": (0.0, 3600.0),
}
