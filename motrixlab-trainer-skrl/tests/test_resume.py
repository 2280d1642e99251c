"""A ``motrixlab train`` process killed with SIGKILL is resumed from its last checkpoint: the step
counter, the metrics and the TensorBoard curve continue where the checkpoint left them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from motrixlab_trainer_skrl.checkpoint import read_header
from trainer_helpers import set_args, subprocess_cli

INTERVAL = 2048


def _latest_steps(root: Path) -> int:
    for path in root.glob("cartpole/*/checkpoints/latest.ckpt"):
        try:
            return int(read_header(path)["env_steps"])
        except Exception:
            return 0
    return 0


@pytest.mark.parametrize("backend", ["torch"])
def test_killed_run_resumes_with_its_step_counter(runs: Path, backend: str):
    env = {**os.environ, "RUST_LOG": "error", "MOTRIXLAB_RUNS_DIR": str(runs)}
    cmd = [
        sys.executable,
        "-m",
        "motrixlab",
        "train",
        "cartpole",
        "--backend",
        backend,
        "--seed",
        "5",
        "--max-steps",
        "10000000",
        "--no-progress",
        *set_args(),
        "--set",
        f"rl.checkpoint_interval={INTERVAL}",
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 240
        while _latest_steps(runs) < 3 * INTERVAL:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "no checkpoint within 240 s"
            time.sleep(0.2)
        time.sleep(0.5)  # let it get somewhere past the checkpoint
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    run_dir = next(runs.glob("cartpole/*"))
    ckpt_steps = int(read_header(run_dir / "checkpoints" / "latest.ckpt")["env_steps"])
    assert ckpt_steps >= 3 * INTERVAL and ckpt_steps % 512 == 0
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["finished"] is False

    target = ckpt_steps + 3 * 512
    done = subprocess_cli(
        "train", "cartpole", "--resume", "latest", "--max-steps", str(target), "--no-progress", runs=runs
    )
    assert done.returncode == 0, done.stderr
    assert f"trained cartpole for {target:,} env steps" in done.stdout.replace("\n", "")
    assert [p.name for p in runs.glob("cartpole/*")] == [run_dir.name]  # the same run, no new one

    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["finished"] is True
    assert summary["env_steps"] == target and summary["resumed_from_steps"] == ckpt_steps
    assert int(read_header(run_dir / "checkpoints" / "latest.ckpt")["env_steps"]) == target

    config = json.loads((run_dir / "config.json").read_text())
    assert [r["env_steps"] for r in config["resumes"]] == [ckpt_steps]
    assert config["rl_cfg"]["max_env_steps"] == target

    steps = [json.loads(line)["env_steps"] for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert steps == list(range(512, target + 1, 512))  # one curve: no gap, no repeat

    from tensorboard.backend.event_processing.event_file_loader import EventFileLoader

    files = sorted(run_dir.glob("events.out.tfevents.*"), key=lambda p: p.stat().st_mtime)
    assert len(files) == 2
    resumed_steps = [e.step for e in EventFileLoader(str(files[1])).Load() if e.summary.value]
    assert min(resumed_steps) == ckpt_steps + 512 and max(resumed_steps) == target


def test_sigterm_saves_the_last_update_and_exits(runs: Path):
    """A scheduler's SIGTERM stops training like Ctrl-C: ``latest`` holds the last update, not one 30 s old."""
    env = {**os.environ, "RUST_LOG": "error", "MOTRIXLAB_RUNS_DIR": str(runs)}
    cmd = [sys.executable, "-m", "motrixlab", "train", "cartpole", "--backend", "torch"]
    cmd += ["--max-steps", "10000000", "--no-progress", *set_args()]  # no periodic checkpoints
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 240
        while len(_metric_steps(runs)) < 3:  # a few updates, well before the first 30 s save
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "no PPO update within 240 s"
            time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    run_dir = next(runs.glob("cartpole/*"))
    assert proc.returncode == 130
    assert f"motrixlab: interrupted; continue with: motrixlab train cartpole --resume {run_dir.name}" in err.decode()
    saved = int(read_header(run_dir / "checkpoints" / "latest.ckpt")["env_steps"])
    assert saved == _metric_steps(runs)[-1] > 0  # the state of the last update
    assert json.loads((run_dir / "summary.json").read_text())["env_steps"] == saved


def _metric_steps(root: Path) -> list[int]:
    for path in root.glob("cartpole/*/metrics.jsonl"):
        lines = path.read_text().splitlines()
        return [json.loads(line)["env_steps"] for line in lines if line.endswith("}")]
    return []
