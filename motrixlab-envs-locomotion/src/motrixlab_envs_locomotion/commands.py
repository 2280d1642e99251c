"""Velocity commands: what each env is told to do, sampled per env and resampled on a timer."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(kw_only=True)
class CommandCfg:
    """Ranges are uniform; a command is (forward m/s, sideways m/s, yaw rate rad/s) in the body frame."""

    lin_vel_x: tuple[float, float] = (-1.0, 1.0)
    lin_vel_y: tuple[float, float] = (-0.6, 0.6)
    ang_vel_yaw: tuple[float, float] = (-1.0, 1.0)
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


def sample_commands(rng: np.random.Generator, n: int, cfg: CommandCfg) -> np.ndarray:
    """``n`` commands, (n, 3) float32."""
    low = np.array([cfg.lin_vel_x[0], cfg.lin_vel_y[0], cfg.ang_vel_yaw[0]], np.float32)
    high = np.array([cfg.lin_vel_x[1], cfg.lin_vel_y[1], cfg.ang_vel_yaw[1]], np.float32)
    u = rng.random((n, 4), np.float32)  # one draw: three uniforms and the standing coin
    cmd = u[:, :3] * (high - low)
    cmd += low
    x, y = cmd[:, 0], cmd[:, 1]
    cmd[x * x + y * y < cfg.min_speed * cfg.min_speed, :2] = 0.0
    cmd[u[:, 3] < cfg.standing_share] = 0.0
    return cmd
