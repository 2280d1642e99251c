"""Both skrl backends directly: time-limit bootstrap from ``final_obs``, shared trunks, state round trips."""

from __future__ import annotations

import numpy as np
import pytest
from motrixlab.rlcfg import PPOCfg
from motrixlab_testenv.scripted import ACT, OBS, N, ScriptedEnv, rollout


def make_backend(framework: str, **cfg):
    if framework == "torch":
        from motrixlab_trainer_skrl.torch_agent import TorchBackend as cls
    else:
        from motrixlab_trainer_skrl.jax_agent import JaxBackend as cls
    training = cfg.pop("training", True)
    base = {
        "num_envs": N,
        "rollouts": 4,
        "learning_epochs": 2,
        "mini_batches": 2,
        "policy_hidden": (16, 16),
        "value_hidden": (16, 16),
        "seed": 3,
    }
    return cls(PPOCfg(**{**base, **cfg}), OBS, ACT, N, training=training)


def value_of(backend, obs: np.ndarray) -> np.ndarray:
    """V(obs) in return units, the way skrl computes it (normaliser in, inverse value scaler out)."""
    agent = backend.agent
    if backend.name == "torch":
        import torch

        with torch.no_grad():
            x = agent._observation_preprocessor(torch.from_numpy(obs))
            v, _ = agent.value.act({"observations": x}, role="value")
            return agent._value_preprocessor(v, inverse=True).numpy()
    import jax.numpy as jnp

    x = agent._observation_preprocessor(jnp.asarray(obs))
    v, _ = agent.value.act({"observations": x}, role="value")
    return np.asarray(agent._value_preprocessor(v, inverse=True))


