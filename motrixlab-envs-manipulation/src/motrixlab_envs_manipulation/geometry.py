"""Batched rotation helpers on MotrixSim's xyzw quaternions (all arrays have a leading batch axis)."""

from __future__ import annotations

import numpy as np


def quat_to_matrix(q: np.ndarray) -> np.ndarray:
    """(N, 4) xyzw unit quaternions -> (N, 3, 3) rotation matrices (columns = body axes in world)."""
    x, y, z, w = q[:, 0], q[:, 1], q[:, 2], q[:, 3]
    m = np.empty((len(q), 3, 3), np.float32)
    m[:, 0, 0] = 1 - 2 * (y * y + z * z)
    m[:, 0, 1] = 2 * (x * y - z * w)
    m[:, 0, 2] = 2 * (x * z + y * w)
    m[:, 1, 0] = 2 * (x * y + z * w)
    m[:, 1, 1] = 1 - 2 * (x * x + z * z)
    m[:, 1, 2] = 2 * (y * z - x * w)
    m[:, 2, 0] = 2 * (x * z - y * w)
    m[:, 2, 1] = 2 * (y * z + x * w)
    m[:, 2, 2] = 1 - 2 * (x * x + y * y)
    return m


def rotation_6d(m: np.ndarray) -> np.ndarray:
    """(N, 3, 3) -> (N, 6): the first two columns, a continuous orientation feature (no sign flips)."""
    return np.concatenate((m[:, :, 0], m[:, :, 1]), axis=1)


def to_local(m: np.ndarray, origin: np.ndarray, points: np.ndarray) -> np.ndarray:
    """World points (N, 3) expressed in the frames (rotation ``m`` (N, 3, 3), ``origin`` (N, 3))."""
    return np.einsum("nji,nj->ni", m, points - origin)
