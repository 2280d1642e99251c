"""The Franka Panda arm and gripper shared by every manipulation task.

Timing: policy at ``ctrl_dt`` = 50 ms (20 Hz); physics at ``sim_dt`` = 5 ms (10 physics steps per
action) unless a task says otherwise. Episode length is set per task (``max_episode_seconds``).

Actions (8 values, each in [-1, 1]):

- ``0..6`` **delta** joint position targets: ``target += action_scale * a`` (rad, 0.1 rad per step
  by default). Targets persist between steps, so a zero action holds the arm still despite
  gravity sag; they are kept within ``max_target_lead`` of the measured joint angle (no wind-up
  when the hand is blocked) and inside the joint ranges. Stiff position actuators track them.
- ``7`` **absolute** gripper opening: -1 closed, +1 fully open (0.08 m); each finger tracks half.

Robot observation (first 32 values of every task's observation; SI units):

====== ===== ==========================================================
index  size  content
====== ===== ==========================================================
0      7     arm joint angles minus the ready pose (rad)
7      7     arm joint velocities (rad/s)
14     7     joint targets minus joint angles (rad)
21     1     gripper opening, distance between the finger pads (m)
22     1     last gripper command in [-1, 1]
23     3     fingertip centre position, world frame (m)
26     6     fingertip orientation: first two columns of its rotation matrix
====== ===== ==========================================================

The fingertip frame has z along the fingers (pointing out of the hand) and y along the finger
travel. Task observations follow (see each task module).

A subclass provides ``task_queries`` / ``task_reset_sources`` (extra named query and reset-write
fields), ``task_obs``, ``compute_reward`` and ``reset_task``, and extends ``refresh``; everything
runs vectorised over the batch. ``refresh`` (NpEnv's post-physics hook) computes the derived
quantities once per step; ``compute_obs`` and ``compute_reward`` only read them.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from motrixlab import EnvCfg
from motrixlab.npenv import NpEnv, box
from motrixsim import query as Q
from motrixsim import write as W

from motrixlab_envs_manipulation import geometry

ARM_JOINTS = tuple(f"joint{i}" for i in range(1, 8))
FINGER_JOINTS = ("finger_left", "finger_right")
ROBOT_JOINTS = ARM_JOINTS + FINGER_JOINTS
#: the manufacturer's "ready" pose (rad)
READY_POSE = np.array([0.0, -math.pi / 4, 0.0, -3 * math.pi / 4, 0.0, math.pi / 2, math.pi / 4], np.float32)
FINGER_TRAVEL = 0.04  # m per finger; the opening is up to twice this
FINGERTIP_SITE = "fingertip"
ROBOT_OBS_DIM = 32
ACTION_DIM = 8


@dataclass(kw_only=True)
class FrankaCfg(EnvCfg):
    """Timing, action mapping and reset noise shared by the Franka tasks."""

    sim_dt: float = 0.005
    ctrl_dt: float = 0.05
    max_episode_seconds: float = 5.0
    action_scale: float = 0.1  # rad of joint-target change per step at |action| = 1
    max_target_lead: float = 0.3  # rad the target may run ahead of the measured joint angle
    reset_joint_noise: float = 0.1  # rad, uniform about the ready pose
    action_rate_penalty: float = 0.005  # weight of the mean squared action change per step

    def validate(self) -> None:
        super().validate()
        for name in ("action_scale", "max_target_lead"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"{name}: must be a positive number, got {value!r}")
        for name in ("reset_joint_noise", "action_rate_penalty"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{name}: must be a non-negative number, got {value!r}")
        weights = getattr(self, "rewards", None)
        if weights is not None:  # reward weights: non-negative, so each step's reward stays in [-penalty, 1]
            values = {f.name: getattr(weights, f.name) for f in dataclasses.fields(weights)}
            for name, value in values.items():
                if not (math.isfinite(value) and value >= 0):
                    raise ValueError(f"rewards.{name}: must be a non-negative number, got {value!r}")
            if not any(values.values()):
                raise ValueError("rewards: at least one weight must be positive")


def check_range(name: str, lo_hi: tuple[float, float], *, low: float = -math.inf, high: float = math.inf) -> None:
    """Raise ``ValueError`` naming ``name`` unless ``low <= lo <= hi <= high``."""
    lo, hi = lo_hi
    if not (math.isfinite(lo) and math.isfinite(hi) and low <= lo <= hi <= high):
        raise ValueError(f"{name}: expected (low, high) with {low} <= low <= high <= {high}, got {lo_hi!r}")


def reach_reward(distance: np.ndarray) -> np.ndarray:
    """1 - (tanh(2 d) + tanh(10 d)) / 2 in [0, 1]: a broad pull from afar plus a sharp one up close."""
    return 1.0 - 0.5 * (np.tanh(2.0 * distance) + np.tanh(10.0 * distance))


CfgT = TypeVar("CfgT", bound=FrankaCfg)


class FrankaEnv(NpEnv[CfgT]):
    """Arm and gripper control, robot observations and robot reset; tasks add the rest."""

    #: number of task observation values appended to the robot's
    task_obs_dim: int = 0

    def __init__(self, cfg: CfgT, *, num_envs: int = 1, seed: int | None = None) -> None:
        super().__init__(cfg, num_envs=num_envs, seed=seed)
        ranges = np.array([self.model.get_joint(j).range.reshape(2) for j in ARM_JOINTS], np.float32)
        self.joint_low, self.joint_high = ranges[:, 0], ranges[:, 1]
        self.observation_space = box(ROBOT_OBS_DIM + self.task_obs_dim)
        self.action_space = box(ACTION_DIM, -1.0, 1.0)
        self._ctrl = self.compile_write(
            {"arm": W.ActuatorCtrls(list(ARM_JOINTS)), "fingers": W.ActuatorCtrls(list(FINGER_JOINTS))}
        )
        self._reset_plan = self.compile_write(
            {
                "robot_q": W.BodyJointPosition(list(ROBOT_JOINTS)),
                "robot_v": W.BodyJointVelocity(list(ROBOT_JOINTS)),
                **self.task_reset_sources(),
            },
            reset=True,
            forward_kinematic=True,
        )
        n = self.num_envs
        self.joint_target = np.tile(READY_POSE, (n, 1))
        self.last_action = np.zeros((n, ACTION_DIM), np.float32)
        self.action_rate = np.zeros(n, np.float32)
        # per-step derived state, filled by refresh()
        self.tip_pos = np.zeros((n, 3), np.float32)
        self.tip_mat = np.tile(np.eye(3, dtype=np.float32), (n, 1, 1))
        self.opening = np.zeros(n, np.float32)

    # ---- hooks for the tasks ----------------------------------------------------------------
    def task_queries(self) -> Mapping[str, Any]:
        return {}

    def task_reset_sources(self) -> Mapping[str, Any]:
        return {}

    def task_obs(self) -> list[np.ndarray]:
        return []

    def reset_task(self, ids: np.ndarray, plan: Any) -> None:
        """Fill the task's fields of the reset write ``plan`` (and task variables) for rows ``ids``."""

    def camera_view(self, row: int = 0) -> dict[str, Any]:
        """The arm and its workspace in front of it (the task objects sit around x = 0.5 m)."""
        return {"lookat": [0.4, 0.0, 0.25], "distance": 1.8, "elevation": -25.0, "azimuth": 110.0}

    # ---- NpEnv implementation ---------------------------------------------------------------
    def state_queries(self) -> Mapping[str, Any]:
        return {
            "robot_q": Q.JointPosition(list(ROBOT_JOINTS)),
            "robot_v": Q.JointVelocity(list(ROBOT_JOINTS)),
            "tip_pos": Q.SitePosition([FINGERTIP_SITE]),
            "tip_rot": Q.SiteRotation([FINGERTIP_SITE]),
            **self.task_queries(),
        }

    def apply_action(self, actions: np.ndarray) -> None:
        cfg = self.cfg
        q = self.state["robot_q"][:, :7]
        target = self.joint_target + cfg.action_scale * actions[:, :7]
        np.clip(target, q - cfg.max_target_lead, q + cfg.max_target_lead, out=target)
        np.clip(target, self.joint_low, self.joint_high, out=target)
        self.joint_target = target
        self._ctrl["arm"][:] = target
        self._ctrl["fingers"][:] = ((actions[:, 7] + 1.0) * (0.5 * FINGER_TRAVEL))[:, None]
        self._ctrl.execute(self.data)
        self.action_rate = np.mean(np.square(actions - self.last_action), axis=1)
        self.last_action = actions.copy()

    def refresh(self, ids: np.ndarray | None) -> None:
        """Derived robot state from the query views; tasks extend it with their own quantities.

        Every row, also after a reset of rows ``ids``: a few vector operations, and the other rows
        come out the same.
        """
        self.tip_pos = self.state["tip_pos"][:, 0]
        self.tip_mat = geometry.quat_to_matrix(self.state["tip_rot"][:, 0])
        self.opening = self.state["robot_q"][:, 7] + self.state["robot_q"][:, 8]

    def compute_obs(self) -> np.ndarray:
        q = self.state["robot_q"][:, :7]
        parts = [
            q - READY_POSE,
            self.state["robot_v"][:, :7],
            self.joint_target - q,
            self.opening[:, None],
            self.last_action[:, 7:8],
            self.tip_pos,
            geometry.rotation_6d(self.tip_mat),
            *self.task_obs(),
        ]
        return np.concatenate(parts, axis=1, dtype=np.float32)

    def compute_terminated(self) -> np.ndarray:
        return np.zeros(self.num_envs, bool)

    def reset_rows(self, ids: np.ndarray) -> None:
        noise = self.cfg.reset_joint_noise
        q0 = READY_POSE + self.rng.uniform(-noise, noise, (len(ids), 7)).astype(np.float32)
        np.clip(q0, self.joint_low, self.joint_high, out=q0)
        plan = self._reset_plan
        plan["robot_q"][ids, :7] = q0
        plan["robot_q"][ids, 7:] = FINGER_TRAVEL
        plan["robot_v"][ids] = 0.0
        self.joint_target[ids] = q0
        self.last_action[ids] = 0.0
        self.last_action[ids, 7] = 1.0  # fingers start open
        self.reset_task(ids, plan)
        plan.execute(self.data, env_ids=ids)

    # ---- shared reward pieces -----------------------------------------------------------------
    def local_to_tip(self, points: np.ndarray) -> np.ndarray:
        """World points (N, 3) in the fingertip frame (x across the pads, y finger travel, z out)."""
        return geometry.to_local(self.tip_mat, self.tip_pos, points)

    def held_between_fingers(
        self, points: np.ndarray, *, half_x: float, half_z: float, width: tuple[float, float]
    ) -> np.ndarray:
        """Whether ``points`` sit between the finger pads while the opening is within ``width``.

        A geometric grasp test (no contact forces needed): centred on the finger-travel axis,
        within ``half_x`` across and ``half_z`` along the pads, and the fingers squeezing an
        object of ``width[0]..width[1]`` metres.
        """
        rel = self.local_to_tip(points)
        return (
            (np.abs(rel[:, 1]) < 0.01)
            & (np.abs(rel[:, 0]) < half_x)
            & (np.abs(rel[:, 2]) < half_z)
            & (self.opening >= width[0])
            & (self.opening <= width[1])
        )

    def finish_reward(self, terms: Mapping[str, tuple[float, np.ndarray]], success: np.ndarray) -> np.ndarray:
        """Weighted mean of bounded terms in [0, 1] minus the action-rate penalty; logs every term.

        ``terms`` maps a name to ``(weight, values)``; the result lies in [-4 * penalty, 1].
        """
        total = np.zeros(self.num_envs, np.float32)
        weight_sum = 0.0
        for name, (weight, values) in terms.items():
            values = np.asarray(values, np.float32)
            self.log[f"reward/{name}"] = values
            total += weight * values
            weight_sum += weight
        total /= max(weight_sum, 1e-9)
        penalty = self.cfg.action_rate_penalty * self.action_rate
        self.log["reward/action_rate"] = -penalty
        self.log["success"] = success.astype(np.float32)
        return (total - penalty).astype(np.float32)
