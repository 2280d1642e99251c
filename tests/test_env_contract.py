"""Every installed environment honours the ``ABEnv`` contract the trainers rely on.

The list of envs is whatever the installed plugins register, so a new env package is checked
as soon as it is installed.
"""

from __future__ import annotations

import motrixlab
import numpy as np
import pytest
from gymnasium import spaces
from motrixlab.plugins import discover

ENVS = sorted(discover(warn=lambda message: None).envs)
N = 4


@pytest.fixture(params=ENVS)
def name(request) -> str:
    return request.param


@pytest.fixture
def env(name):
    env = motrixlab.make(name, num_envs=N, seed=0)
    yield env
    env.close()


def random_actions(env, rng: np.random.Generator) -> np.ndarray:
    low, high = env.action_space.low, env.action_space.high
    return rng.uniform(low, high, size=(N, *env.action_space.shape)).astype(np.float32)


def test_spaces_reset_and_step_shapes(env):
    assert isinstance(env, motrixlab.ABEnv)
    obs_space, act_space = env.observation_space, env.action_space
    assert isinstance(obs_space, spaces.Box) and isinstance(act_space, spaces.Box)
    assert obs_space.dtype == np.float32 and act_space.dtype == np.float32
    assert len(obs_space.shape) == 1 and len(act_space.shape) == 1
    assert np.all(np.isfinite(act_space.low)) and np.all(np.isfinite(act_space.high))
    assert np.all(act_space.low < act_space.high)
    obs_dim = obs_space.shape[0]

    obs, info = env.reset(seed=0)
    assert obs.shape == (N, obs_dim) and obs.dtype == np.float32 and np.isfinite(obs).all()
    assert isinstance(info, dict)
    rng = np.random.default_rng(0)
    for _ in range(5):
        obs, reward, terminated, truncated, info = env.step(random_actions(env, rng))
        assert obs.shape == (N, obs_dim) and obs.dtype == np.float32 and np.isfinite(obs).all()
        assert reward.shape == (N,) and reward.dtype == np.float32 and np.isfinite(reward).all()
        assert terminated.shape == truncated.shape == (N,)
        assert terminated.dtype == truncated.dtype == np.bool_
        assert info["final_obs"].shape == (N, obs_dim)
        running = ~(terminated | truncated)
        np.testing.assert_array_equal(info["final_obs"][running], obs[running])
        for key, value in info["log"].items():
            assert np.ndim(value) == 0 or np.shape(value) == (N,), f"info['log'][{key!r}] has shape {np.shape(value)}"
            assert np.isfinite(value).all(), key


def test_actions_are_validated(env):
    env.reset(seed=0)
    act_dim = env.action_space.shape[0]
    with pytest.raises(ValueError, match="shape"):
        env.step(np.zeros((N, act_dim + 1), np.float32))
    with pytest.raises(ValueError):
        env.step(np.full((N, act_dim), np.nan, np.float32))
    with pytest.raises(ValueError):
        env.step(np.zeros((N, act_dim), np.int32))


def test_same_seed_same_trajectory(env, name):
    twin = motrixlab.make(name, num_envs=N, seed=0)
    try:
        np.testing.assert_array_equal(env.reset(seed=3)[0], twin.reset(seed=3)[0])
        rng = np.random.default_rng(1)
        for _ in range(3):
            actions = random_actions(env, rng)
            for x, y in zip(env.step(actions)[:4], twin.step(actions)[:4], strict=True):
                np.testing.assert_array_equal(x, y)
    finally:
        twin.close()


def test_episodes_are_truncated_exactly_at_the_time_limit(env):
    limit = env.cfg.max_episode_steps
    env.reset(seed=0)
    rng = np.random.default_rng(2)
    age = np.zeros(N, int)
    finished = np.zeros(N, bool)
    for _ in range(limit):
        _, _, terminated, truncated, _ = env.step(random_actions(env, rng))
        age += 1
        assert not (terminated & truncated).any()
        assert np.all(age[truncated] == limit), f"truncated after {age[truncated]} steps, limit {limit}"
        assert np.all(age[~(terminated | truncated)] < limit)
        finished |= terminated | truncated
        age[terminated | truncated] = 0
    assert finished.all()
