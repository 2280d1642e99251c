"""``test-slider``: cart-pole on a motor with obs (x, theta, xdot, thetadot).

Reward is 1 per step; the episode terminates when |theta| > ``max_angle``. The test suite
relies on the exact semantics: ``reset_rows`` draws x uniformly from ``[-reset_noise, reset_noise]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from motrixlab import EnvCfg
from motrixlab.npenv import NpEnv, box
from motrixsim import write as W


@dataclass(kw_only=True)
class SliderCfg(EnvCfg):
    model_file: str = str(Path(__file__).with_name("slider.xml"))
    sim_dt: float = 0.01
    ctrl_dt: float = 0.02
    max_episode_seconds: float = 1.0
    max_angle: float = 0.5
    reset_noise: float = 0.05


class SliderEnv(NpEnv[SliderCfg]):
    def __init__(self, cfg: SliderCfg, *, num_envs: int = 1, seed: int | None = None) -> None:
        super().__init__(cfg, num_envs=num_envs, seed=seed)
        self.observation_space = box(4)
        self.action_space = box(1, -1.0, 1.0)
        self._ctrl = self.compile_write({"u": W.ActuatorCtrls()})
        self._init = self.compile_write(
            {"q": W.BodyJointPosition(), "v": W.BodyJointVelocity()}, reset=True, forward_kinematic=True
        )

    def apply_action(self, actions: np.ndarray) -> None:
        self._ctrl["u"][:] = actions
        self._ctrl.execute(self.data)

    def compute_obs(self) -> np.ndarray:
        return np.concatenate((self.state["qpos"], self.state["qvel"]), axis=1)

    def compute_reward(self) -> np.ndarray:
        return np.ones(self.num_envs, np.float32)

    def compute_terminated(self) -> np.ndarray:
        return np.abs(self.state["qpos"][:, 1]) > self.cfg.max_angle

    def reset_rows(self, ids: np.ndarray) -> None:
        n = len(ids)
        q = self._init["q"]
        q[ids, 0] = self.rng.uniform(-self.cfg.reset_noise, self.cfg.reset_noise, n)
        q[ids, 1] = 0.0
        self._init["v"][ids] = 0.0
        self._init.execute(self.data, env_ids=ids)
