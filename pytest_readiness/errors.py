"""Exceptions that carry meaning for the verdict.

A probe that cannot decide raises :class:`ProbeError` (never ``AssertionError``): the plugin turns
any non-assertion exception into the item verdict ``error``, so an unreachable target can never
pass or quietly fail.  :class:`ConfigError` is bad input, reported once before any probe runs.
"""

from __future__ import annotations


class ReadinessError(Exception):
    """Base class of the plugin's own errors."""


class ProbeError(ReadinessError):
    """A probe could not decide: unreachable, timed out, refused, unexpected answer, unverifiable."""


class ConfigError(ReadinessError):
    """Bad input (environment, catalog, waiver or attestation file): one line naming file, key and problem."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        self.file = file
        self.key = key
        self.problem = problem
        where = f"{file}: {key}" if key else file
        super().__init__(f"{where}: {problem}")
