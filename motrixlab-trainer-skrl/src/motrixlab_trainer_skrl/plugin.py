"""Entry point of the skrl trainer: registers the torch and jax backends (no framework imports)."""

from __future__ import annotations

from collections.abc import Callable

import motrixlab

_PKG = "motrixlab_trainer_skrl"

#: backend -> (trainer class, import names checked before use, install extra)
BACKENDS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "torch": ("TorchTrainer", ("torch", "skrl"), "torch"),
    "jax": ("JaxTrainer", ("jax", "flax", "optax", "skrl"), "jax"),
}


@motrixlab.hookimpl
def motrixlab_register_trainers(register: Callable[[motrixlab.TrainerSpec], None]) -> None:
    for backend, (cls, requires, extra) in BACKENDS.items():
        register(
            motrixlab.TrainerSpec(
                trainer="skrl",
                backend=backend,
                entry=f"{_PKG}.skrl_trainer:{cls}",
                requires=requires,
                install_hint=f"pip install 'motrixlab-trainer-skrl[{extra}]'",
                default_cfg="motrixlab.rlcfg:PPOCfg",
            )
        )
