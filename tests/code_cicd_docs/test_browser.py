"""Console errors in headless Chromium over the DevTools protocol, the build served by a command."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.repo import browser
from tests.support.code_cicd_docs import write_tree

pytestmark = pytest.mark.skipif(browser.find_chromium() is None, reason="no Chromium on this machine")

PAGES = {
    "index.html": "<html><body><h1>ok</h1><script>console.log('hello')</script></body></html>",
    "broken.html": "<html><body><script>console.error('boom', 42); undefinedFunction();</script>"
    "<img src='/missing.png'></body></html>",
}


def test_console_errors_of_a_served_build(tmp_path: Path) -> None:
    write_tree(tmp_path, PAGES)
    serve = f"{sys.executable} -m http.server {{port}} --bind 127.0.0.1"
    with browser.served(serve, tmp_path, 20) as base:
        # 45 s: Chromium's first start took over 15 s once on the 2-core CI machine while the wheel
        # check ran beside the tests; this test is about what the pages log, not about start-up time
        pages = browser.console_errors(
            browser.find_chromium() or "", [f"{base}/index.html", f"{base}/broken.html"], 45
        )
    clean, broken = pages
    assert clean.errors == ()
    joined = " | ".join(broken.errors)
    assert "console.error: boom 42" in joined and "undefinedFunction" in joined and "404" in joined
    a = browser.assess_console(pages)
    assert not a.ok and [f.ok for f in a.findings] == [True, False]


def test_unreachable_page_is_an_error() -> None:
    with pytest.raises(ProbeError, match="could not load"):
        browser.console_errors(browser.find_chromium() or "", ["http://127.0.0.1:1/"], 10)


def test_serve_command_that_exits_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ProbeError, match="exited with 3"), browser.served("sh -c 'exit 3'", tmp_path, 5):
        pass
