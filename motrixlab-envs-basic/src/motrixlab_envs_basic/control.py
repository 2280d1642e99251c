"""Normalised motor control: policies act in [-1, 1]; each actuator's ctrlrange is the physical scale."""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces
from motrixlab.npenv import NpEnv


class MotorControl:
    """Maps actions in [-1, 1] affinely onto the model's actuator ctrlranges.

    The controls go in with one ``SceneData.actuator_ctrls`` assignment of the whole batch, which
    costs less per step than a compiled write plan of the same array.
    """

    def __init__(self, env: NpEnv[Any]) -> None:
        limits = np.asarray(env.model.actuator_ctrl_limits, dtype=np.float32).reshape(2, -1)  # rows: low, high
        self.low, self.high = limits[0], limits[1]
        self.scale = (self.high - self.low) / 2
        self.offset = (self.high + self.low) / 2
        self.centred = bool(np.all(self.offset == 0))
        self._u = np.zeros((env.num_envs, len(self.scale)), np.float32)
        self._data = env.data
        self.action = np.zeros((env.num_envs, len(self.scale)), np.float32)

    @property
    def space(self) -> spaces.Box:
        """The single-env action space: one entry in [-1, 1] per actuator."""
        return spaces.Box(-1.0, 1.0, shape=(len(self.scale),), dtype=np.float32)

    def apply(self, actions: np.ndarray) -> None:
        """Write ``actions`` (N, A), already clipped to [-1, 1], as controls for the next physics steps."""
        self.action = actions
        np.multiply(actions, self.scale, out=self._u)
        if not self.centred:
            self._u += self.offset
        self._data.actuator_ctrls = self._u

    @property
    def ctrl(self) -> np.ndarray:
        """The controls last written, (N, A), in physical units."""
        return self._u
