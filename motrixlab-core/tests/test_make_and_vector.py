"""``motrixlab.make`` by registered name, and the gymnasium ``VectorEnv`` adapter."""

from __future__ import annotations

import gymnasium as gym
import motrixlab
import numpy as np
import pytest
from gymnasium.vector import AutoresetMode
from gymnasium.wrappers.vector import RecordEpisodeStatistics
from motrixlab import ConfigError, GymVectorEnv, ModelLoadError, UnknownNameError
from motrixlab_testenv.env import SliderEnv


@pytest.fixture
def make(fresh_registry):
    made = []

    def factory(*args, **kwargs):
        env = motrixlab.make(*args, **kwargs)
        made.append(env)
        return env

    yield factory
    for env in made:
        env.close()


def test_make_builds_the_registered_env_with_overrides(make):
    env = make("test-slider", num_envs=3, seed=4, overrides={"max_angle": 0.25, "max_episode_seconds": "0.5"})
    assert type(env) is SliderEnv and isinstance(env, motrixlab.ABEnv)
    assert env.num_envs == 3 and env.cfg.max_angle == 0.25 and env.max_episode_steps == 25
    obs, _ = env.reset()
    assert obs.shape == (3, 4)
    ref = make("test-slider", num_envs=3, seed=4)
    np.testing.assert_array_equal(ref.reset()[0], obs)  # the seed reaches the env
    assert ref.cfg.max_angle == 0.5  # overrides do not leak into the next config


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        (
            {"name": "test-slidr"},
            UnknownNameError,
            r"unknown environment 'test-slidr' \(did you mean 'test-slider'\?\)",
        ),
        ({"name": "test-slider", "overrides": {"max_angel": 1}}, ConfigError, r"unknown field 'env.max_angel'"),
        ({"name": "test-slider", "overrides": {"max_angle": "wide"}}, ConfigError, r"env.max_angle: expected float"),
        ({"name": "test-slider", "overrides": {"ctrl_dt": 0.015}}, ConfigError, r"env.ctrl_dt: must be a whole"),
        ({"name": "test-slider", "overrides": {"model_file": "/nope.xml"}}, ModelLoadError, r"env.model_file: '/nope"),
        ({"name": "test-slider", "num_envs": 0}, ConfigError, r"num_envs: must be a positive integer, got 0"),
    ],
)
def test_make_errors(make, kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        make(**kwargs)


def test_vector_env_is_a_gymnasium_vector_env(make):
    venv = GymVectorEnv(make("test-slider", num_envs=5, seed=0))
    assert isinstance(venv, gym.vector.VectorEnv)
    assert venv.num_envs == 5
    assert venv.metadata["autoreset_mode"] == AutoresetMode.SAME_STEP
    assert venv.single_observation_space.shape == (4,) and venv.single_action_space.shape == (1,)
    assert venv.observation_space.shape == (5, 4) and venv.action_space.shape == (5, 1)
    obs, _ = venv.reset(seed=3)
    assert venv.observation_space.contains(obs)
    venv.action_space.seed(0)
    for _ in range(10):
        obs, reward, term, trunc, _ = venv.step(venv.action_space.sample())
        assert venv.observation_space.contains(obs)
        assert reward.shape == (5,) and term.shape == trunc.shape == (5,)
    venv.close()
    assert venv.closed


def test_vector_env_resets_in_the_same_step_with_final_obs(make):
    venv = GymVectorEnv(make("test-slider", num_envs=4, seed=1, overrides={"max_angle": 0.03}))
    obs, _ = venv.reset(seed=[1, 2, 3, 4])  # a list of seeds: the first seeds the batch
    push = np.array([[1.0], [0.05], [1.0], [-0.05]], np.float32)
    for _ in range(20):
        prev = obs
        obs, _, term, trunc, info = venv.step(push)
        if (term | trunc).any():
            break
    np.testing.assert_array_equal(info["_final_obs"], term | trunc)
    assert info["_final_obs"].tolist() == [True, False, True, False]
    done = info["_final_obs"]
    assert np.all(np.abs(info["final_obs"][done, 1]) > 0.03)  # the pole angle that ended it
    assert np.all(obs[done, 1:] == 0.0)  # already the first observation of the next episode
    np.testing.assert_array_equal(obs[~done], info["final_obs"][~done])
    assert not np.array_equal(obs[~done], prev[~done])


def test_gymnasium_wrappers_see_correct_episodes(make):
    venv = RecordEpisodeStatistics(GymVectorEnv(make("test-slider", num_envs=3, seed=0)))
    venv.reset(seed=0)
    zero = np.zeros((3, 1), np.float32)
    episodes = []
    for _ in range(100):  # episodes are 50 steps: two full episodes per row
        _, _, _, _, info = venv.step(zero)
        if "episode" in info:
            episodes.append((info["_episode"].copy(), info["episode"]["l"].copy(), info["episode"]["r"].copy()))
    assert len(episodes) == 2
    for mask, length, ret in episodes:
        assert mask.all()
        np.testing.assert_array_equal(length, 50)
        np.testing.assert_allclose(ret, 50.0)


def test_public_names_are_not_shadowed_by_submodules():
    # Importing a submodule sets it as a package attribute: a submodule named like a public
    # function would replace the function (``motrixlab.make`` once did).
    import importlib
    import pkgutil
    import types

    for mod in pkgutil.walk_packages(motrixlab.__path__, "motrixlab."):
        if mod.name != "motrixlab.__main__":
            importlib.import_module(mod.name)
    for name in motrixlab.__all__:
        assert not isinstance(getattr(motrixlab, name), types.ModuleType), name
    assert callable(motrixlab.make) and motrixlab.make.__name__ == "make"


def test_vector_env_marks_truncated_rows_in_final_obs_mask(make):
    venv = GymVectorEnv(make("test-slider", num_envs=3, seed=0, overrides={"max_episode_seconds": 0.1}))
    start, _ = venv.reset()
    zero = np.zeros((3, 1), np.float32)
    for _ in range(5):
        _, _, term, trunc, info = venv.step(zero)
    assert trunc.all() and not term.any()
    assert info["_final_obs"].tolist() == [True, True, True]
    np.testing.assert_array_equal(info["final_obs"], start)  # at rest the episode ends where it began
