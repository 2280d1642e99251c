"""A training process SIGKILLed at random moments (amid checkpoint writes, pruning and evaluations)
leaves a run that evaluates and resumes without losing steps: the CI-sized ``benchmarks/kill_trials.py``.

The training is a real process killed for real; the evaluation and the resumed training run in this
process (the CLI's ``main``) to keep the test to seconds.
"""

from __future__ import annotations

import importlib.util
import json
import random
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "kill_trials.py"


def _load_benchmark():
    spec = importlib.util.spec_from_file_location("kill_trials", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("kill_trials", module)
    spec.loader.exec_module(module)
    return module


kill_trials = _load_benchmark()


@pytest.mark.timeout(120)
@pytest.mark.parametrize("trial", range(3))
def test_a_killed_training_evaluates_and_resumes_without_losing_steps(tmp_path, monkeypatch, run_cli, trial):
    runs = tmp_path / "runs"
    runs.mkdir()
    monkeypatch.setenv("MOTRIXLAB_RUNS_DIR", str(runs))
    delay = random.Random(trial).uniform(0.0, 2.0)
    killed = kill_trials.train_and_kill(runs, "torch", delay, timeout=120)
    assert "error" not in killed, killed
    before = int(killed["steps_before"])
    assert before > 0

    code, out, err = run_cli("eval", "cartpole", "--checkpoint", "latest", "--episodes", "1", "--json")
    assert code == 0, err
    assert json.loads(out)

    target = before + 1024
    resume = ("train", "cartpole", "--resume", "latest", "--max-steps", str(target), "--no-progress")
    code, out, err = run_cli(*resume)
    assert code == 0, err
    after = kill_trials._steps(kill_trials._latest(runs))
    assert after is not None and after >= before
    assert after == target  # the step counter goes on from the checkpoint, whole updates of 1024 steps
    assert len(list(runs.glob("cartpole/*"))) == 1  # resumed, not a new run
    assert not list(runs.glob("cartpole/*/.*.tmp")) and not list(runs.glob("cartpole/*/checkpoints/.*.tmp"))
