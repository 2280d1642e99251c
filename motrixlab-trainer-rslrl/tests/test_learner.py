"""The rsl_rl learner directly: time-limit bootstrap from ``final_obs``, updates once per rollout,
state round trips, the deterministic policy and its export parts."""

from __future__ import annotations

import numpy as np
import pytest
from motrixlab.rlcfg import PPOCfg
from motrixlab_testenv.scripted import ACT, OBS, N, ScriptedEnv, rollout

torch = pytest.importorskip("torch")


def make_learner(**cfg):
    from motrixlab_trainer_rslrl.learner import RslRlLearner

    training = cfg.pop("training", True)
    base = {
        "num_envs": N,
        "rollouts": 4,
        "learning_epochs": 2,
        "mini_batches": 2,
        "policy_hidden": (16, 16),
        "value_hidden": (16, 16),
        "seed": 3,
        "value_normalization": False,
    }
    return RslRlLearner(PPOCfg(**{**base, **cfg}), OBS, ACT, N, training=training)


def value_of(learner, obs: np.ndarray) -> np.ndarray:
    with torch.inference_mode():
        return learner.alg.critic(learner._td(torch.from_numpy(obs))).view(-1).numpy()


def test_networks_start_from_the_core_initialisation():
    learner = make_learner(policy_hidden=(16, 16), value_hidden=(8,))
    actor = [m for m in learner.alg.actor.mlp if isinstance(m, torch.nn.Linear)]
    critic = [m for m in learner.alg.critic.mlp if isinstance(m, torch.nn.Linear)]
    assert [tuple(m.weight.shape) for m in actor] == [(16, 3), (16, 16), (2, 16)]
    assert [tuple(m.weight.shape) for m in critic] == [(8, 3), (1, 8)]
    # orthogonal rows scaled by the gain: the mean head starts near 0, hidden layers at sqrt(2)
    np.testing.assert_allclose(torch.linalg.norm(actor[-1].weight, dim=1).detach().numpy(), 0.01, rtol=1e-4)
    np.testing.assert_allclose(torch.linalg.norm(actor[1].weight, dim=1).detach().numpy(), 2**0.5, rtol=1e-4)
    np.testing.assert_allclose(torch.linalg.norm(critic[-1].weight, dim=1).detach().numpy(), 1.0, rtol=1e-4)
    assert all(float(m.bias.detach().abs().max()) == 0.0 for m in actor + critic)
    obs = np.random.default_rng(0).standard_normal((64, 3)).astype(np.float32)
    assert np.abs(learner.deterministic(obs)).max() < 0.1  # the policy starts at the action centre


def test_a_policy_update_runs_once_per_rollout_and_is_tracked():
    learner = make_learner(rollouts=4)
    before = [p.detach().clone() for p in learner.alg.actor.parameters()]
    assert rollout(learner, 8) == [False, False, False, True] * 2
    after = list(learner.alg.actor.parameters())
    assert any(not torch.equal(a, b) for a, b in zip(before, after, strict=True))
    tracked = learner.take_tracking()
    assert {"loss/policy", "loss/value", "policy/std", "train/learning_rate", "perf/update_ms"} <= set(tracked)
    assert all(np.isfinite(v) for v in tracked.values())
    assert learner.take_tracking() == {}  # taken, then forgotten


def test_truncated_rows_bootstrap_from_final_obs_not_the_next_episode():
    learner = make_learner(gamma=0.9, rollouts=8, reward_scale=0.5)
    rollout(learner, 3)  # some history, no update yet
    rng = np.random.default_rng(1)
    env = ScriptedEnv(1)
    wrapped = learner.wrap(env)
    obs, _ = wrapped.reset()
    actions = learner.act(obs, 3, 8)
    next_obs = rng.standard_normal((N, 3)).astype(np.float32) + 5.0  # first obs of the next episodes
    final_obs = rng.standard_normal((N, 3)).astype(np.float32) - 5.0  # last obs of the finished ones
    truncated = np.zeros(N, bool)
    truncated[[1, 4]] = True
    terminated = np.zeros(N, bool)
    terminated[6] = True
    final = np.where((truncated | terminated)[:, None], final_obs, next_obs)
    bootstrap = 0.9 * value_of(learner, final)
    assert abs(bootstrap[1] - 0.9 * value_of(learner, next_obs)[1]) > 1e-4  # the two differ
    # rsl_rl's own time_outs handling would add gamma * V(obs before the step): also different
    assert abs(bootstrap[1] - 0.9 * value_of(learner, obs.numpy())[1]) > 1e-4
    env.next = (next_obs, np.full(N, 2.0, np.float32), terminated, truncated, {"final_obs": final, "log": {}})
    _, reward, term_t, trunc_t, info = wrapped.step(actions)
    learner.record(
        obs=obs,
        actions=actions,
        reward=reward,
        final_obs=info["final_obs"],
        terminated=term_t,
        truncated=trunc_t,
        timestep=3,
        timesteps=8,
    )
    storage = learner.alg.storage
    stored = storage.rewards[storage.step - 1, :, 0].numpy()
    want = np.full(N, 1.0)  # 2.0 * reward_scale
    want[truncated] += bootstrap[truncated]
    np.testing.assert_allclose(stored, want, rtol=1e-5, atol=1e-5)
    done = storage.dones[storage.step - 1, :, 0].numpy().astype(bool)
    assert np.array_equal(done, truncated | terminated)  # the return is cut at both
    assert np.array_equal(reward.numpy(), np.full(N, 2.0))  # the env's reward is not scaled in place


