"""A throw-away redis-server configured like the instance under test (persistence, eviction...)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Unpack

import redis as redis_client
from redis.backoff import NoBackoff
from redis.retry import Retry

from pytest_readiness.launcher.base import REDIS, Service, ServicePath, Timeouts, tcp_open

__all__ = ["RedisServer"]


class RedisServer(Service):
    """redis-server on 127.0.0.1:<free port> with its data dir in the temp folder.

    ``config`` adds redis.conf directives verbatim, e.g. ``{"appendonly": "yes", "save": '"900 1"',
    "rename-command": 'CONFIG ""'}``; a sequence value repeats the directive (several
    ``rename-command`` lines).  ``password`` sets ``requirepass``.
    """

    name = "redis"
    binary_spec = REDIS
    start_timeout = 30.0
    conf_path = ServicePath("redis.conf", "The generated redis.conf.")

    def __init__(
        self,
        config: Mapping[str, str | Sequence[str]] | None = None,
        password: str | None = None,
        **timeouts: Unpack[Timeouts],
    ) -> None:
        super().__init__(**timeouts)
        self.config = dict(config or {})
        self.password = password

    @property
    def url(self) -> str:
        """redis://[:password@]127.0.0.1:<port>/0."""
        return self.url_for("redis", "/0", password=self.password or None)

    def prepare(self) -> None:
        """Write redis.conf; launcher settings first so the caller's lines win."""
        lines = [
            f"port {self.port}",
            "bind 127.0.0.1",
            f'dir "{self.dir}"',
            "daemonize no",
            "protected-mode no",
            'logfile ""',
            'save ""',
            "appendonly no",
        ]
        if self.password:
            lines.append(f'requirepass "{self.password}"')
        for key, value in self.config.items():
            values = [value] if isinstance(value, str) else list(value)
            lines.extend(f"{key} {item}".rstrip() for item in values)
        self.conf_path.write_text("\n".join(lines) + "\n")

    def command(self) -> list[str]:
        """redis-server reading the generated config; it logs to stdout."""
        return [self.binary, str(self.conf_path)]

    def client(self, **kwargs: object) -> redis_client.Redis:
        """A redis-py client for test setup; no retries, so a refused poll costs no backoff."""
        options: dict[str, object] = {
            "host": self.host,
            "port": self.port,
            "password": self.password,
            "socket_timeout": 2,
            "socket_connect_timeout": 2,
            "retry": Retry(NoBackoff(), 0),
        }
        options.update(kwargs)
        return redis_client.Redis(**options)  # type: ignore[arg-type]

    def is_ready(self) -> bool:
        """TCP open and PING answered (with auth when a password is set)."""
        if not tcp_open(self.host, self.port):
            return False
        try:
            with self.client() as conn:
                return bool(conn.ping())
        except redis_client.RedisError:
            return False
