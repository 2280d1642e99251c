"""Episode statistics, env log terms and the metrics sinks (TensorBoard events and ``metrics.jsonl``)."""

from __future__ import annotations

import json
import math
from collections import deque
from pathlib import Path
from typing import Any

import numpy as np

#: TensorBoard tags written by the loop (env log terms go under ``env/<name>``)
TAG_RETURN = "episode/return"
TAG_LENGTH = "episode/length"
TAG_STEPS_PER_S = "perf/env_steps_per_s"
SKRL_TAGS = {
    "Loss / Policy loss": "loss/policy",
    "Loss / Value loss": "loss/value",
    "Loss / Entropy loss": "loss/entropy",
    "Policy / Standard deviation": "policy/std",
    "Learning / Learning rate": "train/learning_rate",
    "Learning / Policy learning rate": "train/learning_rate",
    "Learning / Value learning rate": "train/value_learning_rate",
    "Stats / Algorithm update time (ms)": "perf/update_ms",
}


class EpisodeStats:
    """Running return and length per env row; finished episodes go to a recent-window deque."""

    def __init__(self, num_envs: int, window: int = 100) -> None:
        self.returns = np.zeros(num_envs, np.float64)
        self.lengths = np.zeros(num_envs, np.int64)
        self.recent_returns: deque[float] = deque(maxlen=window)
        self.recent_lengths: deque[int] = deque(maxlen=window)
        self.episodes = 0
        self._new_returns: list[float] = []
        self._new_lengths: list[int] = []

    def step(self, reward: np.ndarray, done: np.ndarray) -> None:
        self.returns += reward
        self.lengths += 1
        if done.any():
            ids = np.flatnonzero(done)
            r = self.returns[ids].tolist()
            n = self.lengths[ids].tolist()
            self.recent_returns.extend(r)
            self.recent_lengths.extend(n)
            self._new_returns.extend(r)
            self._new_lengths.extend(n)
            self.episodes += len(ids)
            self.returns[ids] = 0.0
            self.lengths[ids] = 0

    @property
    def mean_return(self) -> float | None:
        return float(np.mean(self.recent_returns)) if self.recent_returns else None

    @property
    def mean_length(self) -> float | None:
        return float(np.mean(self.recent_lengths)) if self.recent_lengths else None

    def take_new(self) -> tuple[list[float], list[int]]:
        """Episodes finished since the last call."""
        out = (self._new_returns, self._new_lengths)
        self._new_returns, self._new_lengths = [], []
        return out


class LogTerms:
    """Means of ``info["log"]`` entries (scalars or per-env arrays) over the steps since the last take."""

    def __init__(self) -> None:
        self._sums: dict[str, float] = {}
        self._counts: dict[str, int] = {}

    def add(self, log: dict[str, Any] | None) -> None:
        if not log:
            return
        sums, counts = self._sums, self._counts
        for key, value in log.items():
            if isinstance(value, np.ndarray):
                if value.size == 0 or value.dtype.kind not in "biuf":
                    continue
                value = float(value.mean())
            elif isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
                value = float(value)
            elif isinstance(value, bool):
                value = float(value)
            else:
                continue
            sums[key] = sums.get(key, 0.0) + value
            counts[key] = counts.get(key, 0) + 1

    def take(self) -> dict[str, float]:
        out = {k: self._sums[k] / self._counts[k] for k in self._sums}
        self._sums, self._counts = {}, {}
        return out


class MetricsSink:
    """TensorBoard scalars (skrl's event writer: no torch needed) plus one JSON line per update."""

    def __init__(self, run_dir: Path) -> None:
        from skrl.utils.tensorboard import SummaryWriter

        self.writer = SummaryWriter(str(run_dir), queue_size=100, flush_seconds=10)
        self.jsonl = (run_dir / "metrics.jsonl").open("a", buffering=1)

    def write(self, env_steps: int, record: dict[str, float | None]) -> None:
        clean = {k: v for k, v in record.items() if v is not None and math.isfinite(v)}
        for tag, value in clean.items():
            if tag not in ("wall_seconds",):
                self.writer.add_scalar(tag=tag, value=float(value), timestep=int(env_steps))
        self.jsonl.write(json.dumps({"env_steps": int(env_steps), **clean}) + "\n")

    def close(self) -> None:
        self.writer.flush()
        self.writer.close()
        self.jsonl.close()


def rename_skrl(tracked: dict[str, float]) -> dict[str, float]:
    return {SKRL_TAGS.get(k, "skrl/" + k.replace(" / ", "/").replace(" ", "_")): v for k, v in tracked.items()}
