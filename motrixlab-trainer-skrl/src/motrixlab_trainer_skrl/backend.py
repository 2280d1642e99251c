"""What the framework-neutral loop needs from a framework: one skrl PPO agent and its tensors.

Implementations live in ``torch_agent`` and ``jax_agent`` and are imported only when a backend runs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import numpy as np
from motrixlab.rlcfg import PPOCfg

from motrixlab_trainer_skrl import skrl_private


class Backend(ABC):
    """A skrl PPO agent on one framework, driven by :mod:`motrixlab_trainer_skrl.loop`."""

    name: str  # "torch" | "jax"
    payload_format: str  # what the checkpoint payload holds

    def __init__(
        self, cfg: PPOCfg, observation_space: Any, action_space: Any, num_envs: int, *, training: bool
    ) -> None:
        self.cfg = cfg
        self.observation_space = observation_space
        self.action_space = action_space
        self.num_envs = num_envs
        self.training = training

    # ---- rollout ---------------------------------------------------------------------------
    @abstractmethod
    def wrap(self, env: Any, seed: int | None = None) -> Any:
        """The env as a skrl environment of this framework (``torch_env.TorchEnv`` / ``jax_env.JaxEnv``)."""

    @abstractmethod
    def act(self, obs: Any, timestep: int, timesteps: int) -> Any:
        """Stochastic actions for the wrapped env."""

    agent: Any  # the skrl PPO agent, built by the framework's subclass

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
        """Losses, std and learning rate skrl tracked since the last call (then forgotten)."""
        data = self.agent.tracking_data
        out = {k: float(np.mean(v)) for k, v in data.items() if v}
        data.clear()
        return out

    # ---- policy ----------------------------------------------------------------------------
    @abstractmethod
    def deterministic(self, obs: np.ndarray) -> np.ndarray:
        """Mean actions with frozen normalisers (what evaluation, play and export use)."""

    # ---- state -----------------------------------------------------------------------------
    @abstractmethod
    def state_bytes(self) -> bytes:
        """Models, optimizer, scheduler and normalisers as checkpoint payload bytes (no pickle)."""

    @abstractmethod
    def load_state_bytes(self, payload: bytes) -> None:
        """Restore :meth:`state_bytes`; raises ValueError/KeyError/RuntimeError on a mismatch."""

    @abstractmethod
    def seed(self, seed: int) -> None:
        """Seed the framework's and skrl's random streams."""

    # ---- export ----------------------------------------------------------------------------
    @abstractmethod
    def policy_export_parts(self) -> dict[str, Any]:
        """NumPy parts of the deterministic policy for export: ``obs_mean``, ``obs_std``, ``obs_clip``
        (None without a normaliser), ``layers`` [(W (out, in), b)], ``activation``, ``low``, ``high``."""
