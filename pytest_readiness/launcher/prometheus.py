"""Throw-away Prometheus and Alertmanager servers for the monitoring/alerting probes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import ClassVar, Unpack

from pytest_readiness.launcher.base import (
    ALERTMANAGER,
    PROMETHEUS,
    Service,
    ServicePath,
    Timeouts,
    http_status,
    tcp_open,
)

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
    """A Prometheus-family server: ``<name>.yml`` config, ``data`` storage, ready on ``GET /-/ready``.

    ``config_yaml`` (default :attr:`default_config`) may hold ``{port}`` and ``{dir}`` placeholders.
    """

    ready_path = "/-/ready"
    default_config: ClassVar[str]
    data_dir = ServicePath("data", "Storage folder (the TSDB, or silences and notifications).")

    def __init__(
        self, config_yaml: str | None = None, *, extra_args: Sequence[str] = (), **timeouts: Unpack[Timeouts]
    ) -> None:
        super().__init__(**timeouts)
        self.config_yaml = self.default_config if config_yaml is None else config_yaml
        self.extra_args = list(extra_args)

    @property
    def config_path(self) -> Path:
        """The generated ``<name>.yml``."""
        return self.dir / f"{self.name}.yml"

    @property
    def url(self) -> str:
        """http://127.0.0.1:<port>."""
        return self.url_for("http")

    def placeholders(self) -> dict[str, str]:
        """Values of the ``{name}`` placeholders in the caller's config."""
        return {"port": str(self.port), "dir": str(self.dir)}

    def config_text(self) -> str:
        """The caller's config with its placeholders filled."""
        return _fill(self.config_yaml, self.placeholders())

    def prepare(self) -> None:
        """Create the storage folder and write the config."""
        self.data_dir.mkdir()
        self.config_path.write_text(self.config_text())

    def _argv(self, storage_flag: str, *flags: str) -> list[str]:
        """The binary on its config, ``data`` storage folder and loopback port; then ``flags``."""
        return [
            self.binary,
            f"--config.file={self.config_path}",
            f"{storage_flag}={self.data_dir}",
            f"--web.listen-address={self.host}:{self.port}",
            *flags,
            *self.extra_args,
        ]

    def is_ready(self) -> bool:
        """TCP open and ``/-/ready`` returns 200."""
        return tcp_open(self.host, self.port) and http_status(self.url + self.ready_path) == 200


class PrometheusServer(_HttpReadyService):
    """Prometheus with config, rule files and TSDB in the temp folder.

    Placeholders in ``config_yaml``: ``{port}``, ``{dir}``, ``{rules_dir}``.  ``rule_files`` maps
    file name -> YAML; if the config has no ``rule_files:`` section one pointing at them is appended.
    """

    name = "prometheus"
    default_config = DEFAULT_PROMETHEUS_CONFIG
    binary_spec = PROMETHEUS
    rules_dir = ServicePath("rules", "Folder holding the caller's rule files.")

    def __init__(
        self,
        config_yaml: str | None = None,
        rule_files: Mapping[str, str] | None = None,
        retention: str = "15d",
        *,
        extra_args: Sequence[str] = (),
        **timeouts: Unpack[Timeouts],
    ) -> None:
        super().__init__(config_yaml, extra_args=extra_args, **timeouts)
        self.rule_files = dict(rule_files or {})
        self.retention = retention

    def placeholders(self) -> dict[str, str]:
        """``{port}``, ``{dir}`` and ``{rules_dir}``."""
        return {**super().placeholders(), "rules_dir": str(self.rules_dir)}

    def config_text(self) -> str:
        """The filled config, with a ``rule_files:`` section appended when rules were given."""
        config = super().config_text()
        if self.rule_files and "rule_files:" not in config:
            config = config.rstrip("\n") + f'\nrule_files:\n  - "{self.rules_dir}/*"\n'
        return config

    def prepare(self) -> None:
        """Write rule files, then the storage folder and config."""
        self.rules_dir.mkdir()
        for fname, text in self.rule_files.items():
            (self.rules_dir / fname).write_text(text)
        super().prepare()

    def command(self) -> list[str]:
        """prometheus bound to loopback with the requested retention."""
        return self._argv("--storage.tsdb.path", f"--storage.tsdb.retention.time={self.retention}")


class AlertmanagerServer(_HttpReadyService):
    """Alertmanager with clustering disabled; placeholders ``{port}``, ``{dir}`` in the config."""

    name = "alertmanager"
    default_config = DEFAULT_ALERTMANAGER_CONFIG
    binary_spec = ALERTMANAGER

    def command(self) -> list[str]:
        """alertmanager on loopback, no gossip cluster."""
        return self._argv("--storage.path", "--cluster.listen-address=")
