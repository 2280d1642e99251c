"""Termination on tilt and trunk contact, truncation, auto-reset, determinism, action validation."""

from __future__ import annotations

import motrixlab
import numpy as np
import pytest
from motrixlab_envs_locomotion import quat
from motrixlab_envs_locomotion.config import Go1WalkCfg
from motrixlab_envs_locomotion.robots.go1 import GO1
from motrixlab_envs_locomotion.walk import WalkEnv

DEFAULT_JOINT_POS = GO1.pose()


def test_initial_states_spread_as_configured(make_walk):
    cfg = Go1WalkCfg()
    env = make_walk(num_envs=256, cfg=cfg, seed=5)
    qpos, qvel, rc = env.state["qpos"], env.state["qvel"], cfg.reset
    offsets = qpos[:, 7:] - DEFAULT_JOINT_POS
    assert np.abs(offsets).max() <= rc.joint_pos_noise + 1e-6 and offsets.std() > rc.joint_pos_noise / 2.5
    assert np.abs(qvel[:, :3]).max() <= rc.base_lin_vel_noise + 1e-6 and qvel[:, :3].std() > 0.08
    assert np.linalg.norm(qvel[:, 3:6], axis=1).max() <= np.sqrt(3) * rc.base_ang_vel_noise + 1e-6
    assert not qvel[:, 6:].any()
    yaw = quat.yaw(qpos[:, 3:7])
    assert quat.projected_gravity(qpos[:, 3:7]) == pytest.approx(np.tile([0, 0, -1.0], (256, 1)), abs=1e-6)
    assert yaw.min() < -2.5 and yaw.max() > 2.5  # headings all around
    assert not env.actions.any() and not env.prev_actions.any() and not env.air.air_time.any()
    assert np.abs(env.commands).max(axis=0) == pytest.approx([1.0, 0.6, 1.0], abs=0.05)  # the command ranges
    assert ((env.commands == 0).all(axis=1)).mean() == pytest.approx(0.1, abs=0.06)  # the standing share


def test_tilt_beyond_the_threshold_terminates(make_walk, quiet_cfg):
    env = make_walk(num_envs=3, cfg=quiet_cfg(max_tilt=1.0))
    axis = np.tile([1.0, 0, 0], (3, 1))
    env.set_state(base_quat=quat.from_axis_angle(axis, [0.0, 0.7, 1.3]), base_pos=np.tile([0, 0, 1.5], (3, 1)))
    _, _, terminated, truncated, info = env.step(np.zeros((3, 12), np.float32))
    assert terminated.tolist() == [False, False, True]
    assert not truncated.any()
    assert info["log"]["fall"].tolist() == [0.0, 0.0, 1.0]
    assert info["final_obs"][2, 6:9] == pytest.approx([0, -np.sin(1.3), -np.cos(1.3)], abs=0.02)


def test_trunk_contact_terminates(make_walk):
    env = make_walk(num_envs=2)
    # env 1: level but lying on the ground (trunk box half height 0.057 m), legs folded
    env.set_state(ids=[1], base_pos=[[0, 0, 0.05]], joint_pos=np.tile([0.0, 2.5, -2.7], (1, 4)))
    terminated = np.zeros(2, bool)
    for _ in range(3):
        _, _, t, _, _ = env.step(np.zeros((2, 12), np.float32))
        terminated |= t
    assert terminated.tolist() == [False, True]


@pytest.mark.parametrize("speed", [2e5, 1e7])
def test_a_diverged_row_restarts_alone(make_walk, speed):
    """The divergence check answers from the kinematics pass's count; a row past the limit restarts, the rest go on."""
    env, twin = make_walk(num_envs=3), make_walk(num_envs=3)
    zero = np.zeros((3, 12), np.float32)
    env.step(zero)
    twin.step(zero)
    env.set_state(ids=[1], lin_vel=[[speed, 0.0, 0.0]])
    obs, reward, terminated, _, info = env.step(zero)
    tobs, *_ = twin.step(zero)
    assert info["log"]["diverged"] == 1 and "engine_panics" not in info["log"]
    assert terminated.tolist() == [False, True, False] and reward[1] == 0.0
    assert np.isfinite(obs).all() and env.episode_steps[1] == 0
    np.testing.assert_array_equal(obs[[0, 2]], tobs[[0, 2]])
    _, _, terminated, _, info = env.step(zero)
    assert info["log"]["diverged"] == 0 and not terminated.any()


def test_truncation_at_the_time_limit_and_auto_reset(make_walk, quiet_cfg):
    env = make_walk(num_envs=2, cfg=quiet_cfg(max_episode_seconds=0.1))  # 5 control steps
    for i in range(5):
        obs, _, terminated, truncated, info = env.step(np.full((2, 12), 0.5, np.float32))
        assert not terminated.any()
        assert truncated.all() == (i == 4)
    # rows restarted in the same step: fresh episode state in obs, the old one in final_obs
    assert (env.episode_steps == 0).all()
    assert not obs[:, 33:45].any()  # last action cleared
    assert info["final_obs"][:, 33:45] == pytest.approx(np.full((2, 12), 0.5))


