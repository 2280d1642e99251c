"""``acrobot``: swing the tip of a two-link arm, actuated only at the elbow, above a height.

Observation (6,), float32: cos and sin of the shoulder angle (0 = upper link pointing up),
cos and sin of the elbow angle (relative to the upper link), shoulder and elbow angular
velocities (rad/s).
Action (1,) in [-1, 1]: elbow torque, scaled to ±3 N m; the shoulder is passive.
Reward in [0, 1] per step: ``height``, rising linearly with the tip height above the
shoulder from 0 when hanging straight down (-2 m) to 1 at ``target_height`` (1.6 m) and
above. Logged, with the tip height itself (``tip_height``).
Termination: none. Episode: 1000 steps (10 s). Timing: sim_dt 0.005 s, ctrl_dt 0.01 s.
Reset: both links hanging (shoulder pi, elbow 0) at rest, plus uniform noise in ±``reset_noise``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from motrixlab import EnvCfg, PPOCfg
from motrixlab.rewards import tolerance

from motrixlab_envs_basic.assets import model_path
from motrixlab_envs_basic.base import BasicEnv

LINK_LENGTH = 1.0  # m, both links (acrobot.xml)


@dataclass(kw_only=True)
class AcrobotCfg(EnvCfg):
    model_file: str = model_path("acrobot.xml")
    sim_dt: float = 0.005
    ctrl_dt: float = 0.01
    max_episode_seconds: float = 10.0
    target_height: float = 1.6  # m above the shoulder; the tip reaches 2 m at most
    reset_noise: float = 0.1

    def validate(self) -> None:
        super().validate()
        if not -2 * LINK_LENGTH < self.target_height <= 2 * LINK_LENGTH:
            raise ValueError(f"target_height: must be in (-2, 2] m, got {self.target_height!r}")
        if not self.reset_noise >= 0:
            raise ValueError(f"reset_noise: must be >= 0, got {self.reset_noise!r}")


def tip_height(qpos: np.ndarray) -> np.ndarray:
    """Height of the lower link's end above the shoulder, (N,), for qpos (N, 2)."""
    return LINK_LENGTH * (np.cos(qpos[:, 0]) + np.cos(qpos[:, 0] + qpos[:, 1]))


class AcrobotEnv(BasicEnv[AcrobotCfg]):
    obs_dim = 6

    def compute_obs(self) -> np.ndarray:
        q, v = self.state["qpos"], self.state["qvel"]
        c, s = np.cos(q), np.sin(q)
        return np.stack((c[:, 0], s[:, 0], c[:, 1], s[:, 1], v[:, 0], v[:, 1]), axis=1)

    def compute_reward(self) -> np.ndarray:
        h = tip_height(self.state["qpos"])
        target = self.cfg.target_height
        height = tolerance(
            h, bounds=(target, np.inf), margin=target + 2 * LINK_LENGTH, sigmoid="linear", value_at_margin=0.0
        )
        self.log.update({"reward/height": height, "tip_height": h})
        return height

    def compute_terminated(self) -> np.ndarray:
        return np.zeros(self.num_envs, bool)

    def initial_state(self, n: int) -> np.ndarray:
        noise = self.cfg.reset_noise
        state = self.rng.uniform(-noise, noise, (n, 4))
        state[:, 0] += np.pi
        return state


@dataclass(kw_only=True)
class AcrobotPPO(PPOCfg):
    num_envs: int = 256
    max_env_steps: int = 10_000_000
    checkpoint_interval: int = 1_000_000
    policy_hidden: tuple[int, ...] = (128, 128)
    value_hidden: tuple[int, ...] = (128, 128)
    activation: str = "tanh"
    rollouts: int = 32
    learning_epochs: int = 5
    mini_batches: int = 8
    gamma: float = 0.99
    learning_rate: float = 5e-4
