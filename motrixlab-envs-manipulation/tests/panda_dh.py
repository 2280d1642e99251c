"""The Panda's modified-DH chain in numpy, independent of the MJCF, and a damped least-squares IK on it."""

from __future__ import annotations

import math

import numpy as np

#: (a, d, alpha) per joint from the manufacturer's modified DH table, then the flange
DH = (
    (0.0, 0.333, 0.0),
    (0.0, 0.0, -math.pi / 2),
    (0.0, 0.316, math.pi / 2),
    (0.0825, 0.0, math.pi / 2),
    (-0.0825, 0.384, -math.pi / 2),
    (0.0, 0.0, math.pi / 2),
    (0.088, 0.0, math.pi / 2),
)
FLANGE_D = 0.107
HAND_YAW = -math.pi / 4
FINGERTIP_D = 0.1034
READY = np.array([0, -math.pi / 4, 0, -3 * math.pi / 4, 0, math.pi / 2, math.pi / 4])
LOW = np.array([-2.8973, -1.7628, -2.8973, -3.0718, -2.8973, -0.0175, -2.8973])
HIGH = np.array([2.8973, 1.7628, 2.8973, -0.0698, 2.8973, 3.7525, 2.8973])
TORQUE = np.array([87, 87, 87, 87, 12, 12, 12.0])
#: fingertip orientation with the fingers pointing down, as at the ready pose
DOWN = np.diag([1.0, -1.0, -1.0])
#: fingertip orientation with the fingers pointing along +x and the finger travel along world y
FORWARD = np.array([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [-1.0, 0.0, 0.0]])


def mdh(a: float, d: float, alpha: float, theta: float) -> np.ndarray:
    """Craig's modified DH transform Rx(alpha) Tx(a) Rz(theta) Tz(d)."""
    ca, sa, ct, st = math.cos(alpha), math.sin(alpha), math.cos(theta), math.sin(theta)
    return np.array([[ct, -st, 0, a], [st * ca, ct * ca, -sa, -d * sa], [st * sa, ct * sa, ca, d * ca], [0, 0, 0, 1]])


def flange_pose(q: np.ndarray) -> np.ndarray:
    m = np.eye(4)
    for (a, d, alpha), theta in zip(DH, q, strict=True):
        m = m @ mdh(a, d, alpha, theta)
    return m @ mdh(0.0, FLANGE_D, 0.0, 0.0)


def fingertip_pose(q: np.ndarray) -> np.ndarray:
    return flange_pose(q) @ mdh(0.0, FINGERTIP_D, 0.0, HAND_YAW)


def ik(position: np.ndarray, rotation: np.ndarray = DOWN, q0: np.ndarray = READY) -> np.ndarray:
    """Damped least-squares IK of the fingertip on the DH chain, within the joint ranges."""
    q = np.array(q0, float)
    for _ in range(300):
        m = fingertip_pose(q)
        rot_err = 0.5 * sum(np.cross(m[:3, i], rotation[:, i]) for i in range(3))
        err = np.concatenate((position - m[:3, 3], rot_err))
        if np.linalg.norm(err) < 1e-7:
            break
        jac = np.zeros((6, 7))
        for i in range(7):
            dq = np.zeros(7)
            dq[i] = 1e-6
            m2 = fingertip_pose(q + dq)
            jac[:3, i] = (m2[:3, 3] - m[:3, 3]) / 1e-6
            r = m2[:3, :3] @ m[:3, :3].T
            jac[3:, i] = np.array([r[2, 1] - r[1, 2], r[0, 2] - r[2, 0], r[1, 0] - r[0, 1]]) / 2e-6
        q = np.clip(q + 0.5 * jac.T @ np.linalg.solve(jac @ jac.T + 1e-4 * np.eye(6), err), LOW, HIGH)
    m = fingertip_pose(q)
    assert np.linalg.norm(m[:3, 3] - position) < 1e-4, f"IK did not reach {position}"
    return q
