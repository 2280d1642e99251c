"""Quaternion helpers shared by env packages, in MotrixSim's order ``(x, y, z, w)`` (scalar last)."""

from __future__ import annotations

import numpy as np


def from_yaw(yaw: np.ndarray) -> np.ndarray:
    """Rotations about the world z axis by ``yaw`` (…,) radians, as float32 quaternions (…, 4).

    The sine and cosine are taken in float64 for float64 angles and in float32 otherwise (then stored as
    float32)."""
    yaw = np.asarray(yaw)
    half = yaw * 0.5 if yaw.dtype == np.float64 else np.multiply(yaw, 0.5, dtype=np.float32)
    q = np.zeros((*half.shape, 4), np.float32)
    q[..., 2] = np.sin(half)
    q[..., 3] = np.cos(half)
    return q
