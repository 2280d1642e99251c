"""Actions to joint targets of the PD position actuators, compiled: one pass instead of four numpy calls."""

from __future__ import annotations

from numba import njit


@njit(cache=True)
def joint_targets(actions, scale, stand_targets, low, high, out):
    """``out = clip(stand_targets + scale * actions, low, high)``: actions (N, 12) offset each env's
    zero-action targets (N, 12), clipped to the actuators' control range (12,)."""
    for r in range(actions.shape[0]):
        for j in range(actions.shape[1]):
            t = stand_targets[r, j] + scale * actions[r, j]
            out[r, j] = min(max(t, low[j]), high[j])
