"""Episodes in MuJoCo: the initial state as in training, then the policy at the control period and
the control law at every physics step, until a termination rule fires or time runs out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from motrixlab_deploy_mujoco.controller import Controller, to_body


@dataclass
class Episode:
    """What one episode did; errors are per control step (the ``eval`` definitions)."""

    steps: int = 0
    fell: bool = False
    lin_vel_errors: list[float] = field(default_factory=list)
    ang_vel_errors: list[float] = field(default_factory=list)

    def to_json(self, control_dt: float, per_step_reward: float | None) -> dict[str, Any]:
        return {
            "length_steps": self.steps,
            "length_s": self.steps * control_dt,
            "fell": self.fell,
            "return": None if per_step_reward is None else per_step_reward * self.steps,
            "lin_vel_error": float(np.mean(self.lin_vel_errors)) if self.lin_vel_errors else None,
            "ang_vel_error": float(np.mean(self.ang_vel_errors)) if self.ang_vel_errors else None,
        }


def initial_state(
    description: dict[str, Any], model: Any, data: Any, ctrl: Controller, rng: np.random.Generator
) -> None:
    """Reset ``data`` to the model's rest state, then the description's start (jittered as in training)."""
    import mujoco

    mujoco.mj_resetData(model, data)
    init, lay = description["initial_state"], ctrl.layout
    q0 = np.asarray(description["default_joint_pos"], np.float64)
    noise = init.get("joint_pos_noise", 0.0)
    q = q0 + rng.uniform(-1.0, 1.0, q0.shape) * noise
    if description["control"]["kind"] == "pd" and list(description["joints"]) == list(description["control"]["joints"]):
        q = np.clip(q, ctrl.low, ctrl.high)  # the training start clips the jittered pose to the targets' range
    data.qpos[lay.qpos] = q
    if "joint_vel_noise" in init:
        data.qvel[lay.qvel] = rng.uniform(-1.0, 1.0, q0.shape) * init["joint_vel_noise"]
    if lay.base_qpos is not None:
        a, v = lay.base_qpos, lay.base_qvel
        yaw = rng.uniform(-np.pi, np.pi) if init.get("random_yaw") else 0.0
        quat = np.array([np.cos(yaw / 2), 0.0, 0.0, np.sin(yaw / 2)])
        data.qpos[a : a + 3] = init["base_pos"]
        data.qpos[a + 3 : a + 7] = quat
        data.qvel[v : v + 3] = rng.uniform(-1.0, 1.0, 3) * init.get("base_lin_vel_noise", 0.0)
        ang_world = rng.uniform(-1.0, 1.0, 3) * init.get("base_ang_vel_noise", 0.0)
        data.qvel[v + 3 : v + 6] = to_body(quat, ang_world)
    ctrl.reset()
    mujoco.mj_forward(model, data)


def run_episode(
    description: dict[str, Any],
    model: Any,
    data: Any,
    ctrl: Controller,
    policy: Callable[[np.ndarray], np.ndarray],
    commands: np.ndarray | None,
    steps: int,
    rng: np.random.Generator,
    on_frame: Callable[[Any], None] | None = None,
) -> Episode:
    """One episode of at most ``steps`` control steps; ``commands`` (steps, 3) or None."""
    import mujoco

    initial_state(description, model, data, ctrl, rng)
    decimation = int(description["timing"]["decimation"])
    n_actions = len(description["control"]["joints"])
    last_action = np.zeros(n_actions, np.float32)
    ep = Episode()
    has_base = ctrl.layout.base_qpos is not None
    for k in range(steps):
        command = commands[k] if commands is not None else None
        obs = ctrl.observe(data, last_action, command)
        action = np.asarray(policy(obs[None]), np.float32)[0]
        ctrl.set_action(action)
        for _ in range(decimation):
            ctrl.apply(data)
            mujoco.mj_step(model, data)
        last_action = action
        ctrl.advance()
        ep.steps = k + 1
        if on_frame is not None:
            on_frame(data)
        if command is not None and has_base:
            lin, ang, _ = ctrl.base_velocities(data)
            ep.lin_vel_errors.append(float(np.hypot(command[0] - lin[0], command[1] - lin[1])))
            ep.ang_vel_errors.append(float(abs(command[2] - ang[2])))
        if not np.all(np.isfinite(data.qpos)) or ctrl.terminated(model, data):
            ep.fell = True
            break
    return ep


def summarize(episodes: list[dict[str, Any]], control_dt: float) -> dict[str, float | None]:
    """Means over episodes (tracking errors: over all control steps, as ``eval`` averages them)."""

    def mean(key: str) -> float | None:
        values = [e[key] for e in episodes if e[key] is not None]
        return float(np.mean(values)) if values else None

    def step_mean(key: str) -> float | None:
        pairs = [(e[key], e["length_steps"]) for e in episodes if e[key] is not None]
        total = sum(n for _, n in pairs)
        return float(sum(v * n for v, n in pairs) / total) if total else None

    return {
        "fall_rate": float(np.mean([e["fell"] for e in episodes])),
        "mean_length_s": mean("length_s"),
        "mean_length_steps": mean("length_steps"),
        "mean_return": mean("return"),
        "lin_vel_error": step_mean("lin_vel_error"),
        "ang_vel_error": step_mean("ang_vel_error"),
    }
