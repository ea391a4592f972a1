"""Exceptions that carry meaning for the verdict.

A probe that cannot decide raises :class:`ProbeError` (never ``AssertionError``): the plugin turns
any non-assertion exception into the item verdict ``error``, so an unreachable target can never
pass or quietly fail.  :class:`ConfigError` is bad input, reported once before any probe runs.
"""

from __future__ import annotations

from pathlib import Path


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


def read_config_text(path: Path, missing: str = "file not found") -> str:
    """The text of an input file, or the one-line :class:`ConfigError` saying why it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), "", missing) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), "", f"cannot read: {exc}") from None
