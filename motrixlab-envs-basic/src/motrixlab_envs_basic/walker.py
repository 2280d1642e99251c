"""``walker-stand``, ``walker-walk``, ``walker-run``: a planar biped stands up tall, walks, runs.

One env class; the three tasks differ only in ``move_speed`` (0, 1 and 8 m/s).
Observation (24,), float32: for each of the 7 links (torso, right thigh, leg, foot, left
thigh, leg, foot) the cosine and sine of its world pitch (14); torso height above the floor
in m (1); joint velocities (9): root x and z in m/s, root pitch and the six limb joints in rad/s.
Action (6,) in [-1, 1]: torques on right hip, knee, ankle, left hip, knee, ankle, scaled to
±100, ±80, ±40 N m per side.
Reward in [0, 1] per step: ``stand`` = (3 ``standing`` + ``upright``) / 4 with ``standing`` =
tolerance(torso height, >= ``stand_height`` 1.2 m, margin 0.6 m) and ``upright`` =
(1 + cos torso pitch) / 2. With ``move_speed`` > 0 it is multiplied by (5 ``move`` + 1) / 6,
``move`` = tolerance(forward speed, >= move_speed, margin move_speed / 2, linear, 0.5 at the
margin). Each term is logged, with ``forward_speed`` and ``torso_height``.
Termination: none. Episode: 1000 steps (24 s). Timing: sim_dt 0.008 s, ctrl_dt 0.024 s (about 42 Hz).
Reset: standing straight at rest (torso at 1.3 m) with ±``reset_noise`` (0.1) uniform noise on
limb angles and all velocities; it falls without control.
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
from motrixlab_envs_basic.terms import upright


@dataclass(kw_only=True)
class WalkerCfg(PlanarCfg):
    model_file: str = model_path("walker.xml")
    sim_dt: float = 0.008
    ctrl_dt: float = 0.024
    max_episode_seconds: float = 24.0
    stand_height: float = 1.2  # m, torso centre
    move_speed: float = 0.0  # m/s; 0 = stand still

    def validate(self) -> None:
        super().validate()
        if not self.stand_height > 0:
            raise ValueError(f"stand_height: must be positive, got {self.stand_height!r}")
        if not self.move_speed >= 0:
            raise ValueError(f"move_speed: must be >= 0, got {self.move_speed!r}")


@dataclass(kw_only=True)
class WalkerStandCfg(WalkerCfg):
    move_speed: float = 0.0


@dataclass(kw_only=True)
class WalkerWalkCfg(WalkerCfg):
    move_speed: float = 1.0


@dataclass(kw_only=True)
class WalkerRunCfg(WalkerCfg):
    move_speed: float = 8.0


class WalkerEnv(PlanarEnv[WalkerCfg]):
    obs_dim = 24
    root_height = 1.3
    chains: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "torso": ("rooty",),
        "right_thigh": ("rooty", "right_hip"),
        "right_leg": ("rooty", "right_hip", "right_knee"),
        "right_foot": ("rooty", "right_hip", "right_knee", "right_ankle"),
        "left_thigh": ("rooty", "left_hip"),
        "left_leg": ("rooty", "left_hip", "left_knee"),
        "left_foot": ("rooty", "left_hip", "left_knee", "left_ankle"),
    }

    def compute_obs(self) -> np.ndarray:
        pitch = self.link_pitch()
        height = self.torso_height()[:, None]
        return np.concatenate((np.cos(pitch), np.sin(pitch), height, self.state["qvel"]), axis=1)

    def compute_reward(self) -> np.ndarray:
        height = self.torso_height()
        standing = tolerance(height, bounds=(self.cfg.stand_height, np.inf), margin=self.cfg.stand_height / 2)
        up = upright(np.cos(self.state["qpos"][:, 2]))
        stand = (3.0 * standing + up) / 4.0
        self.log.update({"reward/standing": standing, "reward/upright": up, "torso_height": height})
        speed = self.cfg.move_speed
        if speed <= 0:
            return stand.astype(np.float32)
        vx = self.forward_speed()
        move = tolerance(vx, bounds=(speed, np.inf), margin=speed / 2, sigmoid="linear", value_at_margin=0.5)
        self.log.update({"reward/move": move, "forward_speed": vx})
        return (stand * (5.0 * move + 1.0) / 6.0).astype(np.float32)

    def compute_terminated(self) -> np.ndarray:
        return np.zeros(self.num_envs, bool)


@dataclass(kw_only=True)
class WalkerStandPPO(PPOCfg):
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
    entropy_loss_scale: float = 0.0


@dataclass(kw_only=True)
class WalkerWalkPPO(WalkerStandPPO):
    max_env_steps: int = 50_000_000
    checkpoint_interval: int = 5_000_000


@dataclass(kw_only=True)
class WalkerRunPPO(WalkerWalkPPO):
    pass
