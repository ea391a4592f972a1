"""The checklist's numbers, overridable per environment in ``[thresholds]``."""

from __future__ import annotations

DEFAULTS: dict[str, float | int | str] = {
    # Success criteria and load testing
    "p50_ms": 500,
    "p95_ms": 2000,
    "p99_ms": 5000,
    "error_rate_percent": 0.5,
    "availability_percent": 99.9,
    "throughput_rps": 100,
    "cpu_percent": 70,
    "memory_percent": 80,
    "db_connections_percent": 80,
    "memory_growth_percent_per_h": 10,  # "no memory leak": fitted growth per hour, percent of current
    # a growth rate fitted over less history than this (a freshly started process) is not evidence
    "trend_min_history_s": 3600,
    "deadlock_window_s": 5,  # pg_stat_database.deadlocks sampled twice this far apart
    # Testing
    "coverage_percent": 70,
    "vulnerability_severity": "CRITICAL",
    # Rollback triggers
    "rollback_error_rate_percent": 5,
    "rollback_p95_ms": 5000,
    # Security
    "tls_min_days": 30,
    "hsts_min_age_s": 15552000,
    "jwt_max_lifetime_s": 3600,
    # Infrastructure / data
    "archive_max_age_h": 26,
    "restore_test_max_age_days": 90,
    "dns_max_ttl_s": 300,
    "replica_max_lag_s": 30,
    "pool_max_wait_s": 1,  # a PgBouncer client waiting this long for a server connection is a finding
    "prometheus_min_retention_days": 15,
    "log_min_retention_days": 30,
    # Alerting: a paging alert must hold this long before it fires (flapping guard)
    "alert_page_min_for_s": 60,
    # Code & dependencies: a pod restarted more often than this did not start cleanly
    "pod_max_restarts": 3,
}
