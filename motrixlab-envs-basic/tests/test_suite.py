"""Every env of the suite: registration, spaces, bounded rewards, truncation, determinism."""

from __future__ import annotations

import dataclasses

import motrixlab
import numpy as np
import pytest
from motrixlab.rlcfg import PPOCfg
from motrixlab_envs_basic.plugin import ENVS

#: name -> (obs_dim, act_dim) as documented in each env module
SPACES = {
    "cartpole": (4, 1),
    "cartpole-swingup": (5, 1),
    "pendulum": (3, 1),
    "acrobot": (6, 1),
    "reacher": (10, 2),
    "walker-stand": (24, 6),
    "walker-walk": (24, 6),
    "walker-run": (24, 6),
    "cheetah-run": (17, 6),
    "hopper-stand": (11, 3),
    "hopper-hop": (11, 3),
}


def test_plugin_registers_every_env_and_an_rl_config():
    registry = motrixlab.get_registry()
    assert set(SPACES) == set(ENVS)
    for name in SPACES:
        spec = registry.env(name)
        assert spec.domain == "basic"
        assert spec.plugin  # filled in by the registry: it came through the entry point
        rl = registry.rl_cfg_spec(name, "skrl", "torch")
        assert rl is not None and rl.cfg.startswith("motrixlab_envs_basic."), name


@pytest.mark.parametrize("name", sorted(SPACES))
def test_spaces_obs_and_bounded_rewards(name):
    obs_dim, act_dim = SPACES[name]
    env = motrixlab.make(name, num_envs=3, seed=0)
    assert env.observation_space.shape == (obs_dim,)
    assert env.action_space.shape == (act_dim,)
    assert np.all(env.action_space.low == -1) and np.all(env.action_space.high == 1)
    obs, info = env.reset(seed=0)
    assert obs.shape == (3, obs_dim) and obs.dtype == np.float32
    rng = np.random.default_rng(0)
    for _ in range(20):
        action = rng.uniform(-1, 1, (3, act_dim)).astype(np.float32)
        obs, reward, terminated, truncated, info = env.step(action)
        assert obs.shape == (3, obs_dim) and obs.dtype == np.float32 and np.isfinite(obs).all()
        assert reward.shape == (3,) and reward.dtype == np.float32
        assert np.all((reward >= 0) & (reward <= 1)), reward
        assert terminated.dtype == bool and truncated.dtype == bool
        assert info["log"]["diverged"] == 0
        assert any(k.startswith("reward/") for k in info["log"])
    with pytest.raises(ValueError, match="actions"):
        env.step(np.zeros((3, act_dim + 1), np.float32))
    env.close()


@pytest.mark.parametrize("name", sorted(SPACES))
def test_ppo_config_is_valid_and_consistent(name):
    spec = motrixlab.get_registry().rl_cfg_spec(name, "skrl", None)
    module, attr = spec.cfg.split(":")
    cfg = getattr(__import__(module, fromlist=[attr]), attr)()
    assert isinstance(cfg, PPOCfg)
    cfg.validate()
    assert (cfg.num_envs * cfg.rollouts) % cfg.mini_batches == 0


def test_cartpole_budget_fits_the_learning_floor():
    from motrixlab_envs_basic.cartpole import CartPolePPO

    cfg = CartPolePPO()
    assert cfg.max_env_steps <= 100_000
    assert cfg.num_envs * cfg.rollouts <= 2048  # several updates within the budget


@pytest.mark.parametrize("name", ["pendulum", "cheetah-run"])
def test_episode_truncates_at_the_configured_length(name):
    env = motrixlab.make(name, num_envs=2, seed=1, overrides={"max_episode_seconds": 0.2})
    steps = round(0.2 / env.cfg.ctrl_dt)
    obs, _ = env.reset()
    zeros = np.zeros((2, *env.action_space.shape), np.float32)
    for i in range(1, steps + 1):
        obs, _, terminated, truncated, info = env.step(zeros)
        assert not terminated.any()
        assert truncated.all() == (i == steps), i
    # the rows restarted: final_obs is the end of the old episode, obs the start of a new one
    assert not np.allclose(info["final_obs"], obs)
    assert (env.episode_steps == 0).all()


@pytest.mark.parametrize("name", ["cartpole", "reacher", "walker-walk"])
def test_same_seed_same_trajectory(name):
    def rollout(seed):
        env = motrixlab.make(name, num_envs=4, seed=seed)
        rng = np.random.default_rng(123)
        obs, _ = env.reset()
        out = [obs]
        for _ in range(30):
            a = rng.uniform(-1, 1, (4, *env.action_space.shape)).astype(np.float32)
            obs, reward, *_ = env.step(a)
            out += [obs, reward[:, None]]
        return np.concatenate(out, axis=1)

    a, b, c = rollout(7), rollout(7), rollout(8)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_bad_config_values_name_the_field():
    with pytest.raises(motrixlab.ConfigError, match="max_angle"):
        motrixlab.make("cartpole", overrides={"max_angle": -1.0})
    with pytest.raises(motrixlab.ConfigError, match="target_distance"):
        motrixlab.make("reacher", overrides={"target_distance": (0.1, 0.5)})
    with pytest.raises(motrixlab.ConfigError, match="move_speed"):
        motrixlab.make("walker-walk", overrides={"move_speed": -1.0})


def test_task_variants_differ_only_in_their_fields():
    from motrixlab_envs_basic.walker import WalkerRunCfg, WalkerStandCfg, WalkerWalkCfg

    stand, walk, run = (dataclasses.asdict(c()) for c in (WalkerStandCfg, WalkerWalkCfg, WalkerRunCfg))
    assert (stand.pop("move_speed"), walk.pop("move_speed"), run.pop("move_speed")) == (0.0, 1.0, 8.0)
    assert stand == walk == run
