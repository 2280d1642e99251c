"""Compiled start of new episodes: the initial state of the rows being reset, into the reset plan.

Reset rows are few per step (about 1 % of the batch under random actions) but each costs some
twenty numpy calls on tiny arrays; one loop over them writes the same in a fraction of the time.
"""

from __future__ import annotations

import math

from numba import njit

#: Uniform draws per reset row besides one per joint: the jitter of base linear (3) and angular (3)
#: velocity; then each joint's. Each in [-1, 1) times its noise scale.
BASE_JITTER_DRAWS = 6


@njit(cache=True)
def initial_state(
    ids,  # (k,) rows being reset
    yaw,  # (k,) heading of each
    draws,  # (k, BASE_JITTER_DRAWS + J) uniform in [0, 1)
    noise,  # (BASE_JITTER_DRAWS + J,) half-width of each jitter
    default_joint_pos,  # (J,)
    joint_low,  # (J,) joint targets' range: the jittered pose is clipped to it
    joint_high,
    rot,  # (N, 1, 4) reset plan fields, written at rows ``ids``
    lin_vel,  # (N, 1, 3)
    ang_vel,  # (N, 1, 3)
    joint_pos,  # (N, J)
):
    for k in range(ids.shape[0]):
        r = ids[k]
        half = 0.5 * yaw[k]
        rot[r, 0, 0], rot[r, 0, 1], rot[r, 0, 2], rot[r, 0, 3] = 0.0, 0.0, math.sin(half), math.cos(half)
        for c in range(3):
            lin_vel[r, 0, c] = (2.0 * draws[k, c] - 1.0) * noise[c]
            ang_vel[r, 0, c] = (2.0 * draws[k, 3 + c] - 1.0) * noise[3 + c]
        for j in range(default_joint_pos.shape[0]):
            q = default_joint_pos[j] + (2.0 * draws[k, 6 + j] - 1.0) * noise[6 + j]
            joint_pos[r, j] = min(max(q, joint_low[j]), joint_high[j])


@njit(cache=True)
def clear_rows(ids, targets, stand_targets, actions, prev_actions, air_time, last_contact, steps_left, period):
    """Task state of a fresh episode at rows ``ids``: standing targets, no last actions, feet on the
    ground, a full command period ahead."""
    for r in ids:
        steps_left[r] = period
        for j in range(targets.shape[1]):
            targets[r, j] = stand_targets[r, j]
            actions[r, j] = 0.0
            prev_actions[r, j] = 0.0
        for f in range(air_time.shape[1]):
            air_time[r, f] = 0.0
            last_contact[r, f] = False
