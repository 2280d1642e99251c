"""What the framework-neutral loop needs from a framework: one skrl PPO agent and its tensors.

Implementations live in ``torch_agent`` and ``jax_agent`` and are imported only when a backend runs;
what they share (building models and agent, acting, seeding, the export parts) is written here once.
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import numpy as np
from motrixlab.rlcfg import PPOCfg

from motrixlab_trainer_skrl import skrl_private
from motrixlab_trainer_skrl.networks import build_models
from motrixlab_trainer_skrl.skrl_cfg import ppo_kwargs


class Backend(ABC):
    """A skrl PPO agent on one framework, driven by :mod:`motrixlab_trainer_skrl.loop`."""

    name: str  # "torch" | "jax"
    #: the skrl env wrapper of this framework (``torch_env.TorchEnv`` / ``jax_env.JaxEnv``)
    env_wrapper: type
    device: Any

    def __init__(
        self, cfg: PPOCfg, observation_space: Any, action_space: Any, num_envs: int, *, training: bool
    ) -> None:
        self.cfg = cfg
        self.observation_space = observation_space
        self.action_space = action_space
        self.num_envs = num_envs
        self.training = training

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
    def load_state_bytes(self, payload: bytes, *, weights_only: bool = False) -> None:
        """Restore :meth:`state_bytes`; raises ValueError/KeyError/RuntimeError on a mismatch. ``weights_only``:
        the networks and normalisers alone (a new run starting from another run's policy)."""

    def seed(self, seed: int) -> None:
        """Seed Python's and NumPy's global generators; a subclass also seeds its framework's and skrl's."""
        random.seed(seed)
        np.random.seed(seed % 2**32)

    # ---- export ----------------------------------------------------------------------------
    @abstractmethod
    def mean_layers(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """The policy's mean layers, input to output, as NumPy (W (out, in), b)."""

    @abstractmethod
    def normaliser_stats(self) -> tuple[np.ndarray, np.ndarray, float, float] | None:
        """The observation normaliser's running mean and variance (float32), epsilon and clip; None without one."""

    def policy_export_parts(self) -> dict[str, Any]:
        """NumPy parts of the deterministic policy for export: ``obs_mean``, ``obs_std``, ``obs_clip``
        (None without a normaliser), ``layers`` [(W (out, in), b)], ``activation``, ``low``, ``high``."""
        parts: dict[str, Any] = {
            "layers": self.mean_layers(),
            "activation": self.cfg.activation,
            "low": self.action_space.low,
            "high": self.action_space.high,
            "obs_mean": None,
            "obs_std": None,
            "obs_clip": None,
        }
        stats = self.normaliser_stats()
        if stats is not None:
            mean, variance, epsilon, clip = stats
            parts["obs_mean"] = mean
            parts["obs_std"] = np.sqrt(variance) + np.float32(epsilon)
            parts["obs_clip"] = float(clip)
        return parts
