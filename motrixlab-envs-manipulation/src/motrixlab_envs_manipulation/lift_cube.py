"""``franka-lift-cube``: grasp a cube lying on the table and lift it to a target height.

Timing: sim_dt 5 ms, ctrl_dt 50 ms (20 Hz); episodes last 5 s (100 steps) and end only by the
time limit. Actions: see ``franka.py`` (7 delta joint targets + absolute gripper opening).

Scene: a 4 cm, 0.1 kg cube on the table top (z = 0). At every reset it is placed uniformly in
``cube_x`` x ``cube_y`` (m) with a yaw in ``cube_yaw`` (rad), and a target height for the cube
centre is drawn from ``target_z`` (m), all from the env's seeded generator.

Observation (52 values): the 32 robot values of ``franka.py``, then

====== ===== ==========================================================
index  size  content
====== ===== ==========================================================
32     3     cube centre position, world frame (m)
35     6     cube orientation: first two columns of its rotation matrix
41     3     cube linear velocity, world frame (m/s)
44     3     cube angular velocity, world frame (rad/s)
47     3     cube centre minus fingertip centre (m)
50     1     target height of the cube centre (m)
51     1     target height minus cube centre height (m)
====== ===== ==========================================================

Grasp test (``held``): the cube centre lies between the finger pads (within 1 cm of the pad
mid-plane, 2 cm across, 3 cm along the fingers) and the opening is 3 to 6 cm (fingers squeezing
the 4 cm cube, straight or tilted).

Reward per step, in [-0.02, 1], staged reach -> grasp -> lift: the weighted mean of
``reach`` = 1 - (tanh(2 d) + tanh(10 d)) / 2 (d = fingertip-to-cube distance, m), ``grasp`` = held,
``lift`` = held x clip((z - z_rest) / (z_target - z_rest), 0, 1) and ``success``, minus the
action-rate penalty. ``log["success"]`` is 1 where the cube is held with its centre at or above
the target height now.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from motrixlab.assets import model_path
from motrixlab.quat import from_yaw
from motrixlab.rlcfg import PPOCfg
from motrixsim import query as Q
from motrixsim import write as W

from motrixlab_envs_manipulation import geometry
from motrixlab_envs_manipulation.franka import FrankaCfg, FrankaEnv, check_range, reach_reward

CUBE_HALF = 0.02  # m, half the edge of the cube in lift_cube.xml


@dataclass(kw_only=True)
class LiftRewards:
    reach: float = 1.0  # weight (in the reward's weighted mean) of the fingertips' nearness to the cube
    grasp: float = 1.0  # weight of the cube held between the finger pads
    lift: float = 2.0  # weight of the held cube's progress to the target height (0 to 1)
    success: float = 2.0  # weight of the cube held at or above the target height


@dataclass(kw_only=True)
class LiftCubeCfg(FrankaCfg):
    model_file: str = model_path(__file__, "lift_cube.xml")
    max_episode_seconds: float = 5.0
    cube_x: tuple[float, float] = (0.4, 0.6)  # m, the cube's start x range (in front of the robot)
    cube_y: tuple[float, float] = (-0.2, 0.2)  # m, the cube's start y range
    cube_yaw: tuple[float, float] = (-math.pi / 4, math.pi / 4)  # rad, the cube's start yaw range
    target_z: tuple[float, float] = (0.1, 0.2)  # m, range of the target height of the cube's centre
    rewards: LiftRewards = field(default_factory=LiftRewards)

    def validate(self) -> None:
        super().validate()
        check_range("cube_x", self.cube_x, low=0.2, high=0.8)
        check_range("cube_y", self.cube_y, low=-0.6, high=0.6)
        check_range("cube_yaw", self.cube_yaw, low=-math.pi, high=math.pi)
        check_range("target_z", self.target_z, low=CUBE_HALF + 0.01, high=0.8)


class LiftCubeEnv(FrankaEnv[LiftCubeCfg]):
    task_obs_dim = 20

    def __init__(self, cfg: LiftCubeCfg, *, num_envs: int = 1, seed: int | None = None) -> None:
        super().__init__(cfg, num_envs=num_envs, seed=seed)
        n = self.num_envs
        self.target_z = np.full(n, cfg.target_z[0], np.float32)
        self.cube_pos = np.zeros((n, 3), np.float32)
        self.cube_mat = np.tile(np.eye(3, dtype=np.float32), (n, 1, 1))
        self.held = np.zeros(n, bool)

    def task_queries(self) -> Mapping[str, Any]:
        return {
            "cube_pos": Q.LinkPosition(["cube"]),
            "cube_rot": Q.LinkRotation(["cube"]),
            "cube_lin": Q.LinkLinearVelocity(["cube"]),
            "cube_ang": Q.LinkAngularVelocity(["cube"]),
        }

    def task_reset_sources(self) -> Mapping[str, Any]:
        return {
            "cube_pos": W.BodyPosition(["cube"]),
            "cube_rot": W.BodyRotation(["cube"]),
            "marker": W.BodyPosition(["target"]),
        }

    def reset_task(self, ids: np.ndarray, plan: Any) -> None:
        cfg, n = self.cfg, len(ids)
        pos = np.empty((n, 3), np.float32)
        pos[:, 0] = self.rng.uniform(*cfg.cube_x, n)
        pos[:, 1] = self.rng.uniform(*cfg.cube_y, n)
        pos[:, 2] = CUBE_HALF
        self.target_z[ids] = self.rng.uniform(*cfg.target_z, n)
        plan["cube_pos"][ids, 0] = pos
        plan["cube_rot"][ids, 0] = from_yaw(self.rng.uniform(*cfg.cube_yaw, n))
        plan["marker"][ids, 0, :2] = pos[:, :2]
        plan["marker"][ids, 0, 2] = self.target_z[ids]

    def refresh(self, ids: np.ndarray | None) -> None:
        super().refresh(ids)
        self.cube_pos = self.state["cube_pos"][:, 0]
        self.cube_mat = geometry.quat_to_matrix(self.state["cube_rot"][:, 0])
        self.held = self.held_between_fingers(self.cube_pos, half_x=0.02, half_z=0.03, width=(0.03, 0.06))

    def task_obs(self) -> list[np.ndarray]:
        return [
            self.cube_pos,
            geometry.rotation_6d(self.cube_mat),
            self.state["cube_lin"][:, 0],
            self.state["cube_ang"][:, 0],
            self.cube_pos - self.tip_pos,
            self.target_z[:, None],
            (self.target_z - self.cube_pos[:, 2])[:, None],
        ]

    def compute_reward(self) -> np.ndarray:
        w = self.cfg.rewards
        reach_dist = np.linalg.norm(self.cube_pos - self.tip_pos, axis=1)
        height = self.cube_pos[:, 2]
        progress = np.clip((height - CUBE_HALF) / (self.target_z - CUBE_HALF), 0.0, 1.0)
        success = self.held & (height >= self.target_z)
        terms = {
            "reach": (w.reach, reach_reward(reach_dist)),
            "grasp": (w.grasp, self.held),
            "lift": (w.lift, self.held * progress),
            "success": (w.success, success),
        }
        self.log["cube_height"] = height
        return self.finish_reward(terms, success)


@dataclass(kw_only=True)
class LiftCubePPO(PPOCfg):
    """Tuned for up to 100M env steps: 2048 envs x 24-step rollouts per update."""

    num_envs: int = 2048
    max_env_steps: int = 100_000_000
    checkpoint_interval: int = 5_000_000
    policy_hidden: tuple[int, ...] = (256, 128, 64)
    value_hidden: tuple[int, ...] = (256, 128, 64)
    activation: str = "elu"
    init_log_std: float = -0.5
    rollouts: int = 24
    learning_epochs: int = 5
    mini_batches: int = 8
    gamma: float = 0.98
    gae_lambda: float = 0.95
    learning_rate: float = 3e-4
    kl_threshold: float = 0.01
    entropy_loss_scale: float = 0.002
