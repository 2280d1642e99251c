"""The authored Panda against its published figures, and the scene physics the tasks rely on."""

from __future__ import annotations

import motrixsim as mx
import numpy as np
import pytest
from motrixsim import query as Q
from motrixsim import write as W
from panda_dh import DOWN, HIGH, LOW, READY, TORQUE, fingertip_pose, flange_pose, ik

ARM = [f"joint{i}" for i in range(1, 8)]
ROBOT = [*ARM, "finger_left", "finger_right"]
SIM_DT = 0.005


def load(models, name: str, batch: int = 1):
    model = mx.load_model(str(models / name))
    model.options.timestep = SIM_DT
    return model, mx.SceneData(model, batch=[batch])


def site_poses(model, data, q: np.ndarray):
    """Flange and fingertip site (position, rotation matrix) per row after writing arm angles ``q``."""
    plan = model.compile_write({"q": W.BodyJointPosition(ARM)}, reset=True, forward_kinematic=True).allocate(data)
    plan["q"][:] = q
    plan.execute(data)
    out = model.compile_query({"p": Q.SitePosition(["flange", "fingertip"])}).allocate(data).execute(data)
    mats = np.stack([model.get_site(s).get_rotation_mat(data) for s in ("flange", "fingertip")], axis=1)
    return out["p"], mats.reshape(len(q), 2, 3, 3)


def test_forward_kinematics_matches_the_dh_table(models):
    rng = np.random.default_rng(7)
    qs = np.vstack([READY, rng.uniform(LOW, HIGH, (7, 7))])
    model, data = load(models, "reach.xml", batch=len(qs))
    pos, mats = site_poses(model, data, qs)
    for row, q in enumerate(qs):
        for k, expected in enumerate((flange_pose(q), fingertip_pose(q))):
            assert np.abs(pos[row, k] - expected[:3, 3]).max() < 1e-3, (row, k, pos[row, k], expected[:3, 3])
            assert np.abs(mats[row, k] - expected[:3, :3]).max() < 2e-3, (row, k)
    # the published ready-pose figures: flange 0.107 m and fingertips 0.2104 m below joint 6's level
    np.testing.assert_allclose(pos[0, 0], [0.3069, 0.0, 0.5903], atol=1e-3)
    np.testing.assert_allclose(pos[0, 1], [0.3069, 0.0, 0.4869], atol=1e-3)
    np.testing.assert_allclose(mats[0, 1], DOWN, atol=1e-3)


def test_joint_ranges_actuator_ranges_and_torque_limits(models):
    model, _ = load(models, "reach.xml")
    ranges = np.array([model.get_joint(j).range.reshape(2) for j in ARM])
    np.testing.assert_allclose(ranges[:, 0], LOW, atol=1e-4)
    np.testing.assert_allclose(ranges[:, 1], HIGH, atol=1e-4)
    for j in ("finger_left", "finger_right"):
        np.testing.assert_allclose(model.get_joint(j).range.reshape(2), [0.0, 0.04], atol=1e-6)
    for name, lo, hi, torque in zip(ARM, LOW, HIGH, TORQUE, strict=True):
        act = model.get_actuator(name)
        assert act.typ == "position" and act.target_name == name
        np.testing.assert_allclose(act.ctrl_range, [lo, hi], atol=1e-4)
        np.testing.assert_allclose(act.force_range, [-torque, torque], atol=1e-4)
    total = sum(model.get_link(n).mass for n in [*(f"link{i}" for i in range(1, 8)), "hand"])
    assert 15.0 < total < 20.0  # about 18 kg with the fixed base


def test_commands_beyond_the_range_stop_at_the_joint_limits(models):
    model, data = load(models, "reach.xml", batch=2)
    plan = model.compile_write({"q": W.BodyJointPosition(ARM)}, reset=True, forward_kinematic=True).allocate(data)
    plan["q"][:] = READY
    plan.execute(data)
    ctrl = model.compile_write({"u": W.ActuatorCtrls(ARM)}).allocate(data)
    ctrl["u"][0] = HIGH + 1.0  # clamped to the ctrlrange, i.e. the joint range
    ctrl["u"][1] = LOW - 1.0
    ctrl.execute(data)
    query = model.compile_query({"q": Q.JointPosition(ARM)}).allocate(data)
    model.step_n(data, int(2.0 / SIM_DT))
    q = query.execute(data)["q"]
    assert (q[0] <= HIGH + 0.01).all() and (q[1] >= LOW - 0.01).all()
    # and the joints got there: the big joints within 0.05 rad of the limit they were sent to
    assert np.abs(q[0, :4] - HIGH[:4]).max() < 0.05 and np.abs(q[1, :4] - LOW[:4]).max() < 0.05


def test_only_hand_fingers_and_scene_objects_collide(models):
    model, _ = load(models, "lift_cube.xml")
    colliding = {g.name for g in model.geoms if not g.visual_only and (g.collision_group or g.collision_affinity)}
    assert colliding == {"hand", "finger_left", "finger_right", "table", "cube"}
    robot = [model.get_geom(n) for n in ("hand", "finger_left", "finger_right")]
    assert all(g.collision_affinity == 0 for g in robot)  # robot geoms never collide with each other


