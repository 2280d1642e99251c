"""``ABEnv``: the batched-environment protocol every trainer relies on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

import numpy as np
from gymnasium import spaces

from motrixlab.envcfg import EnvCfg

Info = dict[str, Any]


@runtime_checkable
class ABEnv(Protocol):
    """A batch of ``num_envs`` copies of one task, stepped together.

    Finished rows reset inside ``step``: their rows of ``obs`` start the new episode and
    ``info["final_obs"]`` (shape ``(num_envs, obs_dim)``) holds, in those rows, the last
    observation of the episode that ended (other rows equal ``obs``). ``info["log"]`` maps names
    to scalars or ``(num_envs,)`` arrays that trainers write to TensorBoard.
    """

    num_envs: int
    cfg: EnvCfg

    @property
    def observation_space(self) -> spaces.Box: ...

    @property
    def action_space(self) -> spaces.Box: ...

    def reset(self, *, seed: int | None = None) -> tuple[np.ndarray, Info]: ...

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Info]: ...

    def close(self) -> None: ...


@runtime_checkable
class StatefulEnv(Protocol):
    """An env with training state outside the physics that a resumed run must keep (a curriculum).

    Optional: trainers store ``env_state()`` in each checkpoint and hand it to
    ``load_env_state`` after building the env of a resumed run, before its first reset. The
    state is plain JSON (lists, numbers, strings) so a checkpoint header can hold it. A state
    that does not fit the env raises ``ValueError`` naming what is wrong.
    """

    def env_state(self) -> dict[str, Any]: ...

    def load_env_state(self, state: Mapping[str, Any]) -> None: ...
