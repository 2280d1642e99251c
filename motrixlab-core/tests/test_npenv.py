"""``NpEnv`` on real MotrixSim physics, through the ``test-slider`` env (a motor-driven cart-pole).

Twin envs (same seed, same actions) are the reference: MotrixSim is deterministic and rows do
not interact, so anything the base class does to one row must leave the twin's other rows
bit-identical.
"""

from __future__ import annotations

import numpy as np
import pytest
from motrixlab import ConfigError, MotrixLabError
from motrixlab.errors import ModelLoadError
from motrixlab_testenv.env import SliderCfg, SliderEnv
from motrixlab_testenv.lean import LeanEnv

N = 6
PUSHED = 2  # the row driven hard enough to terminate


def gentle(t: int, n: int = N) -> np.ndarray:
    """Small, row-dependent actions: the carts move but no pole reaches the termination angle."""
    return (0.1 * np.sin(0.2 * t + np.arange(n))).astype(np.float32)[:, None]


def pushed(t: int) -> np.ndarray:
    a = gentle(t)
    a[PUSHED] = 1.0
    return a


def state(env) -> np.ndarray:
    return np.concatenate((env.data.dof_pos, env.data.dof_vel), axis=1)


def test_reset_and_step_shapes_and_dtypes(slider):
    env = slider(num_envs=N, seed=0)
    obs, info = env.reset()
    assert obs.shape == (N, 4) and obs.dtype == np.float32
    assert isinstance(info["log"], dict)
    # reset_rows draws x in [-reset_noise, reset_noise] and starts at rest, upright
    assert np.all(np.abs(obs[:, 0]) <= env.cfg.reset_noise)
    assert np.all(obs[:, 1:] == 0.0)
    assert len(np.unique(obs[:, 0])) == N
    obs, reward, terminated, truncated, info = env.step(np.zeros((N, 1), np.float32))
    assert obs.shape == (N, 4) and obs.dtype == np.float32
    assert reward.shape == (N,) and reward.dtype == np.float32
    assert terminated.shape == truncated.shape == (N,)
    assert terminated.dtype == truncated.dtype == np.bool_
    assert info["final_obs"].shape == (N, 4)
    assert info["log"]["diverged"] == 0


def test_actions_drive_the_cart(slider):
    env = slider(num_envs=2, seed=0)
    env.reset()
    for _ in range(5):
        obs, *_ = env.step(np.array([[1.0], [-1.0]], np.float32))
    assert obs[0, 2] > 0.1 and obs[1, 2] < -0.1  # cart velocity follows the motor's sign
    assert obs[0, 1] * obs[0, 2] < 0  # the pole lags behind the accelerating cart


def test_step_before_reset_is_an_error(slider):
    env = slider(num_envs=2)
    with pytest.raises(RuntimeError, match=r"before reset\(\)"):
        env.step(np.zeros((2, 1), np.float32))


def test_auto_reset_touches_only_finished_rows(slider):
    env = slider(num_envs=N, seed=3, max_angle=0.03)
    twin = slider(num_envs=N, seed=3, max_angle=0.03)
    np.testing.assert_array_equal(env.reset()[0], twin.reset()[0])
    others = np.arange(N) != PUSHED
    resets = 0
    for t in range(1, env.max_episode_steps):  # stop before the shared time limit
        obs, rew, term, trunc, info = env.step(pushed(t))
        tobs, trew, tterm, ttrunc, _ = twin.step(gentle(t))
        assert not tterm.any() and not ttrunc.any(), "precondition: gentle actions never end an episode"
        assert not term[others].any() and not trunc.any()
        np.testing.assert_array_equal(obs[others], tobs[others])
        np.testing.assert_array_equal(rew, trew)
        np.testing.assert_array_equal(state(env)[others], state(twin)[others])
        if term[PUSHED]:
            resets += 1
            assert abs(info["final_obs"][PUSHED, 1]) > env.cfg.max_angle
            assert abs(obs[PUSHED, 0]) <= env.cfg.reset_noise
            assert np.all(obs[PUSHED, 1:] == 0.0)
            np.testing.assert_array_equal(state(env)[PUSHED, 1:], 0.0)
    assert resets >= 3


