"""Runs at a glance without training anything: the run lock and status, damaged files, ``runs``, ``plot``,
and the monitor's dashboard and plain lines, fed by hand."""

from __future__ import annotations

import io
import json
import signal
import struct
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from motrixlab.monitor import PHASES, TrainingMonitor
from motrixlab.runinfo import run_info
from motrixlab.runstatus import run_status
from rich.console import Console

pytestmark = pytest.mark.timeout(60)

# Ctrl-C raises KeyboardInterrupt in the holder, as in a process started from a terminal, also when
# the tests themselves run in a background job (which starts with SIGINT ignored, and passes that on)
HOLDER = """\
import signal, sys, time
from pathlib import Path
from motrixlab.errors import MotrixLabError
from motrixlab.runstatus import training
signal.signal(signal.SIGINT, signal.default_int_handler)
how = sys.argv[2]
with training(Path(sys.argv[1])):
    print("holding", flush=True)
    if how == "wait":
        time.sleep(60)
    elif how == "fail":
        raise RuntimeError("boom")
    elif how == "refuse":
        raise MotrixLabError("refused")
"""


@pytest.fixture
def cli(cli, monkeypatch, tmp_path):
    """The core tests' ``cli`` with runs in this test's own folder."""
    monkeypatch.setenv("MOTRIXLAB_RUNS_DIR", str(tmp_path / "runs"))
    return cli


def _hold(run_dir: Path, how: str) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(run_dir), how], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "holding"
    return proc


