"""Entry point of the rsl_rl trainer: registers ``rslrl/torch`` (no framework imports)."""

from __future__ import annotations

from collections.abc import Callable

import motrixlab


@motrixlab.hookimpl
def motrixlab_register_trainers(register: Callable[[motrixlab.TrainerSpec], None]) -> None:
    register(
        motrixlab.TrainerSpec(
            trainer="rslrl",
            backend="torch",
            entry="motrixlab_trainer_rslrl.rslrl_trainer:RslRlTrainer",
            requires=("torch", "rsl_rl", "tensordict"),
            install_hint="pip install motrixlab-trainer-rslrl",
            default_cfg="motrixlab.rlcfg:PPOCfg",
        )
    )
