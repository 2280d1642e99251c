"""``hopper-stand``, ``hopper-hop``: a planar one-legged hopper stands tall, or hops forward.

One env class; the tasks differ in ``hop_speed`` (0 = stand, 2 m/s = hop).
Observation (11,), float32: joint positions without root x (5): root height offset from rest
in m, root pitch, hip, knee and ankle angles in rad; joint velocities (6): root x and z in
m/s, root pitch and the three leg joints in rad/s.
Action (3,) in [-1, 1]: hip, knee and ankle torques, scaled to ±150, ±150, ±75 N m.
Reward in [0, 1] per step: ``standing`` = tolerance(torso height, >= ``stand_height`` 1.0 m,
margin 0.5 m, Gaussian) times, for ``hopper-stand``, ``small_control`` (1 at rest down to 0.8
at full torque) or, for ``hopper-hop``, ``hopping`` = tolerance(forward speed, >= hop_speed,
margin hop_speed / 2, linear, 0.5 at the margin). Terms are logged, with ``torso_height`` and
``forward_speed``.
Termination: none. Episode: 1000 steps (20 s). Timing: sim_dt 0.005 s, ctrl_dt 0.02 s.
Reset: standing straight at rest (torso centre 1.25 m) with ±``reset_noise`` (0.1) uniform
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
from motrixlab_envs_basic.terms import small_control


@dataclass(kw_only=True)
class HopperCfg(PlanarCfg):
    model_file: str = model_path("hopper.xml")
    sim_dt: float = 0.005
    ctrl_dt: float = 0.02
    max_episode_seconds: float = 20.0
    stand_height: float = 1.0  # m, torso centre
    hop_speed: float = 0.0  # m/s; 0 = stand

    def validate(self) -> None:
        super().validate()
        if not self.stand_height > 0:
            raise ValueError(f"stand_height: must be positive, got {self.stand_height!r}")
        if not self.hop_speed >= 0:
            raise ValueError(f"hop_speed: must be >= 0, got {self.hop_speed!r}")


@dataclass(kw_only=True)
class HopperStandCfg(HopperCfg):
    hop_speed: float = 0.0


@dataclass(kw_only=True)
class HopperHopCfg(HopperCfg):
    hop_speed: float = 2.0


class HopperEnv(PlanarEnv[HopperCfg]):
    obs_dim = 11
    root_height = 1.25
    chains: ClassVar[Mapping[str, tuple[str, ...]]] = {"torso": ("rooty",)}

    def compute_obs(self) -> np.ndarray:
        return np.concatenate((self.state["qpos"][:, 1:], self.state["qvel"]), axis=1)

    def compute_reward(self) -> np.ndarray:
        height = self.torso_height()
        standing = tolerance(height, bounds=(self.cfg.stand_height, np.inf), margin=0.5)
        self.log.update({"reward/standing": standing, "torso_height": height})
        speed = self.cfg.hop_speed
        if speed <= 0:
            gentle = small_control(self.motor.action)
            self.log["reward/small_control"] = gentle
            return (standing * gentle).astype(np.float32)
        vx = self.forward_speed()
        hopping = tolerance(vx, bounds=(speed, np.inf), margin=speed / 2, sigmoid="linear", value_at_margin=0.5)
        self.log.update({"reward/hopping": hopping, "forward_speed": vx})
        return (standing * hopping).astype(np.float32)

    def compute_terminated(self) -> np.ndarray:
        return np.zeros(self.num_envs, bool)


@dataclass(kw_only=True)
class HopperStandPPO(PPOCfg):
    num_envs: int = 1024
    max_env_steps: int = 20_000_000
    checkpoint_interval: int = 2_000_000
    policy_hidden: tuple[int, ...] = (256, 256)
    value_hidden: tuple[int, ...] = (256, 256)
    activation: str = "elu"
    rollouts: int = 24
    learning_epochs: int = 5
    mini_batches: int = 8
    gamma: float = 0.99
    gae_lambda: float = 0.95
    learning_rate: float = 3e-4


@dataclass(kw_only=True)
class HopperHopPPO(HopperStandPPO):
    max_env_steps: int = 50_000_000
    checkpoint_interval: int = 5_000_000
