"""What a trainer reports while it trains, shown as a live dashboard or as plain log lines.

A trainer makes one :class:`TrainingMonitor` when training starts and feeds it: ``tick`` after every
env step (cheap: a clock read, and a redraw at most twice a second), ``update`` after every policy
update, ``evaluation`` and ``checkpoint`` when they happen, ``close`` at the end. The monitor decides
what to show:

- stderr is a terminal and ``run.show_progress``: a live dashboard there (:mod:`motrixlab.dashboard`),
  redrawn about twice a second from the training loop itself (no thread);
- stdout is not a terminal (a file, a pipe, ``nohup``, a batch job), or there is no dashboard: one
  plain, complete, flushed line on stdout every ``run.log_interval`` seconds (0: none), a first
  line when training starts and a last one when it ends.
"""

from __future__ import annotations

import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from motrixlab.sysload import Load, LoadMeter, human_bytes

#: the parts of a training step, in the order the dashboard shows them
PHASES = ("act", "env", "record", "update")
#: seconds between dashboard redraws
REFRESH_S = 0.5
#: reward terms of ``info["log"]`` are named ``reward/<term>``
REWARD_PREFIX = "reward/"
#: terms shown in the dashboard and in each plain line (largest rewards by size; metrics by name)
TOP_TERMS = 6
PLAIN_TERMS = 4


@dataclass
class Figures:
    """Everything the dashboard and the plain lines show; the monitor keeps it up to date."""

    label: str
    run_dir: str
    seed: int | None
    total_steps: int
    start_steps: int
    env_steps: int = 0
    elapsed: float = 0.0
    rate: float | None = None  # env-steps/s over the last few seconds
    eta: float | None = None  # seconds
    updates: int = 0
    split: dict[str, float] = field(default_factory=dict)  # seconds per phase over the recent updates
    mean_return: float | None = None
    mean_length: float | None = None
    returns: deque[float] = field(default_factory=lambda: deque(maxlen=200))  # mean return after each update
    lengths: deque[float] = field(default_factory=lambda: deque(maxlen=200))
    rewards: list[tuple[str, float]] = field(default_factory=list)
    metrics: list[tuple[str, float]] = field(default_factory=list)
    eval: dict[str, float] | None = None
    eval_steps: int | None = None
    eval_at: float | None = None  # monitor time
    checkpoint: str | None = None
    checkpoint_steps: int | None = None
    checkpoint_at: float | None = None
    best_return: float | None = None
    load: Load | None = None

    @property
    def fraction(self) -> float:
        return min(1.0, self.env_steps / self.total_steps) if self.total_steps > 0 else 0.0

    def trend(self, values: deque[float], over: int = 10) -> float | None:
        """Change of ``values`` over its last ``over`` entries (fewer early on)."""
        if len(values) < 2:
            return None
        back = min(over, len(values) - 1)
        return values[-1] - values[-1 - back]

    def split_fractions(self) -> dict[str, float]:
        total = sum(self.split.values())
        return {k: v / total for k, v in self.split.items()} if total > 0 else {}


def duration(seconds: float | None) -> str:
    if seconds is None or seconds != seconds or seconds < 0:
        return "-"
    s = int(seconds + 0.5)
    h, m = divmod(s, 3600)
    m, s = divmod(m, 60)
    return f"{h}h{m:02d}m{s:02d}s" if h else (f"{m}m{s:02d}s" if m else f"{s}s")


def num(value: float | None, digits: int = 4) -> str:
    """A figure to about ``digits`` significant digits (thousands separated), ``-`` when unknown."""
    if value is None:
        return "-"
    size = abs(value)
    if size >= 10**digits:
        return f"{value:,.0f}"
    if size >= 1:
        return f"{value:,.{max(0, digits - len(str(int(size))))}f}"
    return f"{value:.{digits}g}"


def signed(value: float | None) -> str:
    return "-" if value is None else ("+" if value >= 0 else "") + num(value, 3)


