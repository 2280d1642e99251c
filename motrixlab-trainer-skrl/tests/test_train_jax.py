"""End to end on the jax backend: train cartpole, evaluate, export (rebuilt in torch), resume."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from trainer_helpers import CARTPOLE_FAST_JAX, only_run, run_cli, set_args, train_cartpole

SEED = 0
BUDGET = 24_576


@pytest.fixture(scope="module")
def trained(module_runs: Path) -> Path:
    return train_cartpole(
        module_runs,
        *("--backend", "jax", "--seed", str(SEED), "--max-steps", str(BUDGET), "--no-progress"),
        *set_args(CARTPOLE_FAST_JAX),
    )


def test_jax_training_balances_the_pole(trained, capsys):
    code, out, err = run_cli(capsys, "eval", "cartpole", "--checkpoint", "latest", "--episodes", "20", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["mean_return"] >= 900, result
    config = json.loads((trained / "config.json").read_text())
    assert config["backend"] == "jax" and trained.name.endswith("-skrl-jax")
    assert {"jax", "flax", "optax"} <= set(config["versions"]) and "torch" not in config["versions"]


def test_jax_tensorboard_and_metrics(trained):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(trained))
    acc.Reload()
    tags = set(acc.Tags()["scalars"])
    assert {"episode/return", "loss/policy", "loss/value", "policy/std", "train/learning_rate"} <= tags
    lines = (trained / "metrics.jsonl").read_text().splitlines()
    assert json.loads(lines[-1])["env_steps"] == BUDGET


@pytest.mark.parametrize("fmt", ["onnx", "torchscript"])
def test_jax_policy_exports_and_matches(trained, capsys, tmp_path, fmt):
    target = tmp_path / f"policy-{fmt}"
    code, _, err = run_cli(capsys, "export", "cartpole", "--format", fmt, "--output", str(target))
    assert code == 0, err
    from motrixlab.cli.train import _load_run, _trainer, build_run

    run_dir, saved = _load_run("cartpole", "latest")
    run = build_run("cartpole", run_dir=run_dir, saved=saved)
    backend, _ = _trainer(run.trainer).load_policy(run, run_dir / "checkpoints" / "best.ckpt")
    obs = np.random.default_rng(1).normal(0, 0.2, (300, 4)).astype(np.float32)
    obs[:5] *= 200
    if fmt == "onnx":
        import onnxruntime as ort

        got = ort.InferenceSession(str(target), providers=["CPUExecutionProvider"]).run(None, {"obs": obs})[0]
    else:
        import torch

        got = torch.jit.load(str(target))(torch.from_numpy(obs)).detach().numpy()
    np.testing.assert_allclose(got, backend.deterministic(obs), atol=1e-5, rtol=0)


def test_jax_resume_continues_the_step_count(runs, capsys):
    base = ["--backend", "jax", "--seed", "1", "--no-progress", *set_args()]
    code, _, err = run_cli(capsys, "train", "test-slider", "--max-steps", "2048", *base)
    assert code == 0, err
    run_dir = only_run(runs, "test-slider")
    from motrixlab.training.checkpoint import read_checkpoint

    header = read_checkpoint(run_dir / "checkpoints" / "latest.ckpt")[0]
    assert header["env_steps"] == 2048 and header["backend"] == "jax"
    code, out, err = run_cli(
        capsys, "train", "test-slider", "--resume", "latest", "--max-steps", "4096", "--no-progress"
    )
    assert code == 0, err
    assert "4,096 env steps" in out
    steps = [json.loads(line)["env_steps"] for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert steps == list(range(512, 4097, 512))
    assert read_checkpoint(run_dir / "checkpoints" / "latest.ckpt")[0]["env_steps"] == 4096


def test_jax_init_from_starts_a_new_run_from_the_policy(trained, module_runs, capsys):
    """Last in this module: it adds a cartpole run, which the tests above would take for the latest."""
    fresh = ("--seed", "1", "--max-steps", "1024", "--no-progress", *set_args(CARTPOLE_FAST_JAX))
    before = set(module_runs.glob("*/*"))
    code, _, err = run_cli(capsys, "train", "cartpole", "--backend", "torch", "--init-from", trained.name, *fresh)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code != 0 and len(lines) == 1, err
    assert "was written by backend skrl/jax, not skrl/torch; use --backend jax" in lines[0]
    assert set(module_runs.glob("*/*")) == before  # nothing half-written
    lr = ("--set", "rl.learning_rate=1e-9")  # the new run's policy stays the trained one
    code, _, err = run_cli(capsys, "train", "cartpole", "--backend", "jax", "--init-from", trained.name, *fresh, *lr)
    assert code == 0, err
    (new,) = set(module_runs.glob("cartpole/*")) - before
    config = json.loads((new / "config.json").read_text())
    assert config["init_from"]["run"] == trained.name and config["init_from"]["env_steps"] >= BUDGET
    code, out, err = run_cli(capsys, "eval", "cartpole", "--run", new.name, "--episodes", "5", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["env_steps"] == 1024 and result["mean_return"] >= 900  # 1024 steps alone do not balance it
