"""Each reward term against a hand-computed state, and the feet air-time bookkeeping."""

from __future__ import annotations

import numpy as np
import pytest
from motrixlab_envs_locomotion import quat
from motrixlab_envs_locomotion import rewards as R
from motrixlab_envs_locomotion.config import RewardCfg, RewardScales
from motrixlab_envs_locomotion.robot import DEFAULT_JOINT_POS, STANDING_TORQUE

f32 = np.float32


def test_tracking_kernels():
    cmd = np.array([[1.0, 0.0], [0.5, -0.5], [0.0, 0.0]], f32)
    vel = np.array([[1.0, 0.0], [0.0, 0.0], [0.3, 0.4]], f32)
    lin_err_sq = ((cmd - vel) ** 2).sum(axis=1)
    assert R.tracking_kernel(lin_err_sq, 0.25) == pytest.approx([1.0, np.exp(-0.5 / 0.25), np.exp(-0.25 / 0.25)])
    yaw_err = np.array([1.0, -1.0], f32) - np.array([0.5, 0.0], f32)
    assert R.tracking_kernel(yaw_err**2, 0.25) == pytest.approx([np.exp(-1.0), np.exp(-4.0)])


def test_penalty_terms():
    assert R.lin_vel_z(np.array([0.0, -0.5], f32)) == pytest.approx([0.0, 0.25])
    assert R.ang_vel_xy(np.array([[0.1, 0.2], [1.0, -2.0]], f32).T) == pytest.approx([0.05, 5.0])
    g = quat.projected_gravity(quat.from_axis_angle(np.array([[1.0, 0, 0]]), [0.5]))
    assert R.orientation(g[:, :2].T) == pytest.approx([np.sin(0.5) ** 2])
    tau = np.zeros((2, 12), f32)
    tau[0, :3] = [1.0, -2.0, 3.0]
    assert R.torques(tau) == pytest.approx([14.0, 0.0])
    qd0 = np.zeros((1, 12), f32)
    qd1 = np.full((1, 12), 0.1, f32)
    assert R.joint_acc(qd1, qd0, 0.02) == pytest.approx([12 * (0.1 / 0.02) ** 2], rel=1e-5)
    a0 = np.zeros((1, 12), f32)
    a1 = np.zeros((1, 12), f32)
    a1[0, 5] = 0.5
    assert R.action_rate(a1, a0) == pytest.approx([0.25])
    assert R.base_height(np.array([0.27, 0.2], f32), 0.27) == pytest.approx([0.0, 0.0049], abs=1e-7)
    assert R.undesired_contacts(np.array([[1, 0, 1, 0, 0, 0, 0, 1], [0] * 8], bool)) == pytest.approx([3.0, 0.0])
    low, high = np.full((1, 12), -1.0, f32), np.full((1, 12), 1.0, f32)
    q = np.zeros((1, 12), f32)
    q[0, 0], q[0, 1] = 1.5, -1.25
    assert R.joint_limits(q, low, high) == pytest.approx([0.75])


def test_stand_still_only_when_told_to_stand():
    offset = np.full((2, 12), 0.1, f32)
    cmd = np.array([[0.0, 0.0, 0.0], [0.5, 0.0, 0.0]], f32)
    assert R.stand_still(offset, cmd.T) == pytest.approx([1.2, 0.0])


def test_feet_air_time_term():
    first = np.array([[1, 0, 0, 1], [1, 1, 1, 1]], f32)
    air = np.array([[0.6, 0.0, 0.0, 0.3], [0.7, 0.7, 0.7, 0.7]], f32)
    moving = np.array([[1.0, 0.0], [0.0, 0.0]], f32)
    # env 0 moving: (0.6-0.5) + (0.3-0.5); env 1 told to stand: nothing
    assert R.feet_air_time(first, air, 0.5, moving.T) == pytest.approx([-0.1, 0.0], abs=1e-6)


def test_feet_air_time_fires_once_per_touchdown():
    tracker = R.FeetAirTime(1, 2, dt=0.02)
    # foot 0: stance 3 steps, swing 10 steps, touchdown, stance 5 steps; foot 1 always down
    seq = [True] * 3 + [False] * 10 + [True] * 6
    fired = []
    for contact in seq:
        first, air = tracker.update(np.array([[contact, True]]))
        fired.append((first[0, 0], air[0, 0], first[0, 1]))
    touchdowns = [i for i, (f, _, _) in enumerate(fired) if f]
    assert touchdowns == [13]
    # ten airborne steps: the contact filter absorbs the lift-off step and the landing step adds one
    assert fired[13][1] == pytest.approx(10 * 0.02)
    assert not any(f1 for _, _, f1 in fired)  # the foot that never left the ground never fires