def plain_line(f: Figures, kind: str = "progress") -> str:
    """One complete log line of the key figures: nothing cut, nothing that needs a terminal."""
    parts = [
        f"[motrixlab] {kind} {f.label}",
        f"steps={f.env_steps:,}/{f.total_steps:,} ({100 * f.fraction:.1f}%)",
        f"elapsed={duration(f.elapsed)}",
    ]
    if kind == "progress":
        parts.append(f"eta={duration(f.eta)}")
    parts.append(f"env_steps/s={f.rate:,.0f}" if f.rate is not None else "env_steps/s=-")
    split = f.split_fractions()
    if split:
        parts.append("split=" + "/".join(f"{k}:{100 * split.get(k, 0):.0f}%" for k in PHASES))
    parts.append(f"return={num(f.mean_return)}")
    if f.trend(f.returns) is not None:
        parts[-1] += f"({signed(f.trend(f.returns))})"
    parts.append(f"length={num(f.mean_length)}")
    if f.best_return is not None:
        parts.append(f"best={num(f.best_return)}")
    for name, value in f.rewards[:PLAIN_TERMS]:
        parts.append(f"{REWARD_PREFIX}{name}={num(value)}")
    for name, value in f.metrics[:PLAIN_TERMS]:
        parts.append(f"{name}={num(value)}")
    if f.eval:
        shown = ",".join(f"{k.split('/')[-1]}:{num(v)}" for k, v in f.eval.items())
        parts.append(f"eval={shown}@{f.eval_steps:,}")
    if f.checkpoint_steps is not None:
        parts.append(f"checkpoint={f.checkpoint_steps:,}")
    if f.load is not None:
        if f.load.cpu_percent is not None:
            parts.append(f"cpu={f.load.cpu_percent:.0f}%")
        if f.load.load1 is not None:
            parts.append(f"load={f.load.load1:.2f}/{f.load.cores}")
        parts.append(f"rss={human_bytes(f.load.rss_bytes).replace(' ', '')}")
    return " ".join(parts)


