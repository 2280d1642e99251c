"""The ``motrixlab.Trainer`` implementations: skrl PPO on torch and on jax.

This module is what the CLI loads; it imports no framework. The learners (``torch_agent``,
``jax_agent``) are imported when a method runs; everything else is the core's
:class:`motrixlab.training.trainer.LoopTrainer`.
"""

from __future__ import annotations

from motrixlab.training.process_state import Keeper
from motrixlab.training.trainer import LoopTrainer

from motrixlab_trainer_skrl import skrl_private, skrl_world


class SkrlTrainer(LoopTrainer):
    """Shared by both backends; a subclass names its learner class and framework distributions."""

    distributions = ("motrixlab-trainer-skrl", "skrl")

    def learner_class(self) -> type:
        with skrl_world.hidden_world():  # skrl must not start a process group of its own
            return super().learner_class()

    def process_keepers(self) -> tuple[Keeper, ...]:
        # skrl keeps its jax PRNG key in a process-wide config, which seeding a learner replaces
        return ((skrl_private.jax_config_state, skrl_private.restore_jax_config_state),)


class TorchTrainer(SkrlTrainer):
    learner_ref = "motrixlab_trainer_skrl.torch_agent:TorchBackend"
    frameworks = ("torch",)


class JaxTrainer(SkrlTrainer):
    learner_ref = "motrixlab_trainer_skrl.jax_agent:JaxBackend"
    frameworks = ("jax", "jaxlib", "flax", "optax")


__all__ = ["JaxTrainer", "SkrlTrainer", "TorchTrainer"]
