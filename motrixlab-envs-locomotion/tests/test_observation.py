"""Observation layout and frames: what the policy sees for hand-set states."""

from __future__ import annotations

import numpy as np
import pytest
from motrixlab_envs_locomotion import quat
from motrixlab_envs_locomotion.config import NoiseCfg
from motrixlab_envs_locomotion.observation import OBS_DIM, OBS_LAYOUT, OBS_SLICES, base_kinematics, observe
from motrixlab_envs_locomotion.robots.go1 import GO1

DEFAULT_JOINT_POS = GO1.pose()
STANDING_TORQUE = GO1.gravity_torque()


def test_layout_is_contiguous_and_documented():
    assert [name for name, _ in OBS_LAYOUT] == [
        "lin_vel", "ang_vel", "gravity", "joint_pos", "joint_vel", "last_action", "command",
    ]  # fmt: skip
    assert OBS_DIM == 48
    stops = [s.stop for s in OBS_SLICES.values()]
    starts = [s.start for s in OBS_SLICES.values()]
    assert starts == [0, *stops[:-1]] and stops[-1] == OBS_DIM


def test_compiled_passes_on_chosen_rows_against_the_quaternion_helpers():
    """Body-frame velocity and projected gravity as ``quat`` computes them; only the rows asked for are written."""
    rng = np.random.default_rng(3)
    n, rows = 7, np.array([5, 0, 3])
    axes = rng.normal(size=(n, 3))
    q = quat.from_axis_angle(axes / np.linalg.norm(axes, axis=1, keepdims=True), rng.uniform(-np.pi, np.pi, n))
    qpos = rng.normal(size=(n, 19)).astype(np.float32)
    qpos[:, 3:7] = q
    qvel = rng.normal(size=(n, 18)).astype(np.float32)
    base, joint_pos = np.full((9, n), np.nan, np.float32), np.full((n, 12), np.nan, np.float32)
    joint_vel = joint_pos.copy()
    assert base_kinematics(qpos, qvel, rows, base, joint_pos, joint_vel, 1e5) == 0
    assert base[0:3, rows].T == pytest.approx(quat.rotate_inverse(q[rows], qvel[rows, :3]), abs=1e-5)
    assert base[3:6, rows].T == pytest.approx(qvel[rows, 3:6])  # already in the body frame
    assert base[6:9, rows].T == pytest.approx(quat.projected_gravity(q[rows]), abs=1e-5)
    assert joint_pos[rows] == pytest.approx(qpos[rows, 7:]) and joint_vel[rows] == pytest.approx(qvel[rows, 6:])
    others = np.setdiff1d(np.arange(n), rows)
    assert np.isnan(base[:, others]).all() and np.isnan(joint_pos[others]).all()
    # the count of entries outside the divergence limit, NaN included, on the chosen rows only
    bad_pos, bad_vel = qpos.copy(), qvel.copy()
    bad_pos[3, 10], bad_vel[5, 7], bad_vel[0, 0], bad_vel[1, 2] = 2e5, np.nan, -1e5, np.inf
    assert base_kinematics(bad_pos, bad_vel, rows, base.copy(), joint_pos.copy(), joint_vel.copy(), 1e5) == 3

    actions, commands = rng.normal(size=(n, 12)).astype(np.float32), rng.normal(size=(n, 3)).astype(np.float32)
    obs = np.full((len(rows), OBS_DIM), np.nan, np.float32)
    observe(base, joint_pos, joint_vel, DEFAULT_JOINT_POS, actions, commands, rows, obs)
    expected = np.concatenate(
        [base[:, rows].T, joint_pos[rows] - DEFAULT_JOINT_POS, joint_vel[rows], actions[rows], commands[rows]], axis=1
    )
    assert obs == pytest.approx(expected)


def test_reset_observation(make_walk):
    env = make_walk(num_envs=6)
    obs, _ = env.reset(seed=1)
    assert obs.shape == (6, OBS_DIM) and obs.dtype == np.float32
    assert env.observation_space.shape == (OBS_DIM,) and env.action_space.shape == (12,)
    assert obs[:, OBS_SLICES["gravity"]] == pytest.approx(np.tile([0, 0, -1.0], (6, 1)), abs=1e-6)
    assert obs[:, OBS_SLICES["joint_pos"]] == pytest.approx(np.zeros((6, 12)), abs=1e-6)  # quiet reset: the pose
    assert not obs[:, OBS_SLICES["last_action"]].any()
    assert obs[:, OBS_SLICES["command"]] == pytest.approx(env.commands)


