"""Fixtures: a cartpole policy trained once per session (about 25k env steps) and exported to ONNX."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("RUST_LOG", "error")
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("MUJOCO_GL", "egl")  # offscreen rendering for the video test (read when mujoco loads)
sys.path.insert(0, str(Path(__file__).parent))  # for ``import deploy_helpers`` (importlib import mode)

import pytest
from deploy_helpers import export, train
from motrixlab_testenv.configs import CARTPOLE_FAST


@pytest.fixture(scope="session")
def runs_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("runs")
    old = os.environ.get("MOTRIXLAB_RUNS_DIR")
    os.environ["MOTRIXLAB_RUNS_DIR"] = str(root)
    os.environ["COLUMNS"] = "200"
    yield root
    if old is None:
        os.environ.pop("MOTRIXLAB_RUNS_DIR", None)
    else:
        os.environ["MOTRIXLAB_RUNS_DIR"] = old


@pytest.fixture(scope="session")
def cartpole_onnx(runs_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A balancing cartpole policy, exported with its deploy description."""
    out = tmp_path_factory.mktemp("export") / "cartpole.onnx"
    train("cartpole", 24_576, CARTPOLE_FAST)
    export("cartpole", out)
    return out


@pytest.fixture(scope="session")
def slider_run(runs_dir: Path) -> None:
    """A (barely trained) run of the test env, which does not describe itself for deployment."""
    train("test-slider", 1024, ("rl.num_envs=8", "rl.rollouts=8", "rl.eval_interval=0"))
