"""One run over two processes (``train --nproc 2``, torchrun's launcher, gloo on loopback): it learns on
torch and on jax, the processes keep one policy, only rank 0 writes, metrics count every process's
episodes, two "nodes" train together, and a killed process ends the run in one line that --resume
continues. Every run is bounded in time."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from motrixlab.training.checkpoint import read_header
from motrixlab_testenv.cli import error_lines
from motrixlab_testenv.configs import CARTPOLE_FAST
from trainer_helpers import set_args, subprocess_cli

SEED = 0
PER_PROCESS = ("--num-envs", "16")  # two processes: the 32 envs of the pinned config in all
BUDGET = 40_960


def _train(runs: Path, *args: str, timeout: float = 400) -> subprocess.CompletedProcess:
    cmd = ("train", "cartpole", "--backend", "torch", "--seed", str(SEED), "--no-progress", *set_args(), *args)
    return subprocess_cli(*cmd, runs=runs, timeout=timeout)


def _run_dir(runs: Path, env: str = "cartpole") -> Path:
    dirs = [p for p in (runs / env).iterdir() if p.is_dir()]
    assert len(dirs) == 1, dirs
    return dirs[0]


def _metrics(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]


def _eval(runs: Path) -> dict:
    done = subprocess_cli("eval", "cartpole", "--checkpoint", "best", "--episodes", "20", "--json", runs=runs)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


#: torch: the pinned fast config, 2 x 16 envs; jax: cartpole's registered config (64 envs, evaluated
#: every 20k steps), 2 x 32 envs, which its skrl PPO (separate policy and value optimizers) learns steadily
LEARN = {
    "torch": ((*set_args(CARTPOLE_FAST), *PER_PROCESS, "--seed", str(SEED)), BUDGET, 16),
    "jax": (("--num-envs", "32"), 122_880, 32),
}


@pytest.mark.timeout(900)
@pytest.mark.parametrize("backend", ["torch", "jax"])
def test_two_processes_learn_cartpole_as_one_policy(tmp_path: Path, backend: str):
    runs = tmp_path / "runs"
    args, budget, per_process = LEARN[backend]
    cmd = ("train", "cartpole", "--backend", backend, "--no-progress", "--nproc", "2", *args)
    done = subprocess_cli(*cmd, "--max-steps", str(budget), runs=runs, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert _eval(runs)["mean_return"] >= 900

    run_dir = _run_dir(runs)
    config = json.loads((run_dir / "config.json").read_text())
    total = 2 * per_process
    assert config["processes"] == {"world_size": 2, "num_envs_per_process": per_process, "num_envs_total": total}
    rows = _metrics(run_dir)
    assert rows[-1]["env_steps"] == budget
    # steps count both processes: one update is 16 rollouts of 2 x per_process envs
    assert [r["env_steps"] for r in rows[:2]] == [16 * total, 2 * 16 * total]
    # after every update the two processes hold the same policy and normaliser, bit for bit
    assert len(rows) > 40 and all(r["dist/ranks_in_sync"] == 1.0 for r in rows)
    # rank 0 alone wrote: one event file (its pid), one metrics file, one run
    events = list(run_dir.glob("events.out.tfevents.*"))
    status = json.loads((run_dir / "status.json").read_text())
    assert len(events) == 1 and events[0].name.split(".")[-2] == str(status["pid"])
    assert sorted(p.name for p in runs.iterdir()) == ["cartpole"]


@pytest.mark.timeout(600)
def test_metrics_count_the_episodes_of_every_process(tmp_path: Path):
    # test-slider never terminates here, so each row finishes an episode every 50 steps exactly
    runs = tmp_path / "runs"
    args = ("--set", "env.max_angle=1000", "--set", "rl.rollouts=25", "--set", "rl.eval_interval=0")
    cmd = ("train", "test-slider", "--backend", "torch", "--nproc", "2", "--num-envs", "8", "--no-progress")
    done = subprocess_cli(*cmd, *args, "--max-steps", str(2 * 8 * 250), runs=runs, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = _metrics(_run_dir(runs, "test-slider"))
    per_update = [r["episode/count"] for r in rows]
    # updates every 25 steps per row: every second update, all 2 x 8 rows of both processes end one
    assert per_update == [0.0, 16.0] * 5, per_update
    assert all(r["episode/length"] == 50 for r in rows if "episode/length" in r)


@pytest.mark.timeout(600)
def test_two_nodes_meet_at_one_endpoint_and_train_together(tmp_path: Path):
    runs = [tmp_path / "node0", tmp_path / "node1"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-m", "motrixlab", "train", "cartpole", "--backend", "torch", "--no-progress"]
    cmd += [*set_args(), *PER_PROCESS, "--max-steps", "8192", "--nproc", "1", "--nnodes", "2"]
    cmd += ["--rdzv-endpoint", f"127.0.0.1:{port}"]
    procs = []
    for node in (1, 0):
        env = {**os.environ, "RUST_LOG": "error", "MOTRIXLAB_RUNS_DIR": str(runs[node]), "MOTRIXLAB_THREADS": "1"}
        procs.append(
            subprocess.Popen(
                [*cmd, "--node-rank", str(node)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
        )
    outs = [p.communicate(timeout=400) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-2000:] for o in outs]
    # node 0 holds rank 0, which wrote the one run; node 1 wrote nothing
    assert not runs[1].exists() or not any(runs[1].rglob("*.json"))
    run_dir = _run_dir(runs[0])
    assert json.loads((run_dir / "config.json").read_text())["processes"]["world_size"] == 2
    rows = _metrics(run_dir)
    assert rows[-1]["env_steps"] == 8192 and all(r["dist/ranks_in_sync"] == 1.0 for r in rows)


def _rank_pid(launcher: int, rank: int, deadline: float) -> int:
    """The pid of the launched process of ``rank`` (torchrun puts RANK in its environment)."""
    while time.monotonic() < deadline:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                environ = (entry / "environ").read_bytes().split(b"\0")
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if f"RANK={rank}".encode() in environ and b"MOTRIXLAB_LAUNCHED=1" in environ:
                if int(stat.rsplit(")", 1)[1].split()[1]) == launcher:  # its parent is this launcher
                    return int(entry.name)
        time.sleep(0.2)
    raise AssertionError(f"no process of rank {rank}")


def _long_run(runs: Path, *args: str, **popen: object) -> subprocess.Popen:
    """``train cartpole --nproc 2`` with a budget it will not reach in a test."""
    env = {**os.environ, "RUST_LOG": "error", "MOTRIXLAB_RUNS_DIR": str(runs)}
    cmd = [sys.executable, "-m", "motrixlab", "train", "cartpole", "--backend", "torch", "--no-progress"]
    cmd += [*set_args(), *PER_PROCESS, "--max-steps", "2000000", "--nproc", "2", *args]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def _wait_for(runs: Path, pattern: str, launcher: subprocess.Popen) -> None:
    deadline = time.monotonic() + 180
    while not (runs.exists() and any(runs.glob(pattern))):
        assert time.monotonic() < deadline and launcher.poll() is None
        time.sleep(0.2)


@pytest.mark.timeout(900)
def test_a_killed_process_ends_the_run_in_one_line_and_resume_continues(tmp_path: Path):
    runs = tmp_path / "runs"
    launcher = _long_run(runs, "--set", "rl.checkpoint_interval=4096")
    try:
        victim = _rank_pid(launcher.pid, 1, time.monotonic() + 120)
        _wait_for(runs, "cartpole/*/checkpoints/step-*.ckpt", launcher)
        os.kill(victim, signal.SIGKILL)
        killed = time.monotonic()
        _, err = launcher.communicate(timeout=60)
        assert time.monotonic() - killed < 60
    finally:
        if launcher.poll() is None:
            launcher.kill()
    assert launcher.returncode == 1
    lines = [ln for ln in error_lines(err) if ln.startswith("motrixlab:")]
    assert len(lines) == 1, err[-3000:]
    assert f"rank 1 (local rank 1, pid {victim}) was killed by SIGKILL" in lines[0]
    run_dir = _run_dir(runs)
    assert f"--resume {run_dir.name} --nproc 2" in lines[0]

    steps = read_header(run_dir / "checkpoints" / "latest.ckpt")["env_steps"]
    done = _train(runs, "--resume", run_dir.name, "--nproc", "2", "--max-steps", str(steps + 4096))
    assert done.returncode == 0, done.stderr[-3000:]
    config = json.loads((run_dir / "config.json").read_text())
    assert config["resumes"][-1]["env_steps"] == steps and config["resumes"][-1]["world_size"] == 2
    rows = _metrics(run_dir)
    assert rows[-1]["env_steps"] == steps + 4096
    assert [r["env_steps"] for r in rows] == sorted({r["env_steps"] for r in rows})  # one unbroken curve


@pytest.mark.timeout(600)
def test_ctrl_c_stops_every_process_after_rank_0_saved_latest(tmp_path: Path):
    runs = tmp_path / "runs"
    launcher = _long_run(runs, start_new_session=True)
    try:
        _wait_for(runs, "cartpole/*/metrics.jsonl", launcher)
        time.sleep(2)
        os.killpg(launcher.pid, signal.SIGINT)  # the terminal's Ctrl-C: the launcher and every process
        _, err = launcher.communicate(timeout=60)
    finally:
        if launcher.poll() is None:
            os.killpg(launcher.pid, signal.SIGKILL)
    assert launcher.returncode == 130
    run_dir = _run_dir(runs)
    lines = [ln for ln in error_lines(err) if ln.startswith("motrixlab:")]
    assert lines == [
        f"motrixlab: interrupted; continue with: motrixlab train cartpole --resume {run_dir.name} --nproc 2"
    ]
    assert json.loads((run_dir / "status.json").read_text())["status"] == "interrupted"
    latest = read_header(run_dir / "checkpoints" / "latest.ckpt")
    assert latest["env_steps"] == _metrics(run_dir)[-1]["env_steps"] and latest["world_size"] == 2