def test_on_episode_end_gets_the_rows_whose_episode_ends(quiet_cfg):
    """Not the first reset; the rows that end inside a step; the rows a later reset() abandons mid-episode."""

    class Recording(WalkEnv):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.ended: list[list[int]] = []

        def on_episode_end(self, ids: np.ndarray) -> None:
            self.ended.append(ids.tolist())
            assert (self.episode_steps[ids] > 0).all()  # still the finished episode's length

    env = Recording(quiet_cfg(max_tilt=1.0), num_envs=3, seed=0)
    env.reset()
    assert env.ended == []
    env.set_state(ids=[2], base_quat=quat.from_axis_angle(np.array([[1.0, 0, 0]]), [1.3]), base_pos=[[0, 0, 1.5]])
    _, _, terminated, _, _ = env.step(np.zeros((3, 12), np.float32))
    assert terminated.tolist() == [False, False, True] and env.ended == [[2]]
    env.reset()
    assert env.ended == [[2], [0, 1]]  # row 2 restarted in the last step and took no step since
    env.close()


def test_default_episode_is_20_seconds():
    cfg = motrixlab.make_env_cfg(motrixlab.get_registry().env("go1-walk"))
    assert cfg.max_episode_steps == 1000 and cfg.sim_substeps == 2


def test_determinism_per_seed(make_walk):
    def rollout(seed):
        env = make_walk(num_envs=8, seed=seed, cfg=None)
        rng = np.random.default_rng(11)
        out = [env.reset(seed=seed)[0]]
        for _ in range(40):
            obs, reward, terminated, _, _ = env.step(rng.uniform(-1, 1, (8, 12)).astype(np.float32))
            out += [obs, reward, terminated]
        return out

    a, b, c = rollout(4), rollout(4), rollout(5)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not all(np.array_equal(x, y) for x, y in zip(a, c, strict=True))


def test_noisy_default_reset_is_seeded(make_walk):
    from motrixlab_envs_locomotion.config import Go1WalkCfg

    a = make_walk(num_envs=4, seed=1, cfg=Go1WalkCfg()).reset(seed=1)[0]
    b = make_walk(num_envs=4, seed=1, cfg=Go1WalkCfg()).reset(seed=1)[0]
    c = make_walk(num_envs=4, seed=2, cfg=Go1WalkCfg()).reset(seed=2)[0]
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert np.abs(a[:, 9:21]).max() > 0.01  # joint jitter at reset


def test_bad_actions_raise_value_errors(make_walk):
    env = make_walk(num_envs=2)
    with pytest.raises(ValueError, match="shape"):
        env.step(np.zeros((2, 11), np.float32))
    with pytest.raises(ValueError, match="non-finite"):
        env.step(np.full((2, 12), np.nan, np.float32))
    # out-of-range actions are clipped to [-1, 1], and the joint targets to the joint ranges
    env.step(np.full((2, 12), 50.0, np.float32))
    assert (env.targets <= env.target_high + 1e-6).all()
    assert env.actions.max() == 1.0


def test_bench_middle_actions_keep_go1_up_while_random_ones_reset_rows():
    from motrixlab.cli.bench import measure

    still = measure("go1-walk", num_envs=16, steps=60, actions="middle")
    shaken = measure("go1-walk", num_envs=16, steps=60, actions="random")
    assert still["actions"] == "middle" and still["resets_per_step"] == 0.0  # standing pose: no falls
    assert shaken["resets_per_step"] > 0.0  # uniform random joint targets topple some robots


@pytest.mark.parametrize("randomized", [False, True])
def test_zero_action_stands_at_the_figures_height(make_walk, quiet_cfg, randomized):
    """The targets' gravity feed-forward follows each env's (randomised) kp: every robot holds the pose."""
    from dataclasses import replace

    cfg = quiet_cfg()
    if randomized:
        cfg = replace(cfg, randomization=replace(cfg.randomization, enabled=True, push_interval_seconds=1e3))
    env = make_walk(num_envs=16, cfg=cfg)
    for _ in range(100):  # 2 s
        env.step(np.zeros((16, 12), np.float32))
    if randomized:
        assert env._kp.std() > 0.5  # the gains really differ between envs
    height = env.base_height()
    assert (height > 0.275).all() and (height < 0.287).all(), height
    # up to 2 kg of added trunk mass sags the randomised robots a little more
    assert np.abs(env.joint_pos - DEFAULT_JOINT_POS).max() < (0.06 if randomized else 0.04)
