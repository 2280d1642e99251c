"""Actions to PD joint targets."""

from __future__ import annotations

import numpy as np
from motrixlab_envs_locomotion.control import joint_targets


def test_joint_targets_offset_each_envs_stand_targets_and_clip_to_the_control_range():
    rng = np.random.default_rng(0)
    actions = rng.uniform(-3, 3, (5, 12)).astype(np.float32)  # beyond [-1, 1] too: the range clip must bite
    stand = rng.uniform(-0.5, 0.5, (5, 12)).astype(np.float32)
    low, high = np.full(12, -0.8, np.float32), np.full(12, 0.6, np.float32)
    out = np.full((5, 12), np.nan, np.float32)
    joint_targets(actions, np.float32(0.5), stand, low, high, out)
    expected = np.minimum(np.maximum(stand + np.float32(0.5) * actions, low), high)
    np.testing.assert_array_equal(out, expected)  # the same float32 arithmetic as numpy
    assert (out == low).any() and (out == high).any() and ((out > low) & (out < high)).any()
