"""Batched quaternion helpers in MotrixSim's order, ``(x, y, z, w)`` (scalar last).

Every function takes arrays with a leading batch axis and returns float32, so observation and
reward code stays a handful of vectorised numpy expressions. ``from_yaw`` is core's
(:func:`motrixlab.quat.from_yaw`), shared with the other env packages.
"""

from __future__ import annotations

import numpy as np
from motrixlab.quat import from_yaw as from_yaw


def _rotate(q: np.ndarray, v: np.ndarray, sign: float) -> np.ndarray:
    # v' = v + s*w*t + u x t with t = 2 u x v (s = +1 body->world, -1 world->body); written out per
    # component because np.cross is several times slower on small batched vectors
    x, y, z, w = q[..., 0], q[..., 1], q[..., 2], q[..., 3]
    vx, vy, vz = v[..., 0], v[..., 1], v[..., 2]
    tx = 2.0 * (y * vz - z * vy)
    ty = 2.0 * (z * vx - x * vz)
    tz = 2.0 * (x * vy - y * vx)
    if sign < 0:
        w = -w
    out = np.empty((*np.broadcast_shapes(q.shape[:-1], v.shape[:-1]), 3), np.float32)
    out[..., 0] = vx + w * tx + (y * tz - z * ty)
    out[..., 1] = vy + w * ty + (z * tx - x * tz)
    out[..., 2] = vz + w * tz + (x * ty - y * tx)
    return out


def rotate(q: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Rotate vectors ``v`` (…, 3) from the body frame of ``q`` (…, 4) into the world frame."""
    return _rotate(q, v, 1.0)


def rotate_inverse(q: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Rotate world-frame vectors ``v`` into the body frame of ``q`` (the transpose of ``rotate``)."""
    return _rotate(q, v, -1.0)


def projected_gravity(q: np.ndarray) -> np.ndarray:
    """The unit gravity direction (0, 0, -1) seen from the body frame: (0, 0, -1) when level."""
    x, y, z, w = q[..., 0], q[..., 1], q[..., 2], q[..., 3]
    out = np.empty((*q.shape[:-1], 3), np.float32)
    out[..., 0] = 2.0 * (w * y - x * z)
    out[..., 1] = -2.0 * (y * z + w * x)
    out[..., 2] = 2.0 * (x * x + y * y) - 1.0
    return out


def multiply(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hamilton product ``a * b`` (apply ``b`` first, then ``a``)."""
    ax, ay, az, aw = a[..., 0], a[..., 1], a[..., 2], a[..., 3]
    bx, by, bz, bw = b[..., 0], b[..., 1], b[..., 2], b[..., 3]
    return np.stack(
        (
            aw * bx + ax * bw + ay * bz - az * by,
            aw * by - ax * bz + ay * bw + az * bx,
            aw * bz + ax * by - ay * bx + az * bw,
            aw * bw - ax * bx - ay * by - az * bz,
        ),
        axis=-1,
    ).astype(np.float32, copy=False)


def from_axis_angle(axis: np.ndarray, angle: np.ndarray) -> np.ndarray:
    """Quaternions for rotations by ``angle`` (…,) about unit ``axis`` (…, 3)."""
    half = 0.5 * np.asarray(angle, np.float32)[..., None]
    return np.concatenate((np.asarray(axis, np.float32) * np.sin(half), np.cos(half)), axis=-1).astype(np.float32)


def yaw(q: np.ndarray) -> np.ndarray:
    """Heading angle of the body x axis in the world xy plane."""
    x, y, z, w = q[..., 0], q[..., 1], q[..., 2], q[..., 3]
    return np.arctan2(2.0 * (w * z + x * y), 1.0 - 2.0 * (y * y + z * z)).astype(np.float32)
