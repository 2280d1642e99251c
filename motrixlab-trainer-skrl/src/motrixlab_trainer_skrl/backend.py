"""The :class:`motrixlab.training.learner.Learner` of skrl: one skrl PPO agent and its tensors.

Implementations live in ``torch_agent`` and ``jax_agent`` and are imported only when a backend runs;
what they share (building models and agent, acting, recording, tracking) is written here once.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import numpy as np
from motrixlab.training.learner import Learner
from motrixlab.training.tracking import (
    TAG_ENTROPY_LOSS,
    TAG_LEARNING_RATE,
    TAG_POLICY_LOSS,
    TAG_STD,
    TAG_UPDATE_MS,
    TAG_VALUE_LOSS,
)

from motrixlab_trainer_skrl import skrl_private
from motrixlab_trainer_skrl.networks import build_models
from motrixlab_trainer_skrl.skrl_cfg import ppo_kwargs


class Backend(Learner):
    """A skrl PPO agent on one framework."""

    #: the skrl env wrapper of this framework (``torch_env.TorchEnv`` / ``jax_env.JaxEnv``)
    env_wrapper: type

    # ---- construction (by the framework's subclass) -----------------------------------------
    agent: Any  # the skrl PPO agent
    policy: Any  # its policy model

    def _build(
        self,
        *,
        models: tuple[type, type, type],
        memory: Callable[[], Any],
        ppo: type,
        ppo_cfg: type,
        scaler: type,
        kl_scheduler: type,
        init_models: Callable[[Any, Any], None] | None = None,
        before_init: Callable[[Any], None] | None = None,
    ) -> None:
        """Seed, build the models (``models``: policy, value and shared-trunk classes), ``init_models(policy,
        value)`` them, and build skrl's PPO agent from skrl's ``ppo``/``ppo_cfg`` classes and this config;
        ``before_init(agent)`` runs before skrl's ``init``."""
        cfg = self.cfg
        self.seed(cfg.seed)
        common = {"observation_space": self.observation_space, "action_space": self.action_space}
        policy, value = build_models(cfg, *models, **common, device=self.device)
        if init_models is not None:
            init_models(policy, value)
        kwargs = ppo_kwargs(
            cfg, observation_space=self.observation_space, device=self.device, scaler=scaler, kl_scheduler=kl_scheduler
        )
        agent = ppo(
            models={"policy": policy, "value": value},
            memory=memory() if self.training else None,
            **common,
            device=self.device,
            cfg=ppo_cfg(**kwargs),
        )
        if before_init is not None:
            before_init(agent)
        agent.init()
        agent.enable_training_mode(self.training)
        self.agent, self.policy = agent, policy

    # ---- rollout ---------------------------------------------------------------------------
    def wrap(self, env: Any, seed: int | None = None) -> Any:
        """The env as a skrl environment of this framework, on this backend's device."""
        return self.env_wrapper(env, self.device, seed)

    def act(self, obs: Any, timestep: int, timesteps: int) -> Any:
        """Stochastic actions for the wrapped env."""
        with self.no_grad():
            return self.agent.act(obs, None, timestep=timestep, timesteps=timesteps)[0]

    def no_grad(self) -> AbstractContextManager[Any]:
        """Context in which transitions are recorded (torch turns autograd off; jax needs nothing)."""
        return nullcontext()

    def record(
        self,
        *,
        obs: Any,
        actions: Any,
        reward: Any,
        final_obs: Any,
        terminated: Any,
        truncated: Any,
        timestep: int,
        timesteps: int,
    ) -> bool:
        """Store a transition (tensors as the wrapper returns them, ``final_obs`` from its info) and run
        skrl's post-interaction; True if a PPO update ran."""
        if not self.cfg.time_limit_bootstrap:
            terminated = terminated | truncated
        with self.no_grad():
            self.agent.record_transition(
                observations=obs,
                states=None,
                actions=actions,
                rewards=reward,
                next_observations=final_obs,  # not the next episode's first observation
                next_states=None,
                terminated=terminated,
                truncated=truncated,
                infos=None,
                timestep=timestep,
                timesteps=timesteps,
            )
        before = skrl_private.rollout_count(self.agent)
        self.agent.post_interaction(timestep=timestep, timesteps=timesteps)
        after = skrl_private.rollout_count(self.agent)
        return after != before and after % self.cfg.rollouts == 0

    def take_tracking(self) -> dict[str, float]:
        data = self.agent.tracking_data
        out = {rename_tracked(k): float(np.mean(v)) for k, v in data.items() if v}
        data.clear()
        return out


#: skrl's tracking names -> MotrixLab's TensorBoard tags; the others go under ``skrl/``
SKRL_TAGS = {
    "Loss / Policy loss": TAG_POLICY_LOSS,
    "Loss / Value loss": TAG_VALUE_LOSS,
    "Loss / Entropy loss": TAG_ENTROPY_LOSS,
    "Policy / Standard deviation": TAG_STD,
    "Learning / Learning rate": TAG_LEARNING_RATE,
    "Learning / Policy learning rate": TAG_LEARNING_RATE,
    "Learning / Value learning rate": "train/value_learning_rate",
    "Stats / Algorithm update time (ms)": TAG_UPDATE_MS,
}


def rename_tracked(name: str) -> str:
    return SKRL_TAGS.get(name, "skrl/" + name.replace(" / ", "/").replace(" ", "_"))
