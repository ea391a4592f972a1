"""Build commands run on the application's checkout (``npm ci``, ``npm run build``, ``tsc --noEmit``).

This is not a probe of production: the commands run on the local source checkout named by
``[repo] path``, never against a live system.  Each command runs in its own process group with a
time limit; at the limit the whole group is killed (a hanging ``npm`` spawns children) and the item is
``error`` ("timed out after N s"), so one stuck build never stalls the run.  Evidence is the exit
status and the tail of the output with secrets redacted.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from pytest_readiness.assessment import Assessment
from pytest_readiness.errors import ProbeError
from pytest_readiness.redact import redact

TAIL_LINES = 30
TAIL_CHARS = 4000
#: Commands of the frontend items, overridable in ``[repo] commands``.
DEFAULT_COMMANDS: dict[str, str] = {
    "install": "npm ci",
    "build": "npm run build",
    "typescript": "npx --no -- tsc --noEmit",
}


@dataclass(frozen=True)
class CommandResult:
    """What one command did: exit status (None when killed at the limit) and its output tail."""

    name: str
    command: str
    cwd: str
    exit_code: int | None
    timed_out: bool
    timeout_s: float
    duration_s: float
    tail: str


def _tail(text: str) -> str:
    lines = text.rstrip().splitlines()[-TAIL_LINES:]
    out = "\n".join(lines)
    return redact(out[-TAIL_CHARS:])


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process group of a :func:`spawn`-ed command and reap it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


def spawn(
    argv: Sequence[str],
    cwd: Path,
    out: IO[bytes],
    label: str,
    shown: str,
    env: Mapping[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """Start ``argv`` in its own session (so :func:`kill_group` reaches its children), output to ``out``."""
    try:
        return subprocess.Popen(
            argv,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            start_new_session=True,
        )
    except OSError as exc:
        raise ProbeError(f"{label}: cannot run {shown!r}: {exc.strerror or exc}") from None


def run_command(
    name: str,
    command: str | Sequence[str],
    cwd: Path,
    timeout_s: float,
    env: Mapping[str, str] | None = None,
) -> CommandResult:
    """Run ``command`` in ``cwd`` in a new session; kill its whole process group at ``timeout_s``.

    Output goes to a temporary file (not a pipe) so that a grandchild holding the pipe open after
    the kill cannot block us.  A command that cannot start raises :class:`ProbeError`.
    """
    argv = shlex.split(command) if isinstance(command, str) else list(command)
    shown = command if isinstance(command, str) else shlex.join(argv)
    if not argv:
        raise ProbeError(f"{name}: empty command")
    if not cwd.is_dir():
        raise ProbeError(f"{name}: folder {cwd} does not exist")
    started = time.monotonic()
    with tempfile.TemporaryFile() as out:
        proc = spawn(argv, cwd, out, name, shown, env)
        timed_out = False
        try:
            code: int | None = proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            timed_out, code = True, None
        finally:
            # Kill leftovers of the group too (a finished npm may leave a watcher behind).
            kill_group(proc)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    return CommandResult(
        name=name,
        command=redact(shown),
        cwd=str(cwd),
        exit_code=code,
        timed_out=timed_out,
        timeout_s=timeout_s,
        duration_s=round(time.monotonic() - started, 2),
        tail=_tail(text),
    )


def assess_command(result: CommandResult) -> Assessment:
    """Exit status 0 passes; a command killed at its limit cannot decide (``ProbeError``)."""
    if result.timed_out:
        raise ProbeError(
            f"{result.name}: {result.command!r} timed out after {result.timeout_s:g} s "
            f"(killed); output tail: {result.tail[-500:]!r}"
        )
    return Assessment.single(
        f"command {result.name} succeeds",
        f"{result.cwd}$ {result.command}",
        {"exit_code": result.exit_code, "duration_s": result.duration_s, "output_tail": result.tail},
        {"exit_code": 0},
        result.exit_code == 0,
        "" if result.exit_code == 0 else "command failed; see output_tail",
    )
