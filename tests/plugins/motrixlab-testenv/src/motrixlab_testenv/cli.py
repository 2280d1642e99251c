"""The ``motrixlab`` command run in-process, and its stderr read, for the test suites of every package."""

from __future__ import annotations

from typing import Any


def run_main(capsys: Any, *args: str) -> tuple[int, str, str]:
    """``motrixlab ARGS`` through ``main()`` in this process: (exit status, stdout, stderr), read from
    pytest's ``capsys``."""
    from motrixlab.cli.app import main

    try:
        main(list(args))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    else:
        code = 0
    out, err = capsys.readouterr()
    return code, out, err


def error_lines(stderr: str) -> list[str]:
    """stderr's non-blank lines without MotrixSim's import banner."""
    return [line for line in stderr.splitlines() if line.strip() and not line.startswith("Motphys profiler")]
