"""``readiness demo`` says what is missing (the testing extra, a server binary) before starting anything."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from pytest_readiness import cli, demo
from pytest_readiness.launcher import base


def test_missing_trustme_and_binary_are_named_before_any_service_starts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "trustme" else real_find_spec(name, *a)
    )
    monkeypatch.setenv("READINESS_NGINX", str(tmp_path / "no-nginx"))
    started: list[object] = []
    monkeypatch.setattr(base.Service, "start", lambda self: started.append(self))
    monkeypatch.chdir(tmp_path)
    assert cli.main(["demo"]) == 4
    err = capsys.readouterr().err
    assert "pip install 'pytest-readiness[testing]'" in err
    assert "READINESS_NGINX" in err
    assert started == [] and not (tmp_path / "reports").exists()


def test_everything_present_here() -> None:
    assert demo.missing_prerequisites() == []