def test_without_time_limit_bootstrap_truncation_ends_the_return():
    learner = make_learner(time_limit_bootstrap=False, rollouts=8)
    env = ScriptedEnv()
    wrapped = learner.wrap(env)
    obs, _ = wrapped.reset()
    actions = learner.act(obs, 0, 8)
    truncated = np.zeros(N, bool)
    truncated[2] = True
    nxt = np.zeros((N, 3), np.float32)
    env.next = (nxt, np.ones(N, np.float32), np.zeros(N, bool), truncated, {"final_obs": nxt + 3, "log": {}})
    _, reward, term_t, trunc_t, info = wrapped.step(actions)
    learner.record(
        obs=obs,
        actions=actions,
        reward=reward,
        final_obs=info["final_obs"],
        terminated=term_t,
        truncated=trunc_t,
        timestep=0,
        timesteps=8,
    )
    storage = learner.alg.storage
    np.testing.assert_allclose(storage.rewards[0, :, 0].numpy(), np.ones(N))
    assert storage.dones[0, 2, 0] == 1


def test_value_normalization_scales_rewards_by_the_discounted_return_spread():
    learner = make_learner(value_normalization=True, rollouts=64)
    rollout(learner, 40)
    storage = learner.alg.storage
    stored = storage.rewards[: storage.step, :, 0].numpy()
    # the env pays 1 per step: the rewards learnt from shrink as the discounted return grows and spreads
    assert np.all(stored[-1] < 0.2) and np.all(stored[-1] < stored[5])
    assert np.array_equal(stored[0], np.ones(N))  # no spread seen yet: unscaled


def test_state_round_trip_restores_networks_optimizer_normaliser_and_rate():
    a = make_learner(value_normalization=True)
    rollout(a, 8)
    a.alg.learning_rate = 1.234e-3
    payload = a.state_bytes()
    b = make_learner(seed=99, value_normalization=True)
    b.load_state_bytes(payload)
    probe = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32) * 3
    np.testing.assert_array_equal(a.deterministic(probe), b.deterministic(probe))
    np.testing.assert_array_equal(value_of(a, probe), value_of(b, probe))
    assert b.alg.learning_rate == pytest.approx(1.234e-3)
    assert all(g["lr"] == pytest.approx(1.234e-3) for g in b.alg.optimizer.param_groups)
    assert torch.equal(a._reward_norm.emp_norm._var, b._reward_norm.emp_norm._var)
    # the same next rollout and update from both: identical parameters after it
    torch.manual_seed(5)
    rollout(a, 4, seed=7)
    torch.manual_seed(5)
    rollout(b, 4, seed=7)
    for pa, pb in zip(a.alg.actor.parameters(), b.alg.actor.parameters(), strict=True):
        assert torch.equal(pa, pb)


def test_a_payload_of_other_networks_or_with_code_is_refused():
    payload = make_learner(policy_hidden=(8,)).state_bytes()
    with pytest.raises(RuntimeError, match="size mismatch"):
        make_learner().load_state_bytes(payload)
    import io
    import pickle

    class Evil:
        def __reduce__(self):
            return (print, ("ran",))

    buffer = io.BytesIO()
    pickle.dump({"actor": Evil()}, buffer, protocol=2)
    with pytest.raises(ValueError, match="payload refused"):
        make_learner().load_state_bytes(buffer.getvalue())


def test_deterministic_actions_are_the_clipped_mean_and_export_parts_reproduce_them():
    learner = make_learner(training=False)
    with torch.no_grad():  # a large mean: clipping must show
        learner.alg.actor.mlp[-1].bias.fill_(3.0)
    probe = np.random.default_rng(2).standard_normal((16, 3)).astype(np.float32)
    actions = learner.deterministic(probe)
    assert actions.shape == (16, 2) and np.all(actions <= 1.0) and np.allclose(actions, 1.0)
    parts = learner.policy_export_parts()
    from motrixlab.training.export import build_module

    with torch.no_grad():
        got = build_module(parts)(torch.from_numpy(probe)).numpy()
    np.testing.assert_allclose(got, actions, atol=1e-6)


def test_weights_only_takes_the_policy_and_normalisers_but_not_the_optimizer_or_rate():
    a = make_learner(value_normalization=True)
    rollout(a, 8)
    a.alg.learning_rate = 1.234e-3
    b = make_learner(seed=99, value_normalization=True)
    b.load_state_bytes(a.state_bytes(), weights_only=True)
    probe = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32) * 3
    np.testing.assert_array_equal(a.deterministic(probe), b.deterministic(probe))
    np.testing.assert_array_equal(value_of(a, probe), value_of(b, probe))
    assert b.alg.learning_rate == pytest.approx(b.cfg.learning_rate)  # a fresh schedule
    assert not b.alg.optimizer.state  # a fresh optimizer: no Adam moments yet
