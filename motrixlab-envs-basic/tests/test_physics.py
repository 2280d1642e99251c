"""Model physics: inertia (pendulum period), planar kinematics against the engine, falling and standing."""

from __future__ import annotations

import math

import motrixlab
import numpy as np
import pytest
from motrixsim import query as Q


def test_pendulum_small_oscillation_period_matches_its_inertia():
    env = motrixlab.make("pendulum", num_envs=1, seed=0)
    env.reset()
    env.set_state([math.pi - 0.05], [0.0])
    angle = []
    for _ in range(150):  # 3 s at 50 Hz
        obs, *_ = env.step(np.zeros((1, 1), np.float32))
        angle.append(math.atan2(obs[0, 1], obs[0, 0]) % (2 * math.pi) - math.pi)
    crossings = np.flatnonzero(np.diff(np.sign(angle)) != 0)
    half_period = np.diff(crossings).mean() * env.cfg.ctrl_dt
    # physical pendulum: 1.2 kg, centre of mass 0.4583 m from the pivot, 0.01558 kg m^2 about it
    expected = math.pi * math.sqrt((0.01558 + 1.2 * 0.4583**2) / (1.2 * 9.81 * 0.4583))
    assert abs(half_period - expected) < 0.03, (half_period, expected)


def test_pendulum_torque_alone_cannot_lift_it_past_horizontal():
    env = motrixlab.make("pendulum", num_envs=1, seed=0, overrides={"reset_noise": 0.0})
    env.reset()
    for _ in range(100):
        obs, *_ = env.step(np.ones((1, 1), np.float32))
    assert obs[0, 0] < -0.5  # cos theta stays well below: static lift is limited to about 22 degrees


@pytest.mark.parametrize(("name", "links"), [("walker-walk", 7), ("hopper-hop", 1), ("cheetah-run", 1)])
def test_planar_pitch_and_height_match_the_engine(name, links):
    env = motrixlab.make(name, num_envs=4, seed=0)
    env.reset()
    rng = np.random.default_rng(0)
    for _ in range(15):
        env.step(rng.uniform(-1, 1, (4, *env.action_space.shape)).astype(np.float32))
    env.model.forward_kinematic(env.data)
    names = list(env.chains)
    plan = env.model.compile_query({"pos": Q.LinkPosition(names), "rot": Q.LinkRotation(names)})
    q = plan.allocate(env.data).execute(env.data)
    np.testing.assert_allclose(env.torso_height(), q["pos"][:, 0, 2], atol=1e-5)
    x, y, z, w = np.moveaxis(q["rot"], -1, 0)  # quaternions are xyzw
    # world pitch about the model's hinge axis, from the rotation of the body's z axis
    zx, zz = 2 * (x * z + w * y), 1 - 2 * (x * x + y * y)
    axis_sign = -1.0 if name != "cheetah-run" else 1.0
    engine_pitch = np.arctan2(axis_sign * zx, zz)
    ours = env.link_pitch()
    assert ours.shape == (4, links)
    np.testing.assert_allclose(np.cos(ours), np.cos(engine_pitch), atol=1e-4)
    np.testing.assert_allclose(np.sin(ours), np.sin(engine_pitch), atol=1e-4)
    assert np.abs(ours).max() > 0.02  # the bodies did move


def test_walker_falls_without_control():
    env = motrixlab.make("walker-stand", num_envs=4, seed=0)
    obs, _ = env.reset()
    assert np.allclose(obs[:, 14], 1.3, atol=1e-6)  # torso height at rest
    zeros = np.zeros((4, 6), np.float32)
    for _ in range(120):  # 3 s
        obs, reward, *_ = env.step(zeros)
    assert np.all(obs[:, 14] < 0.8), obs[:, 14]
    assert np.all(obs[:, 14] > 0.05)  # lying on the floor, not through it
    assert np.all(reward < 0.6)


def test_walker_hip_torques_swing_the_matching_thigh_forward():
    env = motrixlab.make("walker-stand", num_envs=2, seed=0, overrides={"reset_noise": 0.0})
    env.reset()
    action = np.zeros((2, 6), np.float32)
    action[0, 0] = action[1, 3] = 1.0  # row 0: right hip, row 1: left hip
    for _ in range(4):
        env.step(action)
    q = env.state["qpos"]
    assert q[0, 3] > 0.1 and q[0, 3] > q[0, 6] + 0.1
    assert q[1, 6] > 0.1 and q[1, 6] > q[1, 3] + 0.1


def test_cheetah_stands_on_its_springs_without_control():
    env = motrixlab.make("cheetah-run", num_envs=4, seed=0)
    env.reset()
    for _ in range(200):  # 2 s
        obs, reward, *_ = env.step(np.zeros((4, 6), np.float32))
    height = obs[:, 0] + 0.7
    assert np.all(np.abs(height - 0.7) < 0.08), height
    assert np.all(np.abs(obs[:, 1]) < 0.2)  # pitch
    assert np.all(reward < 0.02)  # standing still earns (almost) nothing


def test_hopper_falls_without_control():
    env = motrixlab.make("hopper-stand", num_envs=4, seed=0)
    env.reset()
    for _ in range(200):  # 4 s
        obs, *_ = env.step(np.zeros((4, 3), np.float32))
    assert np.all(obs[:, 0] + 1.25 < 0.9), obs[:, 0]
