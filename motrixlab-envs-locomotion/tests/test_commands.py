"""Velocity commands: ranges, standing share, resampling on the timer, consistency with the reward."""

from __future__ import annotations

import numpy as np
import pytest
from motrixlab_envs_locomotion.commands import DRAWS, CommandCfg, command_bounds, commands_from_draws, count_down
from motrixlab_envs_locomotion.observation import OBS_SLICES


def sample_commands(rng: np.random.Generator, n: int, cfg: CommandCfg) -> np.ndarray:
    """``n`` commands, (n, 3) float32, drawn the way the env draws them."""
    out = np.empty((n, 3), np.float32)
    commands_from_draws(
        rng.random((n, DRAWS), np.float32), *command_bounds(cfg), cfg.min_speed, cfg.standing_share, np.arange(n), out
    )
    return out


def test_samples_stay_in_range_with_a_standing_share():
    cfg = CommandCfg(lin_vel_x=(-1.0, 2.0), lin_vel_y=(-0.3, 0.3), ang_vel_yaw=(-0.5, 0.5), standing_share=0.25)
    cmd = sample_commands(np.random.default_rng(0), 20_000, cfg)
    assert cmd.dtype == np.float32 and cmd.shape == (20_000, 3)
    assert cmd[:, 0].min() >= -1.0 and cmd[:, 0].max() <= 2.0 and cmd[:, 0].max() > 1.9
    assert np.abs(cmd[:, 1]).max() <= 0.3 and np.abs(cmd[:, 2]).max() <= 0.5
    standing = (cmd == 0).all(axis=1).mean()
    assert standing == pytest.approx(0.25, abs=0.02)
    speed = np.hypot(cmd[:, 0], cmd[:, 1])
    assert not ((speed > 0) & (speed < cfg.min_speed)).any()  # too-slow planar commands become 0


def test_bad_ranges_are_rejected_by_name():
    with pytest.raises(ValueError, match=r"commands.lin_vel_x"):
        CommandCfg(lin_vel_x=(1.0, -1.0)).validate()
    with pytest.raises(ValueError, match=r"commands.standing_share"):
        CommandCfg(standing_share=1.5).validate()


def test_commands_are_resampled_every_few_seconds(make_walk, quiet_cfg):
    cfg = quiet_cfg(commands=CommandCfg(resample_seconds=0.1, standing_share=0.0))  # every 5 control steps
    env = make_walk(num_envs=16, cfg=cfg)
    history = [env.commands.copy()]
    for _ in range(15):
        obs, *_ = env.step(np.zeros((16, 12), np.float32))
        history.append(env.commands.copy())
        assert obs[:, OBS_SLICES["command"]] == pytest.approx(env.commands)  # the policy sees the new one
    changed = [i for i in range(1, 16) if not np.array_equal(history[i], history[i - 1])]
    assert changed == [5, 10, 15]
    assert all((history[i] != history[i - 1]).all() for i in changed)  # every env draws anew


def test_timers_count_down_independently_and_list_the_due_rows_in_order():
    steps_left, due = np.array([3, 1, 2, 1, 5], np.int64), np.full(5, -1, np.int64)
    assert count_down(steps_left, 4, due) == 2
    assert due[:2].tolist() == [1, 3] and steps_left.tolist() == [2, 4, 1, 4, 4]
    assert count_down(steps_left, 4, due) == 1 and due[0] == 2 and steps_left.tolist() == [1, 3, 4, 3, 3]
    assert count_down(steps_left, 4, due) == 1 and due[0] == 0 and steps_left.tolist() == [4, 2, 3, 2, 2]


def test_reward_is_measured_against_the_command_the_policy_saw(make_walk, quiet_cfg):
    cfg = quiet_cfg(commands=CommandCfg(resample_seconds=0.04, standing_share=0.0))  # every 2 steps
    env = make_walk(num_envs=8, cfg=cfg)
    obs = env.reset(seed=3)[0]
    for _ in range(6):
        shown = obs[:, OBS_SLICES["command"]].copy()
        obs, _, _, _, info = env.step(np.zeros((8, 12), np.float32))
        err = shown[:, :2] - env.lin_vel[:, :2]
        assert info["log"]["lin_vel_error"] == pytest.approx(np.hypot(err[:, 0], err[:, 1]), rel=1e-5)
