"""readiness.html: self-contained, escaped, small, and visibly rendered by headless Chromium."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from pytest_readiness import drift
from pytest_readiness.probes.repo import browser
from pytest_readiness.reporters import html
from tests.support.release import CATALOG, by_id, make_result

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HOSTILE = '<script>alert("x")</script><img src="https://evil.example/p.png" onerror="x()">'


class Page(HTMLParser):
    """Collects what matters: tags, resource references, text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.resources: list[tuple[str, str, str]] = []
        self.text: list[str] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name == "id" and value:
                self.ids.append(value)
            if name in ("src", "srcset", "data", "poster") or (tag == "link" and name == "href"):
                self.resources.append((tag, name, value or ""))
            if name.startswith("on"):
                self.resources.append((tag, name, value or ""))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def sample() -> dict[str, Any]:
    evidence = {
        "ENV-REDIS-MAXMEMORY": [
            {
                "check": "maxmemory",
                "ok": False,
                "checked": 1,
                "failed": 1,
                "omitted": 0,
                "findings": [
                    {
                        "subject": "redis://cache:6379",
                        "observed": 0,
                        "expected": "> 0",
                        "ok": False,
                        "note": HOSTILE,
                    }
                ],
            }
        ],
        "SEC-INFRA-HEADERS": [
            {
                "check": "headers",
                "ok": False,
                "checked": 2,
                "failed": 1,
                "omitted": 0,
                "findings": [
                    {
                        "subject": "https://app/ header Content-Security-Policy",
                        "observed": None,
                        "expected": "present",
                        "ok": False,
                        "note": "",
                    },
                    {
                        "subject": "https://app/ header Strict-Transport-Security",
                        "observed": "max-age=63072000",
                        "expected": ">= 31536000",
                        "ok": True,
                        "note": "",
                    },
                ],
            }
        ],
    }
    result = make_result(
        {
            "ENV-REDIS-EVICTION": "pass",
            "ENV-REDIS-MAXMEMORY": "fail",
            "SEC-INFRA-HEADERS": "fail",
            "ENV-REDIS-PROVISIONED": "error",
            "SEC-INFRA-TLS": "pass",
            "ENV-SUPABASE-RLS": "not_applicable",
        },
        evidence=evidence,
    )
    by_id(result, "ENV-REDIS-MAXMEMORY")["reason"] = "maxmemory is 0 " + HOSTILE
    result["meta"]["drift"] = drift.compare(
        {"ENV-REDIS-MAXMEMORY": "pass", "ENV-REDIS-EVICTION": "fail"},
        drift.statuses(result),
        "reports/previous/readiness.json",
    )
    result["meta"]["waivers"] = {
        "applied": [],
        "expired": [{"id": "SEC-INFRA-CSP", "expires": "2025-01-01"}],
        "unused": ["ENV-POSTGRES-BACKUPS"],
    }
    return dict(result)


def test_page_is_self_contained_escaped_and_complete() -> None:
    page_text = html.render(sample())  # type: ignore[arg-type]
    page = Page()
    page.feed(page_text)
    assert "script" not in page.tags and "img" not in page.tags and "link" not in page.tags
    assert page.resources == []
    assert "http://" not in page_text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    text = " ".join(page.text)
    assert HOSTILE in text  # shown as text, not markup
    assert "NO-GO" in text and "prod" in text and "abc1234" in text and "pytest-readiness 0.1.0" in text
    assert "svg" in page.tags and "rect" in page.tags
    # every catalog item, with an anchor
    assert set(CATALOG.ids()) <= set(page.ids)
    # evidence observed vs expected, remediation, tests, drift
    assert "Content-Security-Policy" in text and "max-age=63072000" in text and ">= 31536000" in text
    assert by_id(sample(), "ENV-REDIS-MAXMEMORY")["remediation"] in text
    assert "suites/test_x.py::test_env-redis-maxmemory" in text
    assert "Drift against reports/previous/readiness.json" in text and "Regressions" in text
    assert "Waiver for SEC-INFRA-CSP expired on 2025-01-01" in text


def test_page_stays_under_one_megabyte_with_huge_evidence() -> None:
    big = "x" * 5000
    record = {
        "check": "c",
        "ok": False,
        "checked": 60,
        "failed": 50,
        "omitted": 0,
        "findings": [
            {"subject": big, "observed": {"k": [big] * 5}, "expected": "<" * 3000, "ok": False, "note": big}
            for _ in range(60)
        ],
    }
    result = make_result(
        {i: "fail" for i in CATALOG.ids()}, evidence={i: [record, record] for i in CATALOG.ids()}
    )
    page_text = html.render(result)
    assert len(page_text.encode()) < 1_000_000
    assert "more finding(s) in readiness.json" in page_text


def _png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB/RGBA PNG (what Chromium writes) into rows of pixels."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and color in (2, 6)
            bpp = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        ftype, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 255
            elif ftype == 2:
                line[i] = (line[i] + b) & 255
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(pixel for x in range(width) for pixel in line[x * bpp : x * bpp + 3]))
        prev = line
    return width, height, rows


def chromium(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CHROMIUM, *browser.HEADLESS, "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium not installed")
def test_chromium_renders_the_summary(tmp_path: Path) -> None:
    report = html.write(sample(), tmp_path)  # type: ignore[arg-type]
    dom = chromium(["--dump-dom", report.as_uri()], tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    page = Page()
    page.feed(dom.stdout)
    assert "NO-GO" in " ".join(page.text) and "summary" in page.ids
    shot = tmp_path / "shot.png"
    done = chromium([f"--screenshot={shot}", "--window-size=1200,900", report.as_uri()], tmp_path)
    assert shot.exists(), done.stderr[-2000:]
    width, _height, rows = _png_pixels(shot)
    # the NO-GO banner (#cf222e) is painted near the top of the first screen
    red = sum(
        1 for row in rows[:200] for x in range(0, width * 3, 3) if row[x : x + 3] == bytes((0xCF, 0x22, 0x2E))
    )
    assert red > 5000, red
    # and the verdicts-per-section chart shows at least the pass green somewhere on the page
    assert json.dumps("ok")
