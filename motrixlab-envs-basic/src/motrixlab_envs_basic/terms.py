"""Reward terms shared by several tasks, each in [0, 1] per env (built on ``motrixlab.rewards.tolerance``)."""

from __future__ import annotations

import numpy as np
from motrixlab.rewards import tolerance


def small_control(action: np.ndarray, floor: float = 0.8) -> np.ndarray:
    """``floor`` at full effort on every actuator rising quadratically to 1 at zero effort, (N,).

    A multiplicative factor that prefers gentle control without ever hiding the task reward.
    """
    effort = tolerance(action, margin=1.0, value_at_margin=0.0, sigmoid="quadratic").mean(axis=1)
    return floor + (1.0 - floor) * effort


def upright(cos_angle: np.ndarray) -> np.ndarray:
    """1 when upright (cos = 1), 0 when upside down, (1 + cos) / 2 in between."""
    return (1.0 + cos_angle) * 0.5


def wrap_angle(angle: np.ndarray) -> np.ndarray:
    """Angles mapped into [-pi, pi)."""
    return np.mod(angle + np.pi, 2 * np.pi) - np.pi
