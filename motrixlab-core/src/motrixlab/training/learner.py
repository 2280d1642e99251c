"""The seam between :mod:`motrixlab.training.loop` and an RL library: one PPO learner and its tensors.

A trainer package implements :class:`Learner` for its library (skrl on torch or jax, rsl_rl, ...);
the loop, checkpoints, metrics, evaluation and export are then shared. The loop calls, per env step::

    actions = learner.act(obs, t, timesteps)
    next_obs, reward, terminated, truncated, info = wrapped.step(actions)   # wrapped = learner.wrap(env)
    updated = learner.record(obs=obs, actions=actions, reward=reward, final_obs=info["final_obs"],
                             terminated=terminated, truncated=truncated, timestep=t, timesteps=timesteps)

and, after a step for which ``record`` returned True (a policy update ran), ``take_tracking``.
"""

from __future__ import annotations

import math
import random
from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from motrixlab.rlcfg import PPOCfg

#: Orthogonal initialisation gains of every learner's networks (biases 0): hidden layers, the policy's
#: mean head, the value head. Part of what a ``PPOCfg`` means, so that a config tuned with one trainer
#: starts from the same kind of network on another: a mean head near 0 starts the policy at the
#: centre of the action space, where ``init_log_std`` sets its exploration.
HIDDEN_GAIN = math.sqrt(2)
MEAN_GAIN = 0.01
VALUE_GAIN = 1.0


class Learner(ABC):
    """A PPO learner of one library on one framework, driven by :class:`motrixlab.training.loop.TrainLoop`.

    ``training=False`` builds only what acting needs (evaluation, play, export)."""

    name: str  # the framework, for messages: "torch" | "jax"
    device: Any

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
        """The ``ABEnv`` as the env this library steps. Its ``reset(seed=)`` returns ``(obs, info)`` and
        its ``step(actions)`` returns ``(obs, reward, terminated, truncated, info)`` as the library's
        tensors, with ``info["final_obs"]`` (the last observation of episodes that just ended, else the
        observation) as a tensor too; after each step, ``last`` holds the env's own NumPy results."""

    @abstractmethod
    def act(self, obs: Any, timestep: int, timesteps: int) -> Any:
        """Stochastic actions for the wrapped env's observation."""

    @abstractmethod
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
        """Store a transition and update the policy when a rollout is complete; True if an update ran.

        A truncated (time-limit) row is bootstrapped from ``final_obs`` when ``cfg.time_limit_bootstrap``:
        its target is ``reward + gamma * V(final_obs)``, never the value of the next episode's start."""

    @abstractmethod
    def take_tracking(self) -> dict[str, float]:
        """Losses, std, learning rate (``motrixlab.training.tracking.TAG_*`` names; the library's other
        figures under ``<library>/<name>``) since the last call, then forgotten."""

    # ---- policy ----------------------------------------------------------------------------
    @abstractmethod
    def deterministic(self, obs: np.ndarray) -> np.ndarray:
        """Mean actions, clipped to the action space, with frozen normalisers (evaluation, play, export)."""

    # ---- state -----------------------------------------------------------------------------
    @abstractmethod
    def state_bytes(self) -> bytes:
        """Models, optimizer, schedules, normalisers and the generator state as checkpoint payload bytes.
        Never pickle: a checkpoint may come from anyone."""

    @abstractmethod
    def load_state_bytes(self, payload: bytes, *, weights_only: bool = False) -> None:
        """Restore :meth:`state_bytes`; raises ValueError/KeyError/RuntimeError on a mismatch.
        ``weights_only``: the networks and normalisers alone, not the optimizer, schedule or generator
        state (a new run starting from another run's policy, ``train --init-from``)."""

    def seed(self, seed: int) -> None:
        """Seed Python's and NumPy's global generators; a subclass also seeds its framework's."""
        random.seed(seed)
        np.random.seed(seed % 2**32)

    # ---- export ----------------------------------------------------------------------------
    @abstractmethod
    def mean_layers(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """The policy's mean layers, input to output, as NumPy (W (out, in), b)."""

    @abstractmethod
    def normaliser_stats(self) -> tuple[np.ndarray, np.ndarray, float, float] | None:
        """The observation normaliser as (mean, std, epsilon, clip), applied as
        ``clip((obs - mean) / (std + epsilon), -clip, clip)``; None without one."""

    def policy_export_parts(self) -> dict[str, Any]:
        """NumPy parts of the deterministic policy for :mod:`motrixlab.training.export`: ``obs_mean``,
        ``obs_std``, ``obs_clip`` (None without a normaliser), ``layers`` [(W (out, in), b)],
        ``activation``, ``low``, ``high``."""
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
            mean, std, epsilon, clip = stats
            parts["obs_mean"] = np.asarray(mean, np.float32)
            parts["obs_std"] = np.asarray(std, np.float32) + np.float32(epsilon)
            parts["obs_clip"] = float(clip)
        return parts
