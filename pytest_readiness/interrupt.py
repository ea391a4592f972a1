"""SIGTERM handled like SIGINT: a CI timeout or a pod eviction still ends with reports, marked incomplete.

pytest turns SIGINT into ``KeyboardInterrupt``, finishes the session (our reports are written with
``meta.incomplete`` and never a GO) and exits 2.  SIGTERM's default is to die on the spot, leaving no
report, or the previous run's.  The handler raises the same exception, once: a second SIGTERM while
the reports are written is ignored (SIGKILL still ends everything).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from types import FrameType
from typing import Any

_previous: Any = None
#: Set when a run is interrupted, whatever pytest's exit path then does (its own interrupt handling can
#: fail, e.g. when the signal lands while it formats a traceback): the collector reads it.
interrupted: str | None = None
#: Worker processes (pytest-xdist) to pass the interruption on to: a worker in the middle of a long
#: check would otherwise keep xdist's shutdown waiting (10 s) before it is killed.
_children: set[int] = set()


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    global interrupted
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    interrupted = "SIGTERM"
    for pid in sorted(_children):
        with contextlib.suppress(OSError):  # already gone
            os.kill(pid, signal.SIGINT)  # the worker's pytest ends its check as on Ctrl-C
    raise KeyboardInterrupt("SIGTERM")


def add_child(pid: int) -> None:
    """A worker process to get SIGINT when this run gets SIGTERM (a terminal's Ctrl-C reaches it anyway)."""
    _children.add(pid)


def note(reason: str) -> None:
    """Record an interruption seen another way (``pytest_keyboard_interrupt`` for Ctrl-C)."""
    global interrupted
    interrupted = interrupted or reason


def install() -> None:
    """Route SIGTERM to ``KeyboardInterrupt`` (main thread only: signals cannot be set elsewhere)."""
    global _previous, interrupted
    interrupted = None
    _children.clear()
    if threading.current_thread() is threading.main_thread() and _previous is None:
        _previous = signal.signal(signal.SIGTERM, _on_sigterm)


def restore() -> None:
    global _previous
    if _previous is not None and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _previous)
        _previous = None
