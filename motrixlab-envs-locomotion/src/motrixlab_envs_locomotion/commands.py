"""Velocity commands: what each env is told to do, sampled per env and resampled on a timer."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit


@dataclass(kw_only=True)
class CommandCfg:
    """Ranges are uniform; a command is (forward m/s, sideways m/s, yaw rate rad/s) in the body frame."""

    lin_vel_x: tuple[float, float] = (-1.0, 1.0)  # m/s, forward command range (low, high)
    lin_vel_y: tuple[float, float] = (-0.6, 0.6)  # m/s, sideways command range (left positive)
    ang_vel_yaw: tuple[float, float] = (-1.0, 1.0)  # rad/s, yaw-rate command range
    resample_seconds: float = 5.0  # each env draws a new command this often
    standing_share: float = 0.1  # share of draws that are exactly (0, 0, 0): learn to stand still
    min_speed: float = 0.1  # planar commands slower than this become 0 (too slow to walk cleanly)

    def validate(self) -> None:
        for name in ("lin_vel_x", "lin_vel_y", "ang_vel_yaw"):
            low, high = getattr(self, name)
            if not low <= high:
                raise ValueError(f"commands.{name}: lower bound {low} exceeds upper bound {high}")
        if self.resample_seconds <= 0:
            raise ValueError(f"commands.resample_seconds: must be positive, got {self.resample_seconds}")
        if not 0 <= self.standing_share <= 1:
            raise ValueError(f"commands.standing_share: must be in [0, 1], got {self.standing_share}")
        if self.min_speed < 0:
            raise ValueError(f"commands.min_speed: must be >= 0, got {self.min_speed}")


#: Uniform draws per command: three components and the standing coin.
DRAWS = 4


@njit(cache=True)
def commands_from_draws(draws, low, high, min_speed, standing_share, rows, out):
    """Commands from uniform ``draws`` (k, DRAWS) into ``out[rows[i]]``: each component uniform in
    [low, high), planar parts slower than ``min_speed`` zeroed, and all zero with ``standing_share``."""
    for i in range(rows.shape[0]):
        r = rows[i]
        x = low[0] + draws[i, 0] * (high[0] - low[0])
        y = low[1] + draws[i, 1] * (high[1] - low[1])
        yaw = low[2] + draws[i, 2] * (high[2] - low[2])
        if x * x + y * y < min_speed * min_speed:
            x = y = 0.0
        if draws[i, 3] < standing_share:
            x = y = yaw = 0.0
        out[r, 0], out[r, 1], out[r, 2] = x, y, yaw


@njit(cache=True)
def count_down(steps_left, period, due):
    """One control step off every env's resampling timer; the rows whose timer ran out go to
    ``due[:k]`` and start a new period. Returns ``k``."""
    k = 0
    for r in range(steps_left.shape[0]):
        steps_left[r] -= 1
        if steps_left[r] <= 0:
            steps_left[r] = period
            due[k] = r
            k += 1
    return k


def command_bounds(cfg: CommandCfg) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds (3,) of the command components."""
    low = np.array([cfg.lin_vel_x[0], cfg.lin_vel_y[0], cfg.ang_vel_yaw[0]], np.float64)
    high = np.array([cfg.lin_vel_x[1], cfg.lin_vel_y[1], cfg.ang_vel_yaw[1]], np.float64)
    return low, high
