"""Cart-pole physics and task semantics: dynamics against the equations of motion, thresholds, auto-reset."""

from __future__ import annotations

import motrixlab
import numpy as np
import pytest
from motrixlab_envs_basic.cartpole import CartPoleCfg, CartPoleEnv

# figures of cartpole.xml
CART_MASS, POLE_MASS, POLE_COM, POLE_INERTIA, DAMPING, GEAR, G = 4.2, 5.0, 0.3, 0.153, 1.0, 100.0, 9.81


def reference_rollout(theta0: float, force: float, seconds: float, dt: float = 1e-4) -> np.ndarray:
    """RK4 on the Lagrangian equations of a cart-pole with viscous joint damping: (x, theta, xdot, thetadot)."""
    m, big_m, arm = POLE_MASS, CART_MASS, POLE_COM

    def deriv(s):
        _, th, xd, thd = s
        c, sn = np.cos(th), np.sin(th)
        a = np.array([[big_m + m, m * arm * c], [m * arm * c, POLE_INERTIA + m * arm * arm]])
        b = np.array([force - DAMPING * xd + m * arm * sn * thd**2, m * G * arm * sn - DAMPING * thd])
        xdd, thdd = np.linalg.solve(a, b)
        return np.array([xd, thd, xdd, thdd])

    s = np.array([0.0, theta0, 0.0, 0.0])
    for _ in range(round(seconds / dt)):
        k1 = deriv(s)
        k2 = deriv(s + dt / 2 * k1)
        k3 = deriv(s + dt / 2 * k2)
        k4 = deriv(s + dt * k3)
        s = s + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return s


@pytest.mark.parametrize("action", [0.0, 0.2])
def test_dynamics_match_the_equations_of_motion(action):
    cfg = CartPoleCfg(max_angle=3.0, max_position=0.95)
    env = CartPoleEnv(cfg, num_envs=1, seed=0)
    env.reset()
    env.set_state([0.0, 0.1], [0.0, 0.0])
    for _ in range(40):  # 0.4 s
        obs, *_ = env.step(np.full((1, 1), action, np.float32))
    expected = reference_rollout(0.1, force=action * 3 * GEAR, seconds=0.4)
    assert abs(obs[0, 1] - expected[1]) < 0.02 * max(1.0, abs(expected[1])), (obs[0], expected)
    assert abs(obs[0, 0] - expected[0]) < 0.01 + 0.02 * abs(expected[0]), (obs[0], expected)
    assert abs(expected[1] - 0.1) > 0.2  # the pole really moved: the comparison is not trivial


def test_zero_action_keeps_an_upright_pole_balanced():
    env = CartPoleEnv(CartPoleCfg(reset_noise=0.0), num_envs=2, seed=0)
    env.reset()
    zeros = np.zeros((2, 1), np.float32)
    for _ in range(300):
        obs, reward, terminated, _, _ = env.step(zeros)
        assert not terminated.any()
    np.testing.assert_allclose(obs, 0.0, atol=1e-5)
    assert reward.tolist() == [1.0, 1.0]


def test_constant_push_tips_the_pole_backwards_and_terminates_at_the_angle():
    env = CartPoleEnv(CartPoleCfg(reset_noise=0.0), num_envs=1, seed=0)
    obs, _ = env.reset()
    push = np.full((1, 1), 0.5, np.float32)
    for _ in range(200):
        prev = obs
        obs, _, terminated, _, info = env.step(push)
        if terminated[0]:
            break
    else:
        pytest.fail("a constant push never tipped the pole")
    final = info["final_obs"][0]
    assert final[1] < -0.2 <= prev[0, 1]  # pushing the cart forward tips the pole back, past the threshold
    assert final[0] > 0 and abs(final[0]) <= 0.8
    assert env.episode_steps[0] == 0 and abs(final[2]) > 0.5  # restarted after a fast fall
    assert abs(obs[0, 1]) <= env.cfg.reset_noise  # the row restarted upright


def test_position_threshold_terminates():
    env = CartPoleEnv(CartPoleCfg(reset_noise=0.0, max_angle=3.2), num_envs=1, seed=0)
    obs, _ = env.reset()
    for _ in range(300):
        prev = obs
        obs, _, terminated, _, info = env.step(np.ones((1, 1), np.float32))
        if terminated[0]:
            break
    else:
        pytest.fail("the cart never left the track")
    assert info["final_obs"][0, 0] > 0.8 >= prev[0, 0]


def test_auto_reset_only_for_finished_rows_with_final_obs():
    env = motrixlab.make("cartpole", num_envs=4, seed=3, overrides={"reset_noise": 0.0})
    obs, _ = env.reset()
    action = np.zeros((4, 1), np.float32)
    action[2] = -1.0  # only row 2 is pushed over
    for _ in range(100):
        obs, _, terminated, truncated, info = env.step(action)
        if terminated.any():
            break
    assert terminated.tolist() == [False, False, True, False]
    assert not truncated.any()
    final = info["final_obs"]
    assert final[2, 1] > 0.2  # pushed backwards (-x): the pole tips forwards
    np.testing.assert_array_equal(obs[2], 0.0)  # restarted at rest (reset_noise=0)
    np.testing.assert_array_equal(final[[0, 1, 3]], obs[[0, 1, 3]])
    assert env.episode_steps.tolist()[2] == 0 and env.episode_steps[0] > 0


def test_reset_noise_is_uniform_within_the_bound():
    env = CartPoleEnv(CartPoleCfg(), num_envs=512, seed=0)
    obs, _ = env.reset()
    assert np.abs(obs).max() <= 0.01
    assert np.abs(obs).max() > 0.009 and abs(obs.mean()) < 0.001