class TrainingMonitor:
    """Fed by a trainer while it trains (see the module docstring); shows a dashboard, plain lines or
    nothing. ``out``/``err`` default to ``sys.stdout``/``sys.stderr``; ``clock`` is for tests."""

    def __init__(
        self,
        run: Any,
        *,
        total_steps: int,
        start_steps: int = 0,
        label: str | None = None,
        out: IO[str] | None = None,
        err: IO[str] | None = None,
        clock: Any = time.monotonic,
    ) -> None:
        self.clock = clock
        self.out = out if out is not None else sys.stdout
        err = err if err is not None else sys.stderr
        key = f"{run.trainer.trainer}/{run.trainer.backend}"
        self.f = Figures(
            label=label or f"{run.env.name} {key}",
            run_dir=str(run.dir),
            seed=getattr(run.rl_cfg, "seed", None),
            total_steps=int(total_steps),
            start_steps=int(start_steps),
            env_steps=int(start_steps),
        )
        self._t0 = clock()
        self._meter = LoadMeter()
        self._samples: deque[tuple[float, int]] = deque([(self._t0, int(start_steps))])
        self._splits: deque[dict[str, float]] = deque(maxlen=5)
        self.dashboard: Any = None
        if getattr(run, "show_progress", True) and _isatty(err):
            from motrixlab.dashboard import Dashboard

            self.dashboard = Dashboard(self.f, err)
        interval = float(getattr(run, "log_interval", 30.0) or 0.0)
        self.log_interval = interval if interval > 0 and (self.dashboard is None or not _isatty(self.out)) else 0.0
        self.active = self.dashboard is not None or self.log_interval > 0
        self._next_draw = self._t0 + REFRESH_S if self.dashboard is not None else float("inf")
        self._next_line = self._t0 + self.log_interval if self.log_interval > 0 else float("inf")
        self._next_due = min(self._next_draw, self._next_line)
        self._closed = False
        if self.log_interval > 0:
            self._line(
                f"[motrixlab] start {self.f.label} seed={self.f.seed} "
                f"steps={self.f.start_steps:,}/{self.f.total_steps:,} "
                f"run={self.f.run_dir} (a line every {self.log_interval:g} s)"
            )
        if self.dashboard is not None:
            self._sample(self._t0)
            self.dashboard.start()

    # ---- fed by the trainer ---------------------------------------------------------------
    def tick(self, env_steps: int) -> None:
        """After an env step: the step counter (summed over envs). Redraws when it is time."""
        if not self.active:
            return
        self.f.env_steps = env_steps
        now = self.clock()
        if now >= self._next_due:
            self._refresh(now)

    def update(
        self,
        env_steps: int,
        *,
        mean_return: float | None = None,
        mean_length: float | None = None,
        split: dict[str, float] | None = None,
        log: dict[str, float] | None = None,
        best_return: float | None = None,
    ) -> None:
        """After a policy update: the mean return and length of recent episodes, the seconds each phase
        (``PHASES``) took since the previous update, and the means of ``info["log"]`` terms."""
        f = self.f
        f.env_steps, f.updates = env_steps, f.updates + 1
        f.mean_return, f.mean_length = mean_return, mean_length
        if best_return is not None:
            f.best_return = best_return
        if mean_return is not None:
            f.returns.append(mean_return)
        if mean_length is not None:
            f.lengths.append(mean_length)
        if split:
            self._splits.append(split)
            f.split = {k: sum(s.get(k, 0.0) for s in self._splits) for k in PHASES}
        if log:
            rewards = [(k[len(REWARD_PREFIX) :], v) for k, v in log.items() if k.startswith(REWARD_PREFIX)]
            f.rewards = sorted(rewards, key=lambda kv: -abs(kv[1]))
            f.metrics = sorted((k, v) for k, v in log.items() if not k.startswith(REWARD_PREFIX))
        if self.active:
            now = self.clock()
            if now >= self._next_due:
                self._refresh(now)

    def evaluation(self, env_steps: int, scores: dict[str, float]) -> None:
        """A deterministic evaluation's scores (``eval/return``, ...), of the policy at ``env_steps``."""
        self.f.eval, self.f.eval_steps, self.f.eval_at = dict(scores), env_steps, self.clock()

    def checkpoint(self, env_steps: int, path: Path | str, *, best_return: float | None = None) -> None:
        """A checkpoint was written."""
        f = self.f
        f.checkpoint, f.checkpoint_steps, f.checkpoint_at = Path(path).name, env_steps, self.clock()
        if best_return is not None:
            f.best_return = best_return

    def close(self, status: str = "finished") -> None:
        """Stop the dashboard (leaving its last frame) and write the last plain line (``status``: how
        training ended: finished, interrupted, crashed)."""
        if self._closed:
            return
        self._closed = True
        if not self.active:
            return
        now = self.clock()
        self._sample(now)
        self.f.rate = self._whole_rate(now)
        if self.dashboard is not None:
            self.dashboard.stop()
        if self.log_interval > 0:
            self._line(plain_line(self.f, status))

    # ---- internals ----------------------------------------------------------------------------
    def _sample(self, now: float) -> None:
        f = self.f
        f.elapsed = now - self._t0
        self._samples.append((now, f.env_steps))
        while len(self._samples) > 2 and now - self._samples[0][0] > 60.0:
            self._samples.popleft()
        recent = [s for s in self._samples if now - s[0] <= 10.0] or list(self._samples)
        first = recent[0] if len(recent) > 1 else self._samples[0]
        if now - first[0] > 1e-6:
            f.rate = (f.env_steps - first[1]) / (now - first[0])
        t_old, s_old = self._samples[0]
        if now - t_old > 1e-6 and f.env_steps > s_old:
            f.eta = max(0, f.total_steps - f.env_steps) / ((f.env_steps - s_old) / (now - t_old))
        f.load = self._meter.sample()

    def _whole_rate(self, now: float) -> float | None:
        done = self.f.env_steps - self.f.start_steps
        return done / (now - self._t0) if now > self._t0 and done > 0 else self.f.rate

    def _refresh(self, now: float) -> None:
        self._sample(now)
        if now >= self._next_draw:
            self._next_draw = now + REFRESH_S
            self.dashboard.draw(now)
        if now >= self._next_line:
            self._next_line = now + self.log_interval
            self._line(plain_line(self.f))
        self._next_due = min(self._next_draw, self._next_line)

    def _line(self, text: str) -> None:
        try:
            self.out.write(text + "\n")
            self.out.flush()
        except (OSError, ValueError):  # a closed pipe must not stop training
            self.log_interval, self._next_line = 0.0, float("inf")


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
