"""Helpers of the deploy tests: the CLI in-process, training and export."""

from __future__ import annotations

import os

os.environ.setdefault("RUST_LOG", "error")

from pathlib import Path

import pytest
from motrixlab.plugins import reset_registry
from motrixlab_testenv.cli import error_lines, run_main


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``motrixlab ARGS`` in this process, with a fresh registry: (exit status, stdout, stderr lines joined)."""
    reset_registry()
    code, out, err = run_main(capsys, *args)
    return code, out, "\n".join(error_lines(err))


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
