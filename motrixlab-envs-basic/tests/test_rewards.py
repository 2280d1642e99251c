"""Rewards match hand-computed values for chosen states (set with ``set_state``)."""

from __future__ import annotations

import math

import motrixlab
import numpy as np
import pytest


def env_at(name, qpos, qvel=0.0, action=None, **overrides):
    env = motrixlab.make(name, num_envs=len(qpos), seed=0, overrides=overrides)
    env.reset()
    env.set_state(np.asarray(qpos, np.float32), qvel)
    if action is not None:
        env.motor.action = np.asarray(action, np.float32)
    return env


def test_swingup_starts_hanging_with_near_zero_reward():
    env = motrixlab.make("cartpole-swingup", num_envs=16, seed=0)
    obs, _ = env.reset()
    assert np.all(obs[:, 1] < -0.9999)  # cos theta: hanging down
    _, reward, *_ = env.step(np.zeros((16, 1), np.float32))
    assert reward.max() < 1e-3


def test_swingup_reward_terms():
    # upright centred at rest; lying horizontal at the centring margin; upright under full force
    env = env_at("cartpole-swingup", [[0.0, 0.0], [1.8, math.pi / 2], [0.0, 0.0]], action=[[0.0], [0.0], [1.0]])
    reward = env.compute_reward()
    # centred at 1.8 m, margin 2 m, Gaussian with 0.1 at the margin: (1 + 0.1 ** (0.9 ** 2)) / 2
    centred = (1 + 0.1 ** (0.9**2)) / 2
    np.testing.assert_allclose(reward, [1.0, 0.5 * centred, 0.8], rtol=1e-5)


def test_swingup_penalises_spinning():
    env = env_at("cartpole-swingup", [[0.0, 0.0]], qvel=[0.0, 5.0], action=[[0.0]])
    np.testing.assert_allclose(env.compute_reward(), [0.55], rtol=1e-5)  # (1 + 0.1) / 2 at the 5 rad/s margin


def test_pendulum_reward():
    half = 0.2 + (math.pi - 0.2) / 2
    env = env_at("pendulum", [[0.0], [math.pi], [half], [-0.15], [2 * math.pi]], action=[[0]] * 5)
    np.testing.assert_allclose(env.compute_reward(), [1.0, 0.0, 0.5, 1.0, 1.0], atol=1e-5)
    env.motor.action = np.full((5, 1), -1.0, np.float32)
    np.testing.assert_allclose(env.compute_reward()[0], 0.8, rtol=1e-6)


def test_acrobot_reward_rises_with_tip_height():
    # hanging (-2 m), both links horizontal (0 m), straight up (2 m), upper up and lower horizontal (1 m)
    env = env_at("acrobot", [[math.pi, 0.0], [math.pi / 2, 0.0], [0.0, 0.0], [0.0, math.pi / 2]])
    np.testing.assert_allclose(env.compute_reward(), [0.0, 2 / 3.6, 1.0, 3 / 3.6], atol=1e-5)
    np.testing.assert_allclose(env.log["tip_height"], [-2.0, 0.0, 2.0, 1.0], atol=1e-5)


def test_reacher_reward_and_targets():
    env = motrixlab.make("reacher", num_envs=256, seed=0)
    env.reset()
    distance = np.linalg.norm(env.target, axis=1)
    assert distance.min() >= 0.05 and distance.max() <= 0.2
    assert distance.max() - distance.min() > 0.1
    # arm straight along +x: fingertip at (0.24, 0); targets on the tip, 0.03 away (edge), 0.13 away (margin)
    env.set_state([0.0, 0.0], [0.0, 0.0])
    env.target[:3] = [[0.24, 0.0], [0.21, 0.0], [0.24, 0.13]]
    reward = env.compute_reward()[:3]
    np.testing.assert_allclose(reward, [1.0, 1.0, 0.1], rtol=1e-4)
    obs = env.compute_obs()
    np.testing.assert_allclose(obs[1, 4:8], [0.21, 0.0, 0.03, 0.0], atol=1e-6)


def test_reacher_new_targets_only_for_reset_rows():
    env = motrixlab.make("reacher", num_envs=4, seed=0, overrides={"max_episode_seconds": 0.04})
    env.reset()
    before = env.target.copy()
    env.step(np.zeros((4, 2), np.float32))
    np.testing.assert_array_equal(env.target, before)
    env.step(np.zeros((4, 2), np.float32))  # all rows truncate and restart
    assert np.all(np.any(env.target != before, axis=1))


WALKER_REST = [0.0] * 9


@pytest.mark.parametrize(
    ("name", "vx", "expected"),
    [
        ("walker-stand", 0.0, 1.0),
        ("walker-walk", 0.0, 1 / 6),  # standing still: move term 0
        ("walker-walk", 0.75, (5 * 0.75 + 1) / 6),  # halfway to the margin: 0.75 on the linear ramp
        ("walker-walk", 1.5, 1.0),
        ("walker-run", 8.0, 1.0),
        ("walker-run", 4.0, 3.5 / 6),  # at the margin: move = 0.5
    ],
)
def test_walker_reward(name, vx, expected):
    env = env_at(name, [WALKER_REST], qvel=[vx] + [0.0] * 8)
    np.testing.assert_allclose(env.compute_reward(), [expected], rtol=1e-5)


def test_walker_stand_reward_terms_when_lying_down():
    # torso 0.6 m lower (1.2 - 0.6: the margin) and pitched 90 degrees: standing 0.1, upright 0.5
    env = env_at("walker-stand", [[0.0, -0.7, math.pi / 2] + [0.0] * 6])
    np.testing.assert_allclose(env.compute_reward(), [(3 * 0.1 + 0.5) / 4], rtol=1e-5)


@pytest.mark.parametrize(("vx", "expected"), [(0.0, 0.0), (5.0, 0.5), (10.0, 1.0), (12.0, 1.0), (-3.0, 0.0)])
def test_cheetah_reward_is_speed_over_ten(vx, expected):
    env = env_at("cheetah-run", [[0.0] * 9], qvel=[vx] + [0.0] * 8)
    np.testing.assert_allclose(env.compute_reward(), [expected], atol=1e-6)


def test_hopper_rewards():
    rest = [[0.0] * 6, [0.0, -0.75] + [0.0] * 4]  # standing; torso 0.5 m below stand height
    env = env_at("hopper-stand", rest, action=np.zeros((2, 3)))
    np.testing.assert_allclose(env.compute_reward(), [1.0, 0.1], rtol=1e-5)
    env.motor.action = np.ones((2, 3), np.float32)
    np.testing.assert_allclose(env.compute_reward(), [0.8, 0.08], rtol=1e-5)
    hop = env_at("hopper-hop", rest, qvel=[[2.0] + [0.0] * 5, [1.0] + [0.0] * 5])
    np.testing.assert_allclose(hop.compute_reward(), [1.0, 0.1 * 0.5], rtol=1e-5)