def test_final_obs_is_the_last_observation_of_the_finished_episode(slider):
    env = slider(num_envs=N, seed=5, max_angle=0.03)
    never_ends = slider(num_envs=N, seed=5, max_angle=10.0)  # same physics, no termination
    env.reset()
    never_ends.reset()
    for t in range(1, 20):
        obs, _, term, _, info = env.step(pushed(t))
        ref, *_ = never_ends.step(pushed(t))
        if term.any():
            break
    else:
        pytest.fail("the pushed row never terminated")
    assert term.tolist() == [i == PUSHED for i in range(N)]
    np.testing.assert_array_equal(info["final_obs"][PUSHED], ref[PUSHED])
    np.testing.assert_array_equal(info["final_obs"][~term], obs[~term])
    assert not np.array_equal(obs[PUSHED], ref[PUSHED])  # the row already started a new episode


class StateLogSlider(SliderEnv):
    """Logs the pole angle as a view of the state buffer, as tasks that log a state quantity do."""

    def compute_reward(self) -> np.ndarray:
        self.log["theta"] = self.state["qpos"][:, 1]
        return super().compute_reward()


def test_a_log_entry_viewing_the_state_keeps_this_steps_values_after_a_reset():
    env = StateLogSlider(SliderCfg(max_angle=0.03), num_envs=N, seed=5)
    env.reset()
    for t in range(1, 20):
        _, _, term, _, info = env.step(pushed(t))
        if term.any():
            break
    else:
        pytest.fail("the pushed row never terminated")
    env.close()
    # the ended row's logged angle is the one it ended with (past the limit), not the new episode's 0
    np.testing.assert_array_equal(info["log"]["theta"], info["final_obs"][:, 1])
    assert abs(info["log"]["theta"][PUSHED]) > 0.03


def test_truncation_at_exactly_max_episode_steps(slider):
    env = slider(num_envs=3, seed=1, max_episode_seconds=0.3)
    assert env.max_episode_steps == 15
    obs, _ = env.reset()
    zero = np.zeros((3, 1), np.float32)
    for episode in range(2):
        start = obs
        for t in range(1, 16):
            obs, _, term, trunc, info = env.step(zero)
            assert not term.any()
            if t < 15:
                assert not trunc.any(), f"truncated early at step {t} of episode {episode}"
                np.testing.assert_array_equal(info["final_obs"], obs)
        assert trunc.all()
        # At rest and upright the state does not move: the final observation is the start one.
        np.testing.assert_array_equal(info["final_obs"], start)
        assert not np.array_equal(obs[:, 0], start[:, 0])  # new episodes draw new cart positions
        np.testing.assert_array_equal(env.episode_steps, 0)


def test_nan_in_one_row_resets_that_row_only(slider):
    env = slider(num_envs=5, seed=1)
    twin = slider(num_envs=5, seed=1)
    env.reset()
    twin.reset()
    bad = 3
    keep = np.arange(5) != bad
    for t in range(1, 6):
        env.step(gentle(t, 5))
        twin.step(gentle(t, 5))
    env.data[bad].set_dof_vel(np.array([np.nan, 0.0], np.float32))
    assert np.isnan(env.data.dof_vel[bad, 0])
    obs, reward, term, _trunc, info = env.step(gentle(6, 5))
    tobs, *_ = twin.step(gentle(6, 5))
    assert info["log"]["diverged"] == 1
    assert term.tolist() == [i == bad for i in range(5)]
    assert np.isfinite(obs).all() and np.isfinite(reward).all()
    assert reward[bad] == 0.0
    assert abs(obs[bad, 0]) <= env.cfg.reset_noise and np.all(obs[bad, 1:] == 0.0)
    np.testing.assert_array_equal(obs[keep], tobs[keep])
    for t in range(7, 12):
        obs, _, term, _, info = env.step(gentle(t, 5))
        tobs, *_ = twin.step(gentle(t, 5))
        assert info["log"]["diverged"] == 0 and not term.any()
        assert np.isfinite(state(env)).all()
        np.testing.assert_array_equal(obs[keep], tobs[keep])


@pytest.mark.parametrize("value", [1e8, np.inf, -1e30])
def test_huge_state_in_one_row_resets_that_row_only(slider, value):
    # The slider's solver does not panic at these magnitudes (it integrates them, or goes NaN):
    # the divergence check must catch them before they reach a magnitude that panics.
    env = slider(num_envs=4, seed=2)
    twin = slider(num_envs=4, seed=2)
    env.reset()
    twin.reset()
    env.data[0].set_dof_pos(np.array([value, 0.0], np.float32), env.model)
    obs, _, term, _, info = env.step(gentle(1, 4))
    tobs, *_ = twin.step(gentle(1, 4))
    assert info["log"]["diverged"] == 1 and term[0] and not term[1:].any()
    assert np.isfinite(obs).all() and abs(obs[0, 0]) <= env.cfg.reset_noise
    np.testing.assert_array_equal(obs[1:], tobs[1:])


