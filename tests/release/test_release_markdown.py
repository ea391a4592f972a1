"""checklist.md: the seed round-trips, verdict marks, sanitised reasons."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from pytest_readiness import attestations, waivers
from pytest_readiness.reporters import markdown
from tests.support.release import CATALOG, SEED, by_id, make_result

LIST_LINE = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+(?P<body>.*\S)\s*$")


def norm(text: str) -> str:
    text = re.sub(r"^\[[ xX]\]\s*", "", text.strip())
    text = text.removeprefix("✅").strip()
    text = re.sub(r"\s*:?\s*_{3,}.*$", "", text)
    text = text.replace("**", "")
    return " ".join(text.split()).rstrip(":")


def seed_titles() -> Counter[str]:
    text = (SEED / "production-readiness-checklist.md").read_text(encoding="utf-8")
    return Counter(norm(m["body"]) for line in text.splitlines() if (m := LIST_LINE.match(line)))


def report_titles(report: str) -> Counter[str]:
    titles = Counter()
    for line in report.splitlines():
        m = LIST_LINE.match(line)
        if m and re.match(r"\[[ x]\]", m["body"]):
            titles[norm(m["body"].split(markdown.SEPARATOR)[0])] += 1
    return titles


def test_every_seed_line_appears_exactly_once() -> None:
    result = make_result(
        {
            "ENV-REDIS-EVICTION": "pass",
            "ENV-REDIS-MAXMEMORY": "fail",
            "SEC-INFRA-TLS": "error",
            "ENV-SUPABASE-RLS": "not_applicable",
        }
    )
    report = markdown.render(result, CATALOG)
    seed, ours = seed_titles(), report_titles(report)
    assert len(seed) > 150
    assert ours == seed, (seed - ours, ours - seed)


def test_verdict_marks_and_notes() -> None:
    result = make_result(
        {
            "ENV-REDIS-EVICTION": "pass",
            "ENV-REDIS-MAXMEMORY": "fail",
            "ENV-REDIS-PERSISTENCE": "fail",
            "ENV-REDIS-PROVISIONED": "error",
            "ENV-REDIS-MONITORING": "not_applicable",
        },
        derive=False,
    )
    waiver = waivers.Waiver(
        "ENV-REDIS-PERSISTENCE", "AOF next sprint", "ops@example.com", "OPS-7", dt.date(2030, 1, 1)
    )
    result["meta"]["waivers"] = waivers.apply(result, [waiver], on=dt.date(2025, 1, 1))
    attestation = attestations.Attestation(
        "SIGNOFF-SECURITY", "alice", dt.date(2025, 1, 1), "https://t.example/1", dt.date(2025, 6, 1)
    )
    attestations.apply(result, [attestation], on=dt.date(2025, 1, 2))
    by_id(result, "ENV-REDIS-MAXMEMORY")["reason"] = "maxmemory 0\n<script>alert(1)</script> | x"
    lines = markdown.render(result, CATALOG).splitlines()

    def find(title: str) -> str:
        return next(line for line in lines if title in line)

    assert find("Eviction policy configured").strip() == "- [x] Eviction policy configured (allkeys-lru)"
    assert find("Memory limits set").strip() == (
        "- [ ] Memory limits set appropriately — **FAIL**: "
        "maxmemory 0 &lt;script&gt;alert(1)&lt;/script&gt; | x"
    )
    assert "**WAIVED** (OPS-7, ops@example.com, until 2030-01-01): AOF next sprint" in find(
        "Persistence configured"
    )
    assert "**ERROR**: error reason of ENV-REDIS-PROVISIONED" in find("Redis cluster provisioned")
    assert find("Monitoring enabled").startswith("  - [ ]")
    assert "N/A" in [line for line in lines if "Monitoring enabled" in line][1]
    assert find("Security Team").startswith("- [x] Security Team — attested by alice on 2025-01-01")
    assert find("**Redis Cache**").startswith("- [ ] **Redis Cache**")
    assert find("Take full database backup").startswith("1. [ ] Take full database backup — manual")
    assert "## Deployment Steps" in lines and "### Phase 2: Database Migration (30 minutes)" in lines
    assert any(line.startswith("**Verdict:** NO-GO") for line in lines)
