"""Throw-away Prometheus and Alertmanager servers for the monitoring/alerting probes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from pytest_readiness.launcher.base import Service, find_binary, http_status, tcp_open

__all__ = ["AlertmanagerServer", "PrometheusServer"]

DEFAULT_PROMETHEUS_CONFIG = """\
global:
  scrape_interval: 15s
  evaluation_interval: 15s
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ["127.0.0.1:{port}"]
"""

DEFAULT_ALERTMANAGER_CONFIG = """\
route:
  receiver: blackhole
receivers:
  - name: blackhole
"""


def _fill(text: str, values: Mapping[str, str]) -> str:
    """str.replace each ``{name}``: YAML may contain braces (templates) that str.format would eat."""
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


class _HttpReadyService(Service):
    """A server that answers ``GET /-/ready`` with 200 once it is ready."""

    ready_path = "/-/ready"
    binary: str
    extra_args: list[str]

    @property
    def config_path(self) -> Path:
        """The generated config file."""
        raise NotImplementedError

    def _argv(self, storage_flag: str, *flags: str) -> list[str]:
        """The binary on its config, ``data`` storage folder and loopback port; then ``flags``."""
        return [
            self.binary,
            f"--config.file={self.config_path}",
            f"{storage_flag}={self.dir / 'data'}",
            f"--web.listen-address={self.host}:{self.port}",
            *flags,
            *self.extra_args,
        ]

    @property
    def url(self) -> str:
        """http://127.0.0.1:<port>."""
        return f"http://{self.host}:{self.port}"

    def is_ready(self) -> bool:
        """TCP open and ``/-/ready`` returns 200."""
        return tcp_open(self.host, self.port) and http_status(self.url + self.ready_path) == 200


class PrometheusServer(_HttpReadyService):
    """Prometheus with config, rule files and TSDB in the temp folder.

    Placeholders in ``config_yaml``: ``{port}``, ``{dir}``, ``{rules_dir}``.  ``rule_files`` maps
    file name -> YAML; if the config has no ``rule_files:`` section one pointing at them is appended.
    """

    name = "prometheus"

    def __init__(
        self,
        config_yaml: str = DEFAULT_PROMETHEUS_CONFIG,
        rule_files: Mapping[str, str] | None = None,
        retention: str = "15d",
        *,
        extra_args: Sequence[str] = (),
        start_timeout: float = 60.0,
        stop_timeout: float = 15.0,
    ) -> None:
        super().__init__(start_timeout=start_timeout, stop_timeout=stop_timeout)
        self.config_yaml = config_yaml
        self.rule_files = dict(rule_files or {})
        self.retention = retention
        self.extra_args = list(extra_args)
        self.binary = find_binary("prometheus", "/usr/bin/prometheus", env="READINESS_PROMETHEUS")

    @property
    def rules_dir(self) -> Path:
        """Folder holding the caller's rule files."""
        return self.dir / "rules"

    @property
    def config_path(self) -> Path:
        """The generated prometheus.yml."""
        return self.dir / "prometheus.yml"

    def prepare(self) -> None:
        """Write rule files and the config (placeholders filled)."""
        self.rules_dir.mkdir()
        (self.dir / "data").mkdir()
        for fname, text in self.rule_files.items():
            (self.rules_dir / fname).write_text(text)
        config = _fill(
            self.config_yaml, {"port": str(self.port), "dir": str(self.dir), "rules_dir": str(self.rules_dir)}
        )
        if self.rule_files and "rule_files:" not in config:
            config = config.rstrip("\n") + f'\nrule_files:\n  - "{self.rules_dir}/*"\n'
        self.config_path.write_text(config)

    def command(self) -> list[str]:
        """prometheus bound to loopback with the requested retention."""
        return self._argv("--storage.tsdb.path", f"--storage.tsdb.retention.time={self.retention}")


class AlertmanagerServer(_HttpReadyService):
    """Alertmanager with clustering disabled; placeholders ``{port}``, ``{dir}`` in the config."""

    name = "alertmanager"

    def __init__(
        self,
        config_yaml: str = DEFAULT_ALERTMANAGER_CONFIG,
        *,
        extra_args: Sequence[str] = (),
        start_timeout: float = 60.0,
        stop_timeout: float = 15.0,
    ) -> None:
        super().__init__(start_timeout=start_timeout, stop_timeout=stop_timeout)
        self.config_yaml = config_yaml
        self.extra_args = list(extra_args)
        self.binary = find_binary(
            "prometheus-alertmanager",
            "/usr/bin/prometheus-alertmanager",
            "/usr/bin/alertmanager",
            env="READINESS_ALERTMANAGER",
        )

    @property
    def config_path(self) -> Path:
        """The generated alertmanager.yml."""
        return self.dir / "alertmanager.yml"

    def prepare(self) -> None:
        """Write the config (placeholders filled) and the storage folder."""
        (self.dir / "data").mkdir()
        self.config_path.write_text(_fill(self.config_yaml, {"port": str(self.port), "dir": str(self.dir)}))

    def command(self) -> list[str]:
        """alertmanager on loopback, no gossip cluster."""
        return self._argv("--storage.path", "--cluster.listen-address=")
