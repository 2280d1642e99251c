"""The Go1-class model against the public figures: masses, ranges, torque limits, standing."""

from __future__ import annotations

import motrixsim as mx
import numpy as np
import pytest
from motrixlab_envs_locomotion import quat
from motrixlab_envs_locomotion.robots.go1 import GO1
from motrixsim import query as Q

ACTUATORS = GO1.actuators
DEFAULT_JOINT_POS = GO1.pose()
FEET = GO1.feet
JOINTS = GO1.joints
MODEL_FILE = GO1.model_file
ROBOT_MASS = GO1.mass
STANDING_HEIGHT = GO1.standing_height
STANDING_TORQUE = GO1.gravity_torque()


@pytest.fixture(scope="module")
def model():
    m = mx.load_model(str(MODEL_FILE))
    m.options.timestep = 0.01
    return m


def standing_data(model, n=1, z=STANDING_HEIGHT):
    d = mx.SceneData(model, batch=[n])
    kf = model.keyframes[0]
    pos = np.tile(kf.dof_pos, (n, 1))
    pos[:, 2] = z
    d.reset(model, dof_pos=pos, dof_vel=np.zeros((n, model.num_dof_vel), np.float32), forward_kinematic=True)
    d.actuator_ctrls = np.tile(kf.ctrl, (n, 1)).astype(np.float32)
    return d


def test_masses_follow_the_figures(model):
    mass = {link.name: link.mass for link in model.links}
    assert mass["trunk"] == pytest.approx(5.2)
    for leg in ("FR", "FL", "RR", "RL"):
        assert mass[f"{leg}_hip"] == pytest.approx(0.68)
        assert mass[f"{leg}_thigh"] == pytest.approx(1.0)
        assert mass[f"{leg}_calf"] == pytest.approx(0.2)
    assert sum(mass.values()) == pytest.approx(12.72, abs=0.01)
    assert sum(mass.values()) == pytest.approx(ROBOT_MASS, abs=0.01)  # the feed-forward's weight
    # capsule-built links carry the written centre of mass (motor near the hip, foot at the end)
    assert model.get_link("FL_thigh").center_of_mass[2] == pytest.approx(-0.0426, abs=1e-5)
    assert model.get_link("FL_calf").center_of_mass[2] == pytest.approx(-0.1332, abs=1e-5)


def test_explicit_inertia_is_used_not_the_capsule_one(model):
    d = mx.SceneData(model)
    # (Ixx, Iyy, Izz, ...) about the centre of mass as written in the file
    assert model.get_link("FR_thigh").get_inertia_override(d)[:3] == pytest.approx([0.0045, 0.0045, 0.00056], rel=1e-4)
    assert model.get_link("FR_calf").get_inertia_override(d)[:3] == pytest.approx([0.0010, 0.0010, 0.00003], rel=1e-4)


def test_joint_ranges_and_torque_limits_are_the_figures(model):
    lower = np.tile([-0.863, -0.686, -2.818], 4)
    upper = np.tile([0.863, 4.501, -0.888], 4)
    limit = np.tile([23.7, 23.7, 35.5], 4)
    for i, name in enumerate(ACTUATORS):
        a = model.get_actuator(name)
        assert a.typ == "position"
        assert a.target_name == JOINTS[i]
        assert a.ctrl_range == pytest.approx([lower[i], upper[i]], abs=1e-6)
        assert a.force_range == pytest.approx([-limit[i], limit[i]], abs=1e-5)


def test_pd_gains_are_in_the_usual_range(model):
    d = mx.SceneData(model)
    for name in ACTUATORS:
        a = model.get_actuator(name)
        assert 20 <= a.get_kp_override(d) <= 35
        assert 0.5 <= a.get_kd_override(d) <= 1.0


def test_keyframe_is_the_standing_pose_with_feet_on_the_floor(model):
    kf = model.keyframes[0]
    assert kf.dof_pos[7:] == pytest.approx(DEFAULT_JOINT_POS)
    # the controls carry the gravity feed-forward the env adds to its targets (kp 35)
    assert kf.ctrl == pytest.approx(DEFAULT_JOINT_POS + STANDING_TORQUE / 35.0, abs=1e-4)
    d = standing_data(model)
    feet = model.compile_query({"f": Q.GeomPosition(list(FEET))}).allocate(d).execute(d)["f"]
    # thigh and calf of 0.213 m at 0.9 rad from vertical, plus the 0.02 m foot radius: 0.285 m
    assert feet[0, :, 2] == pytest.approx([0.02] * 4, abs=1e-3)
    assert STANDING_HEIGHT == pytest.approx(2 * 0.213 * np.cos(0.9) + 0.02, abs=1e-3)
    # feet straight below the hips
    assert feet[0, :, 0] == pytest.approx([0.1881, 0.1881, -0.1881, -0.1881], abs=1e-3)


