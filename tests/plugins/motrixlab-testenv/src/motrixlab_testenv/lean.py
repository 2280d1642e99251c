"""``test-refresh``: ``test-slider`` whose task state is brought up to date in ``refresh``.

``refresh`` derives the pole's lean, |theta| / ``max_angle``, for the rows it is given (every
row after the physics, the reset rows after a reset); the observation appends it to
(x, theta, xdot, thetadot), the reward is 1 - lean and the episode terminates when the lean
exceeds 1. The compute hooks only read it, so they work in any order.
"""

from __future__ import annotations

import numpy as np
from motrixlab.npenv import box

from motrixlab_testenv.env import SliderCfg, SliderEnv


class LeanEnv(SliderEnv):
    def __init__(self, cfg: SliderCfg, *, num_envs: int = 1, seed: int | None = None) -> None:
        super().__init__(cfg, num_envs=num_envs, seed=seed)
        self.observation_space = box(5)
        self.lean = np.zeros(self.num_envs, np.float32)
        self._max_angle = np.float32(cfg.max_angle)

    def refresh(self, ids: np.ndarray | None) -> None:
        rows = slice(None) if ids is None else ids
        self.lean[rows] = np.abs(self.state["qpos"][rows, 1]) / self._max_angle

    def compute_obs(self) -> np.ndarray:
        return np.concatenate((self.state["qpos"], self.state["qvel"], self.lean[:, None]), axis=1)

    def compute_reward(self) -> np.ndarray:
        return 1.0 - self.lean

    def compute_terminated(self) -> np.ndarray:
        return self.lean > 1.0