def grasp_and_lift(models, cube_xy=(0.5, 0.0)):
    """Scripted top-down grasp of the cube, lift to 0.25 m, then hold the arm still for 1 s."""
    model, data = load(models, "lift_cube.xml")
    above = np.array([*cube_xy, 0.15])
    q_above = ik(above)
    q_grasp = ik(np.array([*cube_xy, 0.03]), q0=q_above)
    q_up = ik(np.array([*cube_xy, 0.25]), q0=q_grasp)
    init = model.compile_write(
        {"q": W.BodyJointPosition(ROBOT), "cube": W.BodyPosition(["cube"])}, reset=True, forward_kinematic=True
    ).allocate(data)
    init["q"][:, :7] = q_grasp
    init["q"][:, 7:] = 0.04
    init["cube"][:, 0] = [*cube_xy, 0.02]
    init.execute(data)
    ctrl = model.compile_write({"u": W.ActuatorCtrls()}).allocate(data)
    query = model.compile_query(
        {"q": Q.JointPosition(ROBOT), "tip": Q.SitePosition(["fingertip"]), "cube": Q.LinkPosition(["cube"])}
    ).allocate(data)

    def run(q_arm, finger, seconds):
        ctrl["u"][:, :7] = q_arm
        ctrl["u"][:, 7:] = finger
        ctrl.execute(data)
        model.step_n(data, round(seconds / SIM_DT))
        return {k: v[0].copy() for k, v in query.execute(data).items()}

    run(q_grasp, 0.04, 0.2)
    closed = run(q_grasp, 0.0, 0.4)
    for a in np.linspace(0.0, 1.0, 21)[1:]:
        run((1 - a) * q_grasp + a * q_up, 0.0, 0.05)
    lifted = run(q_up, 0.0, 0.2)
    held = run(q_up, 0.0, 1.0)
    return closed, lifted, held


def test_gripper_closes_on_the_cube_and_holds_it_under_gravity(models):
    closed, lifted, held = grasp_and_lift(models)
    opening = closed["q"][7] + closed["q"][8]
    assert 0.035 < opening < 0.042  # stopped by the 4 cm cube, not closed on nothing
    assert lifted["cube"][0, 2] > 0.2  # carried up with the hand
    # arm still for 1 s: the cube stays between the fingers, no slip, no drift
    assert np.linalg.norm(held["cube"][0] - lifted["cube"][0]) < 0.005
    assert np.linalg.norm(held["cube"][0] - held["tip"][0]) < 0.02


def test_drawer_slides_within_its_range(models):
    model, data = load(models, "open_drawer.xml", batch=3)
    init = model.compile_write(
        {"q": W.BodyJointPosition(["drawer"]), "v": W.BodyJointVelocity(["drawer"])}, reset=True, forward_kinematic=True
    ).allocate(data)
    init["q"][:, 0] = [0.15, 0.15, 0.15]
    init["v"][:, 0] = [1.0, -1.0, 0.0]  # push it open, shut, leave it
    init.execute(data)
    query = model.compile_query({"q": Q.JointPosition(["drawer"]), "h": Q.SitePosition(["handle"])}).allocate(data)
    trace = []
    for _ in range(40):
        model.step_n(data, 5)
        trace.append(query.execute(data)["q"][:, 0].copy())
    trace = np.array(trace)
    assert trace.min() > -0.005 and trace.max() < 0.305
    assert trace[:, 0].max() > 0.295 and trace[:, 1].min() < 0.005  # reached the stops
    assert trace[-1, 0] > 0.27 and trace[-1, 1] < 0.03  # and stayed near them
    assert abs(trace[-1, 2] - 0.15) < 1e-3  # no drift without a push
    # the handle moves along -x with the opening
    handle = query.execute(data)["h"][:, 0]
    assert handle[0, 0] < handle[2, 0] - 0.1 and np.allclose(handle[:, 1:], handle[2, 1:], atol=1e-4)


@pytest.mark.parametrize("scene", ["reach.xml", "lift_cube.xml", "open_drawer.xml"])
def test_ready_pose_is_held_still(models, scene):
    model, data = load(models, scene)
    init = model.compile_write({"q": W.BodyJointPosition(ARM)}, reset=True, forward_kinematic=True).allocate(data)
    init["q"][:] = READY
    init.execute(data)
    ctrl = model.compile_write({"u": W.ActuatorCtrls(ARM)}).allocate(data)
    ctrl["u"][:] = READY
    ctrl.execute(data)
    model.step_n(data, 200)
    query = model.compile_query({"q": Q.JointPosition(ARM), "v": Q.JointVelocity(ARM)}).allocate(data).execute(data)
    assert np.abs(query["q"][0] - READY).max() < 0.02  # stiff servos: small gravity sag
    assert np.abs(query["v"][0]).max() < 1e-3
