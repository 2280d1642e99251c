"""``cartpole-swingup``: swing the pole up from hanging, then balance it with the cart centred.

Observation (5,), float32: cart position x (m), cos theta, sin theta (theta = pole angle, 0 =
upright, pi = hanging), cart velocity (m/s), pole angular velocity (rad/s).
Action (1,) in [-1, 1]: force on the cart, scaled to the motor's control range ±3 with gear
100 (±300 N). The rail allows |x| <= 1.8 m; the hinge is unlimited.
Reward in [0, 1] per step, the product of
``upright`` (1 + cos theta) / 2, ``centred`` (1 + tolerance(x, margin 2 m)) / 2,
``small_control`` from 1 (no force) down to 0.8 (full force), and
``small_velocity`` (1 + tolerance(theta_dot, margin 5 rad/s)) / 2; each is logged.
Termination: none. Episode: 1000 steps (10 s). Timing: sim_dt 0.005 s, ctrl_dt 0.01 s.
Reset: theta = pi, x = 0, all velocities 0, each plus uniform noise in ±``reset_noise``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from motrixlab import EnvCfg, PPOCfg
from motrixlab.rewards import tolerance

from motrixlab_envs_basic.assets import model_path
from motrixlab_envs_basic.base import BasicEnv
from motrixlab_envs_basic.terms import small_control, upright


@dataclass(kw_only=True)
class CartPoleSwingUpCfg(EnvCfg):
    model_file: str = model_path("cartpole_swingup.xml")
    sim_dt: float = 0.005
    ctrl_dt: float = 0.01
    max_episode_seconds: float = 10.0
    reset_noise: float = 0.01
    centre_margin: float = 2.0  # m
    velocity_margin: float = 5.0  # rad/s

    def validate(self) -> None:
        super().validate()
        for name in ("centre_margin", "velocity_margin"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name}: must be positive, got {getattr(self, name)!r}")
        if not self.reset_noise >= 0:
            raise ValueError(f"reset_noise: must be >= 0, got {self.reset_noise!r}")


class CartPoleSwingUpEnv(BasicEnv[CartPoleSwingUpCfg]):
    obs_dim = 5

    def compute_obs(self) -> np.ndarray:
        q, v = self.state["qpos"], self.state["qvel"]
        theta = q[:, 1]
        return np.stack((q[:, 0], np.cos(theta), np.sin(theta), v[:, 0], v[:, 1]), axis=1)

    def compute_reward(self) -> np.ndarray:
        q, v = self.state["qpos"], self.state["qvel"]
        up = upright(np.cos(q[:, 1]))
        centred = 0.5 * (1.0 + tolerance(q[:, 0], margin=self.cfg.centre_margin))
        gentle = small_control(self.motor.action)
        slow = 0.5 * (1.0 + tolerance(v[:, 1], margin=self.cfg.velocity_margin))
        self.log.update({"reward/upright": up, "reward/centred": centred, "reward/small_control": gentle})
        self.log["reward/small_velocity"] = slow
        return (up * centred * gentle * slow).astype(np.float32)

    def compute_terminated(self) -> np.ndarray:
        return np.zeros(self.num_envs, bool)

    def initial_state(self, n: int) -> np.ndarray:
        noise = self.cfg.reset_noise
        state = self.rng.uniform(-noise, noise, (n, 4))
        state[:, 1] += np.pi
        return state


@dataclass(kw_only=True)
class CartPoleSwingUpPPO(PPOCfg):
    num_envs: int = 256
    max_env_steps: int = 3_000_000
    checkpoint_interval: int = 500_000
    policy_hidden: tuple[int, ...] = (64, 64)
    value_hidden: tuple[int, ...] = (64, 64)
    activation: str = "tanh"
    rollouts: int = 32
    learning_epochs: int = 5
    mini_batches: int = 8
    gamma: float = 0.99
    gae_lambda: float = 0.95
    lr_schedule: str = "constant"
    learning_rate: float = 3e-4
    entropy_loss_scale: float = 0.001  # keeps the action noise from collapsing before the swing-up is found
