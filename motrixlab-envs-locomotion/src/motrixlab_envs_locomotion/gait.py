"""The gait clock and the feet terms that shape a stepping gait, for robots whose config enables them.

Bipeds learn to walk much faster when they are told when to step: each env carries a phase
``phi`` in [0, 1) that advances at ``frequency`` cycles per second, and the policy observes
``(sin 2 pi phi, cos 2 pi phi)``. Foot ``f`` is in stance while ``(phi + offsets[f]) mod 1`` is below
``stance_share`` (offsets 0 and 0.5: the legs alternate, a symmetric gait with double support), and
in swing otherwise; told to stand still, every foot is in stance. The contact schedule rewards each
foot whose ground contact matches that; the other terms shape the steps themselves. They are
compiled like ``rewards.terms`` and added to its (unclipped) sum before the clip at 0.

Foot poses and velocities come from MotrixSim's geom queries, which describe the state at the start
of the last physics step (one ``sim_dt`` old, see the MotrixSim notes); contacts and joints are
current.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numba import njit

from motrixlab_envs_locomotion.rewards import MIN_COMMAND

#: The terms in the order of ``gait_terms``' output rows (and of ``GaitScales``' fields).
GAIT_TERMS: tuple[str, ...] = (
    "contact_schedule",  # number of feet whose ground contact matches the clock (stance: down, swing: up)
    "feet_clearance",  # Σ over feet in swing of (sole height - clearance x sin(pi x swing progress))²
    "feet_slip",  # Σ over feet on the ground of their planar speed² (m²/s²)
    "feet_orientation",  # Σ over feet of sin²(sole tilt), from gravity seen in the foot frame
    "joint_deviation",  # Σ over ``deviation_joints`` of (offset from the standing pose)², rad²
)
#: ``params`` entries of ``gait_terms``.
STANCE_SHARE, CLEARANCE, FOOT_HEIGHT, GROUNDS, ONLY_POSITIVE = range(5)


@dataclass(kw_only=True)
class GaitScales:
    """Weights per second of the gait terms (times ctrl_dt each step); 0 switches a term off."""

    contact_schedule: float = 0.0  # feet down in stance, up in swing
    feet_clearance: float = 0.0  # swing feet follow a sine arc of ``clearance`` peak height
    feet_slip: float = 0.0  # feet on the ground do not slide
    feet_orientation: float = 0.0  # soles level
    joint_deviation: float = 0.0  # listed joints (e.g. hip roll and yaw) near the standing pose


@dataclass(kw_only=True)
class GaitCfg:
    """The gait clock in the observation and the feet terms of the reward; off for robots that walk without it."""

    enabled: bool = False  # observe the clock and earn the gait terms (the humanoid)
    frequency: float = 1.25  # gait cycles per second
    stance_share: float = 0.55  # share of each foot's cycle on the ground (> 0.5: double support)
    offsets: tuple[float, ...] = (0.0, 0.5)  # each foot's phase offset, in cycles, in the robot's feet order
    clearance: float = 0.08  # m, peak sole height in the middle of a swing
    deviation_joints: tuple[str, ...] = ()  # joints whose offset from the standing pose is penalised
    scales: GaitScales = field(default_factory=GaitScales)

    def validate(self) -> None:
        if self.frequency <= 0:
            raise ValueError(f"gait.frequency: must be positive, got {self.frequency}")
        if not 0 < self.stance_share < 1:
            raise ValueError(f"gait.stance_share: must be in (0, 1), got {self.stance_share}")
        if self.clearance < 0:
            raise ValueError(f"gait.clearance: must be >= 0, got {self.clearance}")
        if not all(0 <= v < 1 for v in self.offsets):
            raise ValueError(f"gait.offsets: each must be in [0, 1), got {self.offsets}")


def new_params(
    *, stance_share: float, clearance: float, foot_height: float, grounds: int, only_positive: bool
) -> np.ndarray:
    """The ``params`` array of ``gait_terms``."""
    return np.array([stance_share, clearance, foot_height, grounds, only_positive], np.float64)


@njit(cache=True)
def stance(phase, offset, stance_share, standing):
    """Whether a foot of ``offset`` is in stance at ``phase``, and its swing progress in [0, 1) if not."""
    leg = (phase + offset) % 1.0
    if standing or leg < stance_share:
        return True, 0.0
    return False, (leg - stance_share) / (1.0 - stance_share)


@njit(cache=True, error_model="numpy")
def gait_terms(
    phase,  # (N,) gait phase in [0, 1)
    offsets,  # (F,) each foot's phase offset
    commands,  # (N, 3)
    contacts,  # (N, G * C) ground contacts per ground geom, the F feet first in each block
    feet_pos,  # (N, F, 3) foot geom centres, world frame
    feet_rot,  # (N, F, 4) foot geom rotations (x, y, z, w)
    feet_vel,  # (N, F, 3) foot geom linear velocities, world frame
    ground,  # (N, F) ground height under each foot
    joint_pos,  # (N, J)
    default_joint_pos,  # (J,)
    deviation,  # (K,) joint indices of the deviation term
    params,  # see STANCE_SHARE etc.
    weights,  # (len(GAIT_TERMS),)
    out,  # (len(GAIT_TERMS), N) weighted term values
    reward,  # (N,) the other terms' unclipped sum: the gait terms are added, then the clip applies
):
    n, num_feet = joint_pos.shape[0], offsets.shape[0]
    grounds = int(params[GROUNDS])
    per_ground = contacts.shape[1] // grounds
    share, clearance, rest = params[STANCE_SHARE], params[CLEARANCE], params[FOOT_HEIGHT]
    value = np.empty(len(GAIT_TERMS), np.float64)
    for i in range(n):
        standing = abs(commands[i, 0]) + abs(commands[i, 1]) + abs(commands[i, 2]) < MIN_COMMAND
        matched = swing_sq = slip = tilt = 0.0
        for f in range(num_feet):
            c = 0.0
            for g in range(grounds):
                c = max(c, contacts[i, g * per_ground + f])
            down = c > 0.5
            in_stance, progress = stance(phase[i], offsets[f], share, standing)
            if down == in_stance:
                matched += 1.0
            if not in_stance:
                h = feet_pos[i, f, 2] - ground[i, f] - rest
                d = h - clearance * math.sin(math.pi * progress)
                swing_sq += d * d
            if down:
                slip += feet_vel[i, f, 0] * feet_vel[i, f, 0] + feet_vel[i, f, 1] * feet_vel[i, f, 1]
            x, y, z, w = feet_rot[i, f, 0], feet_rot[i, f, 1], feet_rot[i, f, 2], feet_rot[i, f, 3]
            gx, gy = 2.0 * (w * y - x * z), -2.0 * (y * z + w * x)  # gravity's planar part in the foot frame
            tilt += gx * gx + gy * gy
        dev = 0.0
        for k in range(deviation.shape[0]):
            j = deviation[k]
            d = joint_pos[i, j] - default_joint_pos[j]
            dev += d * d
        value[0], value[1], value[2], value[3], value[4] = matched, swing_sq, slip, tilt, dev
        total = float(reward[i])
        for k in range(len(GAIT_TERMS)):
            v = value[k] * weights[k]
            out[k, i] = v
            total += v
        reward[i] = max(total, 0.0) if params[ONLY_POSITIVE] else total


def single_support(contacts: np.ndarray, grounds: int, feet: int, commands: np.ndarray) -> np.float32 | None:
    """The gait's alternation: among rows told to move, the share with exactly one foot on the ground
    (``contacts`` laid out as ``gait_terms`` reads them); None when no row is told to move."""
    down = contacts.reshape(contacts.shape[0], grounds, -1)[:, :, :feet].max(axis=1) > 0.5
    moving = np.abs(commands).sum(axis=1) >= MIN_COMMAND
    if not moving.any():
        return None
    return np.float32(np.mean(down[moving].sum(axis=1) == 1))


def clock(phase: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The observed clock ``(sin 2 pi phi, cos 2 pi phi)`` of phases ``phi``, float32."""
    angle = 2.0 * np.pi * phase
    return np.sin(angle).astype(np.float32), np.cos(angle).astype(np.float32)
