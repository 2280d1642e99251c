"""Cross-package tests: every installed MotrixLab package together, as a user installs them."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

os.environ.setdefault("RUST_LOG", "error")


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """``run_cli(*args)``: exit status, stdout and stderr of ``motrixlab ARGS`` run in-process."""
    from motrixlab.cli.app import main
    from motrixlab.plugins import reset_registry

    def run(*args: str) -> tuple[int, str, str]:
        reset_registry()
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out, err = capsys.readouterr()
        return code, out, err

    return run
