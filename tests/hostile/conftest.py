"""Fixtures of the hostile-target tests (helpers live in ``tests/support/hostile.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.support import hostile


@pytest.fixture
def serve() -> Iterator[Callable[[hostile.Handler], hostile.Server]]:
    """``serve(handler)`` starts a misbehaving loopback server, closed after the test."""
    servers: list[hostile.Server] = []

    def start(handler: hostile.Handler) -> hostile.Server:
        server = hostile.Server(handler)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()
