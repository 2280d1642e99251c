"""The ``motrixlab.Trainer`` of rsl_rl: the core's loop trainer over :class:`RslRlLearner`.

This module is what the CLI loads; it imports neither torch nor rsl_rl.
"""

from __future__ import annotations

from typing import Any

from motrixlab.training.trainer import LoopTrainer

from motrixlab_trainer_rslrl.rslrl_cfg import unsupported


class RslRlTrainer(LoopTrainer):
    learner_ref = "motrixlab_trainer_rslrl.learner:RslRlLearner"
    frameworks = ("torch",)
    distributions = ("motrixlab-trainer-rslrl", "rsl-rl-lib", "tensordict")

    def cfg_notes(self, cfg: Any) -> tuple[str, ...]:
        return unsupported(self.ppo_cfg(cfg))


__all__ = ["RslRlTrainer"]
