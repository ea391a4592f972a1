"""Code coverage reports: Cobertura XML (coverage.py ``coverage xml``, jest, istanbul, coverlet,
gcovr), ``lcov.info`` (lcov, llvm-cov ``export -format=lcov``, c8) and coverage.py JSON.

The headline figure is the one each tool prints: Cobertura's ``line-rate``, lcov's ``LH/LF`` summed
over files (``DA:`` lines counted for a record without ``LF:``), coverage.py's
``totals.percent_covered`` (which includes branches when measured).  Files are read as the tools
write them on every platform: a UTF-8 byte-order mark (coverlet on Windows) and CRLF line ends are
accepted.  A report that measured zero lines proves nothing and fails; one that lacks the figures
is an error naming what is missing.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.artifacts import check_size

__all__ = ["CoverageFacts", "assess_coverage", "parse_coverage"]

MAX_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class CoverageFacts:
    """One coverage report's totals."""

    path: str
    format: str  # "cobertura" | "lcov" | "coverage.py-json"
    percent: float
    covered: int
    total: int


def _cobertura(path: Path, text: str) -> CoverageFacts:
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise ProbeError(f"coverage report {path} is not well-formed XML: {exc}") from None
    if root.tag != "coverage":
        raise ProbeError(f"{path} is not a Cobertura report (root element <{root.tag}>)")
    valid, covered = root.get("lines-valid"), root.get("lines-covered")
    rate = root.get("line-rate")
    try:
        if valid is not None and covered is not None:
            total, hit = int(valid), int(covered)
            percent = 100.0 * hit / total if total else 0.0
        elif rate is not None:
            lines = list(root.iter("line"))
            total, hit = len(lines), sum(1 for ln in lines if int(ln.get("hits", "0") or 0) > 0)
            percent = 100.0 * float(rate)
        else:
            raise ProbeError(f"Cobertura report {path} has neither lines-valid/lines-covered nor line-rate")
    except ValueError:
        raise ProbeError(
            f"Cobertura report {path}: unreadable line figures (lines-valid={valid!r}, "
            f"lines-covered={covered!r}, line-rate={rate!r})"
        ) from None
    return CoverageFacts(str(path), "cobertura", percent, hit, total)


def _lcov(path: Path, text: str) -> CoverageFacts:
    """Sum ``LF``/``LH`` per record; a record without them counts its ``DA:line,hits`` lines."""
    found = hit = 0
    seen = False
    lf: int | None = None
    lh: int | None = None
    da_found = da_hit = 0
    try:
        for raw in text.splitlines():
            line = raw.strip()
            if line.startswith("LF:"):
                lf = int(line[3:])
            elif line.startswith("LH:"):
                lh = int(line[3:])
            elif line.startswith("DA:"):
                da_found += 1
                fields = line[3:].split(",")
                da_hit += 1 if len(fields) > 1 and fields[1].strip() not in ("0", "-") else 0
            elif line == "end_of_record":
                if lf is not None or da_found:
                    seen = True
                    found += lf if lf is not None else da_found
                    hit += lh if lf is not None and lh is not None else da_hit
                lf = lh = None
                da_found = da_hit = 0
    except ValueError:
        raise ProbeError(f"lcov report {path}: unreadable LF:/LH: record") from None
    if lf is not None or da_found:  # last record without end_of_record
        seen = True
        found += lf if lf is not None else da_found
        hit += lh if lf is not None and lh is not None else da_hit
    if not seen:
        raise ProbeError(f"lcov report {path} has no LF: or DA: record (no line was measured)")
    return CoverageFacts(str(path), "lcov", 100.0 * hit / found if found else 0.0, hit, found)


def _coverage_json(path: Path, text: str) -> CoverageFacts:
    try:
        data = json.loads(text)
        totals = data["totals"]
        percent = float(totals["percent_covered"])
        total = int(totals["num_statements"]) + int(totals.get("num_branches", 0))
        covered = int(totals["covered_lines"]) + int(totals.get("covered_branches", 0))
    except (ValueError, KeyError, TypeError) as exc:
        raise ProbeError(
            f"{path} is not a coverage.py JSON report ({exc.__class__.__name__}: {exc})"
        ) from None
    return CoverageFacts(str(path), "coverage.py-json", percent, covered, total)


def parse_coverage(path: Path) -> CoverageFacts:
    """Detect the format from the content (not only the name) and read the totals."""
    if not path.is_file():
        raise ProbeError(f"coverage report {path} not found")
    check_size(path, "coverage report", MAX_BYTES)
    text = path.read_bytes().decode("utf-8-sig", errors="replace")  # BOM of .NET tools dropped
    head = text.lstrip()[:200]
    if head.startswith("<"):
        return _cobertura(path, text)
    if head.startswith("{"):
        return _coverage_json(path, text)
    if "SF:" in text or "LF:" in text:
        return _lcov(path, text)
    raise ProbeError(
        f"unrecognised coverage report format: {path} (Cobertura XML, lcov.info or coverage.py JSON)"
    )


def assess_coverage(reports: list[CoverageFacts], min_percent: float) -> Assessment:
    """Each configured report strictly above the threshold ("coverage > 70 %")."""
    return Assessment.of(
        f"code coverage above {min_percent:g} %",
        [
            Finding(
                f"{r.format} {r.path}",
                round(r.percent, 2),
                f"> {min_percent:g} %",
                r.total > 0 and r.percent > min_percent,
                f"{r.covered}/{r.total} covered" if r.total else "the report measured nothing",
            )
            for r in reports
        ],
        empty_ok=False,
    )
