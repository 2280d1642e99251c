"""End to end through the CLI: cartpole is trained once with rsl_rl (its registered config, the one
skrl uses), then evaluated, exported, inspected, and handed checkpoints it must refuse."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from motrixlab.cli.app import main
from motrixlab_testenv.cli import error_lines, run_main

SEED = 0
BUDGET = 100_352  # the registered config's budget (rounded up to whole rollouts)


@pytest.fixture(scope="module")
def trained(module_runs: Path) -> Path:
    args = ["train", "cartpole", "--trainer", "rslrl", "--seed", str(SEED), "--no-progress"]
    try:
        main([*args, "--set", "rl.checkpoint_interval=40960"])
    except SystemExit as exc:  # pragma: no cover - a failure to train fails every test that uses it
        assert not exc.code, exc
    (run,) = (module_runs / "cartpole").iterdir()
    return run


def test_training_balances_the_pole(trained, capsys):
    code, out, err = run_main(capsys, "eval", "cartpole", "--episodes", "20", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["checkpoint"].endswith("best.ckpt") and result["episodes"] == 20
    assert result["mean_return"] >= 900, result
    summary = json.loads((trained / "summary.json").read_text())
    assert summary["finished"] is True and summary["env_steps"] == BUDGET
    assert (summary["trainer"], summary["backend"]) == ("rslrl", "torch")


def test_run_directory_config_and_metrics_are_those_of_every_trainer(trained):
    assert trained.name.endswith("-rslrl-torch")
    config = json.loads((trained / "config.json").read_text())
    assert (config["trainer"], config["backend"], config["seed"]) == ("rslrl", "torch", SEED)
    assert config["rl_cfg_class"] == "motrixlab_envs_basic.cartpole:CartPolePPO"  # the env's tuned config
    assert {"rsl-rl-lib", "torch", "motrixlab-trainer-rslrl", "motrixsim"} <= set(config["versions"])
    names = {p.name for p in (trained / "checkpoints").iterdir()}
    assert {"latest.ckpt", "best.ckpt", "step-40960.ckpt", "step-81920.ckpt"} <= names
    lines = [json.loads(line) for line in (trained / "metrics.jsonl").read_text().splitlines()]
    assert [line["env_steps"] for line in lines] == list(range(1024, BUDGET + 1, 1024))
    evals = [line["eval/return"] for line in lines if "eval/return" in line]
    assert len(evals) == 5 and max(evals) >= 900
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(trained))
    acc.Reload()
    tags = set(acc.Tags()["scalars"])
    expected = {
        "episode/return",
        "episode/length",
        "loss/policy",
        "loss/value",
        "policy/std",
        "train/learning_rate",
        "perf/env_steps_per_s",
        "perf/update_ms",
        "eval/return",
        "env/reward/alive",
    }
    assert expected <= tags, expected - tags
    returns = acc.Scalars("episode/return")
    assert returns[-1].value > returns[0].value  # it learned


@pytest.mark.parametrize("fmt", ["onnx", "torchscript"])
def test_export_matches_the_live_policy(trained, capsys, fmt, tmp_path):
    target = tmp_path / f"policy.{fmt}"
    code, _, err = run_main(capsys, "export", "cartpole", "--format", fmt, "--output", str(target))
    assert code == 0, err
    obs = np.random.default_rng(0).normal(0, 0.3, (500, 4)).astype(np.float32)
    obs[:10] *= 100  # far outside what training saw
    from motrixlab.cli.train import _load_run, _trainer, build_run

    run_dir, saved = _load_run("cartpole", str(trained))
    run = build_run("cartpole", run_dir=run_dir, saved=saved)
    learner, _ = _trainer(run.trainer).load_policy(run, trained / "checkpoints" / "best.ckpt")
    want = learner.deterministic(obs)
    if fmt == "onnx":
        import onnxruntime as ort

        got = ort.InferenceSession(str(target), providers=["CPUExecutionProvider"]).run(None, {"obs": obs})[0]
    else:
        import torch

        got = torch.jit.load(str(target))(torch.from_numpy(obs)).detach().numpy()
    assert got.shape == (500, 1)
    np.testing.assert_allclose(got, want, atol=1e-5, rtol=0)
    assert np.abs(want).max() > 1e-3  # a real policy, not zeros


def test_train_and_info_say_what_rsl_rl_does_instead_of_a_value_normaliser(trained, capsys):
    code, out, _ = run_main(capsys, "info", "cartpole")
    assert code == 0
    assert "backend rslrl/torch: installed" in out
    assert "note: rl.value_normalization=true: rsl_rl has no value normaliser" in out


def test_a_checkpoint_of_another_trainer_is_refused_in_one_line(trained, capsys, tmp_path):
    from motrixlab.training.checkpoint import read_checkpoint, write_checkpoint

    header, payload = read_checkpoint(trained / "checkpoints" / "latest.ckpt")
    other = tmp_path / "skrl.ckpt"
    write_checkpoint(other, {**header, "trainer": "skrl"}, payload)
    code, out, err = run_main(capsys, "eval", "cartpole", "--checkpoint", str(other))
    (line,) = error_lines(err)
    assert code == 1 and out == ""
    assert line == (
        f"motrixlab: error: checkpoint {str(other)!r} was written by trainer skrl/torch, not rslrl/torch; "
        "pass the run it belongs to with --run"
    )