@pytest.mark.parametrize("framework", ["torch", "jax"])
def test_truncated_rows_bootstrap_from_final_obs_not_the_next_episode(framework):
    backend = make_backend(framework, gamma=0.9, rollouts=8)
    rollout(backend, 3)  # some history, no update yet
    rng = np.random.default_rng(1)
    env = ScriptedEnv(1)
    wrapped = backend.wrap(env)
    obs, _ = wrapped.reset()
    actions = backend.act(obs, 3, 8)
    next_obs = rng.standard_normal((N, 3)).astype(np.float32) + 5.0  # first obs of the next episodes
    final_obs = rng.standard_normal((N, 3)).astype(np.float32) - 5.0  # last obs of the finished ones
    truncated = np.zeros(N, bool)
    truncated[[1, 4]] = True
    terminated = np.zeros(N, bool)
    terminated[6] = True
    final = np.where((truncated | terminated)[:, None], final_obs, next_obs)
    expected_bootstrap = 0.9 * value_of(backend, final)[:, 0]
    assert abs(expected_bootstrap[1] - 0.9 * value_of(backend, next_obs)[1, 0]) > 1e-4  # the two differ
    env.next = (next_obs, np.full(N, 2.0, np.float32), terminated, truncated, {"final_obs": final, "log": {}})
    _, reward, term_t, trunc_t, info = wrapped.step(actions)
    assert tuple(reward.shape) == tuple(term_t.shape) == (N, 1)  # the way skrl stores them
    backend.record(
        obs=obs,
        actions=actions,
        reward=reward,
        final_obs=info["final_obs"],
        terminated=term_t,
        truncated=trunc_t,
        timestep=3,
        timesteps=8,
    )
    memory = backend.agent.memory
    stored = np.asarray(memory.get_tensor_by_name("rewards"))[memory.memory_index - 1, :, 0]
    want = np.full(N, 2.0)
    want[truncated] += expected_bootstrap[truncated]
    np.testing.assert_allclose(stored, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("framework", ["torch", "jax"])
def test_without_time_limit_bootstrap_truncation_ends_the_return(framework):
    backend = make_backend(framework, time_limit_bootstrap=False, rollouts=8)
    env = ScriptedEnv()
    wrapped = backend.wrap(env)
    obs, _ = wrapped.reset()
    actions = backend.act(obs, 0, 8)
    truncated = np.zeros(N, bool)
    truncated[2] = True
    final = np.ones((N, 3), np.float32)
    env.next = (
        np.zeros((N, 3), np.float32),
        np.ones(N, np.float32),
        np.zeros(N, bool),
        truncated,
        {"final_obs": final, "log": {}},
    )
    _, reward, term_t, trunc_t, info = wrapped.step(actions)
    backend.record(
        obs=obs,
        actions=actions,
        reward=reward,
        final_obs=info["final_obs"],
        terminated=term_t,
        truncated=trunc_t,
        timestep=0,
        timesteps=8,
    )
    memory = backend.agent.memory
    rewards = np.asarray(memory.get_tensor_by_name("rewards"))[0, :, 0]
    done = np.asarray(memory.get_tensor_by_name("terminated"))[0, :, 0].astype(bool)
    np.testing.assert_allclose(rewards, 1.0)  # no bootstrap added
    assert done.tolist() == truncated.tolist()  # truncation handed to skrl as termination


@pytest.mark.parametrize("framework", ["torch", "jax"])
def test_wrapper_copies_only_the_observation(framework):
    backend = make_backend(framework)
    env = ScriptedEnv()
    wrapped = backend.wrap(env)
    obs_buffer = np.zeros((N, 3), np.float32)
    reward = np.arange(N, dtype=np.float32)
    env.next = (obs_buffer, reward, np.zeros(N, bool), np.zeros(N, bool), {"final_obs": obs_buffer, "log": {"x": 1.0}})
    obs, _ = wrapped.reset()
    nxt, reward_t, _, _, info = wrapped.step(backend.act(obs, 0, 8))
    obs_buffer[:] = 7.0  # the env reuses its buffer on the next step
    assert float(np.asarray(nxt).max()) == 0.0  # the observation the agent keeps is a copy
    assert np.asarray(reward_t)[:, 0].tolist() == reward.tolist()
    assert wrapped.last[1] is reward and wrapped.last[4]["log"] == {"x": 1.0}  # NumPy arrays for bookkeeping
    if framework == "torch":
        assert float(info["final_obs"].max()) == 7.0  # a zero-copy view, consumed before the next step


@pytest.mark.parametrize("framework", ["torch", "jax"])
@pytest.mark.parametrize("shared", [False, True])
def test_state_round_trip_restores_policy_optimizer_and_normalisers(framework, shared):
    a = make_backend(framework, shared_trunk=shared)
    assert rollout(a, 4)[-1]  # one PPO update: weights, optimizer and normalisers have moved
    payload = a.state_bytes()
    b = make_backend(framework, shared_trunk=shared, seed=99)
    probe = np.random.default_rng(5).standard_normal((16, 3)).astype(np.float32) * 3
    assert not np.allclose(a.deterministic(probe), b.deterministic(probe))
    b.load_state_bytes(payload)
    np.testing.assert_array_equal(a.deterministic(probe), b.deterministic(probe))
    # training continues identically from both (same data, same optimizer state)
    if framework == "torch":
        ta, tb = a.agent.optimizer.state_dict(), b.agent.optimizer.state_dict()
        assert ta["param_groups"][0]["lr"] == tb["param_groups"][0]["lr"]
        for k in ta["state"]:
            np.testing.assert_array_equal(ta["state"][k]["exp_avg"].numpy(), tb["state"][k]["exp_avg"].numpy())
    else:
        assert a.agent.policy_learning_rate == b.agent.policy_learning_rate


@pytest.mark.parametrize("framework", ["torch", "jax"])
def test_loading_state_of_another_network_size_fails(framework):
    a = make_backend(framework)
    b = make_backend(framework, policy_hidden=(8,), value_hidden=(8,))
    with pytest.raises((ValueError, RuntimeError, KeyError)):
        b.load_state_bytes(a.state_bytes())


@pytest.mark.parametrize("framework", ["torch", "jax"])
def test_shared_trunk_is_one_network_trained_by_both_losses(framework):
    backend = make_backend(framework, shared_trunk=True)
    agent = backend.agent
    assert agent.policy is agent.value
    before = _params(backend)
    assert rollout(backend, 4)[-1]
    after = _params(backend)
    trunk = [k for k in before if "trunk" in k]
    heads = [k for k in before if "mean_head" in k or "value_head" in k]
    assert trunk and heads
    for k in trunk + heads:
        assert not np.allclose(before[k], after[k]), f"{k} did not train"
    separate = make_backend(framework, shared_trunk=False)
    assert separate.agent.policy is not separate.agent.value
    n_separate = sum(v.size for v in _params(separate).values()) + sum(
        v.size for v in _params(separate, "value").values()
    )
    assert n_separate > sum(v.size for v in after.values())  # one trunk instead of two


def _params(backend, role: str = "policy") -> dict[str, np.ndarray]:
    model = getattr(backend.agent, role)
    if backend.name == "torch":
        return {k: v.detach().numpy().copy() for k, v in model.named_parameters()}
    import jax

    flat = jax.tree_util.tree_flatten_with_path(model.state_dict.params)[0]
    return {jax.tree_util.keystr(path): np.asarray(v) for path, v in flat}


@pytest.mark.parametrize("framework", ["torch", "jax"])
def test_deterministic_actions_are_the_clipped_mean_and_ignore_noise(framework):
    backend = make_backend(framework, init_log_std=1.0)
    probe = np.random.default_rng(2).standard_normal((64, 3)).astype(np.float32) * 50
    first = backend.deterministic(probe)
    assert first.shape == (64, 2) and first.dtype == np.float32
    np.testing.assert_array_equal(first, backend.deterministic(probe))
    assert first.min() >= -1.0 and first.max() <= 1.0