# ---- action validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actions", "pattern"),
    [
        (np.zeros((4,), np.float32), r"expected shape \(4, 1\), got \(4,\)"),
        (np.zeros((5, 1), np.float32), r"expected shape \(4, 1\), got \(5, 1\)"),
        (np.zeros((4, 2), np.float32), r"expected shape \(4, 1\), got \(4, 2\)"),
        (np.zeros((4, 1), np.int64), r"float.*got dtype int64"),
        (np.zeros((4, 1), bool), r"float.*got dtype bool"),
        (np.array([[0.0], [np.nan], [0.0], [np.inf]], np.float32), r"non-finite values in rows \[1, 3\]"),
    ],
)
def test_bad_actions_raise_value_error_and_change_nothing(slider, actions, pattern):
    env = slider(num_envs=4, seed=0)
    env.reset()
    env.step(gentle(1, 4))
    before = state(env)
    steps = env.episode_steps.copy()
    with pytest.raises(ValueError, match=pattern):
        env.step(actions)
    np.testing.assert_array_equal(state(env), before)
    np.testing.assert_array_equal(env.episode_steps, steps)


def test_actions_are_clipped_to_the_action_space_and_float64_is_accepted(slider):
    env = slider(num_envs=2, seed=0)
    twin = slider(num_envs=2, seed=0)
    env.reset()
    twin.reset()
    for _ in range(5):
        obs, *_ = env.step(np.array([[7.0], [-3.0]]))  # float64, out of range
        ref, *_ = twin.step(np.array([[1.0], [-1.0]], np.float32))
    np.testing.assert_array_equal(obs, ref)


# ---- model and config errors --------------------------------------------------------------------


def test_missing_model_file_is_a_model_load_error(slider, tmp_path):
    missing = tmp_path / "nowhere.xml"
    with pytest.raises(ModelLoadError, match=r"nowhere\.xml") as err:
        slider(model_file=str(missing))
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("broken.xml", "<mujoco><worldbody><body></mujoco>"),
        ("empty.xml", ""),
        ("unknown.xml", "<mujoco><worldbody><flexcomp/></worldbody></mujoco>"),
        ("model.txt", "<mujoco/>"),
    ],
)
def test_invalid_model_file_is_a_model_load_error(slider, tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ModelLoadError, match=rf"{name}.*could not be loaded") as err:
        slider(model_file=str(path))
    assert "\n" not in str(err.value)
    assert isinstance(err.value, MotrixLabError)


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"ctrl_dt": 0.015}, r"SliderCfg\.ctrl_dt: must be a whole multiple of sim_dt"),
        ({"sim_dt": -0.01}, r"SliderCfg\.sim_dt: must be a positive number"),
        ({"max_episode_seconds": float("nan")}, r"max_episode_seconds"),
    ],
)
def test_invalid_timing_is_a_config_error(slider, kwargs, pattern):
    with pytest.raises(ConfigError, match=pattern):
        slider(**kwargs)


@pytest.mark.parametrize("num_envs", [0, -1, 2.5, True])
def test_invalid_num_envs_is_a_config_error(slider, num_envs):
    with pytest.raises(ConfigError, match="num_envs"):
        slider(num_envs=num_envs)


# ---- timing, seeding, accounting ----------------------------------------------------------------


def test_control_decimation_steps_physics_sim_substeps_times(slider):
    coarse = slider(num_envs=3, seed=4, ctrl_dt=0.04, sim_dt=0.01)
    fine = slider(num_envs=3, seed=4, ctrl_dt=0.01, sim_dt=0.01)
    assert coarse.sim_substeps == 4 and fine.sim_substeps == 1
    assert coarse.model.options.timestep == pytest.approx(0.01)
    np.testing.assert_array_equal(coarse.reset()[0], fine.reset()[0])
    for t in range(3):
        a = gentle(t, 3) * 5
        obs, *_ = coarse.step(a)
        for _ in range(4):
            ref, *_ = fine.step(a)
    np.testing.assert_array_equal(obs, ref)


def run(env, steps: int = 40) -> list[np.ndarray]:
    out = [env.reset()[0]]
    for t in range(steps):
        obs, rew, term, trunc, info = env.step(pushed(t))
        out += [obs, rew, term, trunc, info["final_obs"]]
    return out


def test_same_seed_same_trajectory_different_seed_different_resets(slider):
    a = run(slider(num_envs=N, seed=7, max_angle=0.03))
    b = run(slider(num_envs=N, seed=7, max_angle=0.03))
    c = run(slider(num_envs=N, seed=8, max_angle=0.03))
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a[0], c[0])


