"""Entry point of the skrl trainer: registers the torch and jax backends (no framework imports)."""

from __future__ import annotations

from collections.abc import Callable

import motrixlab


@motrixlab.hookimpl
def motrixlab_register_trainers(register: Callable[[motrixlab.TrainerSpec], None]) -> None:
    """Backends are registered once implemented."""
