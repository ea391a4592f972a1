"""Console errors of pages in headless Chromium, read over the DevTools protocol.

Chromium runs headless with a fresh profile, no background networking and no sandbox (containers),
in its own process group that is killed afterwards.  The DevTools endpoint is read from Chromium's
own ``DevTools listening on ws://...`` line (port 0: no port race).  Collected per page:
``console.error``/``console.assert`` calls, uncaught exceptions and browser log errors (failed
resource loads, CSP violations) until the load event plus a short settle time.  Loading a page is
a GET; serving a production build (``[repo] commands.serve``) runs on the checkout, not production.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.repo.commands import kill_group, spawn
from pytest_readiness.redact import redact

CANDIDATES = (
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
    "/usr/bin/google-chrome-stable",
)
#: A quiet headless Chromium (no network of its own, no first-run UI); also what renders reports in tests.
HEADLESS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--disable-dev-shm-usage",
)
FLAGS = (*HEADLESS, "--remote-debugging-port=0", "--remote-allow-origins=*")
SETTLE_S = 0.5


@dataclass(frozen=True)
class PageConsole:
    url: str
    errors: tuple[str, ...]


def find_chromium() -> str | None:
    """The Chromium binary: ``READINESS_CHROMIUM`` if set (empty or not executable: none), else the
    usual places."""
    override = os.environ.get("READINESS_CHROMIUM")
    if override is not None:
        return override if override and os.access(override, os.X_OK) else None
    for c in CANDIDATES:
        if os.access(c, os.X_OK):
            return c
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@contextlib.contextmanager
def served(command: str, cwd: Path, timeout: float) -> Iterator[str]:
    """Start ``command`` (``{port}`` becomes a free port); yield its base URL while the block runs."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    argv = [a.replace("{port}", str(port)) for a in shlex.split(command)]
    with tempfile.TemporaryFile() as log:
        proc = spawn(argv, cwd, log, "serve", command)
        try:
            deadline = time.monotonic() + timeout
            while True:
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    tail = redact(log.read().decode("utf-8", "replace")[-500:])
                    why = (
                        f"exited with {proc.returncode}"
                        if proc.returncode is not None
                        else f"no port after {timeout:g} s"
                    )
                    raise ProbeError(f"serve: {command!r} {why}; output tail: {tail!r}")
                time.sleep(0.1)
            yield f"http://127.0.0.1:{port}"
        finally:
            kill_group(proc)


class _Cdp:
    """A minimal DevTools client over one browser websocket (flattened target sessions)."""

    def __init__(self, ws_url: str, timeout: float) -> None:
        import websocket

        self.ws = websocket.create_connection(ws_url, timeout=timeout, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def call(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> dict[str, Any]:
        self.next_id += 1
        msg: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.ws.send(json.dumps(msg))
        while True:
            data = json.loads(self.ws.recv())
            if data.get("id") == self.next_id:
                if "error" in data:
                    raise ProbeError(f"DevTools {method}: {data['error'].get('message')}")
                result: dict[str, Any] = data.get("result", {})
                return result
            if "method" in data:
                self.events.append(data)

    def event(self, deadline: float) -> dict[str, Any] | None:
        if self.events:
            return self.events.pop(0)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        self.ws.settimeout(remaining)
        try:
            data: dict[str, Any] = json.loads(self.ws.recv())
        except Exception:  # websocket timeout: the deadline passed
            return None
        return data

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.ws.close()


def _describe(event: dict[str, Any]) -> str | None:
    method, p = event.get("method"), event.get("params", {})
    if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
        args = [str(a.get("value", a.get("description", ""))) for a in p.get("args", [])]
        return "console.error: " + " ".join(args)[:300]
    if method == "Runtime.exceptionThrown":
        d = p.get("exceptionDetails", {})
        text = (d.get("exception") or {}).get("description") or d.get("text", "")
        return "uncaught: " + str(text).splitlines()[0][:300] if text else "uncaught exception"
    if method == "Log.entryAdded" and (p.get("entry") or {}).get("level") == "error":
        e = p["entry"]
        if str(e.get("url", "")).endswith("/favicon.ico"):
            return None  # fetched by the browser itself, not by the page (DevTools hides it too)
        return f"{e.get('source', 'log')}: {str(e.get('text', ''))[:240]}" + (
            f" ({e['url']})" if e.get("url") else ""
        )
    return None


def _start(chromium: str, profile: str, timeout: float, log: Any) -> tuple[subprocess.Popen[bytes], str]:
    proc = subprocess.Popen(
        [chromium, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=log,
        start_new_session=True,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log.seek(0)
        for line in log.read().decode("utf-8", "replace").splitlines():
            if "DevTools listening on " in line:
                return proc, line.split("DevTools listening on ", 1)[1].strip()
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    log.seek(0)
    tail = log.read().decode("utf-8", "replace")[-300:]
    kill_group(proc)
    raise ProbeError(f"Chromium did not open its DevTools endpoint within {timeout:g} s: {tail!r}")


def console_errors(chromium: str, urls: Iterable[str], timeout: float) -> list[PageConsole]:
    """Load each URL in a fresh tab and collect its console errors (bounded by ``timeout`` per page)."""
    out: list[PageConsole] = []
    with (
        tempfile.TemporaryDirectory(prefix="readiness-chromium-") as profile,
        tempfile.TemporaryFile() as log,
    ):
        proc, ws_url = _start(chromium, profile, max(timeout, 15.0), log)
        cdp: _Cdp | None = None
        try:
            cdp = _Cdp(ws_url, timeout)
            for url in urls:
                out.append(_load(cdp, url, timeout))
        finally:
            if cdp is not None:
                cdp.close()
            kill_group(proc)
    return out


def _load(cdp: _Cdp, url: str, timeout: float) -> PageConsole:
    target = cdp.call("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = cdp.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    try:
        for domain in ("Runtime.enable", "Log.enable", "Page.enable"):
            cdp.call(domain, session=session)
        cdp.events = [e for e in cdp.events if e.get("sessionId") != session]  # about:blank noise
        nav = cdp.call("Page.navigate", {"url": url}, session=session)
        if nav.get("errorText"):
            raise ProbeError(f"Chromium could not load {url}: {nav['errorText']}")
        errors: list[str] = []
        deadline = time.monotonic() + timeout
        loaded_at: float | None = None
        while True:
            limit = min(deadline, loaded_at + SETTLE_S) if loaded_at else deadline
            event = cdp.event(limit)
            if event is None:
                break
            if event.get("sessionId") != session:
                continue
            if event.get("method") == "Page.loadEventFired":
                loaded_at = time.monotonic()
            text = _describe(event)
            if text:
                errors.append(redact(text))
        if loaded_at is None:
            raise ProbeError(f"{url}: page did not finish loading within {timeout:g} s")
        return PageConsole(url, tuple(errors))
    finally:
        with contextlib.suppress(ProbeError, Exception):
            cdp.call("Target.closeTarget", {"targetId": target})


def assess_console(pages: Iterable[PageConsole]) -> Assessment:
    findings = [
        Finding(
            p.url,
            list(p.errors[:10]) or "no console error",
            "no console error",
            not p.errors,
            f"{len(p.errors)} error(s)" if p.errors else "",
        )
        for p in pages
    ]
    return Assessment.of("no console errors in the production build", findings, empty_ok=False)