def test_reset_with_seed_reproduces_the_episode_start(slider):
    env = slider(num_envs=N, seed=1)
    first = env.reset(seed=11)[0]
    env.step(gentle(0))
    other = env.reset(seed=12)[0]
    again = env.reset(seed=11)[0]
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_physics_share_is_a_fraction_of_step_time(slider):
    env = slider(num_envs=64, seed=0)
    assert env.physics_share == 0.0  # nothing timed yet
    env.reset()
    for t in range(30):
        env.step(gentle(t, 64))
    assert 0.0 < env.physics_seconds <= env.step_seconds
    assert 0.0 < env.physics_share <= 1.0


def test_close_makes_the_env_unusable(slider):
    env = slider(num_envs=2)
    env.reset()
    env.close()
    with pytest.raises(RuntimeError):
        env.step(np.zeros((2, 1), np.float32))


class RecordingSlider(SliderEnv):
    """Keeps what reached ``apply_action``, and builds obs in one reused buffer (a common speed-up)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.seen: list[np.ndarray] = []
        self._obs = np.zeros((self.num_envs, 4), np.float32)

    def apply_action(self, actions: np.ndarray) -> None:
        self.seen.append(actions.copy())
        super().apply_action(actions)

    def compute_obs(self) -> np.ndarray:
        np.concatenate((self.state["qpos"], self.state["qvel"]), axis=1, out=self._obs)
        return self._obs


def test_apply_action_receives_float32_actions_clipped_to_the_action_space():
    env = RecordingSlider(SliderCfg(), num_envs=3, seed=0)
    env.reset()
    env.step(np.array([[7.0], [-0.25], [-3.0]]))
    (seen,) = env.seen
    assert seen.dtype == np.float32
    np.testing.assert_array_equal(seen, [[1.0], [-0.25], [-1.0]])


def test_final_obs_survives_an_env_that_reuses_its_obs_buffer():
    env = RecordingSlider(SliderCfg(max_episode_seconds=0.1), num_envs=3, seed=0)
    start, _ = env.reset()
    start = start.copy()
    for _ in range(env.max_episode_steps):
        obs, _, _, trunc, info = env.step(np.zeros((3, 1), np.float32))
    assert trunc.all()
    np.testing.assert_array_equal(info["final_obs"], start)  # at rest: the episode ended where it began
    assert not np.array_equal(info["final_obs"], obs)


# ---- the step order (NpEnv class docstring), through the test-refresh env --------------------------


class OrderRecorder(LeanEnv):
    """Records each hook call: its rows, ``self.state`` (qpos | qvel) as the hook sees it, the
    simulation's state at that moment, and ``episode_steps``."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.calls: list[tuple[str, list[int] | None]] = []
        self.seen: list[dict[str, np.ndarray]] = []

    def _note(self, hook: str, ids: np.ndarray | None = None) -> None:
        self.calls.append((hook, None if ids is None else ids.tolist()))
        read = np.concatenate((self.state["qpos"], self.state["qvel"]), axis=1)
        self.seen.append({"state": read, "sim": state(self), "episode_steps": self.episode_steps.copy()})

    def apply_action(self, actions: np.ndarray) -> None:
        self._note("apply_action")
        super().apply_action(actions)

    def refresh(self, ids: np.ndarray | None) -> None:
        self._note("refresh", ids)
        super().refresh(ids)

    def compute_obs(self) -> np.ndarray:
        self._note("compute_obs")
        return super().compute_obs()

    def compute_reward(self) -> np.ndarray:
        self._note("compute_reward")
        return super().compute_reward()

    def compute_terminated(self) -> np.ndarray:
        self._note("compute_terminated")
        return super().compute_terminated()

    def step_within_limits(self, obs: np.ndarray, reward: np.ndarray) -> bool:
        self._note("step_within_limits")
        return super().step_within_limits(obs, reward)

    def reset_rows(self, ids: np.ndarray) -> None:
        self._note("reset_rows", ids)
        super().reset_rows(ids)

    def take(self) -> tuple[list[tuple[str, list[int] | None]], list[dict[str, np.ndarray]]]:
        calls, seen = self.calls, self.seen
        self.calls, self.seen = [], []
        return calls, seen


STEP = [
    ("apply_action", None),
    ("refresh", None),
    ("compute_obs", None),
    ("compute_reward", None),
    ("compute_terminated", None),
    ("step_within_limits", None),
]


