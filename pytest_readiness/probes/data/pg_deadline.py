"""Client-side deadlines for PostgreSQL and PgBouncer connections.

Why: ``statement_timeout`` is enforced by the server, which is exactly the thing that may have
frozen (or a network partition swallows its answers): a query would then wait forever.  A timer
cancels the query (bounded) and shuts the connection's socket down at the deadline; the blocked
call returns with an error and the probe reports "no answer within N s".
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from pytest_readiness.probes.watchdog import Watchdog, watchdog

__all__ = ["GRACE_S", "deadline", "dropped"]

GRACE_S = 0.5  # past the server's statement_timeout, so a live server's own error comes first
CANCEL_S = 1.0  # a cancel request needs a new connection: bounded, the server may be frozen


@contextmanager
def deadline(conn: psycopg.Connection[Any], seconds: float) -> Iterator[Watchdog]:
    """Run the block with ``conn``; at ``seconds`` cancel its query and drop the connection."""

    def fire() -> None:
        with contextlib.suppress(Exception):
            conn.cancel_safe(timeout=CANCEL_S)
        _shutdown(conn)

    with watchdog(seconds, fire, settle_s=CANCEL_S + 1, cleanup=conn.close) as state:
        yield state


def dropped(what: str, limit: float) -> str:
    """The one wording of a deadline that fired (the item's ``error`` reason)."""
    return f"{what}: no answer within {limit:g} s (query cancelled, connection dropped)"


def _shutdown(conn: psycopg.Connection[Any]) -> None:
    """Shut the socket down through a duplicate descriptor (the connection's own stays libpq's)."""
    try:
        fd = os.dup(conn.pgconn.socket)
    except (OSError, psycopg.Error):
        return
    sock = socket.socket(fileno=fd)
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    finally:
        sock.close()