def test_stands_under_pd_with_zero_action(model):
    d = standing_data(model)
    q = model.compile_query({"qpos": Q.DofPosition(), "qvel": Q.DofVelocity()}).allocate(d)
    model.step_n(d, 300)  # 3 s
    q.execute(d)
    qpos, qvel = q["qpos"][0], q["qvel"][0]
    tilt = np.arccos(-quat.projected_gravity(qpos[None, 3:7])[0, 2])
    assert tilt < 0.1
    # with the knees' gravity feed-forward the pose holds: the figures' 0.27-0.28 m (kinematic 0.285 m)
    assert 0.275 < qpos[2] < 0.287
    assert np.abs(qpos[:2]).max() < 0.1  # no walking off
    assert np.abs(qvel).max() < 0.05  # at rest
    assert np.abs(qpos[7:] - DEFAULT_JOINT_POS).max() < 0.04


def _hip_motion(model, offset: float) -> float:
    """Hip angle change after 20 ms of free fall (no ground, no gravity effect on the joints)."""
    d = standing_data(model, z=5.0)
    ctrl = np.tile(DEFAULT_JOINT_POS, (1, 1)).astype(np.float32)
    ctrl[0, 1] += offset  # FR hip
    d.actuator_ctrls = ctrl
    model.step_n(d, 2)
    return float(d.dof_pos[0, 8] - DEFAULT_JOINT_POS[1])


def test_forcerange_clamps_the_pd_torque(model):
    # kp 35: offsets of 2 and 3 rad ask for 70 and 105 N m (less the damping), both clamped to 23.7 N m
    clamped = _hip_motion(model, 2.0)
    assert clamped == pytest.approx(_hip_motion(model, 3.0), rel=1e-4)
    # below the limit (5 and 10 N m) the motion grows with the torque
    small, double = _hip_motion(model, 0.15), _hip_motion(model, 0.3)
    assert double / small == pytest.approx(2.0, rel=0.1)
    assert clamped < 0.5 * (70 / 5.25) * small  # far short of what an unclamped 70 N m would do


def test_imu_sensors_match_the_state(model):
    d = standing_data(model, n=2, z=1.0)
    rot = quat.multiply(
        quat.from_yaw(np.array([0.7, -1.2])), quat.from_axis_angle(np.array([[1, 0, 0]] * 2), [0.3, 0.5])
    )
    pos = d.dof_pos
    pos[:, 3:7] = rot
    vel = np.zeros((2, model.num_dof_vel), np.float32)
    vel[:, :3] = [[1.0, -0.5, 0.2], [0.3, 0.8, -0.1]]  # world frame
    vel[:, 3:6] = [[0.1, 0.2, -0.3], [-0.4, 0.0, 0.5]]  # trunk frame
    d.reset(model, dof_pos=pos, dof_vel=vel, forward_kinematic=True)
    s = model.compile_query({"gyro": Q.SensorValues(["imu_gyro"]), "vel": Q.SensorValues(["imu_vel"])}).allocate(d)
    s.execute(d)
    assert s["gyro"] == pytest.approx(vel[:, 3:6], abs=1e-5)
    assert s["vel"] == pytest.approx(quat.rotate_inverse(rot, vel[:, :3]), abs=1e-5)


def test_only_robot_world_contacts(model):
    d = standing_data(model)
    model.step_n(d, 5)
    assert int(model.get_contact_query(d).num_contacts[0]) == 4  # the feet; no self-collisions


def _rollout(dt: float, seconds: float = 0.5) -> np.ndarray:
    m = mx.load_model(str(MODEL_FILE))
    m.options.timestep = dt
    d = standing_data(m, n=8)
    rng = np.random.default_rng(0)
    action = np.zeros((8, 12), np.float32)
    out = []
    for _ in range(round(seconds / 0.02)):
        action = 0.8 * action + 0.2 * rng.normal(size=(8, 12)).astype(np.float32)
        d.actuator_ctrls = np.clip(DEFAULT_JOINT_POS + 0.3 * action, -2.8, 4.5).astype(np.float32)
        m.step_n(d, round(0.02 / dt))
        out.append(d.dof_pos[:, :3])
    return np.array(out)


def test_100hz_physics_agrees_with_400hz():
    """The tasks step the physics at 100 Hz; it must stay close to a finer step under the same actions."""
    coarse, fine = _rollout(0.01), _rollout(0.0025)
    assert np.isfinite(coarse).all()
    err = np.abs(coarse - fine).max(axis=(1, 2))
    assert err[-1] < 0.01  # < 1 cm of trunk motion apart after 0.5 s of random smooth actions
