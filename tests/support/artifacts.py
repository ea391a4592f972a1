"""Builders of artifact files (k6/Locust summaries, Trivy reports) for the artifacts and suite tests."""

from __future__ import annotations

import json
from pathlib import Path

RELEASE = "v2.4.1"


def summary_export(
    p95: float = 420.0,
    rate: float = 150.0,
    failed: float = 0.001,
    threshold_failed: bool = False,
    release_metric: bool = True,
) -> dict:
    """The documented --summary-export shape (values directly under the metric; threshold true = failed)."""
    metrics = {
        "http_reqs": {"count": 9000, "rate": rate},
        "http_req_duration": {
            "avg": 120.0,
            "min": 3.1,
            "med": 95.0,
            "max": 2400.0,
            "p(90)": 300.0,
            "p(95)": p95,
            "thresholds": {"p(95)<2000": threshold_failed},
        },
        "http_req_failed": {"passes": 9, "fails": 8991, "value": failed, "thresholds": {"rate<0.01": False}},
        "vus": {"value": 20, "min": 1, "max": 50},
    }
    if release_metric:
        metrics[f"http_reqs{{release:{RELEASE}}}"] = {
            "count": 9000,
            "rate": rate,
            "thresholds": {"count>0": False},
        }
    return {
        "root_group": {"name": "", "path": "", "id": "d41d8cd9", "groups": {}, "checks": {}},
        "metrics": metrics,
    }


def handle_summary(p95: float = 420.0, ok: bool = True, with_release: bool = True) -> dict:
    """The documented handleSummary(data) shape (values under .values, thresholds {ok})."""
    data = {
        "options": {
            "summaryTrendStats": ["avg", "min", "med", "max", "p(95)", "p(99)"],
            "summaryTimeUnit": "",
            "noColor": False,
        },
        "state": {"isStdOutTTY": False, "isStdErrTTY": False, "testRunDurationMs": 60000.5},
        "metrics": {
            "http_reqs": {
                "type": "counter",
                "contains": "default",
                "values": {"count": 12000, "rate": 200.0},
            },
            "http_req_duration": {
                "type": "trend",
                "contains": "time",
                "values": {"avg": 100.0, "min": 2.0, "med": 80.0, "max": 900.0, "p(95)": p95, "p(99)": 700.0},
                "thresholds": {"p(95)<2000": {"ok": ok}},
            },
            "http_req_failed": {
                "type": "rate",
                "contains": "default",
                "values": {"rate": 0.002, "passes": 24, "fails": 11976},
            },
        },
        "root_group": {"name": "", "path": "", "id": "d41d8cd9", "groups": [], "checks": []},
    }
    if with_release:
        data["setup_data"] = {"version": RELEASE}
    return data


def write(tmp_path: Path, name: str, data: dict) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def trivy(vulns: list[tuple[str, str]]) -> dict:
    """Trivy's documented JSON (SchemaVersion 2): Results[].Vulnerabilities[] with Severity."""
    return {
        "SchemaVersion": 2,
        "CreatedAt": "2024-05-01T10:00:00Z",
        "ArtifactName": f"registry/app:{RELEASE}",
        "ArtifactType": "container_image",
        "Results": [
            {
                "Target": f"registry/app:{RELEASE} (debian 12.5)",
                "Class": "os-pkgs",
                "Type": "debian",
                "Vulnerabilities": [
                    {
                        "VulnerabilityID": vid,
                        "PkgName": "openssl",
                        "InstalledVersion": "3.0.11-1",
                        "FixedVersion": "3.0.13-1",
                        "Severity": sev,
                    }
                    for vid, sev in vulns
                ]
                or None,
            },
            {"Target": "app/requirements.txt", "Class": "lang-pkgs", "Type": "pip"},
        ],
    }
