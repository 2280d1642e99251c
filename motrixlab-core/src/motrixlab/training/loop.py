"""The training loop: steps an ``ABEnv`` batch, feeds a :class:`~motrixlab.training.learner.Learner`,
logs, checkpoints, evaluates and reports to the training monitor.

The libraries' own runners are not used: this loop hands the learner ``info["final_obs"]`` for
time-limit bootstrapping, tracks episodes in NumPy, and owns checkpoints and logging, so every
trainer writes the same run directory.
"""

from __future__ import annotations

import hashlib
import math
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from motrixlab.monitor import PHASES, TrainingMonitor
from motrixlab.runinfo import last_metric
from motrixlab.trainer import Run
from motrixlab.training import world as world_mod
from motrixlab.training.checkpoint import SUFFIX, env_state_fields, prune_periodic, write_checkpoint
from motrixlab.training.evaluation import TrainingEvaluator
from motrixlab.training.learner import Learner
from motrixlab.training.tracking import (
    TAG_EPISODES,
    TAG_LENGTH,
    TAG_RANKS_IN_SYNC,
    TAG_RETURN,
    TAG_STEPS_PER_S,
    TAG_WALL,
    EpisodeStats,
    LogTerms,
    MetricsSink,
)

#: ``latest`` is also refreshed at least this often (wall seconds), besides periodic checkpoints
LATEST_EVERY_S = 30.0


#: what the ranks agree on after each update of a run of many processes (the largest code wins)
_GO_ON, _DONE, _SIGNALLED = 0, 1, 2


class _Stopped(KeyboardInterrupt):
    """Training stopped on request at a step boundary (see :class:`_StopRequest`)."""