def test_step_calls_the_hooks_in_the_written_order_on_the_written_rows():
    env = OrderRecorder(SliderCfg(max_angle=0.03), num_envs=N, seed=3)
    every = list(range(N))
    obs, _ = env.reset()
    calls, seen = env.take()
    assert calls == [("reset_rows", every), ("refresh", every), ("compute_obs", None)]
    assert seen[0]["episode_steps"].tolist() == [0] * N  # no episode had begun
    # refresh(ids) sees the state of the new episodes, read back from the simulation
    np.testing.assert_array_equal(seen[1]["state"], seen[1]["sim"])
    np.testing.assert_array_equal(obs[:, :4], seen[1]["state"])
    np.testing.assert_array_equal(obs[:, 4], 0.0)  # upright at the start: no lean

    ended_at = None
    for t in range(1, env.max_episode_steps):
        before = obs[:, :4].copy()
        obs, reward, term, trunc, info = env.step(pushed(t))
        calls, seen = env.take()
        assert not trunc.any()
        # apply_action sees the state the previous step (or reset) ended with, new episodes included
        np.testing.assert_array_equal(seen[0]["state"], before)
        steps = seen[0]["episode_steps"]
        # refresh(None): every row, right after the physics, this step counted
        np.testing.assert_array_equal(seen[1]["state"], seen[1]["sim"])
        assert not np.array_equal(seen[1]["state"], seen[0]["state"])
        np.testing.assert_array_equal(seen[1]["episode_steps"], steps + 1)
        if not term.any():
            assert calls == STEP
            np.testing.assert_array_equal(info["final_obs"], obs)
        else:
            assert term.tolist() == [i == PUSHED for i in range(N)]
            assert calls == [*STEP, ("reset_rows", [PUSHED]), ("refresh", [PUSHED]), ("compute_obs", None)]
            # reset_rows sees the finished episode's last state (this step's) and its length
            reset, fresh = seen[len(STEP)], seen[len(STEP) + 1]
            np.testing.assert_array_equal(reset["state"], seen[1]["state"])
            np.testing.assert_array_equal(info["final_obs"][:, :4], reset["state"])
            assert reset["episode_steps"][PUSHED] == steps[PUSHED] + 1
            # refresh([PUSHED]) sees the new episode's state of that row, episode_steps reset to 0
            np.testing.assert_array_equal(fresh["state"], fresh["sim"])
            assert fresh["episode_steps"][PUSHED] == 0 and np.all(fresh["state"][PUSHED, 1:] == 0.0)
            others = np.arange(N) != PUSHED
            np.testing.assert_array_equal(fresh["state"][others], reset["state"][others])
            # the returned observation is the new episode's (lean from refresh([PUSHED])); the final
            # observation, reward and termination are the finished episode's
            np.testing.assert_array_equal(obs[:, :4], fresh["state"])
            assert obs[PUSHED, 4] == 0.0 and info["final_obs"][PUSHED, 4] > 1.0
            assert reward[PUSHED] == 1.0 - info["final_obs"][PUSHED, 4] < 0.0
            np.testing.assert_array_equal(info["final_obs"][others], obs[others])
            ended_at = t
        # the compute hooks read what refresh left for this step's state, in every row
        lean = np.abs(info["final_obs"][:, 1]) / np.float32(env.cfg.max_angle)
        np.testing.assert_array_equal(info["final_obs"][:, 4], lean)
        np.testing.assert_array_equal(reward, 1.0 - lean)
        if ended_at is not None and t > ended_at + 1:
            break
    assert ended_at is not None, "the pushed row never terminated"
    env.close()


def test_the_refresh_env_is_registered_and_steps_like_the_slider():
    import motrixlab

    env = motrixlab.make("test-refresh", num_envs=N, seed=5, overrides={"max_angle": 0.03})
    twin = motrixlab.make("test-slider", num_envs=N, seed=5, overrides={"max_angle": 0.03})
    assert isinstance(env, LeanEnv) and env.observation_space.shape == (5,)
    np.testing.assert_array_equal(env.reset()[0][:, :4], twin.reset()[0])
    for t in range(30):
        obs, _, term, trunc, info = env.step(pushed(t))
        tobs, _, tterm, ttrunc, tinfo = twin.step(pushed(t))
        np.testing.assert_array_equal(obs[:, :4], tobs)
        np.testing.assert_array_equal(info["final_obs"][:, :4], tinfo["final_obs"])
        assert term.tolist() == tterm.tolist() and trunc.tolist() == ttrunc.tolist()
    env.close()
    twin.close()
