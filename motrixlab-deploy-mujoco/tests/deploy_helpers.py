"""Helpers of the deploy tests: the CLI in-process, the pinned cartpole config."""

from __future__ import annotations

import os

os.environ.setdefault("RUST_LOG", "error")

from pathlib import Path

import pytest
from motrixlab.plugins import reset_registry
from motrixlab_testenv.cli import run_main

#: A cartpole PPO config that balances within about 25k env steps on 2 cores (pinned here, so that
#: retuning the env's registered config cannot break these tests).
CARTPOLE_FAST = (
    "rl.num_envs=32",
    "rl.rollouts=16",
    "rl.learning_epochs=4",
    "rl.mini_batches=2",
    "rl.learning_rate=3e-3",
    "rl.kl_threshold=0.02",
    "rl.activation=elu",
    "rl.gamma=0.98",
    "rl.init_log_std=-1.0",
    "rl.policy_hidden=32,32",
    "rl.value_hidden=32,32",
    "rl.lr_schedule=kl_adaptive",
    "rl.eval_interval=0",
)


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``motrixlab ARGS`` in this process, with a fresh registry: (exit status, stdout, stderr lines joined)."""
    reset_registry()
    code, out, err = run_main(capsys, *args)
    err = "\n".join(line for line in err.splitlines() if line.strip() and not line.startswith("Motphys profiler"))
    return code, out, err


def train(env: str, steps: int, sets: tuple[str, ...]) -> None:
    """``motrixlab train ENV`` (torch, seed 0) in this process."""
    from motrixlab.cli.app import main

    reset_registry()
    args = ["train", env, "--backend", "torch", "--seed", "0", "--max-steps", str(steps), "--no-progress"]
    try:
        main([*args, *[a for s in sets for a in ("--set", s)]])
    except SystemExit as exc:  # pragma: no cover - a failure to train fails every test that uses it
        assert not exc.code, exc


def export(env: str, out: Path) -> None:
    from motrixlab.cli.app import main

    reset_registry()
    try:
        main(["export", env, "--checkpoint", "latest", "--format", "onnx", "--output", str(out)])
    except SystemExit as exc:  # pragma: no cover
        assert not exc.code, exc
