"""The keys an environment file may hold, with their types and which of them are secrets.

One table per section.  An unknown section or key is a configuration error (a typo must not silently
turn a check into ``unverified``).  Kinds: ``str``, ``secret`` (a string never shown in any
output), ``int``, ``float``, ``bool``, ``path`` (relative to the project root), ``list`` (of
strings), ``table`` (free-form mapping), ``tables`` (list of mappings), ``any``, ``sql`` (a string
holding exactly one SQL statement: it runs read-only against the target).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Key:
    kind: str
    help: str = ""

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
        "timeout_s": F,  # per network probe; default 10
        "production": B,  # treat as production (refuses load probes); default: name in prod/production
        "description": S,
        "gate": S,  # lowest severity that must be verified for GO: critical|high|medium|low; default high
    },
    #: "ID-or-glob" = "reason": items that do not apply here (validated against the catalog)
    "applicability": {},
    "postgres": {
        "dsn": SECRET,
        "sslrootcert": P,
        "exposed_schemas": L,  # default ["public"]
        "expected_tables": L,  # else parsed from [repo] schema_file
        "app_roles": L,  # roles the application connects as (RLS bypass check)
        "min_replicas": I,
        "max_replay_lag_s": F,
        "archive_max_age_h": F,
        "monitoring": S,  # "pg_stat_statements" | "exporter"
        "exporter_job": S,
        "rds_instance": S,
        "aws_region": S,
        "require_tls": B,
        "migrations_query": Q,  # one SELECT returning the applied versions
    },
    "pgbouncer": {
        "dsn": SECRET,
        "expected_pool_mode": S,
        "min_max_client_conn": I,
        "databases": L,  # pools judged for waiting clients; default every pool but the console
    },
    "supabase": {
        "url": S,
        "anon_key": SECRET,
        "service_role_key": SECRET,
        "jwt_secret": SECRET,
        "providers": L,  # auth providers that must be enabled (e.g. ["email", "google"])
        "frontend_paths": L,  # searched for the service role key; default [repo] frontend_dir
    },
    "redis": {
        "url": SECRET,
        "ca_file": P,
        "expected_role": S,
        "cluster": B,
        "eviction_policy": S,
        "exporter_job": S,
        "expected_version": S,
    },
    "secrets": {
        "env_file": P,  # default <[repo] path>/.env.production
        "dev_defaults": L,  # extra values that count as development defaults
        "scan_path": P,  # repository scanned by detect-secrets; default [repo] path
    },
    "http": {
        "base_url": S,
        "api_url": S,
        "paths": L,
        "follow_links": I,  # same-origin links of the home page judged too; default 8, 0 = off
        "ca_file": P,
        "verify_tls": B,
        "production_domains": L,
        "cors_endpoints": L,
        "rate_limit_endpoints": L,
        "rate_limit_burst": I,
        "rate_limit_budget_s": F,
        "input_endpoints": L,
        "privacy_policy_url": S,
        "rbac": TS,
        "health_urls": L,
        "session_cookie": S,
        "http_url": S,  # plain-HTTP entry point for the HTTPS redirect check; default http://<base host>/
        "sample_token": SECRET,  # an access token of a test user: its exp - iat is the session lifetime
        "input_max_body_bytes": I,  # oversized-body size of the input-validation probe; default 1 MiB + 1
    },
    "tls": {
        "hosts": L,  # host[:port], default port 443
        "ca_file": P,  # extra trust anchor for internal CAs
        "min_days": I,  # default: threshold tls_min_days
        "mozilla_profile": S,  # modern | intermediate (default) | old | none
    },
    "compliance": {
        "audit_settings": T,  # expected PostgreSQL log_* settings when pgaudit is not used
    },
    "kubernetes": {
        "context": S,  # live: kubeconfig context (else offline [kubernetes] manifests)
        "kubeconfig": P,  # default: $KUBECONFIG or ~/.kube/config
        "namespaces": L,  # default: every namespace
        "manifests": P,  # offline: folder or multi-document YAML (helm template, kubectl get -o yaml)
        "registry": S,  # images must come from here, e.g. "ghcr.io/valueverse"
        "migration_job": S,
        "min_server_version": S,  # default 1.30
        "required_resources": L,  # default requests/limits cpu/memory
        "hpa_min_replicas": I,  # default 2
    },
    "registry": {
        "url": S,  # e.g. https://ghcr.io
        "token": SECRET,  # PAT exchanged at the registry's token endpoint
        "username": S,  # for the token exchange (GHCR accepts any)
        "ca_file": P,
        "tag": S,  # release tag every image must carry
        "repositories": L,  # checked at the release tag in addition to the manifests' images
    },
    "dns": {
        "names": L,
        "nameservers": L,  # default: the system resolver
        "port": I,  # default 53
        "expected_targets": L,  # hostnames (CNAME suffix), IPs or CIDRs the names must reach
        "cdn_targets": L,  # CDN hostnames/CIDRs; CloudFront and Cloudflare are known
        "max_ttl_s": I,
    },
    "backup": {
        "restore_evidence": S,  # file path or URL holding the last restore test date
        "max_restore_age_days": I,
        "cronjob": S,  # name of the backup CronJob (else found by name/image)
        "dr_plan": S,  # repository path of the disaster recovery plan (else searched in docs)
    },
    "prometheus": {
        "url": S,
        "token": SECRET,
        "jobs": L,
        "business_metrics": L,
        "min_retention_days": I,
        "queries": T,
        "ca_file": P,  # CA bundle for an https Prometheus (TLS is always verified)
        "workload_targets": B,  # require a scrape target per long-running Kubernetes workload
        "page_severities": L,  # severities that page (default ["critical"]): need a `for` duration
    },
    "alertmanager": {
        "url": S,
        "severities": L,  # default ["critical", "warning"]
        "config_file": P,  # the deployed alertmanager.yml: the API masks keys, the file shows placeholders
        "ca_file": P,
    },
    "grafana": {
        "url": S,
        "token": SECRET,
        "service_dashboards": L,
        "business_dashboards": L,
        "sla_dashboards": L,  # entries: a title, or "tag:NAME"
        "ca_file": P,
    },
    "logging": {
        "kind": S,  # "loki" | "elasticsearch"
        "url": S,
        "token": SECRET,
        "services": L,
        "min_retention_days": I,
        "sample_lines": I,  # redaction sample size (default 500)
        "lookback_minutes": I,  # "recent" window (default 60)
        "service_label": S,  # Loki stream label naming the service (default service_name)
        "index": S,  # Elasticsearch index pattern (default logs-*)
        "service_field": S,  # Elasticsearch field naming the service (default service.name)
        "message_field": S,  # Elasticsearch field holding the line (default message)
        "ca_file": P,
    },
    "tracing": {
        "kind": S,  # "jaeger" | "zipkin"
        "url": S,
        "services": L,
        "operations": L,  # "service:operation" or "operation"
        "ca_file": P,
    },
    "repo": {
        "path": P,
        "schema_file": S,
        "frontend_dir": S,
        "commands": T,
        "command_timeout_s": F,
        "migrations_dir": S,
        "migrations_tool": S,
        "docs": T,  # kind -> path or list of globs (architecture, db_schema, deploy_guide, runbooks, ...)
        "changelog": S,
        "release_tag": S,  # else the newest git tag
        "frontend_pages": L,  # paths loaded in Chromium for console errors; default ["/"]
        "frontend_required_env": L,  # else every process.env read without a fallback
        "frontend_env_files": L,  # extra dotenv files the build reads (relative to frontend_dir)
        "python_requirements": L,  # requirement files / pyproject.toml; else discovered
        "dev_packages": L,  # extra names that must stay out of the production set
        "rollback_dir": S,  # rollback scripts folder (Supabase writes no down migrations)
        "openapi": S,  # OpenAPI document path; else common locations
        "api_routes": L,  # "GET /users/{id}" or "/health": every one must be documented
        "deploy_paths": L,  # deployment configuration the deployment guide must be newer than
        "attestation_urls": T,  # on_call / user_guides / faq / videos -> URL answering 200
    },
    "github": {
        "repository": S,
        "token": SECRET,
        "api_url": S,
        "ref": S,
    },
    "artifacts": {
        "junit_frontend": P,  # JUnit XML file or folder of *.xml (e.g. jest-junit)
        "junit_backend": P,  # pytest --junitxml
        "junit_api": P,
        "junit_e2e": P,
        "coverage": P,  # Cobertura XML, lcov.info or coverage.py JSON (backend or combined)
        "coverage_frontend": P,  # a second coverage report, judged separately
        "k6_summary": P,  # k6 --summary-export or handleSummary JSON
        "vulnerability_report": P,  # Trivy or Snyk JSON, file or folder of *.json
        "release": S,  # release the k6 run must record (default: [repo] release_tag)
    },
    "load": {
        "endpoints": L,  # absolute http(s) URLs, GET only; used with --readiness-load
        "rate": F,  # requests per second (default 100, at most 5000)
        "duration_s": F,  # default 10, at most 300
        "max_requests": I,  # hard cap on the total (default 10000)
        "connections": I,  # keep-alive connection pool (default 64)
    },
    "smoke": {
        "flows": TS,  # [[smoke.flows]] name, item, steps (see probes/smoke.py)
        "base_url": S,  # default base URL of the flows
        "tenant": S,  # the test tenant the flows act on (required: {tenant} placeholder)
        "allow_production": B,  # the flows write test data: on production they run only if true
    },
    "hosts": {  # plus named groups {targets, role, ...}: see pytest_readiness/hosts_config.py
        "inventory": P,  # Ansible INI inventory: its groups become groups, the group name the role
        "ssh_config": P,  # defaults for every group:
        "ssh_identity_file": P,
        "ssh_key_passphrase": SECRET,
        "sudo": B,
        "sudo_user": S,
        "sudo_password": SECRET,
        "timeout_s": F,  # connect/command timeout; default [settings] timeout_s
    },
    "thresholds": {},  # validated against pytest_readiness.thresholds.DEFAULTS
}

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
BOUNDS: dict[str, tuple[float, float]] = {"settings.timeout_s": (0.0, 300.0)}