def test_one_step_contact_dropout_is_not_a_step():
    tracker = R.FeetAirTime(1, 1, dt=0.02)
    fired = [tracker.update(np.array([[c]]))[0][0, 0] for c in [True, True, False, True, True, False, False, True]]
    # the single-step dropout (index 2) is filtered; the two-step swing (5, 6) lands at index 7
    assert fired == [0, 0, 0, 0, 0, 0, 0, 1]


def test_air_time_reward_fires_on_landing_in_physics(make_walk, quiet_cfg):
    cfg = quiet_cfg(
        rewards=RewardCfg(scales=RewardScales(**{**_zero_scales(), "feet_air_time": 1.0}), only_positive=False)
    )
    env = make_walk(num_envs=2, cfg=cfg)
    env.commands[:] = [1.0, 0.0, 0.0]  # told to move, so the air-time term is active
    env.command_steps_left[:] = 10_000
    env.set_state(base_pos=[[0, 0, 0.285 + 0.2], [0, 0, 0.285 + 0.2]])  # 0.2 m drop: ~0.2 s in the air
    per_step, feet = [], []
    for _ in range(40):
        *_, info = env.step(np.zeros((2, 12), np.float32))
        per_step.append(info["log"]["reward/feet_air_time"][0])
        feet.append(env._contacts()[0][0].copy())
    landing = [i for i, r in enumerate(per_step) if r != 0]
    i = landing[0]  # all four feet land in the same step, once
    assert feet[i].all() and not feet[i - 1].any() and i not in landing[1:]
    air = (i + 1) * env.dt
    assert 0.15 < air < 0.3  # sqrt(2 * 0.2 / 9.81) = 0.2 s
    assert per_step[i] == pytest.approx(4 * (air - 0.5) * env.dt, rel=1e-4)
    # the robot rocks after the drop: any later reward is a foot touching down again, never a foot
    # that stayed on the ground
    for j in landing[1:]:
        assert (feet[j] & ~feet[j - 1]).any() or (feet[j] & ~feet[j - 2]).any(), (j, feet[j - 2 : j + 1])


def _zero_scales():
    return {name: 0.0 for name in RewardScales.__dataclass_fields__}


def test_env_reward_is_the_weighted_sum_of_the_logged_terms(make_walk, quiet_cfg):
    env = make_walk(num_envs=8, cfg=quiet_cfg(rewards=RewardCfg(only_positive=False)))
    rng = np.random.default_rng(0)
    for _ in range(5):
        _, reward, _, _, info = env.step(rng.uniform(-1, 1, (8, 12)).astype(np.float32))
        terms = [v for k, v in info["log"].items() if k.startswith("reward/")]
        assert len(terms) == len(_zero_scales())
        assert reward == pytest.approx(np.sum(terms, axis=0), abs=1e-6)


def test_tracking_reward_in_the_env_for_a_tracked_command(make_walk, quiet_cfg):
    scales = {**_zero_scales(), "tracking_lin_vel": 1.0, "tracking_ang_vel": 0.5}
    env = make_walk(num_envs=2, cfg=quiet_cfg(rewards=RewardCfg(scales=RewardScales(**scales), only_positive=False)))
    env.command_steps_left[:] = 10_000
    env.commands[:] = [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0]]
    _, reward, _, _, info = env.step(np.zeros((2, 12), np.float32))
    # env 0 stands as told: both kernels ~1; env 1 stands but was told to walk at 1 m/s
    v = env.lin_vel[1, :2]
    assert reward[0] == pytest.approx(1.5 * env.dt, rel=0.02)
    expected1 = np.exp(-((1 - v[0]) ** 2 + v[1] ** 2) / 0.25) + 0.5 * np.exp(-(env.ang_vel[1, 2] ** 2) / 0.25)
    assert reward[1] == pytest.approx(expected1 * env.dt, rel=1e-4)
    assert info["log"]["lin_vel_error"][1] == pytest.approx(np.hypot(1 - v[0], v[1]), rel=1e-5)


