"""Cross-package tests: every installed MotrixLab package together, as a user installs them."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

os.environ.setdefault("RUST_LOG", "error")


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """``run_cli(*args)``: exit status, stdout and stderr of ``motrixlab ARGS`` run in-process."""
    from motrixlab.plugins import reset_registry
    from motrixlab_testenv.cli import run_main

    def run(*args: str) -> tuple[int, str, str]:
        reset_registry()
        return run_main(capsys, *args)

    return run
