"""An rsl_rl run killed with SIGKILL resumes from its last checkpoint with its step counter and curve
(the metrics the killed process wrote after its checkpoint are dropped). What a checkpoint restores
(networks, optimizer, learning rate, normalisers) is tested in test_learner.py."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from motrixlab.training.checkpoint import CheckpointError, read_header

PER_UPDATE = 1024  # cartpole's registered config: 64 envs x 16 rollout steps


def _latest_steps(runs: Path) -> int:
    for path in runs.glob("cartpole/*/checkpoints/latest.ckpt"):
        try:
            return int(read_header(path)["env_steps"])
        except (CheckpointError, KeyError):
            return 0
    return 0


def _cli(runs: Path, *args: str, **popen) -> subprocess.Popen:
    env = {**os.environ, "RUST_LOG": "error", "MOTRIXLAB_RUNS_DIR": str(runs)}
    return subprocess.Popen([sys.executable, "-m", "motrixlab", *args], env=env, **popen)


def test_killed_run_resumes_with_its_step_counter(runs: Path):
    args = ["train", "cartpole", "--trainer", "rslrl", "--seed", "5", "--max-steps", "10000000", "--no-progress"]
    sets = ["--set", "rl.checkpoint_interval=2048", "--set", "rl.eval_interval=0"]
    proc = _cli(runs, *args, *sets, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 240
        while _latest_steps(runs) < 2 * 2048:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "no second periodic checkpoint within 240 s"
            time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    (run_dir,) = (runs / "cartpole").iterdir()
    header = read_header(run_dir / "checkpoints" / "latest.ckpt")
    saved = int(header["env_steps"])
    assert saved >= 2 * 2048 and saved % PER_UPDATE == 0 and header["trainer"] == "rslrl"

    target = saved + 3 * PER_UPDATE
    done = _cli(runs, "train", "cartpole", "--resume", "latest", "--max-steps", str(target), "--no-progress")
    assert done.wait(timeout=240) == 0
    assert [p.name for p in (runs / "cartpole").iterdir()] == [run_dir.name]  # the same run
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["finished"] is True and summary["trainer"] == "rslrl"
    assert summary["env_steps"] == target and summary["resumed_from_steps"] == saved
    config = json.loads((run_dir / "config.json").read_text())
    assert [r["env_steps"] for r in config["resumes"]] == [saved]
    lines = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert [line["env_steps"] for line in lines] == list(range(PER_UPDATE, target + 1, PER_UPDATE))
