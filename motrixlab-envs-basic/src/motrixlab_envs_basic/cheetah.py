"""``cheetah-run``: a planar cheetah runs forward as fast as it can, up to 10 m/s.

Observation (17,), float32: joint positions without root x (8): root height offset from rest
in m, root pitch and the six leg joints in rad (back thigh, shin, foot; front thigh, shin,
foot); joint velocities (9): root x and z in m/s, root pitch and leg joints in rad/s.
Action (6,) in [-1, 1]: leg torques, scaled to ±120, ±90, ±60 (back) and ±120, ±60, ±30 N m
(front).
Reward in [0, 1] per step: ``run`` = forward speed / ``run_speed`` (10 m/s), clipped to [0, 1]
(tolerance, linear). Logged, with ``forward_speed``.
Termination: none (a cheetah on its back just earns little). Episode: 1000 steps (10 s).
Timing: sim_dt 0.005 s, ctrl_dt 0.01 s. Reset: rest pose with ±``reset_noise`` (0.1) uniform
noise on leg angles and all velocities.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from motrixlab import PPOCfg
from motrixlab.rewards import tolerance

from motrixlab_envs_basic.assets import model_path
from motrixlab_envs_basic.planar import PlanarCfg, PlanarEnv


@dataclass(kw_only=True)
class CheetahCfg(PlanarCfg):
    model_file: str = model_path("cheetah.xml")
    sim_dt: float = 0.005
    ctrl_dt: float = 0.01
    max_episode_seconds: float = 10.0
    run_speed: float = 10.0  # m/s at which the reward saturates

    def validate(self) -> None:
        super().validate()
        if not self.run_speed > 0:
            raise ValueError(f"run_speed: must be positive, got {self.run_speed!r}")


class CheetahEnv(PlanarEnv[CheetahCfg]):
    obs_dim = 17
    root_height = 0.7
    chains: ClassVar[Mapping[str, tuple[str, ...]]] = {"torso": ("rooty",)}

    def compute_obs(self) -> np.ndarray:
        return np.concatenate((self.state["qpos"][:, 1:], self.state["qvel"]), axis=1)

    def compute_reward(self) -> np.ndarray:
        vx = self.forward_speed()
        speed = self.cfg.run_speed
        run = tolerance(vx, bounds=(speed, np.inf), margin=speed, sigmoid="linear", value_at_margin=0.0)
        self.log.update({"reward/run": run, "forward_speed": vx})
        return run

    def compute_terminated(self) -> np.ndarray:
        return np.zeros(self.num_envs, bool)


@dataclass(kw_only=True)
class CheetahRunPPO(PPOCfg):
    num_envs: int = 1024
    max_env_steps: int = 50_000_000
    checkpoint_interval: int = 5_000_000
    policy_hidden: tuple[int, ...] = (256, 256)
    value_hidden: tuple[int, ...] = (256, 256)
    activation: str = "elu"
    rollouts: int = 24
    learning_epochs: int = 5
    mini_batches: int = 8
    gamma: float = 0.99
    gae_lambda: float = 0.95
    learning_rate: float = 3e-4
