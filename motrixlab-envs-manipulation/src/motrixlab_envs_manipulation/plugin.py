"""Entry point of the manipulation environments: registers specs only (import strings, nothing heavy)."""

from __future__ import annotations

from collections.abc import Callable

import motrixlab


@motrixlab.hookimpl
def motrixlab_register_envs(register: Callable[[motrixlab.EnvSpec], None]) -> None:
    """No environments yet."""
