"""``reacher``: bring the fingertip of a planar two-link arm to a random target.

Observation (10,), float32: cos and sin of the shoulder and elbow angles (4), target position
(x, y) in m relative to the shoulder (2), fingertip minus target (x, y) in m (2), shoulder and
elbow angular velocities in rad/s (2).
Action (2,) in [-1, 1]: shoulder and elbow torques, scaled to ±0.05 N m.
Reward in [0, 1] per step: ``near``, 1 while the fingertip is within ``target_radius``
(0.03 m) of the target, decaying as a Gaussian to 0.1 at ``margin`` (0.1 m) beyond it. Logged,
with the distance (``distance``).
Termination: none. Episode: 1000 steps (20 s). Timing: sim_dt 0.01 s, ctrl_dt 0.02 s.
Reset: shoulder angle uniform in [-pi, pi), elbow uniform in ±2.5 rad, at rest; target at a
uniform angle and a distance uniform in [0.05, 0.20] m from the shoulder (the arm reaches 0.24 m).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from motrixlab import EnvCfg, PPOCfg
from motrixlab.rewards import tolerance

from motrixlab_envs_basic.assets import model_path
from motrixlab_envs_basic.base import BasicEnv

UPPER, FOREARM = 0.12, 0.12  # link lengths in m (reacher.xml)


@dataclass(kw_only=True)
class ReacherCfg(EnvCfg):
    model_file: str = model_path("reacher.xml")
    sim_dt: float = 0.01
    ctrl_dt: float = 0.02
    max_episode_seconds: float = 20.0
    target_radius: float = 0.03  # m
    margin: float = 0.1  # m
    target_distance: tuple[float, float] = (0.05, 0.20)  # m from the shoulder

    def validate(self) -> None:
        super().validate()
        for name in ("target_radius", "margin"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name}: must be positive, got {getattr(self, name)!r}")
        low, high = self.target_distance
        if not 0 <= low <= high <= UPPER + FOREARM:
            raise ValueError(
                f"target_distance: must satisfy 0 <= low <= high <= {UPPER + FOREARM} m, got {self.target_distance!r}"
            )


def fingertip(qpos: np.ndarray) -> np.ndarray:
    """Fingertip (x, y) relative to the shoulder, (N, 2), for qpos (N, 2)."""
    a1 = qpos[:, 0]
    a12 = a1 + qpos[:, 1]
    return np.stack((UPPER * np.cos(a1) + FOREARM * np.cos(a12), UPPER * np.sin(a1) + FOREARM * np.sin(a12)), axis=1)


class ReacherEnv(BasicEnv[ReacherCfg]):
    obs_dim = 10

    def __init__(self, cfg: ReacherCfg, *, num_envs: int = 1, seed: int | None = None) -> None:
        super().__init__(cfg, num_envs=num_envs, seed=seed)
        self.target = np.zeros((self.num_envs, 2), np.float32)
        self.tip = np.zeros((self.num_envs, 2), np.float32)  # fingertip of the current state, from refresh

    def refresh(self, ids: np.ndarray | None) -> None:
        """The fingertip, for observation and reward; every row (also after a reset of rows ``ids``)."""
        self.tip = fingertip(self.state["qpos"])

    def compute_obs(self) -> np.ndarray:
        q, v = self.state["qpos"], self.state["qvel"]
        c, s = np.cos(q), np.sin(q)
        to_target = self.tip - self.target
        return np.concatenate(
            (np.stack((c[:, 0], s[:, 0], c[:, 1], s[:, 1]), axis=1), self.target, to_target, v), axis=1
        )

    def compute_reward(self) -> np.ndarray:
        distance = np.linalg.norm(self.tip - self.target, axis=1)
        near = tolerance(distance, bounds=(0.0, self.cfg.target_radius), margin=self.cfg.margin)
        self.log.update({"reward/near": near, "distance": distance})
        return near

    def compute_terminated(self) -> np.ndarray:
        return np.zeros(self.num_envs, bool)

    def initial_state(self, n: int) -> np.ndarray:
        state = np.zeros((n, 4))
        state[:, 0] = self.rng.uniform(-np.pi, np.pi, n)
        state[:, 1] = self.rng.uniform(-2.5, 2.5, n)
        return state

    def reset_task(self, ids: np.ndarray) -> None:
        angle = self.rng.uniform(-np.pi, np.pi, len(ids))
        radius = self.rng.uniform(*self.cfg.target_distance, len(ids))
        self.target[ids] = np.stack((radius * np.cos(angle), radius * np.sin(angle)), axis=1)


@dataclass(kw_only=True)
class ReacherPPO(PPOCfg):
    num_envs: int = 256
    max_env_steps: int = 3_000_000
    checkpoint_interval: int = 1_000_000
    policy_hidden: tuple[int, ...] = (64, 64)
    value_hidden: tuple[int, ...] = (64, 64)
    activation: str = "tanh"
    rollouts: int = 32
    learning_epochs: int = 5
    mini_batches: int = 8
    gamma: float = 0.99
    learning_rate: float = 1e-3