def make_run(root: Path, env: str, name: str, *, seed: int = 0, n: int = 20, scale: float = 1.0) -> Path:
    run = root / env / name
    run.mkdir(parents=True)
    config = {"env": env, "trainer": "skrl", "backend": "torch", "seed": seed, "rl_cfg": {"max_env_steps": n * 1000}}
    (run / "config.json").write_text(json.dumps(config))
    lines = [
        {"env_steps": i * 1000, "wall_seconds": 0.1 * i, "episode/return": scale * i, "env/distance": 1 / i}
        for i in range(1, n + 1)
    ]
    (run / "metrics.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    summary = {"finished": True, "env_steps": n * 1000, "best_return": scale * n, "last_return": scale * n}
    (run / "summary.json").write_text(json.dumps(summary))
    return run


def test_status_follows_the_process_that_holds_the_run(tmp_path):
    run = tmp_path / "env" / "run"
    live = _hold(run, "wait")
    try:
        assert run_status(run) == "running"
        with pytest.raises(Exception, match="being trained by another process"):
            from motrixlab.runstatus import training

            with training(run):
                pass
    finally:
        live.send_signal(signal.SIGKILL)
        live.wait(10)
    assert run_status(run) == "crashed"  # killed without a word: the lock is free, the status said running

    interrupted = _hold(run, "wait")
    interrupted.send_signal(signal.SIGINT)
    interrupted.wait(10)
    assert run_status(run) == "interrupted"
    terminated = _hold(run, "wait")
    terminated.send_signal(signal.SIGTERM)
    terminated.wait(10)
    assert run_status(run) == "interrupted"

    _hold(run, "fail").wait(10)
    assert run_status(run) == "crashed"
    _hold(run, "done").wait(10)
    assert run_status(run) == "finished"
    _hold(run, "refuse").wait(10)  # a refused command leaves the status as it was
    assert run_status(run) == "finished"


def test_runs_without_a_status_file(tmp_path):
    run = make_run(tmp_path, "cartpole", "20261201-100000-skrl-torch")
    assert run_status(run) == "finished"  # from summary.json
    (run / "summary.json").write_text(json.dumps({"finished": False}))
    assert run_status(run) == "unknown"


def test_damaged_files_show_what_they_can(cli, tmp_path):
    root = tmp_path / "runs"
    good = make_run(root, "cartpole", "20261201-100000-skrl-torch", seed=3)
    bad = make_run(root, "cartpole", "20261201-110000-skrl-jax", seed=4)
    (bad / "config.json").write_text('{"env": "cartpole", "trai')  # truncated
    with (bad / "metrics.jsonl").open("a") as f:
        f.write('garbage \x00 line\n[1, 2]\n{"env_steps": 21000, "episode/return": 99')
    (bad / "summary.json").unlink()
    code, out, err = cli("runs")
    assert code == 0, err
    assert out.index("20261201-110000-skrl-jax") < out.index("20261201-100000-skrl-torch")  # newest first
    assert "config.json: not valid JSON" in out and "3 damaged lines skipped" in out
    info = run_info(bad)
    assert (info.trainer, info.backend, info.env_steps, info.last_return) == ("skrl", "jax", 20000, 20.0)
    code, out, _ = cli("runs", "cartpole", "--json")
    rows = json.loads(out)
    assert [r["name"] for r in rows] == [bad.name, good.name]
    assert rows[1]["seed"] == 3 and rows[1]["status"] == "finished" and rows[1]["best_return"] == 20.0
    assert rows[0]["problems"] and rows[0]["seed"] is None
    code, _, err = cli("runs", "cartpol")
    assert code == 1 and "did you mean 'cartpole'" in err


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_plot_one_run_three_runs_and_metric_names(cli, tmp_path):
    pytest.importorskip("matplotlib")
    root = tmp_path / "runs"
    runs = [make_run(root, "cartpole", f"20261201-1{i}0000-skrl-torch", seed=i, scale=1 + i) for i in range(3)]
    code, out, err = cli("plot", "cartpole")
    assert code == 0, err
    assert Path(out.strip()) == runs[-1] / "curves.png" and _png_size(runs[-1] / "curves.png") == (960, 400)
    target = tmp_path / "band.png"
    code, out, err = cli(
        "plot", "cartpole", "--last", "3", "--out", str(target), "--metric", "env/distance", "-m", "episode/return"
    )
    assert code == 0, err
    assert out.strip() == str(target) and _png_size(target) == (960, 800)
    code, out, err = cli("plot", runs[0].name, str(runs[1]), "--x", "time", "--out", str(tmp_path / "two.png"))
    assert code == 0, err
    assert _png_size(tmp_path / "two.png") == (960, 400)
    code, _, err = cli("plot", "cartpole", "--metric", "env/distanse")
    assert code == 1 and "did you mean 'env/distance'" in err and "episode/return" in err
    code, _, err = cli("plot", "no-such-run")
    assert code == 1 and "no run 'no-such-run'" in err


def test_plot_without_matplotlib_says_how_to_install_it(cli, tmp_path, monkeypatch):
    make_run(tmp_path / "runs", "cartpole", "20261201-100000-skrl-torch")
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib raises ImportError
    code, out, err = cli("plot", "cartpole")
    assert code == 1 and out == ""
    assert err.strip() == "motrixlab: error: motrixlab plot needs matplotlib: pip install 'motrixlab-core[plot]'"


# ---- the monitor, fed by hand ------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _run(**kw):
    base = {
        "trainer": SimpleNamespace(trainer="toy", backend="numpy"),
        "env": SimpleNamespace(name="slide"),
        "dir": Path("runs/slide/20261202-000000-toy-numpy"),
        "rl_cfg": SimpleNamespace(seed=7),
        "show_progress": True,
        "log_interval": 30.0,
    }
    return SimpleNamespace(**{**base, **kw})


def _feed(monitor, clock, updates: int = 12) -> None:
    for i in range(1, updates + 1):
        clock[0] += 1.0
        monitor.tick(i * 1000)
        log = {"reward/alive": 1.0, "reward/effort": -0.25, "reward/tiny": 0.001, "distance": 0.5 / i}
        split = {"act": 0.1, "env": 0.5, "record": 0.1, "update": 0.3}
        monitor.update(i * 1000, mean_return=float(i), mean_length=50.0, split=split, log=log, best_return=float(i))
        if i == 5:
            monitor.evaluation(i * 1000, {"eval/return": 4.5})
        if i == 8:
            monitor.checkpoint(i * 1000, "runs/x/checkpoints/latest.ckpt")


def test_plain_lines_are_complete_and_periodic():
    out, clock = io.StringIO(), [0.0]
    monitor = TrainingMonitor(
        _run(log_interval=3.0), total_steps=12_000, out=out, err=io.StringIO(), clock=lambda: clock[0]
    )
    assert monitor.dashboard is None
    _feed(monitor, clock)
    monitor.close("finished")
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("[motrixlab] start slide toy/numpy seed=7")
    progress = [line for line in lines if line.startswith("[motrixlab] progress")]
    assert len(progress) == 4 and lines[-1].startswith("[motrixlab] finished slide")
    assert all("eta=" in line and "env_steps/s=" in line for line in progress)
    last = lines[-1]  # the figures after the last update
    for part in (
        "steps=12,000/12,000 (100.0%)",
        "env_steps/s=1,000",
        "return=12.00(+10.0)",
        "length=50.00",
        "best=12.00",
    ):
        assert part in last, part
    assert "split=act:10%/env:50%/record:10%/update:30%" in last
    assert "reward/alive=1" in last and "reward/effort=-0.25" in last and "distance=" in last
    assert "eval=return:4.500@5,000" in last and "checkpoint=8,000" in last and "rss=" in last
    assert "…" not in out.getvalue() and "\x1b" not in out.getvalue()


def test_no_lines_and_no_dashboard_when_turned_off():
    out, err = io.StringIO(), Terminal()
    monitor = TrainingMonitor(_run(show_progress=False, log_interval=0), total_steps=10, out=out, err=err)
    assert not monitor.active
    monitor.tick(5)
    monitor.close()
    assert out.getvalue() == "" and err.getvalue() == ""


@pytest.mark.parametrize("width", [30, 60, 160])
def test_the_dashboard_fits_any_width(width):
    err, clock = Terminal(), [0.0]
    monitor = TrainingMonitor(_run(), total_steps=12_000, out=Terminal(), err=err, clock=lambda: clock[0])
    assert monitor.dashboard is not None and monitor.log_interval == 0  # stdout is a terminal too: no lines
    monitor.dashboard.console.width = width
    _feed(monitor, clock)
    rows = monitor.dashboard.rows(clock[0], width)
    assert [r[0] for r in rows][2:] == [
        "time",
        "step",
        "return",
        "length",
        "rewards",
        "metrics",
        "eval",
        "ckpt",
        "system",
    ]
    monitor.close()
    capture = io.StringIO()
    Console(file=capture, width=width).print(monitor.dashboard.render(clock[0]))
    lines = capture.getvalue().splitlines()
    assert len(lines) == len(rows) and all(len(line) <= width for line in lines)  # cut, never wrapped
    if width >= 160:
        text = capture.getvalue()
        assert "alive +1" in text and "effort -0.25" in text and "return 4.500" in text and "latest.ckpt" in text
        assert all(f"{phase} " in text for phase in PHASES)
