"""``BasicEnv``: what every task in this package shares.

Actions are motor commands in [-1, 1] (see ``control.MotorControl``); the state is the joint
positions and velocities (no floating bases), which is all these tasks read. A reset writes
fresh joint positions and velocities for the finished rows only, through one write plan.
Most tasks' ``compute_*`` hooks read the state directly, each on its own; a quantity that both
observation and reward need is computed once, in ``refresh`` (``reacher``'s fingertip).
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

import numpy as np
from motrixlab import EnvCfg
from motrixlab.npenv import NpEnv, box
from motrixsim import write as W

from motrixlab_envs_basic.control import MotorControl

CfgT = TypeVar("CfgT", bound=EnvCfg)


class BasicEnv(NpEnv[CfgT]):
    """Subclasses set ``obs_dim`` and write ``initial_state`` plus the ``compute_*`` methods."""

    obs_dim: ClassVar[int]

    def __init__(self, cfg: CfgT, *, num_envs: int = 1, seed: int | None = None) -> None:
        super().__init__(cfg, num_envs=num_envs, seed=seed)
        self.motor = MotorControl(self)
        self.action_space = self.motor.space
        self.observation_space = box(self.obs_dim)
        self.nq = self.model.num_dof_pos
        self.nv = self.model.num_dof_vel
        self._init: Any = self.compile_write({"q": W.BodyJointPosition(), "v": W.BodyJointVelocity()}, reset=True)

    def apply_action(self, actions: np.ndarray) -> None:
        self.motor.apply(actions)

    def initial_state(self, n: int) -> np.ndarray:
        """(n, nq + nv) rows of [qpos | qvel] that start ``n`` fresh episodes."""
        raise NotImplementedError

    def reset_task(self, ids: np.ndarray) -> None:
        """Draw per-episode task variables (targets) for rows ``ids``; none by default."""

    def reset_rows(self, ids: np.ndarray) -> None:
        self._init.buffer[ids] = self.initial_state(len(ids))  # write buffer layout: [q | v]
        self.reset_task(ids)
        self._init.execute(self.data, env_ids=ids)

    def set_state(self, qpos: Any, qvel: Any, ids: np.ndarray | None = None) -> None:
        """Put rows ``ids`` (default all) into a given joint state, e.g. to script or test a task.

        Task variables are kept; the state of rows ``ids`` is read again and ``refresh(ids)`` run, so
        ``compute_*`` see the new state.
        """
        ids = np.arange(self.num_envs) if ids is None else np.asarray(ids, np.int64)
        n = len(ids)
        q = np.broadcast_to(np.asarray(qpos, np.float32), (n, self.nq))
        v = np.broadcast_to(np.asarray(qvel, np.float32), (n, self.nv))
        state = np.concatenate((q, v), axis=1)
        self._init.buffer[ids] = state
        self._init.execute(self.data, env_ids=ids)
        self.state.execute(self.data, env_ids=ids)
        self.refresh(ids)
