"""Planar bodies (walker, cheetah, hopper): a root that slides in x and z and pitches about y.

Every link's world pitch is the root pitch plus the hinge angles along its chain, so link
orientations, the torso height and the forward speed all follow from qpos/qvel with a few
numpy operations; nothing else is queried from the engine. ``PlanarEnv`` holds what the
planar tasks share: root indices, link pitches, and a reset around the model's rest pose.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

import numpy as np
from motrixlab import EnvCfg

from motrixlab_envs_basic.base import BasicEnv

ROOT_JOINTS = ("rootx", "rootz", "rooty")


@dataclass(kw_only=True)
class PlanarCfg(EnvCfg):
    """Reset: limb joint angles and all velocities get uniform noise in ±``reset_noise``."""

    reset_noise: float = 0.1

    def validate(self) -> None:
        super().validate()
        if not self.reset_noise >= 0:
            raise ValueError(f"reset_noise: must be >= 0, got {self.reset_noise!r}")


PlanarCfgT = TypeVar("PlanarCfgT", bound=PlanarCfg)


def pitch_matrix(joint_names: Sequence[str], chains: Mapping[str, Sequence[str]]) -> np.ndarray:
    """(nq, n_links) 0/1 matrix M so that ``qpos @ M`` is each link's pitch (all hinges share one axis)."""
    index = {name: i for i, name in enumerate(joint_names)}
    m = np.zeros((len(joint_names), len(chains)), np.float32)
    for col, chain in enumerate(chains.values()):
        for joint in chain:
            if joint not in index:
                raise ValueError(f"unknown joint {joint!r}; the model has {', '.join(joint_names)}")
            m[index[joint], col] = 1.0
    return m


class PlanarEnv(BasicEnv[PlanarCfgT]):
    """Subclasses set ``root_height`` (torso origin above the floor at rest) and ``chains``.

    ``chains`` maps each link to the joints whose angles add up to its pitch, starting with
    ``rooty``. The model's joints must begin with ``rootx, rootz, rooty`` in that order.
    """

    root_height: ClassVar[float]
    chains: ClassVar[Mapping[str, Sequence[str]]]

    def __init__(self, cfg: PlanarCfgT, *, num_envs: int = 1, seed: int | None = None) -> None:
        super().__init__(cfg, num_envs=num_envs, seed=seed)
        names = list(self.model.joint_names)
        if tuple(names[:3]) != ROOT_JOINTS or self.nq != len(names) or self.nv != len(names):
            raise ValueError(f"{cfg.model_file}: a planar model's joints must start with rootx, rootz, rooty")
        self._pitch = pitch_matrix(names, self.chains)
        self.joint_low = np.asarray(self.model.joint_limits, np.float64).reshape(2, -1)[0, 3:]
        self.joint_high = np.asarray(self.model.joint_limits, np.float64).reshape(2, -1)[1, 3:]

    # ---- state read from qpos / qvel --------------------------------------------------------
    def link_pitch(self) -> np.ndarray:
        """(N, n_links) world pitch of each link in ``chains`` order."""
        return self.state["qpos"] @ self._pitch

    def torso_height(self) -> np.ndarray:
        """(N,) height of the torso origin above the floor."""
        return self.state["qpos"][:, 1] + self.root_height

    def camera_view(self, row: int = 0) -> dict[str, Any]:
        """Follows the torso of env ``row`` along the track, from the side."""
        x = float(self.state["qpos"][row, 0])
        return {"lookat": [x, 0.0, self.root_height], "distance": 4.0, "elevation": -10.0, "azimuth": 90.0}

    def forward_speed(self) -> np.ndarray:
        """(N,) speed of the torso origin along +x (m/s)."""
        return self.state["qvel"][:, 0]

    # ---- reset ------------------------------------------------------------------------------
    def initial_state(self, n: int) -> np.ndarray:
        """The rest pose with uniform noise on limb angles (kept within limits) and all velocities."""
        noise = self.cfg.reset_noise
        state = np.zeros((n, self.nq + self.nv))
        limbs = self.rng.uniform(-noise, noise, (n, self.nq - 3))
        state[:, 3 : self.nq] = np.clip(limbs, self.joint_low, self.joint_high)
        state[:, self.nq :] = self.rng.uniform(-noise, noise, (n, self.nv))
        return state
