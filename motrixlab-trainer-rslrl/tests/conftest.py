"""Fixtures: runs under a temporary ``MOTRIXLAB_RUNS_DIR``."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("RUST_LOG", "error")

import pytest
from motrixlab.plugins import reset_registry


@pytest.fixture(scope="module")
def module_runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ``MOTRIXLAB_RUNS_DIR`` shared by one test module (a run trained once and inspected often)."""
    root = tmp_path_factory.mktemp("runs")
    saved = {k: os.environ.get(k) for k in ("MOTRIXLAB_RUNS_DIR", "COLUMNS")}
    os.environ.update(MOTRIXLAB_RUNS_DIR=str(root), COLUMNS="200")
    reset_registry()
    yield root
    reset_registry()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture
def runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "runs"
    monkeypatch.setenv("MOTRIXLAB_RUNS_DIR", str(root))
    monkeypatch.setenv("COLUMNS", "200")
    reset_registry()
    yield root
    reset_registry()
