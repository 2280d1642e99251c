"""A scripted ``ABEnv`` and a rollout driver, for the learner tests of every trainer package: the
test puts the next step's results in :attr:`ScriptedEnv.next` and reads what the learner stored."""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces

OBS = spaces.Box(-np.inf, np.inf, (3,), np.float32)
ACT = spaces.Box(-1.0, 1.0, (2,), np.float32)
N = 8


class ScriptedEnv:
    """An ``ABEnv`` of ``N`` rows whose next step returns what the test put in :attr:`next` (random
    otherwise: reward 1, about one row in ten terminated)."""

    def __init__(self, seed: int = 0) -> None:
        self.num_envs = N
        self.observation_space, self.action_space = OBS, ACT
        self.rng = np.random.default_rng(seed)
        self.next: tuple | None = None
        self.actions: list[np.ndarray] = []

    def reset(self, *, seed: int | None = None) -> tuple[np.ndarray, dict[str, Any]]:
        return self.rng.standard_normal((N, 3)).astype(np.float32), {"log": {}}

    def step(self, actions: np.ndarray) -> tuple:
        self.actions.append(np.array(actions))
        if self.next is not None:
            out, self.next = self.next, None
            return out
        obs = self.rng.standard_normal((N, 3)).astype(np.float32)
        terminated = self.rng.random(N) < 0.1
        return obs, np.ones(N, np.float32), terminated, np.zeros(N, bool), {"final_obs": obs, "log": {}}

    def close(self) -> None:
        pass


def rollout(learner: Any, steps: int, seed: int = 0) -> list[bool]:
    """``steps`` transitions of a :class:`ScriptedEnv` through ``learner`` the way the training loop
    drives it; for each, whether a policy update ran."""
    env = ScriptedEnv(seed)
    wrapped = learner.wrap(env)
    obs, _ = wrapped.reset()
    updates = []
    for t in range(steps):
        actions = learner.act(obs, t, steps)
        nxt, reward, terminated, truncated, info = wrapped.step(actions)
        assert env.actions[-1].shape == (N, 2) and env.actions[-1].dtype == np.float32
        updates.append(
            learner.record(
                obs=obs,
                actions=actions,
                reward=reward,
                final_obs=info["final_obs"],
                terminated=terminated,
                truncated=truncated,
                timestep=t,
                timesteps=steps,
            )
        )
        obs = nxt
    return updates
