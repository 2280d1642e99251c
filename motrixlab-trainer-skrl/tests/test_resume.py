"""A ``motrixlab train`` process killed with SIGKILL is resumed from its last checkpoint: the step
counter, the metrics and the TensorBoard curve continue where the checkpoint left them, without the
points the killed process logged after it."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from motrixlab.training.checkpoint import read_header
from trainer_helpers import set_args, subprocess_cli

INTERVAL = 2048  # env steps between periodic checkpoints: every 4th update


def _latest_steps(root: Path) -> int:
    for path in root.glob("cartpole/*/checkpoints/latest.ckpt"):
        try:
            return int(read_header(path)["env_steps"])
        except Exception:
            return 0
    return 0


def _event_files(run_dir: Path) -> list[Path]:
    """In the order they were started (the name holds the start time)."""
    return sorted(run_dir.glob("events.out.tfevents.*"), key=lambda p: (int(p.name.split(".")[3]), p.stat().st_mtime))


def _scalar_steps(root: Path) -> dict[str, list[int]]:
    """Every scalar point on disk, per tag, in the order written (a record cut short ends a file)."""
    from tensorboard.backend.event_processing.event_file_loader import EventFileLoader

    steps: dict[str, list[int]] = {}
    for run_dir in root.glob("cartpole/*"):
        for path in _event_files(run_dir):
            for event in EventFileLoader(str(path)).Load():
                for value in event.summary.value:
                    steps.setdefault(value.tag, []).append(event.step)
    return steps


def _logged_after_latest(root: Path) -> bool:
    saved = _latest_steps(root)
    return saved >= INTERVAL and max((max(s) for s in _scalar_steps(root).values()), default=0) > saved


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
        # killed once TensorBoard points of steps after the latest checkpoint are on disk; the process
        # is stopped while that is checked, so no newer checkpoint can come in between
        deadline = time.monotonic() + 240
        while True:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "no checkpoint and later TensorBoard points within 240 s"
            if _logged_after_latest(runs):
                proc.send_signal(signal.SIGSTOP)
                if _logged_after_latest(runs):
                    break
                proc.send_signal(signal.SIGCONT)
            time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    run_dir = next(runs.glob("cartpole/*"))
    ckpt_steps = int(read_header(run_dir / "checkpoints" / "latest.ckpt")["env_steps"])
    assert ckpt_steps >= INTERVAL and ckpt_steps % 512 == 0
    assert max(_scalar_steps(runs)["loss/policy"]) > ckpt_steps
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

    files = _event_files(run_dir)
    assert len(files) == 2
    resumed_steps = [e.step for e in EventFileLoader(str(files[1])).Load() if e.summary.value]
    assert min(resumed_steps) == ckpt_steps + 512 and max(resumed_steps) == target
    for tag, tag_steps in _scalar_steps(runs).items():  # one curve per tag: no step twice, none back
        assert all(a < b for a, b in itertools.pairwise(tag_steps)), (tag, tag_steps)
    assert _scalar_steps(runs)["loss/policy"] == list(range(512, target + 1, 512))


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


@pytest.mark.parametrize("cut", [0, 1, 7, 13, 40])
def test_points_after_the_checkpoint_go_and_a_cut_last_record_too(tmp_path: Path, cut: int):
    from motrixlab.training.tracking import MetricsSink, drop_metrics_after
    from tensorboard.backend.event_processing.event_file_loader import EventFileLoader

    sink = MetricsSink(tmp_path)
    for step in range(512, 8 * 512 + 1, 512):
        sink.write(step, {"loss/policy": step / 1000, "episode/return": None, "perf/env_steps_per_s": 1.0})
    sink.close()
    (events,) = tmp_path.glob("events.out.tfevents.*")
    whole = events.read_bytes()
    last = 0  # where the last record starts: records are (u64 length, u32 crc, data, u32 crc)
    while last + 12 + int.from_bytes(whole[last : last + 8], "little") + 4 < len(whole):
        last += 12 + int.from_bytes(whole[last : last + 8], "little") + 4
    if cut:  # killed while writing one more record
        events.write_bytes(whole + whole[last : last + cut])
    with (tmp_path / "metrics.jsonl").open("a") as f:
        f.write('{"env_steps": 4608, "loss/po')  # a cut-off line

    drop_metrics_after(tmp_path, 2048)
    points = [(v.tag, e.step) for e in EventFileLoader(str(events)).Load() for v in e.summary.value]
    assert points == [(tag, s) for s in range(512, 2049, 512) for tag in ("loss/policy", "perf/env_steps_per_s")]
    lines = (tmp_path / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["env_steps"] for line in lines] == [512, 1024, 1536, 2048]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([events.name, "metrics.jsonl"])  # no temp files
    size = events.stat().st_size
    drop_metrics_after(tmp_path, 2048)  # nothing more to drop: the file stays as it is
    assert events.stat().st_size == size
