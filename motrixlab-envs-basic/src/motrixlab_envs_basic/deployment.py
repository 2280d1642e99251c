"""Cart-pole's deploy description: what a controller outside MotrixSim needs to run its policy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

from motrixlab.deploy import VERSION, DeployUnavailable, embed_model

if TYPE_CHECKING:
    from motrixlab_envs_basic.cartpole import CartPoleEnv

JOINTS = ("slider", "hinge")


def _motor_gear(model_file: str) -> float:
    """The slider motor's gear, read from the MJCF (MotrixSim's actuator objects do not expose it)."""
    motor = ElementTree.parse(model_file).getroot().find("./actuator/motor")
    if motor is None:
        raise DeployUnavailable(f"model_file {model_file!r} has no motor actuator")
    return float(motor.get("gear", "1").split()[0])


def describe_cartpole(env: CartPoleEnv) -> dict[str, Any]:
    """Observation [x, theta, xdot, thetadot] is the joint positions then velocities; the action is the
    motor's force on the slider: gear x (ctrl offset + ctrl scale x action), clipped to the ctrl range."""
    cfg, motor = env.cfg, env.motor
    gear = _motor_gear(cfg.model_file)
    return {
        "version": VERSION,
        "model": embed_model(cfg.model_file),
        "timing": {"physics_dt": float(cfg.sim_dt), "decimation": int(cfg.sim_substeps)},
        "base_body": None,
        "joints": list(JOINTS),
        "default_joint_pos": [0.0, 0.0],
        "control": {
            "kind": "effort",
            "joints": ["slider"],
            "action_scale": [float(gear * motor.scale[0])],
            "action_offset": [float(gear * motor.offset[0])],
            "low": [float(gear * motor.low[0])],
            "high": [float(gear * motor.high[0])],
        },
        "observation": [
            {"term": "joint_pos", "dim": 2, "scale": 1.0},
            {"term": "joint_vel", "dim": 2, "scale": 1.0},
        ],
        "obs_dim": 4,
        "commands": None,
        "episode": {
            "max_seconds": float(cfg.max_episode_seconds),
            "terminate": [
                {"kind": "joint_limit", "joint": "hinge", "max_abs": float(cfg.max_angle)},
                {"kind": "joint_limit", "joint": "slider", "max_abs": float(cfg.max_position)},
            ],
        },
        "initial_state": {"joint_pos_noise": float(cfg.reset_noise), "joint_vel_noise": float(cfg.reset_noise)},
        "reward": {"kind": "alive", "per_step": 1.0},
    }