def test_projected_gravity_of_a_tilted_base(make_walk):
    env = make_walk(num_envs=2)
    axes = np.array([[1.0, 0, 0], [0, 1.0, 0]])
    tilt = quat.from_axis_angle(axes, [0.4, -0.25])
    obs = env.set_state(base_quat=tilt, base_pos=[[0, 0, 1.0], [0, 0, 1.0]])
    g = obs[:, OBS_SLICES["gravity"]]
    assert g[0] == pytest.approx([0.0, -np.sin(0.4), -np.cos(0.4)], abs=1e-5)  # rolled: left side up
    assert g[1] == pytest.approx([np.sin(-0.25), 0.0, -np.cos(0.25)], abs=1e-5)  # pitched nose up


def test_body_frame_velocities_of_a_moving_base(make_walk):
    env = make_walk(num_envs=2)
    yaw90 = quat.from_yaw(np.array([np.pi / 2, 0.0]))
    obs = env.set_state(
        base_pos=[[0, 0, 1.0], [0, 0, 1.0]],
        base_quat=yaw90,
        lin_vel=[[1.0, 0.0, 0.0], [0.5, -0.2, 0.1]],  # world frame
        ang_vel=[[0.0, 0.0, 0.7], [0.3, 0.0, 0.0]],
    )
    # facing +y and moving along +x: the robot slides to its right (-y in its own frame)
    assert obs[0, OBS_SLICES["lin_vel"]] == pytest.approx([0.0, -1.0, 0.0], abs=1e-5)
    assert obs[0, OBS_SLICES["ang_vel"]] == pytest.approx([0.0, 0.0, 0.7], abs=1e-5)
    assert obs[1, OBS_SLICES["lin_vel"]] == pytest.approx([0.5, -0.2, 0.1], abs=1e-5)
    assert obs[1, OBS_SLICES["ang_vel"]] == pytest.approx([0.3, 0.0, 0.0], abs=1e-5)
    # and after a physics step the observation still reports the trunk frame (the robot is in the air)
    obs, *_ = env.step(np.zeros((2, 12), np.float32))
    assert obs[0, OBS_SLICES["lin_vel"]][1] == pytest.approx(-1.0, abs=0.02)


def test_joint_offsets_velocities_and_last_action(make_walk):
    env = make_walk(num_envs=3)
    q = DEFAULT_JOINT_POS + np.linspace(-0.2, 0.2, 12, dtype=np.float32)
    qd = np.linspace(-3, 3, 12, dtype=np.float32)
    obs = env.set_state(joint_pos=np.tile(q, (3, 1)), joint_vel=np.tile(qd, (3, 1)))
    assert obs[:, OBS_SLICES["joint_pos"]] == pytest.approx(np.tile(q - DEFAULT_JOINT_POS, (3, 1)), abs=1e-6)
    assert obs[:, OBS_SLICES["joint_vel"]] == pytest.approx(np.tile(qd, (3, 1)), abs=1e-6)
    action = np.full((3, 12), 0.3, np.float32)
    obs, *_ = env.step(action)
    assert obs[:, OBS_SLICES["last_action"]] == pytest.approx(action)
    # the standing pose, the knees' gravity feed-forward at kp 35, and the scaled action
    assert env.targets == pytest.approx(np.tile(DEFAULT_JOINT_POS + STANDING_TORQUE / 35.0 + 0.5 * 0.3, (3, 1)))


def test_observation_noise_is_applied_only_when_enabled(make_walk, quiet_cfg):
    n = 512
    clean = make_walk(num_envs=n, seed=5)
    noisy = make_walk(num_envs=n, seed=5, cfg=quiet_cfg(noise=NoiseCfg(enabled=True, scale=2.0)))
    a = clean.reset(seed=5)[0]
    b = noisy.reset(seed=5)[0]
    diff = b - a
    spec = NoiseCfg()
    for group in ("lin_vel", "ang_vel", "gravity", "joint_pos", "joint_vel"):
        std = diff[:, OBS_SLICES[group]].std()
        assert std == pytest.approx(2.0 * getattr(spec, group), rel=0.15), group
    assert not diff[:, OBS_SLICES["last_action"]].any()
    assert not diff[:, OBS_SLICES["command"]].any()
    # fresh noise every step, not a fixed offset
    s1 = noisy.step(np.zeros((n, 12), np.float32))[0]
    s2 = clean.step(np.zeros((n, 12), np.float32))[0]
    assert np.abs((s1 - s2)[:, OBS_SLICES["joint_vel"]] - diff[:, OBS_SLICES["joint_vel"]]).mean() > 1.0
