"""The G1-class humanoid against the public figures: masses, ranges, torque limits, standing, falling."""

from __future__ import annotations

import motrixlab
import motrixsim as mx
import numpy as np
import pytest
from motrixlab_envs_locomotion import quat
from motrixlab_envs_locomotion.robots.g1 import G1
from motrixlab_envs_locomotion.statics import standing_torque
from motrixsim import query as Q
from motrixsim import write as W

QUIET = {
    "reset.joint_pos_noise": 0,
    "reset.base_lin_vel_noise": 0,
    "reset.base_ang_vel_noise": 0,
    "reset.random_yaw": False,
}
#: rev 1.0 link masses per leg (kg), and the 12-DoF trunk (pelvis, torso, head and arms merged)
LEG_MASSES = {
    "hip_pitch_link": 1.35,
    "hip_roll_link": 1.52,
    "hip_yaw_link": 1.70,
    "knee_link": 1.93,
    "ankle_pitch_link": 0.074,
    "ankle_roll_link": 0.608,
}
TRUNK_MASS = 17.7
#: per joint of a leg: (lower, upper) range of the left leg, torque limit
FIGURES = {
    "hip_pitch": ((-2.5307, 2.8798), 88.0),
    "hip_roll": ((-0.5236, 2.9671), 139.0),
    "hip_yaw": ((-2.7576, 2.7576), 88.0),
    "knee": ((-0.0873, 2.8798), 139.0),
    "ankle_pitch": ((-0.8727, 0.5236), 50.0),
    "ankle_roll": ((-0.2618, 0.2618), 50.0),
}


@pytest.fixture(scope="module")
def model():
    return mx.load_model(G1.model_file)


def _make(num_envs=2, seed=0, **overrides):
    env = motrixlab.make("g1-walk", num_envs=num_envs, seed=seed, overrides={**QUIET, **overrides})
    env.reset(seed=seed)
    return env


def test_masses_add_up_to_the_figures(model):
    mass = {link.name: link.mass for link in model.links}
    assert mass["pelvis"] == pytest.approx(TRUNK_MASS)
    for side in ("left", "right"):
        for link, value in LEG_MASSES.items():
            assert mass[f"{side}_{link}"] == pytest.approx(value), (side, link)
    total = TRUNK_MASS + 2 * sum(LEG_MASSES.values())
    assert sum(mass.values()) == pytest.approx(total, abs=1e-3)
    assert total == pytest.approx(32.1, abs=0.05)  # the figures' 12-DoF model
    assert G1.mass == pytest.approx(total, abs=1e-3) and G1.base_mass == TRUNK_MASS
    assert len(model.links) == 13  # the trunk is one rigid body


def test_every_body_has_its_written_inertia(model):
    d = mx.SceneData(model)
    assert model.get_link("pelvis").center_of_mass == pytest.approx([0.015, 0.0, 0.144], abs=1e-6)
    assert np.ravel(model.get_link("pelvis").get_inertia_override(d))[:3] == pytest.approx([0.553, 0.454, 0.212])
    # capsule-built thigh and shank carry the written inertia, not one from their capsules
    assert np.ravel(model.get_link("left_hip_yaw_link").get_inertia_override(d))[:3] == pytest.approx(
        [0.007, 0.007, 0.002]
    )
    assert np.ravel(model.get_link("right_knee_link").get_inertia_override(d))[:3] == pytest.approx(
        [0.016, 0.016, 0.0015]
    )
    # the foot is a uniform box of the sole's size: 0.17 x 0.055 x 0.016 m
    m, (lx, ly, lz) = 0.608, (0.17, 0.055, 0.016)
    box = [m * (ly**2 + lz**2) / 12, m * (lx**2 + lz**2) / 12, m * (lx**2 + ly**2) / 12]
    assert np.ravel(model.get_link("left_ankle_roll_link").get_inertia_override(d))[:3] == pytest.approx(box, rel=3e-3)


def test_joint_ranges_torque_limits_and_gains_equal_the_description(model):
    d = mx.SceneData(model)
    assert tuple(model.actuator_names) == G1.actuators
    for i, name in enumerate(G1.actuators):
        a = model.get_actuator(name)
        side, joint = name.split("_", 1)
        (low, high), limit = FIGURES[joint]
        if side == "right" and joint == "hip_roll":
            low, high = -high, -low  # mirrored
        assert a.typ == "position" and a.target_name == G1.joints[i]
        assert a.ctrl_range == pytest.approx([low, high], abs=1e-6)
        assert np.ravel(model.get_joint(a.target_name).range) == pytest.approx([low, high], abs=1e-6)
        assert a.force_range == pytest.approx([-limit, limit], abs=1e-4)
        assert G1.torque_limits[i] == limit
        assert np.ravel(a.get_kp_override(d))[0] == pytest.approx(G1.kp[i])
        assert np.ravel(a.get_kd_override(d))[0] == pytest.approx(G1.kd[i])


