"""Why a check did not run, as exception types the plugin maps to a status (pytest's ``outcomes.py`` style).

A check that cannot run raises one of these instead of a bare ``pytest.skip``; the plugin maps the
*type*, never the message text. Each is a ``pytest.skip.Exception`` so pytest itself reports it as a
skip (and it travels as one under xdist); the readiness kind travels in ``user_properties``.

- ``Unverified``: an automated item that was not checked: its target is not configured, a tool it
  needs is missing, or policy refused the probe. Counts against the gate. The reason says how to fix it.
- ``NotApplicable``: the user declared the item not applicable (``[applicability]``), with a reason.
"""

from __future__ import annotations

from typing import Literal, NoReturn

import pytest

UnverifiedKind = Literal["not_configured", "missing_tool", "refused"]

__all__ = [
    "NotApplicable",
    "Unverified",
    "UnverifiedKind",
    "missing_tool",
    "not_applicable",
    "not_configured",
    "refused",
]


class Unverified(pytest.skip.Exception):  # type: ignore[name-defined,misc]
    """The check did not run; ``kind`` says why (not configured, missing tool, refused by policy)."""

    def __init__(self, kind: UnverifiedKind, reason: str, configure: tuple[str, ...] = ()) -> None:
        super().__init__(reason)
        self.kind: UnverifiedKind = kind
        self.reason = reason
        #: environment keys that would let the check run (``"[postgres] dsn"``), for INCOMPLETE
        self.configure = configure


class NotApplicable(pytest.skip.Exception):  # type: ignore[name-defined,misc]
    """The user declared the item not applicable to this environment, with a reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def not_configured(reason: str, *configure: str) -> NoReturn:
    """The target is not configured: ``reason`` names the section and key to set (``configure`` too)."""
    raise Unverified("not_configured", reason, configure)


def missing_tool(reason: str) -> NoReturn:
    """A tool the check needs is not installed here: ``reason`` names the tool and how to get it."""
    raise Unverified("missing_tool", reason)


def refused(reason: str) -> NoReturn:
    """Policy refused the probe (opt-in flag not given, production): ``reason`` names the flag."""
    raise Unverified("refused", reason)


def not_applicable(reason: str) -> NoReturn:
    """Declared not applicable by the user (``[applicability]``): ``reason`` is theirs."""
    raise NotApplicable(reason)
