"""The walking tasks' deploy description: what a controller outside MotrixSim needs to run their policy.

Everything is read from the live env and its robot description (gains and limits come from the
model's actuators, as the task itself reads them), so the description cannot drift from what the
policy was trained with, for any described robot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from motrixlab.deploy import VERSION, DeployUnavailable, embed_model

from motrixlab_envs_locomotion.observation import obs_layout

if TYPE_CHECKING:
    from motrixlab_envs_locomotion.walk import WalkEnv

#: The task's observation groups as standard deploy terms (``motrixlab.deploy.OBS_TERMS``).
STANDARD_TERMS = {
    "lin_vel": "base_lin_vel",
    "ang_vel": "base_ang_vel",
    "gravity": "projected_gravity",
    "joint_pos": "joint_pos_rel",
    "joint_vel": "joint_vel",
    "last_action": "last_action",
    "command": "command",
    "phase": "gait_clock",
}


def _floats(values: Any) -> list[float]:
    return [float(v) for v in values]


def describe(env: WalkEnv) -> dict[str, Any]:
    """The deploy description of a flat-ground walking env (nominal gains: randomisation is not part of it)."""
    cfg = env.cfg
    if cfg.height_scan.enabled:
        raise DeployUnavailable("the height scan in the observation is not a standard deploy observation term")
    c = cfg.commands
    r = cfg.reset
    robot = env.robot
    joints = list(robot.joints)
    observation: list[dict[str, Any]] = [
        {"term": STANDARD_TERMS[name], "dim": width, "scale": 1.0}
        for name, width in obs_layout(robot.num_joints, phase=cfg.gait.enabled)
    ]
    for term in observation:
        if term["term"] == "gait_clock":
            term["frequency"] = float(cfg.gait.frequency)
    terminate = [
        {"kind": "tilt", "body": robot.base, "max_rad": float(cfg.max_tilt)},
        {"kind": "contact", "geoms": list(robot.termination_contacts), "with": list(env.ground_geoms)},
    ]
    if cfg.min_base_height > 0:
        terminate.append({"kind": "height", "body": robot.base, "min_m": float(cfg.min_base_height)})
    stand_targets = robot.pose() + robot.gravity_torque() / env.kp  # as the task's zero-action targets
    return {
        "version": VERSION,
        "model": embed_model(cfg.model_file),
        "timing": {"physics_dt": float(cfg.sim_dt), "decimation": int(cfg.sim_substeps)},
        "base_body": robot.base,
        "joints": joints,
        "default_joint_pos": _floats(robot.pose()),
        "control": {
            "kind": "pd",
            "joints": joints,
            # target = clip(action_offset + action_scale * action, low, high); the offset carries the
            # standing pose's gravity feed-forward (standing_torque / kp)
            "action_scale": [float(cfg.action_scale)] * len(joints),
            "action_offset": _floats(stand_targets),
            "low": _floats(env.target_low),
            "high": _floats(env.target_high),
            "kp": _floats(env.kp),
            "kd": _floats(env.kd),
            "torque_limit": _floats(env.torque_limit),
        },
        "observation": observation,
        "obs_dim": sum(term["dim"] for term in observation),
        "commands": {
            "low": [c.lin_vel_x[0], c.lin_vel_y[0], c.ang_vel_yaw[0]],
            "high": [c.lin_vel_x[1], c.lin_vel_y[1], c.ang_vel_yaw[1]],
            "resample_seconds": float(c.resample_seconds),
            "standing_share": float(c.standing_share),
            "min_speed": float(c.min_speed),
        },
        "episode": {
            "max_seconds": float(cfg.max_episode_seconds),
            "terminate": terminate,
        },
        "initial_state": {
            "base_pos": [0.0, 0.0, float(robot.standing_height)],
            "random_yaw": bool(r.random_yaw),
            "joint_pos_noise": float(r.joint_pos_noise),
            "base_lin_vel_noise": float(r.base_lin_vel_noise),
            "base_ang_vel_noise": float(r.base_ang_vel_noise),
        },
        "reward": None,
    }