def test_keyframe_is_the_standing_pose_with_flat_soles_on_the_floor(model):
    kf = model.keyframes[0]
    assert kf.name == "home"
    pose = G1.pose()
    assert kf.dof_pos[7:] == pytest.approx(pose)
    assert pose.reshape(2, 6)[:, [0, 3, 4]].sum(axis=1) == pytest.approx([0, 0], abs=1e-7)  # soles flat
    # the figures' pelvis height: hip pitch 0.1027 below the pelvis, thigh 0.336 at 0.1 rad, shank 0.3 at
    # 0.2 rad, 0.053 m from the ankle pitch axis to the sole
    height = 0.1027 + 0.336 * np.cos(0.1) + 0.3 * np.cos(0.2) + 0.0176 + 0.0354
    assert G1.standing_height == pytest.approx(height, abs=5e-4) and kf.dof_pos[2] == pytest.approx(0.784)
    # the controls carry the gravity feed-forward: the statics of flat feet and heavy legs
    assert G1.gravity_torque() == pytest.approx(standing_torque(G1, cop_under_com=True, leg_weight=True), abs=0.01)
    assert kf.ctrl == pytest.approx(pose + G1.gravity_torque() / np.array(G1.kp), abs=2e-4)
    d = mx.SceneData(model)
    d.reset(model, dof_pos=kf.dof_pos, dof_vel=np.zeros(model.num_dof_vel, np.float32), forward_kinematic=True)
    feet = model.compile_query({"p": Q.GeomPosition(list(G1.feet)), "r": Q.GeomRotation(list(G1.feet))})
    feet = feet.allocate(d)
    feet.execute(d)
    pos = feet["p"].reshape(2, 3)
    assert pos[:, 2] == pytest.approx([G1.foot_height] * 2, abs=1e-3)  # sole on the floor
    assert pos[:, :2] == pytest.approx(np.array(G1.feet_xy), abs=1e-3)
    assert quat.projected_gravity(feet["r"].reshape(2, 4)) == pytest.approx(np.tile([0, 0, -1.0], (2, 1)), abs=1e-6)


def test_every_robot_geom_that_can_touch_the_ground_is_a_foot_or_ends_the_episode(model):
    """Robot-vs-world collisions only, and each colliding geom is a sole or a termination contact."""
    floor = model.get_geom("floor")
    robot = [g for g in model.geoms if g.name != "floor"]
    colliding = {g.name for g in robot if g.collision_group & floor.collision_affinity}
    assert colliding == set(G1.feet) | set(G1.termination_contacts)
    assert not any(g.collision_affinity for g in robot)  # no self-collisions
    assert not set(G1.feet) & set(G1.termination_contacts) and G1.penalised_contacts == ()


def test_stands_five_seconds_under_pd_with_zero_action_at_the_figures_height(stand):
    env = _make(num_envs=2)
    trunk, tilt = stand(env, 5.0)
    assert trunk[:, 2] == pytest.approx(np.full(2, G1.standing_height), abs=0.005)
    assert tilt.max() < 0.05
    assert np.abs(env.joint_pos - env.default_joint_pos).max() < 0.03
    assert np.abs(trunk[:, :2]).max() < 0.05
    c = env.state["contacts"]
    assert (c[:, :2] > 0.5).all() and not (c[:, 2:] > 0.5).any()  # both soles down, nothing else
    env.close()


def test_falls_when_the_pd_is_switched_off():
    env = _make(num_envs=2)
    off = env.compile_write({"kp": W.ActuatorKpOverride(list(G1.actuators)), "kd": W.ActuatorDampingOverride()})
    off["kp"][:] = 0.0
    off["kd"][:] = 0.0
    off.execute(env.data, env_ids=np.array([1]))  # row 1 limp, row 0 as built
    ended = np.zeros(2, bool)
    low = np.full(2, np.inf)
    for _ in range(150):  # 3 s
        _, _, terminated, _, info = env.step(np.zeros((2, 12), np.float32))
        low = np.minimum(low, env.base_height())
        if terminated[1] and not ended[1]:
            assert info["log"]["fall"][1] == 1.0
        ended |= terminated
        if ended[1]:
            break
    assert ended.tolist() == [False, True]
    assert low[0] > 0.77 and low[1] < 0.6  # the limp one collapsed below min_base_height or tipped over
    env.close()


def test_imu_site_reports_the_pelvis_state():
    env = _make(num_envs=1)
    rot = quat.from_axis_angle(np.array([[0.3, 0.4, 0.866]]), [0.5])
    env.set_state(base_pos=[[0, 0, 2.0]], base_quat=rot, lin_vel=[[1.0, -0.5, 0.2]], ang_vel=[[0.1, 0.2, -0.3]])
    s = env.model.compile_query({"g": Q.SensorValues(["imu_gyro"]), "v": Q.SensorValues(["imu_vel"])})
    s = s.allocate(env.data)
    s.execute(env.data)
    assert s["g"][0] == pytest.approx(quat.rotate_inverse(rot, np.array([[0.1, 0.2, -0.3]]))[0], abs=1e-4)
    assert s["v"][0] == pytest.approx(quat.rotate_inverse(rot, np.array([[1.0, -0.5, 0.2]]))[0], abs=1e-4)
    assert env.model.get_site("imu") is not None
    env.close()
