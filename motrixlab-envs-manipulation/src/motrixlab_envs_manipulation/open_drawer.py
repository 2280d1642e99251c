"""``franka-open-drawer``: pull a cabinet drawer open by its handle, by a target distance.

Timing: sim_dt 5 ms, ctrl_dt 50 ms (20 Hz); episodes last 5 s (100 steps) and end only by the
time limit. Actions: see ``franka.py`` (7 delta joint targets + absolute gripper opening).

Scene: a low cabinet 0.6 m in front of the robot; its drawer slides 0 .. 0.3 m towards the
robot (-x). The handle is a horizontal bar along y (2 cm diameter) 5 cm in front of the drawer
front and 0.2 m above the table, to be taken from above; it is the only part of the cabinet the
robot touches. At every reset the drawer starts at an opening drawn from ``start_opening`` and
a target opening is drawn from ``target_opening`` (m), both from the env's seeded generator.

Observation (42 values): the 32 robot values of ``franka.py``, then

====== ===== ==========================================================
index  size  content
====== ===== ==========================================================
32     3     handle centre position, world frame (m)
35     3     handle centre minus fingertip centre (m)
38     1     drawer opening (m)
39     1     drawer opening velocity (m/s)
40     1     target opening (m)
41     1     target opening minus opening (m)
====== ===== ==========================================================

Reward per step, in [-0.02, 1], staged reach -> grasp -> pull: the weighted mean of
``reach`` = 1 - (tanh(2 d) + tanh(10 d)) / 2 (d = fingertip-to-handle distance, m), ``align`` (fingers pointing
down with the finger travel along x, across the bar, in [0, 1]), ``grasp`` (handle between
the closed finger pads), ``open`` = clip(opening / target, 0, 1) and ``success``, minus the
action-rate penalty. Hooking the handle without a grasp also earns ``open``.
``log["success"]`` is 1 where the drawer is open by at least the target now.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import motrixsim as mx
import numpy as np
from motrixlab.assets import model_path
from motrixsim import query as Q
from motrixsim import write as W

from motrixlab_envs_manipulation.franka import FrankaCfg, FrankaEnv, check_range, reach_reward
from motrixlab_envs_manipulation.lift_cube import LiftCubePPO

DRAWER_TRAVEL = 0.3  # m, the slide joint range in open_drawer.xml


@dataclass(kw_only=True)
class DrawerRewards:
    reach: float = 1.0
    align: float = 0.5
    grasp: float = 1.0
    open: float = 2.0
    success: float = 1.0


@dataclass(kw_only=True)
class OpenDrawerCfg(FrankaCfg):
    model_file: str = model_path(__file__, "open_drawer.xml")
    max_episode_seconds: float = 5.0
    start_opening: tuple[float, float] = (0.0, 0.02)
    target_opening: tuple[float, float] = (0.15, 0.25)
    rewards: DrawerRewards = field(default_factory=DrawerRewards)

    def validate(self) -> None:
        super().validate()
        check_range("start_opening", self.start_opening, low=0.0, high=DRAWER_TRAVEL)
        check_range("target_opening", self.target_opening, low=0.01, high=DRAWER_TRAVEL - 0.01)
        if self.start_opening[1] >= self.target_opening[0]:
            raise ValueError(
                f"start_opening: must stay below target_opening {self.target_opening!r}, got {self.start_opening!r}"
            )


class OpenDrawerEnv(FrankaEnv[OpenDrawerCfg]):
    task_obs_dim = 10

    def __init__(self, cfg: OpenDrawerCfg, *, num_envs: int = 1, seed: int | None = None) -> None:
        super().__init__(cfg, num_envs=num_envs, seed=seed)
        n = self.num_envs
        self.target_opening = np.full(n, cfg.target_opening[0], np.float32)
        self.drawer_opening = np.zeros(n, np.float32)
        self.handle_pos = np.zeros((n, 3), np.float32)
        self.held = np.zeros(n, bool)
        # handle centre with the drawer closed, from the model's initial state
        closed = mx.SceneData(self.model)
        self.model.forward_kinematic(closed)
        self.closed_handle_pos = self.model.get_site("handle").get_position(closed).astype(np.float32)

    def task_queries(self) -> Mapping[str, Any]:
        return {
            "drawer_q": Q.JointPosition(["drawer"]),
            "drawer_v": Q.JointVelocity(["drawer"]),
            "handle_pos": Q.SitePosition(["handle"]),
        }

    def task_reset_sources(self) -> Mapping[str, Any]:
        return {"drawer_q": W.BodyJointPosition(["drawer"]), "marker": W.BodyPosition(["target"])}

    def reset_task(self, ids: np.ndarray, plan: Any) -> None:
        cfg, n = self.cfg, len(ids)
        start = self.rng.uniform(*cfg.start_opening, n).astype(np.float32)
        self.target_opening[ids] = self.rng.uniform(*cfg.target_opening, n)
        plan["drawer_q"][ids, 0] = start
        # the marker shows where the handle must reach: the closed handle position minus the target
        plan["marker"][ids, 0] = self.closed_handle_pos
        plan["marker"][ids, 0, 0] -= self.target_opening[ids]

    def refresh(self, ids: np.ndarray | None) -> None:
        super().refresh(ids)
        self.drawer_opening = self.state["drawer_q"][:, 0]
        self.handle_pos = self.state["handle_pos"][:, 0]
        self.held = self.held_between_fingers(self.handle_pos, half_x=0.05, half_z=0.03, width=(0.01, 0.035))

    def task_obs(self) -> list[np.ndarray]:
        return [
            self.handle_pos,
            self.handle_pos - self.tip_pos,
            self.drawer_opening[:, None],
            self.state["drawer_v"],
            self.target_opening[:, None],
            (self.target_opening - self.drawer_opening)[:, None],
        ]

    def compute_reward(self) -> np.ndarray:
        w = self.cfg.rewards
        reach_dist = np.linalg.norm(self.handle_pos - self.tip_pos, axis=1)
        pointing = (1.0 - self.tip_mat[:, 2, 2]) / 2  # fingers (tip z axis) pointing down
        across = np.abs(self.tip_mat[:, 0, 1])  # finger travel (tip y axis) along x, across the bar
        success = self.drawer_opening >= self.target_opening
        terms = {
            "reach": (w.reach, reach_reward(reach_dist)),
            "align": (w.align, pointing * pointing * across),
            "grasp": (w.grasp, self.held),
            "open": (w.open, np.clip(self.drawer_opening / self.target_opening, 0.0, 1.0)),
            "success": (w.success, success),
        }
        self.log["drawer_opening"] = self.drawer_opening
        return self.finish_reward(terms, success)


@dataclass(kw_only=True)
class OpenDrawerPPO(LiftCubePPO):
    """The lift task's PPO with a longer discount horizon, for the longer reach-grasp-pull sequence."""

    gamma: float = 0.99
