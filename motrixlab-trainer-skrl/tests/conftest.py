"""Fixtures: runs under a temporary ``MOTRIXLAB_RUNS_DIR``; helpers live in ``trainer_helpers``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("RUST_LOG", "error")
sys.path.insert(0, str(Path(__file__).parent))  # for ``import trainer_helpers`` (importlib import mode)

import pytest
from motrixlab.plugins import reset_registry


@pytest.fixture
def runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh ``MOTRIXLAB_RUNS_DIR`` for this test."""
    root = tmp_path / "runs"
    monkeypatch.setenv("MOTRIXLAB_RUNS_DIR", str(root))
    monkeypatch.setenv("COLUMNS", "200")
    reset_registry()
    yield root
    reset_registry()


@pytest.fixture(scope="module")
def module_runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ``MOTRIXLAB_RUNS_DIR`` shared by one test module (for a run trained once and inspected often)."""
    root = tmp_path_factory.mktemp("runs")
    old = os.environ.get("MOTRIXLAB_RUNS_DIR")
    os.environ["MOTRIXLAB_RUNS_DIR"] = str(root)
    os.environ["COLUMNS"] = "200"
    yield root
    if old is None:
        os.environ.pop("MOTRIXLAB_RUNS_DIR", None)
    else:
        os.environ["MOTRIXLAB_RUNS_DIR"] = old


@pytest.fixture(scope="session", autouse=True)
def _jax_compilation_cache(tmp_path_factory: pytest.TempPathFactory):
    """Tests keep compiled XLA programs in their own temporary cache, not the user's."""
    if os.environ.get("MOTRIXLAB_JAX_CACHE") is None:
        os.environ["MOTRIXLAB_JAX_CACHE"] = str(tmp_path_factory.mktemp("jax-cache"))
        yield
        os.environ.pop("MOTRIXLAB_JAX_CACHE", None)
    else:
        yield
