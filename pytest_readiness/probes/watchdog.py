"""A wall-clock bound for a client whose own timeouts are per read: it fires once, from a timer thread.

Why: socket timeouts bound each read, so a server that drips one byte per read (or a frozen server a
protocol library keeps waiting on) can hold a probe for ever.  At the deadline ``fire`` drops the
connection (shuts its socket down); the blocked call returns with an error and the probe, seeing
:attr:`Watchdog.expired`, reports "no answer within N s".  Used by the PostgreSQL/PgBouncer
deadlines and the Redis probe; HTTP has its own in :mod:`pytest_readiness.probes.transport`.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["Watchdog", "watchdog"]


class Watchdog:
    """Whether the deadline passed (the connection was then dropped and is unusable)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False


@contextmanager
def watchdog(
    seconds: float,
    fire: Callable[[], None],
    settle_s: float = 1.0,
    cleanup: Callable[[], None] | None = None,
) -> Iterator[Watchdog]:
    """Run the block; at ``seconds`` call ``fire`` (once). If it fired, wait up to ``settle_s`` for it
    to finish after the block, then call ``cleanup`` (e.g. close the dropped connection)."""
    state = Watchdog(seconds)

    def on_time() -> None:
        state.expired = True
        fire()

    timer = threading.Timer(seconds, on_time)
    timer.daemon = True
    timer.start()
    try:
        yield state
    finally:
        timer.cancel()
        if state.expired:
            timer.join(settle_s)
            if cleanup is not None:
                with contextlib.suppress(Exception):
                    cleanup()
