"""The walking policy's observation: its layout, and compiled passes over the batch that fill it.

``base_kinematics`` turns the DoF state into the body-frame quantities that rewards and
observation share; ``observe`` assembles observation rows. Both take the rows to work on, so the
same code serves the whole batch after a step and the few rows that were just reset.
"""

from __future__ import annotations

from numba import njit


def obs_layout(num_joints: int, *, phase: bool = False, scan: int = 0) -> tuple[tuple[str, int], ...]:
    """Observation layout of a robot with ``num_joints`` actuated joints: (name, width). Velocities are in
    the trunk frame; joint positions are offsets from the standing pose; ``last_action`` is the action
    applied in the step just taken; with ``phase``, the gait clock (sin, cos of the gait phase) follows,
    then, with ``scan`` points, the height scan (``height_scan.py``): the layout without them is a
    prefix."""
    layout = (
        ("lin_vel", 3),
        ("ang_vel", 3),
        ("gravity", 3),
        ("joint_pos", num_joints),
        ("joint_vel", num_joints),
        ("last_action", num_joints),
        ("command", 3),
    )
    if phase:
        layout = (*layout, ("phase", 2))
    return (*layout, ("height_scan", scan)) if scan else layout


def _slices(layout: tuple[tuple[str, int], ...]) -> dict[str, slice]:
    out, start = {}, 0
    for name, width in layout:
        out[name] = slice(start, start + width)
        start += width
    return out


def obs_slices(num_joints: int, *, phase: bool = False, scan: int = 0) -> dict[str, slice]:
    """Where each part of ``obs_layout(num_joints, phase=phase, scan=scan)`` sits in an observation row."""
    return _slices(obs_layout(num_joints, phase=phase, scan=scan))


#: The layout of the 12-joint quadrupeds (Go1, Go2, ANYmal C): 48 floats.
OBS_LAYOUT = obs_layout(12)
OBS_SLICES = _slices(OBS_LAYOUT)
OBS_DIM = sum(w for _, w in OBS_LAYOUT)
#: Observation groups that get sensor noise (the rest are the policy's own outputs and the command).
NOISY_GROUPS = ("lin_vel", "ang_vel", "gravity", "joint_pos", "joint_vel")
_BASE = 9  # the first entries are the base rows (``base_kinematics``), in order


@njit(cache=True)
def base_kinematics(qpos, qvel, rows, base, joint_pos, joint_vel, limit):
    """For each row ``r`` in ``rows``: body-frame linear velocity, angular velocity and projected gravity
    into ``base[:, r]`` (9, N), joint positions and velocities into ``joint_pos[r]`` and ``joint_vel[r]``.
    Returns how many ``qpos``/``qvel`` entries of these rows are not finite or not below ``limit`` in
    magnitude: the pass reads them all anyway, which spares the env's divergence check its own pass.

    ``qpos`` (N, 7 + J) is the floating base (position, quaternion x, y, z, w) then the joints; ``qvel``
    (N, 6 + J) has the base's world-frame linear velocity and its body-frame angular velocity first.
    """
    outside = 0
    for r in rows:
        for c in range(qpos.shape[1]):
            if not abs(qpos[r, c]) < limit:  # NaN fails too
                outside += 1
        for c in range(qvel.shape[1]):
            if not abs(qvel[r, c]) < limit:
                outside += 1
        x, y, z, w = qpos[r, 3], qpos[r, 4], qpos[r, 5], qpos[r, 6]
        vx, vy, vz = qvel[r, 0], qvel[r, 1], qvel[r, 2]
        # world -> body: v - w t + u x t with t = 2 u x v
        tx, ty, tz = 2.0 * (y * vz - z * vy), 2.0 * (z * vx - x * vz), 2.0 * (x * vy - y * vx)
        base[0, r] = vx - w * tx + (y * tz - z * ty)
        base[1, r] = vy - w * ty + (z * tx - x * tz)
        base[2, r] = vz - w * tz + (x * ty - y * tx)
        base[3, r], base[4, r], base[5, r] = qvel[r, 3], qvel[r, 4], qvel[r, 5]
        # the world's (0, 0, -1) seen from the body
        base[6, r] = 2.0 * (w * y - x * z)
        base[7, r] = -2.0 * (y * z + w * x)
        base[8, r] = 2.0 * (x * x + y * y) - 1.0
        for j in range(joint_pos.shape[1]):
            joint_pos[r, j] = qpos[r, 7 + j]
            joint_vel[r, j] = qvel[r, 6 + j]
    return outside


@njit(cache=True)
def observe(base, joint_pos, joint_vel, default_joint_pos, actions, commands, rows, obs):
    """Observation of env ``rows[k]`` into ``obs[k]``, in ``obs_layout(J)`` order for J joints."""
    nj = joint_pos.shape[1]
    jp, jv, la, cm = _BASE, _BASE + nj, _BASE + 2 * nj, _BASE + 3 * nj
    for k in range(rows.shape[0]):
        r = rows[k]
        for c in range(_BASE):
            obs[k, c] = base[c, r]
        for j in range(nj):
            obs[k, jp + j] = joint_pos[r, j] - default_joint_pos[j]
            obs[k, jv + j] = joint_vel[r, j]
            obs[k, la + j] = actions[r, j]
        for c in range(3):
            obs[k, cm + c] = commands[r, c]
