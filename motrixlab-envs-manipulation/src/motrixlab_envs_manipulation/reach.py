"""``franka-reach``: bring the fingertip centre to a random point in the workspace.

Timing: sim_dt 10 ms (no object contacts, so coarser physics than the other tasks), ctrl_dt
50 ms (20 Hz, 5 physics steps per action); episodes last 3 s (60 steps) and end only by the
time limit. Actions: see ``franka.py`` (7 delta joint targets + absolute gripper opening).

Observation (38 values): the 32 robot values of ``franka.py``, then

====== ===== ==========================================================
index  size  content
====== ===== ==========================================================
32     3     target position, world frame (m)
35     3     target minus fingertip centre (m)
====== ===== ==========================================================

Target: uniform in the box ``target_x/y/z`` (m, robot base at the origin, table top at z = 0),
drawn from the env's seeded generator at every reset.

Reward per step, in [-0.02, 1]: the weighted mean of
``distance`` = 1 - tanh(d / 0.2), ``precision`` = 1 - tanh(d / 0.02) and ``success`` = d < 2 cm,
with d the fingertip-to-target distance (m), minus the action-rate penalty.
``log["success"]`` is 1 where the fingertip is within ``success_distance`` of the target now.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from motrixlab.assets import model_path
from motrixlab.rlcfg import PPOCfg
from motrixsim import write as W

from motrixlab_envs_manipulation.franka import FrankaCfg, FrankaEnv, check_range


@dataclass(kw_only=True)
class ReachRewards:
    distance: float = 1.0
    precision: float = 1.0
    success: float = 1.0


@dataclass(kw_only=True)
class ReachCfg(FrankaCfg):
    model_file: str = model_path(__file__, "reach.xml")
    sim_dt: float = 0.01
    max_episode_seconds: float = 3.0
    target_x: tuple[float, float] = (0.3, 0.65)
    target_y: tuple[float, float] = (-0.3, 0.3)
    target_z: tuple[float, float] = (0.1, 0.55)
    success_distance: float = 0.02  # m
    rewards: ReachRewards = field(default_factory=ReachRewards)

    def validate(self) -> None:
        super().validate()
        check_range("target_x", self.target_x, low=-0.85, high=0.85)
        check_range("target_y", self.target_y, low=-0.85, high=0.85)
        check_range("target_z", self.target_z, low=0.02, high=1.1)
        if not 0 < self.success_distance < 0.5:
            raise ValueError(f"success_distance: must be in (0, 0.5) m, got {self.success_distance!r}")


class ReachEnv(FrankaEnv[ReachCfg]):
    task_obs_dim = 6

    def __init__(self, cfg: ReachCfg, *, num_envs: int = 1, seed: int | None = None) -> None:
        super().__init__(cfg, num_envs=num_envs, seed=seed)
        self.target = np.zeros((self.num_envs, 3), np.float32)
        self.distance = np.zeros(self.num_envs, np.float32)

    def task_reset_sources(self) -> Mapping[str, Any]:
        return {"marker": W.BodyPosition(["target"])}

    def sample_targets(self, n: int) -> np.ndarray:
        """``n`` targets uniform in the configured workspace box (m)."""
        cfg = self.cfg
        low = np.array([cfg.target_x[0], cfg.target_y[0], cfg.target_z[0]])
        high = np.array([cfg.target_x[1], cfg.target_y[1], cfg.target_z[1]])
        return self.rng.uniform(low, high, (n, 3)).astype(np.float32)

    def reset_task(self, ids: np.ndarray, plan: Any) -> None:
        self.target[ids] = self.sample_targets(len(ids))
        plan["marker"][ids, 0] = self.target[ids]

    def refresh(self, ids: np.ndarray | None) -> None:
        super().refresh(ids)
        self.distance = np.linalg.norm(self.target - self.tip_pos, axis=1)

    def task_obs(self) -> list[np.ndarray]:
        return [self.target, self.target - self.tip_pos]

    def compute_reward(self) -> np.ndarray:
        w, d = self.cfg.rewards, self.distance
        success = d < self.cfg.success_distance
        terms = {
            "distance": (w.distance, 1.0 - np.tanh(d / 0.2)),
            "precision": (w.precision, 1.0 - np.tanh(d / 0.02)),
            "success": (w.success, success),
        }
        self.log["distance"] = d
        return self.finish_reward(terms, success)


@dataclass(kw_only=True)
class ReachPPO(PPOCfg):
    """Tuned for 10M env steps: 1024 envs x 24-step rollouts per update."""

    num_envs: int = 1024
    max_env_steps: int = 10_000_000
    checkpoint_interval: int = 1_000_000
    policy_hidden: tuple[int, ...] = (128, 128, 64)
    value_hidden: tuple[int, ...] = (128, 128, 64)
    activation: str = "elu"
    init_log_std: float = -0.5
    rollouts: int = 24
    learning_epochs: int = 5
    mini_batches: int = 4
    gamma: float = 0.98
    gae_lambda: float = 0.95
    learning_rate: float = 1e-3
    kl_threshold: float = 0.01
    entropy_loss_scale: float = 0.001
