"""Helpers shared by the trainer tests: the CLI in-process and as a subprocess, and cartpole runs."""

from __future__ import annotations

import os

os.environ.setdefault("RUST_LOG", "error")

import subprocess
import sys
from pathlib import Path

import pytest
from motrixlab.cli.app import main
from motrixlab_testenv.cli import run_main
from motrixlab_testenv.configs import CARTPOLE_FAST

#: skrl's JAX PPO steps policy and value with separate optimizers whose learning rates both follow
#: the policy's KL: it is steadier with a lower rate and KL target.
CARTPOLE_FAST_JAX = (*CARTPOLE_FAST, "rl.learning_rate=1e-3", "rl.kl_threshold=0.01")


def set_args(sets: tuple[str, ...] = CARTPOLE_FAST) -> list[str]:
    return [a for s in sets for a in ("--set", s)]


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``main(args)`` in this process -> (exit code, stdout, stderr)."""
    return run_main(capsys, *args)


def train_cartpole(runs: Path, *args: str) -> Path:
    """``motrixlab train cartpole ARGS`` in this process, with a fresh registry; the one run it wrote."""
    from motrixlab.plugins import reset_registry

    reset_registry()
    try:
        main(["train", "cartpole", *args])
    except SystemExit as exc:  # pragma: no cover - a failure to train fails every test that uses it
        assert not exc.code, exc
    return only_run(runs, "cartpole")


def subprocess_cli(*args: str, runs: Path, timeout: float = 300, **popen: object) -> subprocess.CompletedProcess:
    env = {**os.environ, "RUST_LOG": "error", "MOTRIXLAB_RUNS_DIR": str(runs)}
    return subprocess.run(
        [sys.executable, "-m", "motrixlab", *args], capture_output=True, text=True, env=env, timeout=timeout, **popen
    )


def only_run(root: Path, env: str) -> Path:
    runs = sorted(p for p in (root / env).iterdir() if (p / "config.json").is_file())
    assert len(runs) == 1, runs
    return runs[0]