def test_penalties_in_the_env_against_the_state(make_walk, quiet_cfg):
    scales = {**_zero_scales(), "torques": -1.0, "base_height": -1.0, "undesired_contacts": -1.0, "stand_still": -1.0}
    env = make_walk(num_envs=1, cfg=quiet_cfg(rewards=RewardCfg(scales=RewardScales(**scales), only_positive=False)))
    env.commands[:] = 0.0
    env.command_steps_left[:] = 10_000
    action = np.full((1, 12), 0.2, np.float32)
    _, _, _, _, info = env.step(action)
    log = info["log"]
    q, qd = env.joint_pos[0], env.joint_vel[0]
    target = DEFAULT_JOINT_POS + STANDING_TORQUE / 35.0 + 0.5 * 0.2
    tau = np.clip(35.0 * (target - q) - 0.6 * qd, -env.torque_limit, env.torque_limit)
    assert log["reward/torques"][0] == pytest.approx(-np.sum(tau**2) * env.dt, rel=1e-4)
    z = env.state["qpos"][0, 2]
    assert log["reward/base_height"][0] == pytest.approx(-((z - 0.27) ** 2) * env.dt, rel=1e-4)
    assert log["reward/undesired_contacts"][0] == 0.0  # standing: only the feet touch
    assert log["reward/stand_still"][0] == pytest.approx(-np.abs(q - DEFAULT_JOINT_POS).sum() * env.dt, rel=1e-4)


def test_only_positive_clips_the_sum(make_walk, quiet_cfg):
    scales = {**_zero_scales(), "action_rate": -100.0}
    env = make_walk(num_envs=2, cfg=quiet_cfg(rewards=RewardCfg(scales=RewardScales(**scales), only_positive=True)))
    _, reward, _, _, info = env.step(np.ones((2, 12), np.float32))
    assert (info["log"]["reward/action_rate"] < 0).all()
    assert (reward == 0).all()


def test_every_logged_term_matches_its_definition_on_a_live_state(make_walk, quiet_cfg):
    """The env's hot path (component-major rows, reused buffers) against the term functions on (N, k) state."""
    env = make_walk(num_envs=16, cfg=quiet_cfg(rewards=RewardCfg(only_positive=False)))
    env.command_steps_left[:] = 10_000
    env.commands[:] = np.random.default_rng(2).uniform(-1, 1, (16, 3))
    env.commands[:3] = 0.0  # told to stand: stand_still is live there, air time elsewhere
    rng = np.random.default_rng(1)
    scales, rc, dt = RewardScales(), RewardCfg(), env.dt
    seen = set()
    for _ in range(12):
        joint_vel_before = env.state["qvel"][:, 6:].copy()
        _, _, terminated, truncated, info = env.step(rng.uniform(-0.3, 0.3, (16, 12)).astype(f32))
        live = ~(terminated | truncated)
        cmd, v, w, g = env.commands, env.lin_vel, env.ang_vel, env.gravity
        _, _, undesired = env._contacts()
        expected = {
            "tracking_lin_vel": np.exp(-((cmd[:, :2] - v[:, :2]) ** 2).sum(1) / rc.tracking_sigma),
            "tracking_ang_vel": np.exp(-((cmd[:, 2] - w[:, 2]) ** 2) / rc.tracking_sigma),
            "lin_vel_z": v[:, 2] ** 2,
            "ang_vel_xy": (w[:, :2] ** 2).sum(1),
            "orientation": (g[:, :2] ** 2).sum(1),
            "torques": (env.torques() ** 2).sum(1),
            "joint_acc": ((env.state["qvel"][:, 6:] - joint_vel_before) ** 2).sum(1) / dt**2,
            "action_rate": ((env.actions - env.prev_actions) ** 2).sum(1),
            "base_height": (env.state["qpos"][:, 2] - rc.base_height_target) ** 2,
            "undesired_contacts": undesired.sum(1),
            "stand_still": np.abs(env.joint_pos - DEFAULT_JOINT_POS).sum(1) * (np.abs(cmd).sum(1) < 0.1),
            "joint_limits": (
                np.maximum(env.soft_low - env.joint_pos, 0) + np.maximum(env.joint_pos - env.soft_high, 0)
            ).sum(1),
        }
        for name, value in expected.items():
            got = info["log"][f"reward/{name}"][live]
            want = value[live] * getattr(scales, name) * dt
            assert got == pytest.approx(want, rel=1e-4, abs=1e-9), name
            if np.abs(want).max() > 0:
                seen.add(name)
        assert info["log"]["lin_vel_error"][live] == pytest.approx(
            np.hypot(cmd[:, 0] - v[:, 0], cmd[:, 1] - v[:, 1])[live], rel=1e-4
        )
        assert info["log"]["ang_vel_error"][live] == pytest.approx(np.abs(cmd[:, 2] - w[:, 2])[live], rel=1e-4)
    assert seen >= set(expected) - {"undesired_contacts", "joint_limits"}  # the rest are exercised
