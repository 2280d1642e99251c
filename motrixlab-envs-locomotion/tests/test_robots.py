"""Go2 and ANYmal C against their public figures, and the walking task on each of them."""

from __future__ import annotations

import motrixlab
import motrixsim as mx
import numpy as np
import pytest
from motrixlab_envs_locomotion import quat
from motrixlab_envs_locomotion.robots.anymal_c import ANYMAL_C
from motrixlab_envs_locomotion.robots.go2 import GO2
from motrixlab_envs_locomotion.statics import standing_torque
from motrixsim import query as Q

ROBOTS = {"go2-walk": GO2, "anymal-c-walk": ANYMAL_C}
QUIET = {"reset.joint_pos_noise": 0, "reset.base_lin_vel_noise": 0, "reset.base_ang_vel_noise": 0}

#: (link mass figures, total) per robot
MASSES = {
    "go2": ({"trunk": 6.921, "hip": 0.678, "thigh": 1.152, "calf": 0.194}, 15.017),
    "anymal-c": ({"base": 26.4, "hip": 2.78, "thigh": 3.07, "shank": 0.59}, 52.16),
}
#: per leg (lower, upper) joint ranges and torque limits of the figures
RANGES = {
    "go2": {
        "FR": [(-1.0472, 1.0472), (-1.5708, 3.4907), (-2.7227, -0.8378)],
        "RR": [(-1.0472, 1.0472), (-0.5236, 4.5379), (-2.7227, -0.8378)],
    },
    "anymal-c": {
        "LF": [(-0.72, 0.49), (-9.42, 9.42), (-9.42, 9.42)],
        "RH": [(-0.49, 0.72), (-9.42, 9.42), (-9.42, 9.42)],
    },
}
LIMITS = {"go2": (23.7, 23.7, 35.55), "anymal-c": (80.0, 80.0, 80.0)}


@pytest.fixture(params=sorted(ROBOTS))
def env_name(request):
    return request.param


def _make(name, num_envs=4, seed=0, **overrides):
    env = motrixlab.make(name, num_envs=num_envs, seed=seed, overrides={**QUIET, **overrides})
    env.reset(seed=seed)
    return env


def test_masses_follow_the_figures(env_name):
    robot = ROBOTS[env_name]
    model = mx.load_model(robot.model_file)
    links, total = MASSES[robot.name]
    mass = {link.name: link.mass for link in model.links}
    assert mass[robot.base] == pytest.approx(links[robot.base])
    for name, value in mass.items():
        part = name.split("_")[-1]
        if name != robot.base:
            assert value == pytest.approx(links[part]), name
    assert sum(mass.values()) == pytest.approx(total, abs=0.01)
    assert robot.mass == pytest.approx(total, abs=0.01) and robot.base_mass == pytest.approx(links[robot.base])
    # explicit inertials: the written inertia is used, not one from the (capsule, box) shapes
    d = mx.SceneData(model)
    leg_link = model.links[2]
    assert np.asarray(leg_link.get_inertia_override(d))[:3].max() < 0.03


def test_joints_ranges_gains_and_torque_limits(env_name):
    robot = ROBOTS[env_name]
    model = mx.load_model(robot.model_file)
    d = mx.SceneData(model)
    assert tuple(model.actuator_names) == robot.actuators
    for leg, ranges in RANGES[robot.name].items():
        for k, (low, high) in enumerate(ranges):
            a = model.get_actuator(
                robot.actuators[robot.joints.index(next(j for j in robot.joints if j.startswith(leg))) + k]
            )
            assert a.typ == "position" and a.target_name.startswith(leg)
            assert a.ctrl_range == pytest.approx([low, high], abs=1e-5)
            assert np.ravel(model.get_joint(a.target_name).range) == pytest.approx([low, high], abs=1e-5)
    for i, name in enumerate(robot.actuators):
        a = model.get_actuator(name)
        assert a.target_name == robot.joints[i]
        assert a.force_range == pytest.approx([-robot.torque_limits[i], robot.torque_limits[i]], abs=1e-4)
        assert robot.torque_limits[i] == LIMITS[robot.name][i % 3]
        assert np.ravel(a.get_kp_override(d))[0] == pytest.approx(robot.kp[i])
        assert np.ravel(a.get_kd_override(d))[0] == pytest.approx(robot.kd[i])


