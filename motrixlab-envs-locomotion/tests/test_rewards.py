"""Each reward term against a hand-computed state, and the feet air-time bookkeeping."""

from __future__ import annotations

import numpy as np
import pytest
from motrixlab_envs_locomotion import quat
from motrixlab_envs_locomotion import rewards as R
from motrixlab_envs_locomotion.config import RewardCfg, RewardScales
from motrixlab_envs_locomotion.robots.go1 import GO1

DEFAULT_JOINT_POS = GO1.pose()
STANDING_TORQUE = GO1.gravity_torque()

f32 = np.float32


def _terms(n: int = 2, **given):
    """``rewards.terms`` on a hand-made state: standing, level, still and told to stand unless ``given``."""
    zeros = lambda: np.zeros((n, 12), f32)  # noqa: E731
    base = np.zeros((9, n), f32)
    base[8] = -1.0  # level: gravity straight down
    state = {
        "base": base,
        "joint_pos": np.tile(DEFAULT_JOINT_POS, (n, 1)),
        "joint_vel": zeros(),
        "prev_joint_vel": zeros(),
        "actions": zeros(),
        "prev_actions": zeros(),
        "commands": np.zeros((n, 3), f32),
        "targets": np.tile(DEFAULT_JOINT_POS, (n, 1)),
        "kp": np.full((n, 12), 20.0, f32),
        "kd": np.full((n, 12), 0.5, f32),
        "joints": np.stack([DEFAULT_JOINT_POS, np.full(12, -3.0), np.full(12, 3.0), np.full(12, 5.0)]).astype(f32),
        "contacts": np.zeros((n, 13), f32),
        "height": np.full(n, 0.27, f32),
        "air_time": np.zeros((n, 4), f32),
        "last_contact": np.zeros((n, 4), bool),
        "params": R.new_params(
            dt=0.02, sigma=0.25, air_target=0.5, height_target=0.27, cos_max_tilt=np.cos(1.0), only_positive=False
        ),
        "weights": np.ones(len(R.TERMS), f32),
    }
    state.update(given)
    out = np.full((len(R.TERMS), n), np.nan, f32)
    reward, errors = np.full(n, np.nan, f32), np.full((2, n), np.nan, f32)
    fallen = np.ones(n, bool)
    R.terms(**state, out=out, reward=reward, errors=errors, fallen=fallen)
    assert np.isfinite(out).all() and np.isfinite(errors).all()
    return dict(zip(R.TERMS, out, strict=True)), reward, errors, fallen


def test_terms_are_the_scales_fields_in_order():
    assert R.TERMS == tuple(RewardScales.__dataclass_fields__)


def test_a_still_level_robot_standing_as_told():
    terms, _, errors, fallen = _terms()
    assert terms["tracking_lin_vel"] == pytest.approx([1.0, 1.0])
    assert terms["tracking_ang_vel"] == pytest.approx([1.0, 1.0])
    assert errors == pytest.approx(np.zeros((2, 2)))
    assert not fallen.any()
    for name in set(R.TERMS) - {"tracking_lin_vel", "tracking_ang_vel"}:
        assert terms[name] == pytest.approx([0.0, 0.0], abs=1e-12), name


def test_weights_sum_and_clip():
    base = np.zeros((9, 2), f32)
    base[8] = -1.0
    base[2] = [0.0, 2.0]  # env 1 bounces: lin_vel_z = 4
    weights = np.zeros(len(R.TERMS), f32)
    weights[R.TERMS.index("tracking_lin_vel")], weights[R.TERMS.index("lin_vel_z")] = 0.5, -0.25
    terms, reward, _, _ = _terms(base=base, weights=weights)
    assert terms["lin_vel_z"] == pytest.approx([0.0, -1.0]) and terms["tracking_ang_vel"] == pytest.approx([0.0, 0.0])
    assert reward == pytest.approx([0.5, -0.5])
    params = R.new_params(dt=0.02, sigma=0.25, air_target=0.5, height_target=0.27, cos_max_tilt=0.5, only_positive=True)
    _, reward, _, _ = _terms(base=base, weights=weights, params=params)
    assert reward == pytest.approx([0.5, 0.0])


def test_tracking_kernels():
    base = np.zeros((9, 3), f32)
    base[8] = -1.0
    base[:2] = np.array([[1.0, 0.0], [0.0, 0.0], [0.3, 0.4]], f32).T
    base[5] = [0.5, 0.0, 0.0]
    commands = np.array([[1.0, 0.0, 1.0], [0.5, -0.5, -1.0], [0.0, 0.0, 0.0]], f32)
    terms, _, errors, _ = _terms(3, base=base, commands=commands)
    assert terms["tracking_lin_vel"] == pytest.approx([1.0, np.exp(-0.5 / 0.25), np.exp(-0.25 / 0.25)])
    assert terms["tracking_ang_vel"] == pytest.approx([np.exp(-0.25 / 0.25), np.exp(-1.0 / 0.25), 1.0])
    assert errors[0] == pytest.approx([0.0, np.sqrt(0.5), 0.5]) and errors[1] == pytest.approx([0.5, 1.0, 0.0])


