"""``anymal-c-navigate``: reach a goal position (and heading) 1-5 m away on flat ground, end to end.

The policy outputs joint targets, as in ``walk``; its observation is the walking one with the command
slot holding the goal as a walking command: the goal's offset in the trunk frame times ``gain`` (up to
``max_speed``), and as yaw rate the bearing to the goal, or near it the error to the goal heading. So
the observation and action spaces are those of ``anymal-c-walk``, and a walking policy is a start for
training (``motrixlab train anymal-c-navigate --init-from <anymal-c-walk run>``): the task then
teaches it to follow its own goal-derived commands, stop at the goal and turn there. The walking
reward (with that command) gets a goal term, exp(-(distance / goal_sigma)^2). ``success`` (what
``eval`` reports) is being within ``tolerance`` of the goal when the episode ends.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from motrixlab_envs_locomotion.config import AnymalCNavigateCfg
from motrixlab_envs_locomotion.walk import WalkEnv


def _wrap(angle: np.ndarray) -> np.ndarray:
    return (angle + np.pi) % (2 * np.pi) - np.pi


class NavigateEnv(WalkEnv):
    def __init__(self, cfg: AnymalCNavigateCfg, *, num_envs: int = 1, seed: int | None = None) -> None:
        n = num_envs
        self.goals = np.zeros((n, 2), np.float32)  # world (x, y)
        self.goal_heading = np.zeros(n, np.float32)
        self.goal_distance = np.zeros(n, np.float32)  # current distance of each env to its goal
        self.heading_error = np.zeros(n, np.float32)
        super().__init__(cfg, num_envs=num_envs, seed=seed)

    def deploy_description(self) -> dict[str, Any]:
        from motrixlab.deploy import DeployUnavailable

        raise DeployUnavailable(
            "its command is the goal relative to the robot, computed by the task every step, not a sampled velocity"
        )

    # goals replace the random commands: drawn at reset, turned into a command after every read
    def _commands_from(self, draws: np.ndarray, ids: np.ndarray) -> None:
        """New goals for rows ``ids`` from uniform ``draws`` (k, 4): distance, direction, heading."""
        nav = self.cfg.navigation
        low, high = nav.goal_distance
        distance = low + draws[:, 0] * (high - low)
        direction = draws[:, 1] * np.float32(2 * np.pi)
        start = self._spawn[:2]  # flat ground: every episode starts at the origin
        self.goals[ids, 0] = start[0] + distance * np.cos(direction)
        self.goals[ids, 1] = start[1] + distance * np.sin(direction)
        self.goal_heading[ids] = (draws[:, 2] * 2.0 - 1.0) * np.float32(np.pi)

    def _advance_commands(self) -> None:
        self._goal_commands(self._all_rows)

    def refresh(self, ids: np.ndarray | None) -> None:
        if ids is not None:  # new episodes: their first command, from their goal
            self._goal_commands(ids)
        super().refresh(ids)

    def _goal_commands(self, rows: np.ndarray) -> None:
        nav = self.cfg.navigation
        qpos = self.state["qpos"][rows]
        x, y, z, w = qpos[:, 3], qpos[:, 4], qpos[:, 5], qpos[:, 6]
        yaw = np.arctan2(2 * (w * z + x * y), 1 - 2 * (y * y + z * z))
        dx, dy = self.goals[rows, 0] - qpos[:, 0], self.goals[rows, 1] - qpos[:, 1]
        c, s = np.cos(yaw), np.sin(yaw)
        gx, gy = c * dx + s * dy, -s * dx + c * dy  # the goal in the trunk frame
        distance = np.sqrt(dx * dx + dy * dy)
        scale = np.minimum(nav.gain, nav.max_speed / np.maximum(distance, 1e-6))
        heading_error = _wrap(self.goal_heading[rows] - yaw)
        turn = np.where(distance > nav.near, np.arctan2(gy, gx), heading_error)
        self.commands[rows, 0] = np.clip(gx * scale, -nav.max_speed, nav.max_speed)
        self.commands[rows, 1] = np.clip(gy * scale, -0.6, 0.6)
        self.commands[rows, 2] = np.clip(turn, -1.0, 1.0)
        self.goal_distance[rows] = distance
        self.heading_error[rows] = heading_error

    def _rewards(self) -> np.ndarray:
        reward = super()._rewards()
        nav = self.cfg.navigation
        qpos = self.state["qpos"]
        d = np.hypot(self.goals[:, 0] - qpos[:, 0], self.goals[:, 1] - qpos[:, 1]).astype(np.float32)
        goal = np.float32(nav.goal_weight * self.dt) * np.exp(-((d / np.float32(nav.goal_sigma)) ** 2))
        reward += goal.astype(np.float32)
        log = self.log
        log["reward/goal"] = goal
        log["goal_distance"] = d
        log["success"] = (d < nav.tolerance).astype(np.float32)
        log["heading_error"] = np.abs(self.heading_error)  # as of the last command, this step's start
        return reward
