"""Command sequences follow the training distribution of the description, or one fixed command."""

from __future__ import annotations

import numpy as np
from motrixlab_deploy_mujoco.commands import command_sequences

DESCRIPTION = {
    "timing": {"physics_dt": 0.01, "decimation": 2},
    "commands": {
        "low": [-1.0, -0.6, -1.0],
        "high": [1.0, 0.6, 1.0],
        "resample_seconds": 5.0,
        "standing_share": 0.1,
        "min_speed": 0.1,
    },
}


def test_sampled_as_in_training():
    cmd = command_sequences(DESCRIPTION, 400, 1000, np.random.default_rng(0))
    assert cmd.shape == (400, 1000, 3) and cmd.dtype == np.float32
    # a new draw every 250 control steps (5 s at 20 ms), constant in between
    assert np.all(cmd[:, :250] == cmd[:, :1]) and np.any(cmd[:, 250] != cmd[:, 249])
    draws = cmd[:, ::250].reshape(-1, 3)
    assert np.all(draws >= [-1.0, -0.6, -1.0]) and np.all(draws <= [1.0, 0.6, 1.0])
    planar = np.hypot(draws[:, 0], draws[:, 1])
    assert not np.any((planar > 0) & (planar < 0.1))  # slow planar commands are zeroed
    standing = np.all(draws == 0, axis=1).mean()
    assert 0.06 < standing < 0.14  # the standing share (0.1)
    assert abs(draws[:, 0].mean()) < 0.06 and draws[:, 0].std() > 0.5  # spread over the range


def test_a_fixed_command_and_no_commands():
    cmd = command_sequences(DESCRIPTION, 2, 10, np.random.default_rng(0), fixed=(0.8, 0.0, 0.0))
    assert np.all(cmd == np.array([0.8, 0.0, 0.0], np.float32))
    assert command_sequences({**DESCRIPTION, "commands": None}, 2, 10, np.random.default_rng(0)) is None
