"""Deterministic evaluations during training (``rl.eval_interval``): logged, ranking ``best``, reproducible
with ``motrixlab eval``."""

from __future__ import annotations

import json
from pathlib import Path

from motrixlab.training.checkpoint import read_checkpoint, read_header, write_checkpoint
from trainer_helpers import run_cli, set_args, train_cartpole

PER_UPDATE = 32 * 16  # CARTPOLE_FAST
EVAL = (
    "--set",
    "rl.eval_interval=1024",
    "--set",
    "rl.eval_episodes=4",
    "--set",
    "env.max_episode_seconds=2.0",  # 200-step episodes keep the evaluations short
)


def _evals(run: Path) -> dict[int, float]:
    lines = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    return {line["env_steps"]: line["eval/return"] for line in lines if "eval/return" in line}


def _eval_json(capsys, run: Path, checkpoint: str) -> dict:
    capsys.readouterr()  # what training printed
    code, out, err = run_cli(
        capsys, "eval", "cartpole", "--run", str(run), "--checkpoint", checkpoint, "--episodes", "4", "--json"
    )
    assert code == 0, err
    return json.loads(out)


def test_evaluations_rank_best_and_motrixlab_eval_reproduces_them(runs, capsys):
    run = train_cartpole(runs, *set_args(), *EVAL, "--max-steps", str(5 * PER_UPDATE), "--no-progress")
    evals = _evals(run)
    # every 1024 env steps, and the final policy (2560: not a multiple)
    assert sorted(evals) == [1024, 2048, 2560]
    lines = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert all("eval/length" in line for line in lines if "eval/return" in line)
    best_steps = min(s for s, r in evals.items() if r == max(evals.values()))

    best = read_header(run / "checkpoints" / "best.ckpt")
    assert best["best_by"] == "eval"
    assert best["best_return"] == max(evals.values()) and best["env_steps"] == best_steps
    assert json.loads((run / "summary.json").read_text())["best_return"] == max(evals.values())
    # the same episodes as the training-time evaluation: the same returns, to the last digit
    assert _eval_json(capsys, run, "best")["mean_return"] == max(evals.values())
    assert _eval_json(capsys, run, "latest")["mean_return"] == evals[2560]


def test_a_resume_does_not_compare_training_returns_with_evaluations(runs, capsys):
    run = train_cartpole(runs, *set_args(), "--max-steps", str(2 * PER_UPDATE), "--no-progress")
    latest = run / "checkpoints" / "latest.ckpt"
    header, payload = read_checkpoint(latest)
    assert header["best_by"] == "train"
    header["best_return"] = 1e9  # a training return no evaluation can beat
    write_checkpoint(latest, header, payload)

    code, _, err = run_cli(
        capsys, "train", "cartpole", "--resume", run.name, *set_args(), *EVAL, "--max-steps", str(5 * PER_UPDATE)
    )
    assert code == 0, err
    evals = _evals(run)
    assert sorted(evals) == [2048, 2560]  # due at 2048 (the resumed run starts at 1024), and the final policy
    best = read_header(run / "checkpoints" / "best.ckpt")
    assert best["best_by"] == "eval" and best["best_return"] == max(evals.values())

    # and back to ranking by training return: the evaluated best is not kept as if it were one
    code, _, err = run_cli(
        capsys, "train", "cartpole", "--resume", run.name, *set_args(), "--max-steps", str(6 * PER_UPDATE)
    )
    assert code == 0, err
    assert read_header(run / "checkpoints" / "best.ckpt")["best_by"] == "train"