def test_base_motion_terms():
    base = np.zeros((9, 2), f32)
    base[2] = [0.0, -0.5]  # vertical velocity
    base[3:5] = np.array([[0.1, 0.2], [1.0, -2.0]], f32).T  # roll and pitch rates
    base[6:9, 0] = quat.projected_gravity(quat.from_axis_angle(np.array([[1.0, 0, 0]]), [0.5]))[0]
    base[8, 1] = -1.0
    terms, _, _, _ = _terms(base=base)
    assert terms["lin_vel_z"] == pytest.approx([0.0, 0.25])
    assert terms["ang_vel_xy"] == pytest.approx([0.05, 5.0])
    assert terms["orientation"] == pytest.approx([np.sin(0.5) ** 2, 0.0])


def test_joint_terms():
    targets = np.tile(DEFAULT_JOINT_POS, (2, 1))
    targets[0, :3] += [0.05, -0.1, 1.0]  # 20 * 0.05 = 1, -2 and a clamped 20 -> 5 N·m
    joint_vel = np.zeros((2, 12), f32)
    joint_vel[0] = 0.1
    actions = np.zeros((2, 12), f32)
    actions[0, 5] = 0.5
    terms, _, _, _ = _terms(targets=targets, joint_vel=joint_vel, kd=np.zeros((2, 12), f32), actions=actions)
    assert terms["torques"] == pytest.approx([1.0 + 4.0 + 25.0, 0.0], rel=1e-5)
    assert terms["joint_acc"] == pytest.approx([12 * (0.1 / 0.02) ** 2, 0.0], rel=1e-5)
    assert terms["action_rate"] == pytest.approx([0.25, 0.0])
    joints = np.stack([np.zeros(12), np.full(12, -1.0), np.full(12, 1.0), np.full(12, 5.0)]).astype(f32)
    joint_pos = np.zeros((2, 12), f32)
    joint_pos[1, :2] = [1.5, -1.25]  # beyond the soft limits of +-1 by 0.5 and 0.25
    terms, _, _, _ = _terms(joint_pos=joint_pos, targets=joint_pos.copy(), joints=joints)
    assert terms["joint_limits"] == pytest.approx([0.0, 0.75])
    assert terms["stand_still"] == pytest.approx([0.0, 2.75])  # told to stand: Σ |offset|
    assert terms["torques"] == pytest.approx([0.0, 0.0])


def test_base_height_and_contacts():
    contacts = np.zeros((2, 13), f32)
    contacts[0, [5, 7, 12]] = 1.0  # three penalised geoms down
    contacts[1, 4] = 1.0  # the trunk
    terms, _, _, fallen = _terms(contacts=contacts, height=np.array([0.27, 0.2], f32))
    assert terms["base_height"] == pytest.approx([0.0, 0.0049], abs=1e-7)
    assert terms["undesired_contacts"] == pytest.approx([3.0, 0.0])
    assert fallen.tolist() == [False, True]


def test_contacts_with_any_ground_geom_count():
    contacts = np.zeros((2, 26), f32)  # two ground geoms, 13 columns each
    contacts[0, 13 + 4] = 1.0  # trunk on the second
    contacts[1, 5] = contacts[1, 13 + 5] = contacts[1, 13 + 6] = 1.0  # one geom on both, one on the second
    params = R.new_params(
        dt=0.02, sigma=0.25, air_target=0.5, height_target=0.27, cos_max_tilt=0.5, only_positive=False, grounds=2
    )
    terms, _, _, fallen = _terms(contacts=contacts, params=params)
    assert fallen.tolist() == [True, False]
    assert terms["undesired_contacts"] == pytest.approx([0.0, 2.0])


