"""Metrics, alerts, dashboards, logs and traces: Prometheus, Alertmanager, Grafana, Loki."""
