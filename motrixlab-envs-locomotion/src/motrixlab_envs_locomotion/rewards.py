"""Locomotion reward terms as pure batched functions of the state (unscaled; one value per env).

Each task weights these terms with its ``RewardScales`` (per second, times the control period),
so every term can be checked against a hand-computed state in isolation.

Layouts follow the hot path. Base vectors of a few components (velocities, projected gravity,
commands) come component-major, ``(k, N)``, so that each component is one contiguous row; joint
quantities come ``(N, 12)``. Both reduce with one matrix-vector product.
"""

from __future__ import annotations

import numpy as np


def _row_sum(x: np.ndarray) -> np.ndarray:
    # a matrix-vector product is several times faster than x.sum(axis=1) for a few columns
    return x @ np.ones(x.shape[1], x.dtype)


def _sq_sum(x: np.ndarray) -> np.ndarray:
    return _row_sum(x * x)


def _sq_norm(x: np.ndarray) -> np.ndarray:
    """Squared norm of component-major vectors (k, N) -> (N,)."""
    return np.ones(x.shape[0], x.dtype) @ (x * x)


def tracking_kernel(error_sq: np.ndarray, sigma: float) -> np.ndarray:
    """exp(-error² / sigma): 1 when tracked exactly, falling off over a width of sqrt(sigma).

    The velocity and yaw-rate tracking terms, given the squared command errors (planar velocity in
    the body frame, yaw rate), which the env also logs.
    """
    return np.exp(error_sq * (-1.0 / sigma))


def lin_vel_z(lin_vel_z: np.ndarray) -> np.ndarray:
    """Vertical body velocity squared (bouncing)."""
    return lin_vel_z * lin_vel_z


def ang_vel_xy(ang_vel_xy: np.ndarray) -> np.ndarray:
    """Roll and pitch rates (2, N) squared (rocking)."""
    return _sq_norm(ang_vel_xy)


def orientation(gravity_xy: np.ndarray) -> np.ndarray:
    """Planar part (2, N) of the projected gravity squared: 0 when level, sin²(tilt) otherwise."""
    return _sq_norm(gravity_xy)


def torques(torque: np.ndarray) -> np.ndarray:
    """Sum of squared joint torques (N·m)²."""
    return _sq_sum(torque)


def joint_acc(joint_vel: np.ndarray, prev_joint_vel: np.ndarray, dt: float) -> np.ndarray:
    """Sum of squared joint accelerations over one control period."""
    return _sq_sum(joint_vel - prev_joint_vel) / (dt * dt)


def action_rate(action: np.ndarray, prev_action: np.ndarray) -> np.ndarray:
    """Sum of squared action changes between control steps (jerky commands)."""
    return _sq_sum(action - prev_action)


def base_height(height: np.ndarray, target: float) -> np.ndarray:
    """Squared deviation of the trunk height above the ground from ``target``."""
    err = height - target
    return err * err


def undesired_contacts(contacts: np.ndarray) -> np.ndarray:
    """Number of penalised geoms (hips, thighs) touching the ground."""
    return _row_sum(contacts.astype(np.float32, copy=False))


def stand_still(joint_offset: np.ndarray, command: np.ndarray, min_command: float = 0.1) -> np.ndarray:
    """Joint deviation (N, 12) from the standing pose, only while the command (3, N) says stand still."""
    still = (np.ones(command.shape[0], command.dtype) @ np.abs(command)) < min_command
    return _row_sum(np.abs(joint_offset)) * still


def joint_limits(joint_pos: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Sum of joint excursions (rad) beyond the soft limits ``low``/``high``."""
    below = np.maximum(low - joint_pos, 0.0)
    above = np.maximum(joint_pos - high, 0.0)
    return _row_sum(below + above)


def feet_air_time(
    first_contact: np.ndarray, air_time: np.ndarray, target: float, command_xy: np.ndarray, min_command: float = 0.1
) -> np.ndarray:
    """Sum over feet touching down now of (time in the air - target): rewards steps longer than ``target``.

    Only while the planar command (2, N) says move, so that standing still is not paid to stamp.
    """
    moving = _sq_norm(command_xy) > min_command * min_command
    return _row_sum((air_time - target) * first_contact) * moving


class FeetAirTime:
    """Per-foot time in the air, and which feet touch down this step.

    A contact is filtered with the previous step's so that a one-step contact dropout does not
    count as a new step; a touchdown is reported exactly once, with the full airborne time.
    """

    def __init__(self, num_envs: int, num_feet: int, dt: float) -> None:
        self.dt = float(dt)
        self.air_time = np.zeros((num_envs, num_feet), np.float32)
        self.last_contact = np.zeros((num_envs, num_feet), bool)

    def update(self, contact: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Advance one control step; returns (first_contact (N, F) float32, air time of those feet)."""
        filtered = contact | self.last_contact
        self.last_contact = contact
        first = ((self.air_time > 0) & filtered).astype(np.float32)
        self.air_time += self.dt
        touchdown_air_time = self.air_time * first
        self.air_time *= ~filtered
        return first, touchdown_air_time

    def reset(self, ids: np.ndarray) -> None:
        self.air_time[ids] = 0.0
        self.last_contact[ids] = False
