"""Locomotion reward terms, compiled: one pass over the batch computes every term of every env.

Each term is defined once, unscaled, in ``terms`` below (one commented line or loop each), which
then weights them (the task's ``RewardScales``, per second, times the control period) and sums
them; with unit weights every term can be checked against a hand-computed state. Compiled rather
than numpy because the step of a quadruped needs some eighty array operations on 1024 rows, each
paying its own dispatch and a pass over memory the physics has just evicted; one loop over the rows
does the same work in about half the time.

Layouts follow the env: base vectors come component-major, ``(9, N)`` rows of body-frame linear
velocity (3), angular velocity (3) and projected gravity (3); joint quantities come ``(N, J)`` for J joints.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

#: The terms in the order of ``terms``' output rows (and of ``RewardScales``' fields).
TERMS: tuple[str, ...] = (
    "tracking_lin_vel",  # exp(-|planar velocity error|² / sigma)
    "tracking_ang_vel",  # exp(-(yaw-rate error)² / sigma)
    "lin_vel_z",  # vertical body velocity² (bouncing)
    "ang_vel_xy",  # roll and pitch rate² (rocking)
    "orientation",  # planar part of the projected gravity²: sin²(tilt)
    "torques",  # Σ joint torque² of the PD law, clamped like the actuators, (N·m)²
    "joint_acc",  # Σ joint acceleration² over one control period
    "action_rate",  # Σ (action change)²
    "base_height",  # (trunk height above the ground - target)²
    "undesired_contacts",  # number of penalised geoms (e.g. hips, thighs) touching the ground
    "feet_air_time",  # Σ over feet touching down of (time in the air - target), while told to move
    "stand_still",  # Σ |joint offset from the standing pose|, while told to stand still
    "joint_limits",  # Σ joint excursion beyond the soft limits (rad)
)
# Contact columns per ground geom, in the env's query order: feet (as many as ``air_time`` has
# columns), termination geoms (``params[TERMINATION_CONTACTS]``), penalised geoms (the rest).
#: Below this, a command counts as "stand still" (sum of |components|) / "not moving" (planar speed).
MIN_COMMAND = 0.1
#: ``params`` entries of ``terms``.
DT, SIGMA, AIR_TARGET, HEIGHT_TARGET, COS_MAX_TILT, ONLY_POSITIVE, TERMINATION_CONTACTS, GROUNDS = range(8)


@njit(cache=True, inline="always")
def air_time_update(contact, last_contact, air_time, dt, touchdown):
    """Advance the feet's air time one control step; ``touchdown`` gets the air time of feet landing now, else 0.

    A contact is filtered with the previous step's so that a one-step dropout does not count as a
    new step; a touchdown is reported exactly once, with the full airborne time.
    """
    for f in range(contact.shape[0]):
        filtered = contact[f] or last_contact[f]
        last_contact[f] = contact[f]
        first = air_time[f] > 0.0 and filtered
        air_time[f] += dt
        touchdown[f] = air_time[f] if first else 0.0
        if filtered:
            air_time[f] = 0.0


@njit(cache=True)
def _air_time_rows(contact, last_contact, air_time, dt, touchdown):
    for i in range(contact.shape[0]):
        air_time_update(contact[i], last_contact[i], air_time[i], dt, touchdown[i])


@njit(cache=True, error_model="numpy", fastmath=True)
def terms(
    base,  # (9, N) body-frame velocities and projected gravity
    joint_pos,  # (N, J)
    joint_vel,  # (N, J)
    prev_joint_vel,  # (N, J) at the end of the previous step
    actions,  # (N, J) of this step
    prev_actions,  # (N, J)
    commands,  # (N, 3) forward, sideways, yaw rate
    targets,  # (N, J) PD joint targets of this step
    kp,  # (N, J) PD gains of each env
    kd,  # (N, J)
    joints,  # (4, J): standing pose, soft lower and upper limits, torque limit
    contacts,  # (N, G * (F + T + P)) ground contacts per ground geom: feet, termination, penalised
    height,  # (N,) trunk height above the ground
    air_time,  # (N, F) feet air time, advanced in place
    last_contact,  # (N, F) bool, advanced in place
    params,  # (8,) see DT etc.
    weights,  # (len(TERMS),) weight of each term in the reward
    out,  # (len(TERMS), N) weighted term values
    reward,  # (N,) their sum, clipped at 0 if params[ONLY_POSITIVE]
    errors,  # (2, N) planar velocity and yaw-rate tracking errors
    fallen,  # (N,) bool: trunk on the ground or tilted beyond the limit
):
    n = joint_pos.shape[0]
    dt, inv_sigma = params[DT], 1.0 / params[SIGMA]
    num_joints, num_feet = joint_pos.shape[1], air_time.shape[1]
    num_term, grounds = int(params[TERMINATION_CONTACTS]), int(params[GROUNDS])
    per_ground = contacts.shape[1] // grounds
    num_undesired = per_ground - num_feet - num_term
    feet = np.empty(num_feet, np.bool_)
    touchdown = np.empty(num_feet, np.float64)
    value = np.empty(len(TERMS), np.float64)  # this row's terms: written to ``out`` once, weighted
    for i in range(n):
        cx, cy, cz = commands[i, 0], commands[i, 1], commands[i, 2]
        ex, ey, ez = cx - base[0, i], cy - base[1, i], cz - base[5, i]
        lin_err_sq = ex * ex + ey * ey
        errors[0, i] = math.sqrt(lin_err_sq)
        errors[1, i] = abs(ez)
        value[0] = math.exp(-lin_err_sq * inv_sigma)  # tracking_lin_vel
        value[1] = math.exp(-ez * ez * inv_sigma)  # tracking_ang_vel
        value[2] = base[2, i] * base[2, i]  # lin_vel_z
        value[3] = base[3, i] * base[3, i] + base[4, i] * base[4, i]  # ang_vel_xy
        value[4] = base[6, i] * base[6, i] + base[7, i] * base[7, i]  # orientation

        torque_sq = acc_sq = rate_sq = offset = excess = 0.0
        for j in range(num_joints):
            q, qd = joint_pos[i, j], joint_vel[i, j]
            tau = (targets[i, j] - q) * kp[i, j] - kd[i, j] * qd
            tau = min(max(tau, -joints[3, j]), joints[3, j])
            torque_sq += tau * tau
            d = qd - prev_joint_vel[i, j]
            acc_sq += d * d
            d = actions[i, j] - prev_actions[i, j]
            rate_sq += d * d
            offset += abs(q - joints[0, j])
            excess += max(joints[1, j] - q, 0.0) + max(q - joints[2, j], 0.0)
        value[5] = torque_sq  # torques
        value[6] = acc_sq / (dt * dt)  # joint_acc
        value[7] = rate_sq  # action_rate
        h = height[i] - params[HEIGHT_TARGET]
        value[8] = h * h  # base_height

        # contacts with any ground geom: the largest over them
        trunk = undesired = 0.0
        for f in range(num_feet):
            c = 0.0
            for g in range(grounds):
                c = max(c, contacts[i, g * per_ground + f])
            feet[f] = c > 0.5
        for g in range(grounds):
            for k in range(num_term):
                trunk = max(trunk, contacts[i, g * per_ground + num_feet + k])
        for k in range(num_undesired):
            c = 0.0
            for g in range(grounds):
                c = max(c, contacts[i, g * per_ground + num_feet + num_term + k])
            undesired += c
        value[9] = undesired  # undesired_contacts

        air_time_update(feet, last_contact[i], air_time[i], dt, touchdown)
        air = 0.0
        if cx * cx + cy * cy > MIN_COMMAND * MIN_COMMAND:
            for f in range(num_feet):
                if touchdown[f] > 0.0:
                    air += touchdown[f] - params[AIR_TARGET]
        value[10] = air  # feet_air_time
        value[11] = offset if abs(cx) + abs(cy) + abs(cz) < MIN_COMMAND else 0.0  # stand_still
        value[12] = excess  # joint_limits
        total = 0.0
        for k in range(len(TERMS)):
            v = value[k] * weights[k]
            out[k, i] = v
            total += v
        reward[i] = max(total, 0.0) if params[ONLY_POSITIVE] else total
        fallen[i] = trunk > 0.5 or base[8, i] > -params[COS_MAX_TILT]


def new_params(
    *,
    dt: float,
    sigma: float,
    air_target: float,
    height_target: float,
    cos_max_tilt: float,
    only_positive: bool,
    termination_contacts: int = 1,
    grounds: int = 1,
) -> np.ndarray:
    """The ``params`` array of ``terms``: ``termination_contacts`` geoms per ground (after the feet) end an
    episode, ``grounds`` ground geoms each have their block of contact columns."""
    values = [dt, sigma, air_target, height_target, cos_max_tilt, only_positive, termination_contacts, grounds]
    return np.array(values, np.float64)


class FeetAirTime:
    """Per-foot time in the air of each env, for ``terms`` (which advances it) and for inspection."""

    def __init__(self, num_envs: int, num_feet: int, dt: float) -> None:
        self.dt = float(dt)
        self.air_time = np.zeros((num_envs, num_feet), np.float32)
        self.last_contact = np.zeros((num_envs, num_feet), bool)

    def update(self, contact: np.ndarray) -> np.ndarray:
        """Advance one control step outside ``terms``; returns the air time of feet touching down now (N, F)."""
        touchdown = np.zeros(self.air_time.shape, np.float64)
        _air_time_rows(contact, self.last_contact, self.air_time, self.dt, touchdown)
        return touchdown
