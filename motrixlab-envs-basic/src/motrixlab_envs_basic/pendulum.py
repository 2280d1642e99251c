"""``pendulum``: swing a torque-limited pendulum up from hanging and hold it upright.

Observation (3,), float32: cos theta, sin theta (theta = pole angle, 0 = upright, pi =
hanging), angular velocity (rad/s).
Action (1,) in [-1, 1]: hinge torque, scaled to ±2 N m. Gravity exerts up to 5.4 N m, so the
pendulum has to be pumped up over several swings.
Reward in [0, 1] per step, the product of
``upright``: 1 within ``upright_angle`` (0.2 rad) of vertical, falling smoothly (cosine) to 0
at hanging; and ``small_control``: 1 at zero torque down to 0.8 at full torque. Both logged.
Termination: none. Episode: 1000 steps (20 s). Timing: sim_dt 0.01 s, ctrl_dt 0.02 s.
Reset: theta = pi and zero velocity, each plus uniform noise in ±``reset_noise`` (0.1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from motrixlab import EnvCfg, PPOCfg
from motrixlab.rewards import tolerance

from motrixlab_envs_basic.assets import model_path
from motrixlab_envs_basic.base import BasicEnv
from motrixlab_envs_basic.terms import small_control, wrap_angle


@dataclass(kw_only=True)
class PendulumCfg(EnvCfg):
    model_file: str = model_path("pendulum.xml")
    sim_dt: float = 0.01
    ctrl_dt: float = 0.02
    max_episode_seconds: float = 20.0
    upright_angle: float = 0.2  # rad
    reset_noise: float = 0.1

    def validate(self) -> None:
        super().validate()
        if not 0 < self.upright_angle < np.pi:
            raise ValueError(f"upright_angle: must be in (0, pi), got {self.upright_angle!r}")
        if not self.reset_noise >= 0:
            raise ValueError(f"reset_noise: must be >= 0, got {self.reset_noise!r}")


class PendulumEnv(BasicEnv[PendulumCfg]):
    obs_dim = 3

    def compute_obs(self) -> np.ndarray:
        theta = self.state["qpos"][:, 0]
        return np.stack((np.cos(theta), np.sin(theta), self.state["qvel"][:, 0]), axis=1)

    def compute_reward(self) -> np.ndarray:
        bound = self.cfg.upright_angle
        off_vertical = np.abs(wrap_angle(self.state["qpos"][:, 0]))
        up = tolerance(off_vertical, bounds=(0.0, bound), margin=np.pi - bound, sigmoid="cosine", value_at_margin=0.0)
        gentle = small_control(self.motor.action)
        self.log.update({"reward/upright": up, "reward/small_control": gentle})
        return (up * gentle).astype(np.float32)

    def compute_terminated(self) -> np.ndarray:
        return np.zeros(self.num_envs, bool)

    def initial_state(self, n: int) -> np.ndarray:
        noise = self.cfg.reset_noise
        state = self.rng.uniform(-noise, noise, (n, 2))
        state[:, 0] += np.pi
        return state


@dataclass(kw_only=True)
class PendulumPPO(PPOCfg):
    num_envs: int = 256
    max_env_steps: int = 6_000_000
    checkpoint_interval: int = 1_000_000
    policy_hidden: tuple[int, ...] = (64, 64)
    value_hidden: tuple[int, ...] = (64, 64)
    activation: str = "tanh"
    rollouts: int = 32
    learning_epochs: int = 5
    mini_batches: int = 8
    gamma: float = 0.99
    lr_schedule: str = "constant"
    learning_rate: float = 3e-4
    entropy_loss_scale: float = 0.001  # keeps the action noise from collapsing before the swing-up is found