def test_keyframe_and_feed_forward_are_the_statics_of_the_pose(env_name):
    robot = ROBOTS[env_name]
    model = mx.load_model(robot.model_file)
    kf = model.keyframes[0]
    assert kf.name == "home"
    assert kf.dof_pos[7:] == pytest.approx(robot.pose())
    assert kf.dof_pos[2] == pytest.approx(robot.standing_height)
    assert kf.ctrl == pytest.approx(robot.pose() + robot.gravity_torque() / np.array(robot.kp), abs=2e-4)
    assert robot.gravity_torque() == pytest.approx(standing_torque(robot), abs=0.01)
    # the feet touch the floor at the keyframe, at the described positions
    d = mx.SceneData(model)
    d.reset(model, dof_pos=kf.dof_pos, dof_vel=np.zeros(model.num_dof_vel, np.float32), forward_kinematic=True)
    feet = model.compile_query({"f": Q.GeomPosition(list(robot.feet))}).allocate(d).execute(d)["f"].reshape(-1, 3)
    radius = model.get_geom(robot.feet[0]).radius
    assert feet[:, 2] == pytest.approx(np.full(4, radius), abs=2e-3)
    assert feet[:, :2] == pytest.approx(np.array(robot.feet_xy), abs=2e-3)


def test_anymal_knees_point_toward_the_body_centre():
    model = mx.load_model(ANYMAL_C.model_file)
    d = mx.SceneData(model)
    d.reset(model, dof_pos=model.keyframes[0].dof_pos, dof_vel=np.zeros(18, np.float32), forward_kinematic=True)
    for leg in ("LF", "RF", "LH", "RH"):
        hfe, knee = model.get_link(f"{leg}_thigh").get_position(d), model.get_link(f"{leg}_shank").get_position(d)
        foot = model.compile_query({"f": Q.GeomPosition([f"{leg}_foot"])}).allocate(d).execute(d)["f"].reshape(3)
        assert abs(knee[0]) < abs(hfe[0]) - 0.1  # the knee sits 0.11 m inward of its HFE
        assert abs(foot[0]) > abs(hfe[0])  # and the foot beyond it


def test_stands_under_pd_with_zero_action_at_the_figures_height(env_name, stand):
    robot = ROBOTS[env_name]
    env = _make(env_name, num_envs=2, **{"reset.random_yaw": False})
    trunk, tilt = stand(env, 3.0)
    assert trunk[:, 2] == pytest.approx(np.full(2, robot.standing_height), abs=0.01)
    assert tilt.max() < 0.05
    assert np.abs(env.joint_pos - env.default_joint_pos).max() < 0.1
    assert np.abs(trunk[:, :2]).max() < 0.05
    # the only contacts are the four feet on the floor
    assert int(env.model.get_contact_query(env.data).num_contacts[0]) == 4
    env.close()


def test_imu_site_sensors_report_the_trunk_state(env_name):
    env = _make(env_name, num_envs=1)
    rot = quat.from_axis_angle(np.array([[0.3, 0.4, 0.866]]), [0.5])
    env.set_state(base_pos=[[0, 0, 2.0]], base_quat=rot, lin_vel=[[1.0, -0.5, 0.2]], ang_vel=[[0.1, 0.2, -0.3]])
    s = env.model.compile_query({"g": Q.SensorValues(["imu_gyro"]), "v": Q.SensorValues(["imu_vel"])})
    s = s.allocate(env.data)
    s.execute(env.data)
    assert s["g"][0] == pytest.approx(quat.rotate_inverse(rot, np.array([[0.1, 0.2, -0.3]]))[0], abs=1e-4)
    assert s["v"][0] == pytest.approx(quat.rotate_inverse(rot, np.array([[1.0, -0.5, 0.2]]))[0], abs=1e-4)
    env.close()


def test_observation_frames(env_name):
    env = _make(env_name, num_envs=2)
    sl = env.obs_slices
    obs = env.set_state(
        base_pos=[[0, 0, 2.0], [0, 0, 2.0]],
        base_quat=quat.from_yaw(np.array([np.pi / 2, 0.0])),
        lin_vel=[[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]],
        ang_vel=[[0.0, 0.0, 0.7], [0.0, 0.0, 0.0]],
    )
    assert obs.shape == (2, 48)
    assert obs[0, sl["lin_vel"]] == pytest.approx([0.0, -1.0, 0.0], abs=1e-5)  # facing +y, moving along +x
    assert obs[0, sl["ang_vel"]] == pytest.approx([0.0, 0.0, 0.7], abs=1e-5)
    tilted = env.set_state(base_quat=quat.from_axis_angle(np.array([[1.0, 0, 0]] * 2), [0.4, 0.4]))
    assert tilted[:, sl["gravity"]] == pytest.approx(np.tile([0.0, -np.sin(0.4), -np.cos(0.4)], (2, 1)), abs=1e-5)
    assert tilted[:, sl["joint_pos"]] == pytest.approx(np.zeros((2, 12)), abs=1e-6)
    env.close()


