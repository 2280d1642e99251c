"""Episode statistics, env log terms and the metrics sinks (TensorBoard events and ``metrics.jsonl``)."""

from __future__ import annotations

import json
import math
import struct
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from motrixlab.runs import atomic_write_bytes

#: TensorBoard tags written by the loop (env log terms go under ``env/<name>``)
TAG_RETURN = "episode/return"
TAG_LENGTH = "episode/length"
#: episodes finished since the previous point (by every process of the run)
TAG_EPISODES = "episode/count"
TAG_STEPS_PER_S = "perf/env_steps_per_s"
#: wall seconds since the run started (a resumed run's go on from its last line): metrics.jsonl only
TAG_WALL = "wall_seconds"
#: what a learner's ``take_tracking`` reports, under these tags when the library has the figure
TAG_POLICY_LOSS = "loss/policy"
TAG_VALUE_LOSS = "loss/value"
TAG_ENTROPY_LOSS = "loss/entropy"
TAG_STD = "policy/std"
TAG_LEARNING_RATE = "train/learning_rate"
TAG_UPDATE_MS = "perf/update_ms"
#: a run of many processes: 1 when every rank's policy is bit for bit rank 0's after the update, else 0
TAG_RANKS_IN_SYNC = "dist/ranks_in_sync"


class EpisodeStats:
    """Running return and length per env row; finished episodes go to a recent-window deque."""

    def __init__(self, num_envs: int, window: int = 100) -> None:
        self.returns = np.zeros(num_envs, np.float64)
        self.lengths = np.zeros(num_envs, np.int64)
        self.recent_returns: deque[float] = deque(maxlen=window)
        self.recent_lengths: deque[int] = deque(maxlen=window)
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
            self.returns[ids] = 0.0
            self.lengths[ids] = 0

    @property
    def mean_return(self) -> float | None:
        return float(np.mean(self.recent_returns)) if self.recent_returns else None

    @property
    def mean_length(self) -> float | None:
        return float(np.mean(self.recent_lengths)) if self.recent_lengths else None

    def add_finished(self, returns: list[float], lengths: list[int]) -> None:
        """Episodes another process of the run finished, for the recent window (not for ``take_new``)."""
        self.recent_returns.extend(returns)
        self.recent_lengths.extend(lengths)

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
        if log:
            add_log(self._sums, self._counts, log)

    def take(self) -> dict[str, float]:
        out = {k: self._sums[k] / self._counts[k] for k in self._sums}
        self._sums, self._counts = {}, {}
        return out


def add_log(
    sums: dict[str, float], counts: dict[str, int], log: dict[str, Any], active: np.ndarray | None = None
) -> None:
    """Add one step's ``info["log"]`` to running ``sums`` and ``counts``: a number as it is, a numeric array
    as its mean, over the ``active`` rows only when it has one entry per row (other entries are skipped)."""
    for key, value in log.items():
        if isinstance(value, np.ndarray):
            if value.dtype.kind not in "biuf" or value.size == 0:
                continue
            if active is not None and value.shape == active.shape:
                if not active.any():
                    continue
                value = float(value[active].mean())
            else:
                value = float(value.mean())
        elif isinstance(value, (bool, int, float, np.number)):
            value = float(value)
        else:
            continue
        sums[key] = sums.get(key, 0.0) + value
        counts[key] = counts.get(key, 0) + 1


class MetricsSink:
    """TensorBoard scalars (through the ``tensorboard`` package's event writer: no torch or TensorFlow
    needed) plus one JSON line per update."""

    def __init__(self, run_dir: Path) -> None:
        from tensorboard.summary.writer.event_file_writer import EventFileWriter

        self.writer = EventFileWriter(str(run_dir), max_queue_size=100, flush_secs=10)
        self.jsonl = (run_dir / "metrics.jsonl").open("a", buffering=1)

    def write(self, env_steps: int, record: dict[str, float | None]) -> None:
        from tensorboard.compat.proto.event_pb2 import Event
        from tensorboard.compat.proto.summary_pb2 import Summary

        clean = {k: v for k, v in record.items() if v is not None and math.isfinite(v)}
        now = time.time()
        for tag, value in clean.items():
            if tag != TAG_WALL:
                summary = Summary(value=[Summary.Value(tag=tag, simple_value=float(value))])
                self.writer.add_event(Event(wall_time=now, step=int(env_steps), summary=summary))
        self.jsonl.write(json.dumps({"env_steps": int(env_steps), **clean}) + "\n")

    def close(self) -> None:
        self.writer.flush()
        self.writer.close()
        self.jsonl.close()


# ---- a resumed run repeats the steps after its checkpoint: their old points go ----------------------
def drop_metrics_after(run_dir: Path, env_steps: int) -> None:
    """Keep only what was logged up to ``env_steps`` in ``metrics.jsonl`` and the TensorBoard event files
    (and nothing of a line or record a killed process cut short), so that the resumed run's curve has
    one point per step."""
    _drop_jsonl_after(run_dir / "metrics.jsonl", env_steps)
    for path in sorted(run_dir.glob("events.out.tfevents.*")):
        _drop_events_after(path, env_steps)


def _drop_jsonl_after(path: Path, env_steps: int) -> None:
    if not path.is_file():
        return
    kept = []
    for line in path.read_text().splitlines():
        try:
            if int(json.loads(line)["env_steps"]) <= env_steps:
                kept.append(line)
        except (ValueError, KeyError, TypeError):
            continue
    atomic_write_bytes(path, ("\n".join(kept) + "\n" if kept else "").encode())


def _drop_events_after(path: Path, env_steps: int) -> None:
    """Rewrite an event file (atomically, records copied as they are) without the events of later steps."""
    from google.protobuf.message import DecodeError
    from tensorboard.compat.proto.event_pb2 import Event

    data = path.read_bytes()
    kept = []
    for record, payload in _tf_records(data):
        try:
            step = Event.FromString(payload).step
        except DecodeError:
            break
        if step <= env_steps:  # the file's own header event has step 0
            kept.append(record)
    out = b"".join(kept)
    if out != data:
        atomic_write_bytes(path, out)


_RECORD_HEAD = struct.Struct("<QI")  # data length, masked CRC-32C of the length; then data, masked CRC of data


def _tf_records(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """(whole record, its data) of each record of a TFRecord file, up to the first one cut short (a process
    killed while writing leaves a last record whose length runs past the end of the file) or damaged."""
    from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c

    pos = 0
    while pos + _RECORD_HEAD.size <= len(data):
        length, length_crc = _RECORD_HEAD.unpack_from(data, pos)
        end = pos + _RECORD_HEAD.size + length + 4
        if masked_crc32c(data[pos : pos + 8]) != length_crc or end > len(data):
            return
        yield data[pos:end], data[pos + _RECORD_HEAD.size : end - 4]
        pos = end
