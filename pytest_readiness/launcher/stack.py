"""Start several services together and always stop all of them, even when a test blows up."""

from __future__ import annotations

import contextlib
from types import TracebackType
from typing import Self, TypeVar

from pytest_readiness.launcher.base import LauncherError, Service

__all__ = ["ServiceGroup"]

S = TypeVar("S", bound=Service)


class ServiceGroup:
    """Context manager over services started in order and stopped in reverse order.

    ``with ServiceGroup(pg, redis) as group: ...``; services may also be added (and started
    immediately) inside the block with :meth:`add`, e.g. a PgBouncer that needs a running upstream.
    """

    def __init__(self, *services: Service) -> None:
        self.services: list[Service] = list(services)
        self._started: list[Service] = []

    def add(self, service: S) -> S:
        """Start ``service`` now (if the group is running) and stop it with the group."""
        self.services.append(service)
        if self._entered:
            self._start(service)
        return service

    _entered = False

    def _start(self, service: Service) -> None:
        self._started.append(service)  # before start(): a half-started service is cleaned too
        service.start()

    def start(self) -> Self:
        """Start every service in order; on any failure stop those already started and re-raise."""
        self._entered = True
        try:
            for service in self.services:
                if service not in self._started:
                    self._start(service)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop all started services in reverse order; report the first stop failure afterwards."""
        errors: list[BaseException] = []
        while self._started:
            service = self._started.pop()
            try:
                service.stop()
            except Exception as exc:
                errors.append(exc)
        self._entered = False
        if errors:
            raise LauncherError(f"{len(errors)} service(s) failed to stop: {errors[0]}") from errors[0]

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            self.stop()
            return
        with contextlib.suppress(LauncherError):  # don't mask the test's own exception
            self.stop()
