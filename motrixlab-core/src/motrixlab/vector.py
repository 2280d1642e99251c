"""A gymnasium ``VectorEnv`` view of any ``ABEnv`` (same-step autoreset, as the env itself)."""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from motrixlab.env import ABEnv


class GymVectorEnv(VectorEnv):
    """Wraps an ``ABEnv`` without copies; ``info["final_obs"]``/``info["_final_obs"]`` as gymnasium."""

    def __init__(self, env: ABEnv) -> None:
        self.env = env
        self.num_envs = env.num_envs
        self.single_observation_space = env.observation_space
        self.single_action_space = env.action_space
        self.observation_space = batch_space(env.observation_space, env.num_envs)
        self.action_space = batch_space(env.action_space, env.num_envs)
        self.metadata = {"autoreset_mode": AutoresetMode.SAME_STEP}

    def reset(self, *, seed: int | list[int] | None = None, options: dict[str, Any] | None = None):
        if isinstance(seed, list):
            seed = seed[0]
        return self.env.reset(seed=seed)

    def step(self, actions: np.ndarray):
        obs, reward, terminated, truncated, info = self.env.step(actions)
        info = dict(info)
        info["_final_obs"] = terminated | truncated
        return obs, reward, terminated, truncated, info

    def close_extras(self, **kwargs: Any) -> None:
        self.env.close()
