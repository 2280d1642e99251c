"""Command sequences: drawn as in training (uniform ranges, slow planar speeds zeroed, a share of
standing still, a new draw every ``resample_seconds``), or one fixed command. Drawn up front per
episode, so the same sequences can be replayed in another engine."""

from __future__ import annotations

from typing import Any

import numpy as np
from motrixlab.deploy import control_dt


def command_sequences(
    description: dict[str, Any],
    episodes: int,
    steps: int,
    rng: np.random.Generator,
    fixed: tuple[float, float, float] | None = None,
) -> np.ndarray | None:
    """(episodes, steps, 3) commands per control step, or None for a task without commands."""
    spec = description.get("commands")
    if spec is None:
        return None
    if fixed is not None:
        return np.broadcast_to(np.asarray(fixed, np.float32), (episodes, steps, 3)).copy()
    period = max(1, round(spec["resample_seconds"] / control_dt(description)))
    draws = -(-steps // period)
    low, high = np.asarray(spec["low"], np.float64), np.asarray(spec["high"], np.float64)
    u = rng.random((episodes, draws, 4))
    cmd = low + u[..., :3] * (high - low)
    slow = np.hypot(cmd[..., 0], cmd[..., 1]) < spec["min_speed"]
    cmd[slow, :2] = 0.0
    cmd[u[..., 3] < spec["standing_share"]] = 0.0
    return np.repeat(cmd, period, axis=1)[:, :steps].astype(np.float32)
