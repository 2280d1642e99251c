"""Training you can watch: the dashboard in a terminal, plain lines when redirected, the status of runs
(finished, running, killed, interrupted) and their curves, all from real ``motrixlab train`` runs."""

from __future__ import annotations

import fcntl
import json
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from trainer_helpers import run_cli, set_args, subprocess_cli, train_cartpole

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
#: a few seconds of cartpole training with the pinned fast config (512 env steps per update)
STEPS = 24_576


def _env(runs: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "RUST_LOG": "error", "MOTRIXLAB_RUNS_DIR": str(runs), **extra}


def _train_args(*extra: str) -> list[str]:
    return [sys.executable, "-m", "motrixlab", "train", "cartpole", "--backend", "torch", *set_args(), *extra]


@pytest.mark.timeout(120)
def test_the_dashboard_shows_and_updates_in_a_terminal(runs):
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 110, 0, 0))
    env = _env(runs, COLUMNS="110", LINES="40", TERM="xterm-256color")
    proc = subprocess.Popen(
        _train_args("--max-steps", str(STEPS)), stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True
    )
    os.close(slave)
    raw = b""
    deadline = time.monotonic() + 110
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1.0)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            raw += chunk
    finally:
        os.close(master)
        proc.wait(30)
    assert proc.returncode == 0, raw.decode(errors="replace")[-3000:]
    text = ANSI.sub("", raw.decode(errors="replace"))
    for field in (
        "cartpole skrl/torch",
        "env-steps/s",
        "eta",
        "act ",
        "env ",
        "record ",
        "update ",
        "return ",
        "length ",
    ):
        assert field in text, field
    for field in ("rewards  alive +1", "metrics", "ckpt     latest.ckpt", "system   cpu", "rss", "updates"):
        assert field in text, field
    frames = set(re.findall(r"([\d,]+)/24,576 steps", text))
    assert len(frames) >= 3, frames  # redrawn while training, with the step count moving
    assert "24,576/24,576 steps" in text and "100.0%" in text
    assert "[motrixlab] progress" not in text  # stdout is the terminal: no plain lines
    assert "trained cartpole for 24,576 env steps" in text


@pytest.mark.timeout(120)
def test_redirected_output_is_plain_complete_periodic_lines(runs):
    proc = subprocess_cli(
        "train", "cartpole", "--backend", "torch", "--max-steps", str(STEPS), "--log-interval", "0.3", *set_args(),
        runs=runs, timeout=110,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("[motrixlab] start cartpole skrl/torch seed=") and "a line every 0.3 s" in lines[0]
    progress = [line for line in lines if line.startswith("[motrixlab] progress cartpole skrl/torch ")]
    assert len(progress) >= 3, lines
    steps = [int(re.search(r" steps=([\d,]+)/", line)[1].replace(",", "")) for line in progress]
    assert steps == sorted(steps) and steps[-1] > steps[0]
    for line in progress:
        for part in ("/24,576 (", "elapsed=", "eta=", "env_steps/s=", "return=", "length=", "cpu=", "rss="):
            assert part in line, (part, line)
    assert any("split=act:" in line and "reward/alive=" in line for line in progress)
    (final,) = [line for line in lines if line.startswith("[motrixlab] finished ")]
    assert "steps=24,576/24,576 (100.0%)" in final
    assert "trained cartpole for 24,576 env steps" in proc.stdout.split(final)[1]
    assert "\x1b" not in proc.stdout + proc.stderr and "…" not in proc.stdout


def _statuses(capsys) -> dict[str, dict]:
    code, out, err = run_cli(capsys, "runs", "--json")
    assert code == 0, err
    return {row["name"]: row for row in json.loads(out)}


def _wait_for_progress(proc: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"train exited early: {proc.stderr.read()[-2000:]}")
        if line.startswith("[motrixlab] progress") and " split=" in line:  # after the first update
            return
    raise AssertionError("no progress line in time")


@pytest.mark.timeout(150)
def test_runs_tells_finished_running_killed_and_interrupted(runs, capsys):
    finished = train_cartpole(runs, "--backend", "torch", "--max-steps", "2048", "--no-progress", *set_args())
    capsys.readouterr()
    long = _train_args("--max-steps", "100000000", "--log-interval", "0.2")
    popen = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True, "env": _env(runs)}
    interrupted, killed = subprocess.Popen(long, **popen), subprocess.Popen(long, **popen)
    try:
        deadline = time.monotonic() + 90
        _wait_for_progress(interrupted, deadline)
        _wait_for_progress(killed, deadline)
        rows = _statuses(capsys)
        assert rows[finished.name]["status"] == "finished" and rows[finished.name]["env_steps"] == 2048
        live = [r for r in rows.values() if r["name"] != finished.name]
        assert len(live) == 2 and all(r["status"] == "running" for r in live)
        code, out, _ = run_cli(capsys, "runs", "cartpole")
        assert code == 0 and out.count("running") == 2 and "finished" in out
        interrupted.send_signal(signal.SIGINT)
        killed.send_signal(signal.SIGKILL)
        assert interrupted.wait(60) == 130 and killed.wait(30) == -signal.SIGKILL
    finally:
        for proc in (interrupted, killed):
            if proc.poll() is None:
                proc.kill()
                proc.wait(30)
    rows = _statuses(capsys)
    by_status = {r["status"]: r for r in rows.values()}
    assert sorted(by_status) == ["crashed", "finished", "interrupted"]
    assert by_status["interrupted"]["env_steps"] > 0 and by_status["crashed"]["env_steps"] > 0
    assert rows[finished.name]["seed"] is not None and rows[finished.name]["trainer"] == "skrl"


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.mark.timeout(150)
def test_plot_of_one_run_and_of_three_seeds(runs, capsys, tmp_path):
    pytest.importorskip("matplotlib")
    for seed in (0, 1, 2):
        args = ("--backend", "torch", "--max-steps", "4096", "--seed", str(seed), "--no-progress", *set_args())
        code, _, err = run_cli(capsys, "train", "cartpole", *args)
        assert code == 0, err
    rows = json.loads(run_cli(capsys, "runs", "cartpole", "--json")[1])
    assert sorted(r["seed"] for r in rows) == [0, 1, 2] and {r["status"] for r in rows} == {"finished"}
    lines = [json.loads(line) for line in (Path(rows[0]["path"]) / "metrics.jsonl").read_text().splitlines()]
    walls = [line["wall_seconds"] for line in lines]
    assert walls == sorted(walls) and walls[0] > 0  # the loop logs wall time for --x time
    code, out, err = run_cli(capsys, "plot", "cartpole")
    assert code == 0, err
    assert _png_size(Path(out.strip())) == (960, 400)
    target = tmp_path / "seeds.png"
    code, out, err = run_cli(capsys, "plot", "cartpole", "--last", "3", "--out", str(target))
    assert code == 0, err
    assert out.strip() == str(target) and _png_size(target) == (960, 400)
    # over wall time one run (a band over time needs the runs' time spans to overlap, which a loaded
    # machine does not promise for runs of a few seconds)
    target = tmp_path / "time.png"
    code, out, err = run_cli(capsys, "plot", "cartpole", "--out", str(target), "--x", "time")
    assert code == 0, err
    assert out.strip() == str(target) and _png_size(target) == (960, 400)
    code, _, err = run_cli(capsys, "plot", "cartpole", "--metric", "env/alive")
    assert code == 1 and "did you mean 'env/reward/alive'" in err
