"""Deterministic evaluation: exactly one episode per counted env row per round, so short episodes are
not over-represented (rows that finish early keep stepping but are no longer counted)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from motrixlab.training.tracking import add_log

SUCCESS_KEY = "success"


@dataclass
class Episodes:
    returns: list[float] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    successes: list[float] = field(default_factory=list)
    log_sums: dict[str, float] = field(default_factory=dict)
    log_counts: dict[str, int] = field(default_factory=dict)

    def extra(self) -> dict[str, float]:
        return {k: self.log_sums[k] / self.log_counts[k] for k in sorted(self.log_sums)}


OnEpisode = Callable[[int, float, int, "float | None"], None]
OnStep = Callable[[np.ndarray, np.ndarray], None]


def run_episodes(
    env: Any,
    policy: Callable[[np.ndarray], np.ndarray],
    episodes: int,
    *,
    seed: int,
    on_episode: OnEpisode | None = None,
    on_step: OnStep | None = None,
) -> Episodes:
    """Run ``episodes`` episodes on ``env`` (``num_envs`` rows) with the deterministic ``policy``."""
    out = Episodes()
    n = env.num_envs
    round_index = 0
    while len(out.returns) < episodes:
        counted = min(n, episodes - len(out.returns))
        active = np.zeros(n, bool)
        active[:counted] = True
        returns = np.zeros(n, np.float64)
        lengths = np.zeros(n, np.int64)
        obs, _ = env.reset(seed=seed + round_index)
        round_index += 1
        while active.any():
            obs, reward, terminated, truncated, info = env.step(policy(obs))
            returns += np.where(active, reward, 0.0)
            lengths += active
            log = info.get("log") or {}
            add_log(out.log_sums, out.log_counts, log, active)
            if on_step is not None:
                on_step(returns, lengths)
            finished = active & (terminated | truncated)
            if finished.any():
                success = log.get(SUCCESS_KEY)
                for i in np.flatnonzero(finished):
                    s = None
                    if success is not None:
                        value = success[i] if isinstance(success, np.ndarray) and success.ndim else success
                        s = float(np.asarray(value) > 0.5)
                        out.successes.append(s)
                    out.returns.append(float(returns[i]))
                    out.lengths.append(int(lengths[i]))
                    if on_episode is not None:
                        on_episode(len(out.returns), float(returns[i]), int(lengths[i]), s)
                active &= ~finished
    return out


class TrainingEvaluator:
    """Deterministic evaluation during training, on an env of its own with the same seeds every
    time, so successive policies are compared on the same episodes. Its scores rank ``best``: the
    stochastic policy's training return can sit far below what the policy's mean actions achieve."""

    TAG_RETURN = "eval/return"
    TAG_LENGTH = "eval/length"
    TAG_SUCCESS = "eval/success_rate"

    def __init__(self, env: Any, episodes: int, *, seed: int) -> None:
        self.env = env
        self.episodes = episodes
        self.seed = seed

    def __call__(self, policy: Callable[[np.ndarray], np.ndarray]) -> dict[str, float]:
        result = run_episodes(self.env, policy, self.episodes, seed=self.seed)
        out = {
            self.TAG_RETURN: float(np.mean(result.returns[: self.episodes])),
            self.TAG_LENGTH: float(np.mean(result.lengths[: self.episodes])),
        }
        if result.successes:
            out[self.TAG_SUCCESS] = float(np.mean(result.successes[: self.episodes]))
        return out

    def close(self) -> None:
        self.env.close()