def test_several_termination_geoms_and_another_count_of_feet_and_joints():
    """A robot of two feet, six joints, two termination geoms and one penalised geom (columns 2, 3 and 4)."""
    n, f32z = 3, lambda *shape: np.zeros(shape, f32)
    contacts = f32z(n, 5)
    contacts[0, 2] = 1.0  # first termination geom
    contacts[1, 3] = 1.0  # second termination geom
    contacts[2, 4] = contacts[2, 0] = 1.0  # the penalised geom, and a foot
    pose = np.zeros(6, f32)
    params = R.new_params(
        dt=0.02,
        sigma=0.25,
        air_target=0.5,
        height_target=0.27,
        cos_max_tilt=0.5,
        only_positive=False,
        termination_contacts=2,
    )
    base = f32z(9, n)
    base[8] = -1.0
    terms, _, _, fallen = _terms(
        n,
        base=base,
        joint_pos=f32z(n, 6),
        joint_vel=f32z(n, 6),
        prev_joint_vel=f32z(n, 6),
        actions=f32z(n, 6),
        prev_actions=f32z(n, 6),
        targets=np.full((n, 6), 0.1, f32),
        kp=np.full((n, 6), 20.0, f32),
        kd=np.full((n, 6), 0.5, f32),
        joints=np.stack([pose, np.full(6, -3.0), np.full(6, 3.0), np.full(6, 5.0)]).astype(f32),
        contacts=contacts,
        air_time=f32z(n, 2),
        last_contact=np.zeros((n, 2), bool),
        params=params,
    )
    assert fallen.tolist() == [True, True, False]
    assert terms["undesired_contacts"] == pytest.approx([0.0, 0.0, 1.0])
    assert terms["torques"] == pytest.approx([6 * 2.0**2] * n)  # six joints of 20 x 0.1 N m


def test_tilt_beyond_the_limit_falls():
    base = np.zeros((9, 2), f32)
    for k, angle in enumerate([0.9, 1.1]):  # the limit is 1 rad
        base[6:9, k] = quat.projected_gravity(quat.from_axis_angle(np.array([[0, 1.0, 0]]), [angle]))[0]
    _, _, _, fallen = _terms(base=base)
    assert fallen.tolist() == [False, True]


def test_stand_still_only_when_told_to_stand():
    joint_pos = np.tile(DEFAULT_JOINT_POS + 0.1, (2, 1))
    commands = np.array([[0.0, 0.0, 0.05], [0.5, 0.0, 0.0]], f32)
    terms, _, _, _ = _terms(joint_pos=joint_pos, commands=commands)
    assert terms["stand_still"] == pytest.approx([1.2, 0.0], rel=1e-5)


def test_feet_air_time_term():
    contacts = np.zeros((2, 13), f32)
    contacts[:, [0, 3]] = 1.0  # feet 0 and 3 touch down after 0.6 s and 0.3 s in the air
    air_time = np.array([[0.58, 0.1, 0.0, 0.28]] * 2, f32)  # foot 1 is still in the air
    commands = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 0.5]], f32)  # env 1 is told to turn on the spot
    terms, _, _, _ = _terms(contacts=contacts, air_time=air_time, commands=commands)
    # env 0 moving: (0.6 - 0.5) + (0.3 - 0.5); env 1 not moving: nothing
    assert terms["feet_air_time"] == pytest.approx([-0.1, 0.0], abs=1e-6)
    assert air_time[:, [0, 3]] == pytest.approx(np.zeros((2, 2))) and air_time[:, 1] == pytest.approx([0.12, 0.12])


def test_feet_air_time_fires_once_per_touchdown():
    tracker = R.FeetAirTime(1, 2, dt=0.02)
    # foot 0: stance 3 steps, swing 10 steps, touchdown, stance 5 steps; foot 1 always down
    seq = [True] * 3 + [False] * 10 + [True] * 6
    fired = [tuple(tracker.update(np.array([[contact, True]]))[0]) for contact in seq]
    touchdowns = [i for i, (t0, _) in enumerate(fired) if t0 > 0]
    assert touchdowns == [13]
    # ten airborne steps: the contact filter absorbs the lift-off step and the landing step adds one
    assert fired[13][0] == pytest.approx(10 * 0.02)
    assert not any(t1 for _, t1 in fired)  # the foot that never left the ground never fires


def test_one_step_contact_dropout_is_not_a_step():
    tracker = R.FeetAirTime(1, 1, dt=0.02)
    fired = [tracker.update(np.array([[c]]))[0, 0] > 0 for c in [True, True, False, True, True, False, False, True]]
    # the single-step dropout (index 2) is filtered; the two-step swing (5, 6) lands at index 7
    assert fired == [False] * 7 + [True]


def test_air_time_reward_fires_on_landing_in_physics(make_walk, quiet_cfg, ground_contacts):
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
        feet.append(ground_contacts(env)[0][0].copy())
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


def test_every_logged_term_matches_its_definition_on_a_live_state(make_walk, quiet_cfg, ground_contacts):
    """The env's compiled reward pass against a plain numpy computation of each term on the live (N, k) state."""
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
        _, _, undesired = ground_contacts(env)
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
