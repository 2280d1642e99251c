"""rsl_rl over two processes (``train --trainer rslrl --nproc 2``, gloo on loopback): rsl_rl's own
multi-process paths (averaged gradients, global KL, merged normalisers) keep one policy, and it learns."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BUDGET = 81_920  # cartpole's registered config (evaluated every 20k steps), 2 x 32 envs


def _cli(runs: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "RUST_LOG": "error", "MOTRIXLAB_RUNS_DIR": str(runs)}
    return subprocess.run(
        [sys.executable, "-m", "motrixlab", *args], env=env, capture_output=True, text=True, timeout=600
    )


@pytest.mark.timeout(900)
def test_two_processes_learn_cartpole_as_one_policy(tmp_path: Path):
    runs = tmp_path / "runs"
    args = ("--trainer", "rslrl", "--nproc", "2", "--num-envs", "32", "--max-steps", str(BUDGET), "--no-progress")
    done = _cli(runs, "train", "cartpole", *args)
    assert done.returncode == 0, done.stderr[-3000:]
    (run_dir,) = (runs / "cartpole").iterdir()
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert rows[-1]["env_steps"] == BUDGET and [r["env_steps"] for r in rows[:2]] == [16 * 64, 2 * 16 * 64]
    assert all(r["dist/ranks_in_sync"] == 1.0 for r in rows)
    assert json.loads((run_dir / "config.json").read_text())["processes"]["num_envs_total"] == 64
    evaluated = _cli(runs, "eval", "cartpole", "--checkpoint", "best", "--episodes", "20", "--json")
    assert evaluated.returncode == 0, evaluated.stderr
    assert json.loads(evaluated.stdout)["mean_return"] >= 900
