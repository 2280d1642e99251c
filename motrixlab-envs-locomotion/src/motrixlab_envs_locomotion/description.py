"""A legged robot as data: what the locomotion tasks need to know about a model, and nothing else.

A task reads every robot-specific figure from a ``RobotDescription``, so a new robot is one
description plus one MJCF file; the task code stays as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np


def model_file(name: str) -> str:
    """Absolute path of one of this package's MJCF models (``models/<name>``)."""
    return str(Path(__file__).with_name("models") / name)


@dataclass(frozen=True, kw_only=True)
class RobotDescription:
    """Names refer to the robot's MJCF; joint-indexed figures follow ``joints`` order.

    The model's actuators must be force-limited position (PD) actuators on ``joints``, one each,
    in the same order; the env reads the gains and limits it uses from the model, the figures
    here document and test them.
    """

    name: str
    model_file: str
    base: str  # the body with the floating joint (the trunk)
    joints: tuple[str, ...]
    actuators: tuple[str, ...]
    feet: tuple[str, ...]  # foot geoms: air time and touchdowns
    termination_contacts: tuple[str, ...]  # geoms whose ground contact ends an episode
    penalised_contacts: tuple[str, ...]  # geoms whose ground contact costs reward
    standing_pose: tuple[float, ...]  # rad, per joint: zero action holds it
    #: N·m per joint: the gravity load of the standing pose, added to the PD targets as
    #: ``standing_torque / kp`` so that zero action stands at the pose instead of sagging.
    standing_torque: tuple[float, ...]
    kp: tuple[float, ...]  # PD stiffness per joint (N·m/rad), as in the model
    kd: tuple[float, ...]  # PD damping per joint (N·m·s/rad), as in the model
    torque_limits: tuple[float, ...]  # N·m per joint, the actuators' force range
    standing_height: float  # m, trunk height above flat ground in the standing pose (feet touching)
    height_target: float  # m, the base-height reward's target
    mass: float  # kg, the whole robot
    base_mass: float  # kg, the trunk alone (randomised added mass must leave it positive)
    feet_xy: tuple[tuple[float, float], ...]  # foot (x, y) in the trunk frame at the standing pose
    #: m, height of each foot geom's centre above flat ground when it stands flat (a sphere's radius,
    #: half a sole's thickness): the gait terms measure foot clearance from it
    foot_height: float = 0.0

    def __post_init__(self) -> None:
        n = len(self.joints)
        for name in ("actuators", "standing_pose", "standing_torque", "kp", "kd", "torque_limits"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"{self.name}: {name} has {len(getattr(self, name))} entries, joints {n}")
        if len(self.feet_xy) != len(self.feet):
            raise ValueError(f"{self.name}: feet_xy has {len(self.feet_xy)} entries, feet {len(self.feet)}")
        if not self.termination_contacts:
            raise ValueError(f"{self.name}: at least one termination contact geom is needed")

    @property
    def num_joints(self) -> int:
        return len(self.joints)

    def pose(self) -> np.ndarray:
        """The standing pose as a float32 array (a fresh copy)."""
        return np.array(self.standing_pose, np.float32)

    def gravity_torque(self) -> np.ndarray:
        """The standing pose's gravity feed-forward as a float32 array (a fresh copy)."""
        return np.array(self.standing_torque, np.float32)
