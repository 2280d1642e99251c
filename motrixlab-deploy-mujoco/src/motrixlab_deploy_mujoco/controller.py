"""The description's controller: observation terms from MuJoCo's state, and the control law.

Quaternions here are MuJoCo's (w, x, y, z). The free joint's ``qvel`` holds the world-frame linear
velocity and the body-frame angular velocity, as MotrixSim's DoF velocity does.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from motrixlab.deploy import control_dt

from motrixlab_deploy_mujoco.model import Layout


def to_body(quat_wxyz: np.ndarray, v: np.ndarray) -> np.ndarray:
    """World vector ``v`` seen in the frame of the rotation ``quat_wxyz``."""
    w, x, y, z = quat_wxyz
    r = np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
            [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
            [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
        ]
    )
    return r.T @ v


class Controller:
    """Builds observations and applies the control law of one description on one MuJoCo data."""

    def __init__(self, description: dict[str, Any], layout: Layout) -> None:
        self.d = description
        self.layout = layout
        c = description["control"]
        self.kind = c["kind"]
        self.scale = np.asarray(c["action_scale"], np.float64)
        self.offset = np.asarray(c["action_offset"], np.float64)
        self.low, self.high = np.asarray(c["low"], np.float64), np.asarray(c["high"], np.float64)
        if self.kind == "pd":
            self.kp, self.kd = np.asarray(c["kp"], np.float64), np.asarray(c["kd"], np.float64)
            self.limit = np.asarray(c["torque_limit"], np.float64)
        self.default_q = np.asarray(description["default_joint_pos"], np.float64)
        self.terms = [(t["term"], float(t["scale"])) for t in description["observation"]]
        self.target = self.offset.copy()  # PD targets (pd) or joint forces (effort) of the control step
        clocks = [t for t in description["observation"] if t["term"] == "gait_clock"]
        self.phase_step = float(clocks[0]["frequency"]) * control_dt(description) if clocks else 0.0
        self.phase = 0.0  # the gait clock, in cycles

    def reset(self) -> None:
        """The episode's start: zero-action targets and the clock at 0."""
        self.target = self.offset.copy()
        self.phase = 0.0

    def advance(self) -> None:
        """After each control step, as in training."""
        self.phase = (self.phase + self.phase_step) % 1.0

    def base_velocities(self, data: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Body-frame linear and angular velocity and projected gravity of the base."""
        a, v = self.layout.base_qpos, self.layout.base_qvel
        quat = data.qpos[a + 3 : a + 7]
        lin = to_body(quat, data.qvel[v : v + 3])
        return lin, data.qvel[v + 3 : v + 6].copy(), to_body(quat, np.array([0.0, 0.0, -1.0]))

    def observe(self, data: Any, last_action: np.ndarray, command: np.ndarray | None) -> np.ndarray:
        parts = []
        base = self.base_velocities(data) if self.layout.base_qpos is not None else None
        for term, scale in self.terms:
            if term == "base_lin_vel":
                value = base[0]
            elif term == "base_ang_vel":
                value = base[1]
            elif term == "projected_gravity":
                value = base[2]
            elif term == "joint_pos":
                value = data.qpos[self.layout.qpos]
            elif term == "joint_pos_rel":
                value = data.qpos[self.layout.qpos] - self.default_q
            elif term == "joint_vel":
                value = data.qvel[self.layout.qvel]
            elif term == "last_action":
                value = last_action
            elif term == "gait_clock":
                value = np.array([np.sin(2 * np.pi * self.phase), np.cos(2 * np.pi * self.phase)])
            else:  # command
                value = command if command is not None else np.zeros(3)
            parts.append(np.asarray(value, np.float64) * scale)
        return np.concatenate(parts).astype(np.float32)

    def set_action(self, action: np.ndarray) -> None:
        """Targets (pd) or forces (effort) for the physics steps of this control step."""
        self.target = np.clip(self.offset + self.scale * np.asarray(action, np.float64), self.low, self.high)

    def apply(self, data: Any) -> None:
        """Generalized forces of the law at the current state; call before every physics step."""
        lay = self.layout
        if self.kind == "pd":
            q, qd = data.qpos[lay.ctrl_qpos], data.qvel[lay.ctrl_qvel]
            # MuJoCo applies -kd * qd itself, implicitly (see ``model.load_model``): explicit damping at
            # the physics step is unstable for light links such as a biped's feet
            damping = self.kd * qd
            tau = np.clip(self.kp * (self.target - q) - damping, -self.limit, self.limit) + damping
        else:
            tau = self.target
        data.qfrc_applied[lay.ctrl_qvel] = tau

    def terminated(self, model: Any, data: Any) -> bool:
        lay = self.layout
        if lay.max_tilt is not None and lay.base_qpos is not None:
            gravity_z = self.base_velocities(data)[2][2]
            if gravity_z > -np.cos(lay.max_tilt):
                return True
        if lay.min_height is not None and lay.base_qpos is not None and data.qpos[lay.base_qpos + 2] < lay.min_height:
            return True
        for adr, limit in lay.joint_limits:
            if abs(data.qpos[adr]) > limit:
                return True
        if lay.contact_pairs and data.ncon:
            pairs = zip(data.contact.geom1.tolist(), data.contact.geom2.tolist(), strict=True)
            return any(p in lay.contact_pairs for p in pairs)
        return False
