"""Transfer between envs with the same spaces: a cartpole policy evaluated on ``test-slider`` and used as
the start of a ``test-slider`` run (``--init-from``); envs of other spaces are refused in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from motrixlab_testenv.cli import error_lines
from trainer_helpers import run_cli, set_args, train_cartpole

BUDGET = 24_576  # the pinned config balances cartpole well within this


@pytest.fixture(scope="module")
def source(module_runs: Path) -> Path:
    """A cartpole run (observations (4,), actions (1,)), trained until it balances."""
    args = ("--backend", "torch", "--seed", "0", "--max-steps", str(BUDGET), "--no-progress")
    return train_cartpole(module_runs, *args, *set_args())


def test_eval_of_another_envs_checkpoint_with_the_same_spaces(source, capsys):
    ckpt = source / "checkpoints" / "latest.ckpt"
    code, out, err = run_cli(capsys, "eval", "test-slider", "--checkpoint", str(ckpt), "--episodes", "4", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["episodes"] == 4 and result["checkpoint"] == str(ckpt)
    assert result["env_steps"] >= BUDGET  # the cartpole checkpoint's training steps
    # the run directory given with --run works the same way
    code, out, err = run_cli(capsys, "eval", "test-slider", "--run", str(source), "--checkpoint", "latest", "--json")
    assert code == 0, err


def test_eval_refuses_other_spaces_in_one_line(source, capsys):
    ckpt = source / "checkpoints" / "latest.ckpt"
    code, _, err = run_cli(capsys, "eval", "test-refresh", "--checkpoint", str(ckpt), "--episodes", "2")
    lines = error_lines(err)
    assert code != 0 and len(lines) == 1, err
    assert "'cartpole' has observation shape (4,) and action shape (1,)" in lines[0]
    assert "'test-refresh' has (5,) and (1,)" in lines[0]


def test_init_from_starts_a_new_run_from_the_policy(source, module_runs, capsys):
    # a tiny learning rate: the new run's policy stays the cartpole one, which balances the pole from the start
    code, out, err = run_cli(
        capsys,
        "train",
        "cartpole",
        "--init-from",
        source.name,
        *("--backend", "torch", "--seed", "1", "--max-steps", "1024", "--no-progress"),
        *set_args(),
        *("--set", "rl.learning_rate=1e-9"),
    )
    assert code == 0, err
    runs = sorted(p for p in (module_runs / "cartpole").iterdir() if p != source)
    assert len(runs) == 1
    config = json.loads((runs[0] / "config.json").read_text())
    assert config["init_from"]["env"] == "cartpole" and config["init_from"]["run"] == source.name
    assert config["init_from"]["env_steps"] >= BUDGET
    summary = json.loads((runs[0] / "summary.json").read_text())
    assert 1024 <= summary["env_steps"] < 2048  # a fresh step counter
    code, out, err = run_cli(
        capsys, "eval", "cartpole", "--run", runs[0].name, "--checkpoint", "latest", "--episodes", "5", "--json"
    )
    assert code == 0, err
    assert json.loads(out)["mean_return"] >= 900  # 1024 steps from scratch do not balance it


def test_init_from_refuses_other_spaces_and_resume(source, module_runs, capsys):
    before = {p for p in module_runs.glob("*/*")}
    code, _, err = run_cli(capsys, "train", "test-refresh", "--init-from", str(source), "--max-steps", "512")
    lines = error_lines(err)
    assert code != 0 and len(lines) == 1, err
    assert "observation shape (4,)" in lines[0] and "'test-refresh' has (5,) and (1,)" in lines[0]
    code, _, err = run_cli(capsys, "train", "cartpole", "--init-from", str(source), "--resume", "latest")
    assert code != 0 and len(error_lines(err)) == 1 and "pass only one of them" in err
    code, _, err = run_cli(capsys, "train", "cartpole", "--init-from", "no-such-run", "--max-steps", "512")
    assert code != 0 and "no checkpoint, run directory or run named 'no-such-run'" in err
    assert {p for p in module_runs.glob("*/*")} == before  # nothing half-written
