"""A robot is data: a small 8-joint quadruped, described here alone, walks the velocity-tracking task."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pytest
from motrixlab.errors import ConfigError
from motrixlab_envs_locomotion.config import WalkCfg
from motrixlab_envs_locomotion.description import RobotDescription
from motrixlab_envs_locomotion.walk import WalkEnv

# Trunk box 0.30 x 0.16 x 0.08 m (3 kg); per leg a hip-pitch and a knee joint (no abduction), thigh and
# shank 0.15 m, a 0.015 m sphere foot. Pose: hip 0.8, knee -1.6 -> trunk at 2 x 0.15 cos 0.8 + 0.015 m.
_LEG = """
<body name="{leg}_thigh" pos="{x} {y} 0">
  <inertial pos="0 0 -0.05" mass="0.4" diaginertia="0.001 0.001 0.0002"/>
  <joint name="{leg}_hip" axis="0 1 0" range="-1 2.5" damping="0.05" armature="0.01"/>
  <geom name="{leg}_thigh" type="capsule" size="0.015" fromto="0 0 -0.02 0 0 -0.13" contype="1" conaffinity="0"/>
  <body name="{leg}_shank" pos="0 0 -0.15">
    <inertial pos="0 0 -0.1" mass="0.1" diaginertia="0.0003 0.0003 0.00001"/>
    <joint name="{leg}_knee" axis="0 1 0" range="-2.6 -0.5" damping="0.05" armature="0.01"/>
    <geom name="{leg}_foot" type="sphere" size="0.015" pos="0 0 -0.15" contype="1" conaffinity="0"/>
  </body>
</body>"""
LEGS = {"lf": (0.15, 0.09), "rf": (0.15, -0.09), "lh": (-0.15, 0.09), "rh": (-0.15, -0.09)}
MASS = 3.0 + 4 * 0.5
HEIGHT = 2 * 0.15 * math.cos(0.8) + 0.015


def _model(tmp_path) -> str:
    legs = "".join(_LEG.format(leg=leg, x=x, y=y) for leg, (x, y) in LEGS.items())
    actuators = "".join(
        f'<position name="{leg}_{j}" joint="{leg}_{j}" kp="30" kv="0.5" forcelimited="true" forcerange="-15 15"'
        f' ctrllimited="true" ctrlrange="{"-1 2.5" if j == "hip" else "-2.6 -0.5"}"/>'
        for leg in LEGS
        for j in ("hip", "knee")
    )
    xml = f"""<mujoco model="tiny-quad"><compiler angle="radian"/><option timestep="0.01"/>
<worldbody>
  <geom name="floor" type="plane" size="20 20 0.1" contype="1" conaffinity="1"/>
  <body name="body" pos="0 0 0.3">
    <freejoint/>
    <inertial pos="0 0 0" mass="3" diaginertia="0.008 0.024 0.028"/>
    <geom name="body" type="box" size="0.15 0.08 0.04" contype="1" conaffinity="0"/>
    <geom name="head" type="sphere" size="0.04" pos="0.19 0 0" contype="1" conaffinity="0"/>
    {legs}
  </body>
</worldbody>
<actuator>{actuators}</actuator>
</mujoco>"""
    path = tmp_path / "tiny_quad.xml"
    path.write_text(xml)
    return str(path)


def _description(model_file: str) -> RobotDescription:
    knee = MASS * 9.81 / 4 * 0.15 * math.sin(0.8)  # each knee's share of the weight at its lever arm
    return RobotDescription(
        name="tiny-quad",
        model_file=model_file,
        base="body",
        joints=tuple(f"{leg}_{j}" for leg in LEGS for j in ("hip", "knee")),
        actuators=tuple(f"{leg}_{j}" for leg in LEGS for j in ("hip", "knee")),
        feet=tuple(f"{leg}_foot" for leg in LEGS),
        termination_contacts=("body", "head"),
        penalised_contacts=tuple(f"{leg}_thigh" for leg in LEGS),
        standing_pose=(0.8, -1.6) * 4,
        standing_torque=(0.0, knee) * 4,
        kp=(30.0,) * 8,
        kd=(0.5,) * 8,
        torque_limits=(15.0,) * 8,
        standing_height=HEIGHT,
        height_target=HEIGHT - 0.01,
        mass=MASS,
        base_mass=3.0,
        feet_xy=tuple(LEGS.values()),
    )


@pytest.fixture
def tiny_cfg(tmp_path):
    desc = _description(_model(tmp_path))

    @dataclass(kw_only=True)
    class TinyWalkCfg(WalkCfg):
        robot: ClassVar[RobotDescription] = desc
        model_file: str = desc.model_file

    return TinyWalkCfg


def test_a_described_robot_stands_and_is_observed_in_its_own_layout(tiny_cfg):
    cfg = tiny_cfg()
    cfg.reset.joint_pos_noise = cfg.reset.base_lin_vel_noise = cfg.reset.base_ang_vel_noise = 0.0
    env = WalkEnv(cfg, num_envs=4, seed=0)
    obs, _ = env.reset(seed=0)
    assert env.action_space.shape == (8,) and obs.shape == (4, 9 + 3 * 8 + 3)
    assert env.obs_slices["command"] == slice(33, 36)
    for _ in range(100):  # 2 s of zero action
        obs, reward, terminated, _, info = env.step(np.zeros((4, 8), np.float32))
    assert not terminated.any()
    assert env.state["qpos"][:, 2] == pytest.approx(np.full(4, HEIGHT), abs=0.015)
    assert np.abs(env.joint_pos - env.default_joint_pos).max() < 0.05
    assert obs[:, env.obs_slices["gravity"]] == pytest.approx(np.tile([0, 0, -1.0], (4, 1)), abs=0.02)
    assert "reward/tracking_lin_vel" in info["log"] and reward.shape == (4,)
    env.close()


def test_either_termination_geom_on_the_ground_ends_the_episode(tiny_cfg):
    env = WalkEnv(tiny_cfg(), num_envs=2, seed=0)
    env.reset(seed=0)
    # legs folded up; row 0 nose down (head on the floor, body above it), row 1 flat on its belly
    pitch = 0.5
    env.set_state(
        joint_pos=np.tile(np.array([2.4, -0.5] * 4, np.float32), (2, 1)),
        base_pos=np.array([[0, 0, 0.12], [0, 0, 0.035]], np.float32),
        base_quat=np.array([[0, math.sin(pitch / 2), 0, math.cos(pitch / 2)], [0, 0, 0, 1]], np.float32),
    )
    _, _, terminated, _, info = env.step(np.zeros((2, 8), np.float32))
    assert terminated.tolist() == [True, True]
    assert info["log"]["fall"].tolist() == [1.0, 1.0]
    env.close()


def test_a_model_that_lacks_a_described_geom_is_one_clear_error(tiny_cfg, tmp_path):
    broken = tmp_path / "broken.xml"
    broken.write_text(open(tiny_cfg.robot.model_file).read().replace('name="head"', 'name="nose"'))
    with pytest.raises(ConfigError, match=r"lacks head \(a tiny-quad model\)"):
        WalkEnv(tiny_cfg(model_file=str(broken)), num_envs=1)


def test_descriptions_check_their_lengths():
    with pytest.raises(ValueError, match="kp has 7 entries, joints 8"):
        _description("x.xml").__class__(**{**_description("x.xml").__dict__, "kp": (30.0,) * 7})