def test_rewards_on_hand_made_states(env_name):
    """Moving exactly as commanded earns the full tracking terms; a vertical velocity costs its weight."""
    robot = ROBOTS[env_name]
    env = _make(env_name, num_envs=2, **{"reset.random_yaw": False, "rewards.only_positive": False})
    env.commands[:] = [[0.5, 0.0, 0.0], [0.5, 0.0, 0.0]]
    z = robot.standing_height
    env.set_state(base_pos=[[0, 0, z], [0, 0, z]], lin_vel=[[0.5, 0, 0], [0.5, 0, -0.5]])
    _, _, _, _, info = env.step(np.zeros((2, 12), np.float32))
    log, dt, scales = info["log"], env.dt, env.cfg.rewards.scales
    assert log["reward/tracking_lin_vel"][0] == pytest.approx(scales.tracking_lin_vel * dt, rel=0.05)
    # the second row keeps sinking: its vertical-velocity penalty is the largest of the two
    assert log["reward/lin_vel_z"][1] < log["reward/lin_vel_z"][0] <= 0.0
    # torques: the PD law at the state, clamped, weighted
    tau = np.clip((env.targets - env.joint_pos) * env._kp - env._kd * env.joint_vel, -80, 80)
    assert log["reward/torques"] == pytest.approx((tau**2).sum(axis=1) * scales.torques * dt, rel=1e-3)
    assert log["reward/base_height"][0] == pytest.approx(
        (env.base_height()[0] - robot.height_target) ** 2 * scales.base_height * dt, rel=1e-3
    )
    env.close()


def test_terminations_on_trunk_contact_and_tilt(env_name):
    robot = ROBOTS[env_name]
    env = _make(env_name, num_envs=3, **{"reset.random_yaw": False})
    flip = quat.from_axis_angle(np.array([[1.0, 0, 0]]), [np.pi])[0]
    tilt = quat.from_axis_angle(np.array([[1.0, 0, 0]]), [1.2])[0]
    level = np.array([0, 0, 0, 1.0], np.float32)
    env.set_state(
        base_pos=[[0, 0, 0.1], [0, 0, 1.5], [0, 0, robot.standing_height]],
        base_quat=np.stack([flip, tilt, level]),
    )
    _, _, terminated, truncated, info = env.step(np.zeros((3, 12), np.float32))
    assert terminated.tolist() == [True, True, False] and not truncated.any()
    assert info["log"]["fall"].tolist() == [1.0, 1.0, 0.0]
    env.close()


def test_determinism_per_seed(env_name):
    def run(seed):
        env = motrixlab.make(env_name, num_envs=8, seed=seed)
        obs, _ = env.reset(seed=seed)
        rng = np.random.default_rng(1)
        out = [obs]
        for _ in range(30):
            obs, reward, *_ = env.step(rng.uniform(-1, 1, (8, 12)).astype(np.float32))
            out += [obs, reward[:, None]]
        env.close()
        return np.concatenate(out, axis=1)

    a, b, c = run(3), run(3), run(4)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_randomisation_and_noise_on_each_robot(env_name):
    robot = ROBOTS[env_name]
    overrides = {"randomization.enabled": True, "noise.enabled": True, "randomization.push_interval_seconds": 0.5}
    env = _make(env_name, num_envs=16, seed=2, **overrides)
    dr = env.cfg.randomization
    assert (
        (env._kp >= np.array(robot.kp) * dr.kp_scale[0] - 1e-4) & (env._kp <= np.array(robot.kp) * 1.1 + 1e-4)
    ).all()
    assert env._kp.std() > 0
    mass = env._reset_plan["trunk_mass"][:, 0]
    assert (mass >= robot.base_mass + dr.added_trunk_mass[0] - 1e-4).all() and mass.std() > 0.3
    falls = 0
    for _ in range(50):  # 1 s of zero action with two shoves: most stand
        _, _, terminated, _, _ = env.step(np.zeros((16, 12), np.float32))
        falls += int(terminated.sum())
    assert falls <= 4
    env.close()