class _StopRequest:
    """Ctrl-C or SIGTERM (a scheduler, ``kill``) stops training between env steps, never inside a PPO
    update, so the saved ``latest`` is the consistent state of the last update. A second signal
    interrupts at once, except in a run of many processes, which all stop together after the next
    update (the launcher's terminal and the launcher itself both signal each process)."""

    def __init__(self, escalate: bool = True) -> None:
        self.requested = False
        self.escalate = escalate
        self._previous: dict[int, Any] = {}

    @classmethod
    def install(cls, escalate: bool = True) -> _StopRequest:
        stop = cls(escalate)
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                stop._previous[signum] = signal.signal(signum, stop._handle)
        return stop

    def _handle(self, signum: int, frame: Any) -> None:
        if self.requested and self.escalate:
            raise KeyboardInterrupt
        self.requested = True

    def restore(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()


@dataclass
class UpdateInfo:
    """Passed to the ``on_update`` hook after every policy update."""

    env_steps: int
    train_seconds: float
    mean_return: float | None
    mean_length: float | None
    backend: Learner


@dataclass
class LoopState:
    env_steps: int = 0
    best_return: float | None = None
    last_return: float | None = None
    latest: Path | None = None
    updates: int = 0


class TrainLoop:
    def __init__(
        self,
        run: Run,
        env: Any,
        backend: Learner,
        *,
        start_steps: int,
        best_return: float | None,
        header: dict[str, Any],
        on_update: Callable[[UpdateInfo], bool | None] | None = None,
        evaluator: TrainingEvaluator | None = None,
    ) -> None:
        self.run = run
        self.env = env
        self.backend = backend
        self.cfg = backend.cfg
        self.header = header
        self.on_update = on_update
        self.state = LoopState(env_steps=start_steps, best_return=best_return)
        self.num_envs = env.num_envs
        self._best_bytes: tuple[bytes, dict[str, Any]] | None = None
        # episodes behind the progress bar's mean and the ranking of ``best`` (needs a full window)
        self._window = min(100, max(10, self.num_envs))
        self.paused_seconds = 0.0  # time in on_update and evaluations, not counted as training time
        self.evaluator = evaluator
        self.best_by = best_by(evaluator is not None)
        self.monitor: TrainingMonitor | None = None
        self.world = world_mod.current()
        # every rank's env state as of the last update (rank 0 checkpoints them all)
        self._env_states: list[dict[str, Any]] | None = None

    # ---- checkpoints -----------------------------------------------------------------------
    def _header(self, env_steps: int, **extra: Any) -> dict[str, Any]:
        head = {
            **self.header,
            "env_steps": int(env_steps),
            "best_return": self.state.best_return,
            "best_by": self.best_by,
            "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "world_size": self.world.size,
            **env_state_fields(self.env),
            **extra,
        }
        if self._env_states is not None and "env_state" in head:
            head["env_state"] = self._env_states[0]
            head["env_states"] = self._env_states  # one per rank, in rank order
        return head

    def save(self, *, periodic: bool) -> None:
        """Write ``latest`` (and the periodic file, and a pending ``best``) from the state of the last update."""
        ckpts = self.run.checkpoints
        steps = self.state.env_steps
        payload = self.backend.state_bytes()
        head = self._header(steps, mean_return=self.state.last_return)
        if periodic:
            write_checkpoint(ckpts / f"step-{steps}{SUFFIX}", head, payload)
            prune_periodic(ckpts, self.run.rl_cfg.keep_checkpoints, written=ckpts / f"step-{steps}{SUFFIX}")
        write_checkpoint(ckpts / f"latest{SUFFIX}", head, payload)
        self.state.latest = ckpts / f"latest{SUFFIX}"
        if self._best_bytes is not None:
            best_payload, best_head = self._best_bytes
            write_checkpoint(ckpts / f"best{SUFFIX}", best_head, best_payload)
            self._best_bytes = None
        if self.monitor is not None:
            name = ckpts / (f"step-{steps}{SUFFIX}" if periodic else f"latest{SUFFIX}")
            self.monitor.checkpoint(steps, name, best_return=self.state.best_return)

    def _maybe_best(self, stats: EpisodeStats) -> None:
        mean = stats.mean_return
        if mean is not None and len(stats.recent_returns) >= self._window:
            self._rank_best(mean)

    def _rank_best(self, score: float) -> None:
        if self.state.best_return is None or score > self.state.best_return:
            self.state.best_return = score
            head = self._header(self.state.env_steps, mean_return=score)
            self._best_bytes = (self.backend.state_bytes(), head)

    def _evaluate(self, record: dict[str, float | None]) -> float:
        """Evaluate the policy of the update just made into ``record``, rank it; returns the seconds taken."""
        assert self.evaluator is not None
        t0 = time.perf_counter()
        scores = self.evaluator(self.backend.deterministic)
        record.update(scores)
        self._rank_best(scores[TrainingEvaluator.TAG_RETURN])
        return time.perf_counter() - t0

    # ---- the loop --------------------------------------------------------------------------
    def train(self, summary: Callable[[bool], None]) -> LoopState:
        """Run the loop; in a run of many processes every rank runs it, and rank 0 alone (``summary``
        included) writes, evaluates and reports."""
        cfg, env, backend, world = self.cfg, self.env, self.backend, self.world
        main = world.is_main
        n = self.num_envs
        step_size = n * world.size  # env steps of the whole run per loop step
        per_update = step_size * cfg.rollouts
        remaining = max(0, cfg.max_env_steps - self.state.env_steps)
        iterations = math.ceil(remaining / per_update) * cfg.rollouts  # whole rollouts: no data left unused
        timesteps = iterations
        stats = EpisodeStats(n, window=self._window)
        terms = LogTerms()
        sink = MetricsSink(self.run.dir) if main else None
        wall_offset = (last_metric(self.run.dir, "wall_seconds") or 0.0) if main else 0.0  # a resumed run's clock
        monitor: TrainingMonitor | None = None
        spent = dict.fromkeys(PHASES, 0.0)  # seconds per part of the step since the last update
        interval = self.run.rl_cfg.checkpoint_interval
        next_periodic = (self.state.env_steps // interval + 1) * interval if interval > 0 else None
        eval_interval = self.run.rl_cfg.eval_interval if self.evaluator is not None else 0
        next_eval = (self.state.env_steps // eval_interval + 1) * eval_interval if eval_interval > 0 else None
        start = time.perf_counter()
        last_update_t, last_update_steps = start, self.state.env_steps
        last_latest = start
        wrapped = backend.wrap(env)
        obs_t, _ = wrapped.reset(seed=self._env_seed())
        steps = self.state.env_steps
        stop_request = _StopRequest.install(escalate=not world.distributed)
        status = "crashed"
        clock = time.perf_counter
        try:
            if main:
                monitor = self.monitor = TrainingMonitor(
                    self.run, total_steps=self.state.env_steps + iterations * step_size, start_steps=steps
                )
            for t in range(iterations):
                if stop_request.requested and not world.distributed:
                    raise _Stopped
                t0 = clock()
                actions = backend.act(obs_t, t, timesteps)
                t1 = clock()
                next_obs_t, reward_t, terminated_t, truncated_t, info = wrapped.step(actions)
                _, reward, terminated, truncated, info_np = wrapped.last  # NumPy views for the bookkeeping
                t2 = clock()
                stats.step(reward, terminated | truncated)
                log = info_np.get("log")
                if log:
                    terms.add(log)
                updated = backend.record(
                    obs=obs_t,
                    actions=actions,
                    reward=reward_t,
                    final_obs=info["final_obs"],
                    terminated=terminated_t,
                    truncated=truncated_t,
                    timestep=t,
                    timesteps=timesteps,
                )
                t3 = clock()
                spent["act"] += t1 - t0
                spent["env"] += t2 - t1
                spent["update" if updated else "record"] += t3 - t2
                obs_t = next_obs_t
                steps += step_size
                if monitor is not None:
                    monitor.tick(steps)
                if not updated:
                    continue
                # ---- after a PPO update: the agent's state is consistent, steps are final
                self.state.env_steps = steps
                self.state.updates += 1
                now = time.perf_counter()
                rate = (steps - last_update_steps) / max(now - last_update_t, 1e-9)
                last_update_t, last_update_steps = now, steps
                new_returns, new_lengths, log_means, tracked = self._gather_update(stats, terms)
                if not main:
                    code = world_mod.max_over_ranks(_SIGNALLED if stop_request.requested else _GO_ON)
                    if code == _SIGNALLED:
                        raise _Stopped
                    if code == _DONE:
                        break
                    continue
                if new_returns:
                    self.state.last_return = float(np.mean(new_returns))
                record: dict[str, float | None] = {
                    TAG_RETURN: float(np.mean(new_returns)) if new_returns else None,
                    TAG_LENGTH: float(np.mean(new_lengths)) if new_lengths else None,
                    TAG_EPISODES: float(len(new_returns)),
                    TAG_STEPS_PER_S: rate,
                    **tracked,
                    **{f"env/{k}": v for k, v in log_means.items()},
                }
                if next_eval is None:
                    self._maybe_best(stats)
                elif (steps >= next_eval or t == iterations - 1) and not stop_request.requested:
                    next_eval = (steps // eval_interval + 1) * eval_interval
                    seconds = self._evaluate(record)
                    self.paused_seconds += seconds
                    last_update_t += seconds  # the next update's rate counts training only
                    assert monitor is not None
                    monitor.evaluation(
                        steps, {k: v for k, v in record.items() if k.startswith("eval/") and v is not None}
                    )
                record[TAG_WALL] = wall_offset + time.perf_counter() - start
                assert sink is not None and monitor is not None
                sink.write(steps, record)
                periodic = next_periodic is not None and steps >= next_periodic
                if periodic:
                    next_periodic = (steps // interval + 1) * interval
                if periodic or now - last_latest >= LATEST_EVERY_S:
                    self.save(periodic=periodic)
                    summary(False)
                    last_latest = time.perf_counter()
                monitor.update(
                    steps,
                    mean_return=stats.mean_return,
                    mean_length=stats.mean_length,
                    split=spent,
                    log=log_means,
                    best_return=self.state.best_return,
                )
                spent = dict.fromkeys(PHASES, 0.0)
                stop = False
                if self.on_update is not None:
                    t0 = time.perf_counter()
                    stop = bool(
                        self.on_update(
                            UpdateInfo(
                                steps, t0 - start - self.paused_seconds, stats.mean_return, stats.mean_length, backend
                            )
                        )
                    )
                    self.paused_seconds += time.perf_counter() - t0
                if world.distributed:  # every rank stops after the same update
                    mine = _SIGNALLED if stop_request.requested else _DONE if stop else _GO_ON
                    code = world_mod.max_over_ranks(mine)
                    if code == _SIGNALLED:
                        raise _Stopped
                    stop = code == _DONE
                if stop:
                    break
            if main:
                self.save(periodic=False)
            status = "finished"
        except KeyboardInterrupt as exc:
            status = "interrupted"
            if isinstance(exc, _Stopped) and main:
                # stopped between env steps: the models are exactly those of the last update
                self.save(periodic=False)
            # else a second signal cut in anywhere, perhaps mid-update: keep the last saved ``latest``
            if main:
                summary(False)
            raise
        finally:
            stop_request.restore()
            if monitor is not None:
                monitor.close(status)
            self.monitor = None
            if sink is not None:
                sink.close()
        return self.state

    def _gather_update(
        self, stats: EpisodeStats, terms: LogTerms
    ) -> tuple[list[float], list[int], dict[str, float], dict[str, float]]:
        """Episodes finished since the last update, env log means and the learner's tracking figures: this
        process's, or, in a run of many, every rank's (episodes pooled, means averaged over ranks); rank 0
        also keeps every rank's episodes in its recent window and their env states for its checkpoints."""
        new_returns, new_lengths = stats.take_new()
        log_means = terms.take()
        tracked = self.backend.take_tracking()
        if not self.world.distributed:
            return new_returns, new_lengths, log_means, tracked
        mine = {
            "returns": new_returns,
            "lengths": new_lengths,
            "log": log_means,
            "tracked": tracked,
            "policy": policy_digest(self.backend),
        }
        mine.update(env_state_fields(self.env))  # "env_state", for an env with a curriculum
        ranks = world_mod.all_gather(mine)
        for other in ranks[1:]:
            stats.add_finished(other["returns"], other["lengths"])
        if "env_state" in mine:
            self._env_states = [r["env_state"] for r in ranks]
        # the one policy of the run: every rank's parameters and normaliser, bit for bit (1), or not (0)
        tracked = _mean_over_ranks([r["tracked"] for r in ranks])
        tracked[TAG_RANKS_IN_SYNC] = float(len({r["policy"] for r in ranks}) == 1)
        return (
            [x for r in ranks for x in r["returns"]],
            [x for r in ranks for x in r["lengths"]],
            _mean_over_ranks([r["log"] for r in ranks]),
            tracked,
        )

    def _env_seed(self) -> int:
        # A resumed run continues with fresh episodes, not a replay of the first ones.
        return self.world.seed(self.run.rl_cfg.seed + self.state.env_steps)


def policy_digest(learner: Learner) -> str:
    """A digest of the policy's mean layers and observation normaliser, equal only if they are bit for bit."""
    h = hashlib.blake2b(digest_size=16)
    for w, b in learner.mean_layers():
        h.update(np.ascontiguousarray(w).tobytes())
        h.update(np.ascontiguousarray(b).tobytes())
    stats = learner.normaliser_stats()
    if stats is not None:
        h.update(np.ascontiguousarray(stats[0]).tobytes())
        h.update(np.ascontiguousarray(stats[1]).tobytes())
    return h.hexdigest()


def _mean_over_ranks(dicts: list[dict[str, float]]) -> dict[str, float]:
    """Each key's mean over the ranks that reported it."""
    keys = dict.fromkeys(k for d in dicts for k in d)
    return {k: float(np.mean([d[k] for d in dicts if k in d])) for k in keys}


def best_by(evaluating: bool) -> str:
    """What ``best`` (and a checkpoint's ``best_return``) is ranked by: ``eval`` or ``train`` return."""
    return "eval" if evaluating else "train"
