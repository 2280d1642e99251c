"""``LoopTrainer``: the ``motrixlab.Trainer`` contract implemented once over a
:class:`~motrixlab.training.learner.Learner`.

A trainer package subclasses it with the reference of its learner class and the distributions to
record; train, resume, evaluate, play and export, the run directory and the checkpoint files are
then those of every other trainer. This module imports no framework; the learner module is imported
when a method runs.
"""

from __future__ import annotations

import dataclasses
import functools
import pickle
import platform
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from motrixlab.errors import ConfigError
from motrixlab.imports import load_ref
from motrixlab.rlcfg import PPOCfg
from motrixlab.runs import atomic_write_bytes, atomic_write_json
from motrixlab.trainer import EvalResult, Run, RunResult, Trainer
from motrixlab.training import process_state
from motrixlab.training import world as world_mod
from motrixlab.training.checkpoint import (
    SUFFIX,
    CheckpointError,
    check_compatible,
    read_checkpoint,
    read_header,
    restore_env_state,
)
from motrixlab.training.tracking import drop_metrics_after

#: rows stepped together during evaluation (one episode per row per round)
EVAL_MAX_ENVS = 256


def _versions(distributions: tuple[str, ...]) -> dict[str, str]:
    out = {"python": platform.python_version()}
    for dist in ("motrixlab-core", "motrixsim", "numpy", *distributions):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return out


def _keeping_process_state(*extra: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Run a trainer method inside :func:`process_state.kept` (its frameworks, and ``extra``)."""

    def decorate(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def kept(self: LoopTrainer, *args: Any, **kwargs: Any) -> Any:
            with process_state.kept((*self.frameworks, *extra), self.process_keepers()):
                return method(self, *args, **kwargs)

        return kept

    return decorate


class LoopTrainer(Trainer):
    """A trainer over a learner; a subclass names its learner class, its frameworks and its library.

    ``train``, ``evaluate``, ``export`` and ``load_policy`` leave the process's random generators (and
    a library's own, :meth:`process_keepers`) and torch's thread count as they found them
    (:mod:`motrixlab.training.process_state`)."""

    #: ``"module:Class"`` of the :class:`~motrixlab.training.learner.Learner`
    learner_ref: str = ""
    #: distributions of the framework (their generators are kept; their versions recorded)
    frameworks: tuple[str, ...] = ()
    #: distributions of the trainer package and its library, recorded in ``config.json``
    distributions: tuple[str, ...] = ()
    checkpoint_suffix = SUFFIX
    export_formats = ("onnx", "torchscript")

    def process_keepers(self) -> tuple[process_state.Keeper, ...]:
        """A library's own process-wide state (a PRNG key, say) to put back after each call."""
        return ()

    def ppo_cfg(self, cfg: Any) -> PPOCfg:
        """The run's RL config, which must be a ``PPOCfg`` (the learners train PPO)."""
        if not isinstance(cfg, PPOCfg):
            raise ConfigError(f"the {self.spec.trainer} trainer needs a PPOCfg, got {type(cfg).__name__}")
        return cfg

    # ---- helpers ----------------------------------------------------------------------------
    def learner_class(self) -> type:
        """The learner class (imports its module, and so its framework)."""
        return load_ref(self.learner_ref, f"trainer {self.spec.key}")

    def _make_env(self, run: Run, num_envs: int, seed: int) -> Any:
        env_cls = load_ref(run.env.env, f"env {run.env.name!r}")
        return env_cls(run.env_cfg, num_envs=num_envs, seed=seed)

    def _eval_env(self, run: Run, episodes: int) -> tuple[Any, int]:
        """An env for deterministic evaluation, and the seed of its episodes (not the training ones)."""
        seed = int(run.rl_cfg.seed) + 10_000
        return self._make_env(run, min(episodes, EVAL_MAX_ENVS), seed), seed

    def _load(self, run: Run, checkpoint: Path, *, any_env: bool = False) -> tuple[dict[str, Any], bytes]:
        """Read a checkpoint of this run's env (or of ``run.policy_env``; ``any_env``: of any env, whose
        spaces ``_restore`` then checks)."""
        header, payload = read_checkpoint(Path(checkpoint))
        env = None if any_env else run.policy_env or run.env.name
        check_compatible(Path(checkpoint), header, env=env, trainer=self.spec.trainer, backend=self.spec.backend)
        return header, payload

    def _load_everywhere(self, run: Run, checkpoint: Path, *, any_env: bool = False) -> tuple[dict[str, Any], bytes]:
        """:meth:`_load` on rank 0, its result sent to every rank (other machines need not see the file);
        a checkpoint rank 0 refuses stops every rank with rank 0's reason."""
        world = world_mod.current()
        if not world.distributed:
            return self._load(run, checkpoint, any_env=any_env)
        loaded: tuple[dict[str, Any], bytes] | str
        if world.is_main:
            try:
                loaded = self._load(run, checkpoint, any_env=any_env)
            except CheckpointError as exc:
                world_mod.broadcast(str(exc))
                raise
        else:
            loaded = ""
        loaded = world_mod.broadcast(loaded)
        if isinstance(loaded, str):
            raise CheckpointError(loaded)
        return loaded

    def _restore(
        self,
        run: Run,
        backend: Any,
        checkpoint: Path,
        header: dict[str, Any],
        payload: bytes,
        *,
        weights_only: bool = False,
    ) -> None:
        """Load a checkpoint into ``backend``: everything, or (``weights_only``) the policy, value and normalisers."""
        obs_dim, act_dim = backend.observation_space.shape[0], backend.action_space.shape[0]
        if header.get("obs_dim") != obs_dim or header.get("act_dim") != act_dim:
            raise CheckpointError(
                f"checkpoint {str(checkpoint)!r} of {header.get('env')!r} has observation shape "
                f"({header.get('obs_dim')},) and action shape ({header.get('act_dim')},); "
                f"{run.env.name!r} has ({obs_dim},) and ({act_dim},)"
            )
        try:
            backend.load_state_bytes(payload, weights_only=weights_only)
        except (ValueError, KeyError, RuntimeError, TypeError, EOFError, pickle.UnpicklingError) as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise CheckpointError(
                f"checkpoint {str(checkpoint)!r} does not fit this run's networks: {first[:200]}"
            ) from None

    def _header(self, run: Run, env: Any) -> dict[str, Any]:
        return {
            "env": run.env.name,
            "trainer": self.spec.trainer,
            "backend": self.spec.backend,
            "run": run.dir.name,
            "obs_dim": int(env.observation_space.shape[0]),
            "act_dim": int(env.action_space.shape[0]),
        }

    def _write_config(
        self, run: Run, resumed_from: dict[str, Any] | None, init_header: dict[str, Any] | None = None
    ) -> None:
        import json

        path = run.dir / "config.json"
        previous: dict[str, Any] = {}
        if resumed_from is not None and path.is_file():
            try:
                previous = json.loads(path.read_text())
            except ValueError:
                previous = {}
        config = {
            "env": run.env.name,
            "trainer": self.spec.trainer,
            "backend": self.spec.backend,
            "seed": run.rl_cfg.seed,
            "env_cfg_class": f"{type(run.env_cfg).__module__}:{type(run.env_cfg).__qualname__}",
            "rl_cfg_class": f"{type(run.rl_cfg).__module__}:{type(run.rl_cfg).__qualname__}",
            "env_cfg": dataclasses.asdict(run.env_cfg),
            "rl_cfg": dataclasses.asdict(run.rl_cfg),
            "command": list(run.command) or list(sys.argv),
            "created": previous.get("created", time.strftime("%Y-%m-%dT%H:%M:%S")),
            "versions": _versions((*self.distributions, *self.frameworks)),
            "resumes": previous.get("resumes", []),
            "processes": _processes(run.rl_cfg.num_envs),
        }
        if resumed_from is not None:
            config["resumes"].append(resumed_from)
        if init_header is not None:
            config["init_from"] = {
                "checkpoint": str(run.init_from),
                "env": init_header.get("env"),
                "run": init_header.get("run"),
                "env_steps": init_header.get("env_steps"),
            }
        elif "init_from" in previous:  # a resumed run keeps where it started from
            config["init_from"] = previous["init_from"]
        atomic_write_json(path, config)

    # ---- the contract -----------------------------------------------------------------------
    @_keeping_process_state()
    def train(self, run: Run, *, on_update: Callable[[Any], bool | None] | None = None) -> RunResult:
        """Train (or resume) ``run``; ``on_update`` is called after every policy update (True stops)."""
        from motrixlab.training.evaluation import TrainingEvaluator
        from motrixlab.training.loop import TrainLoop, best_by

        cfg = self.ppo_cfg(run.rl_cfg)
        world = world_mod.current()
        main = world.is_main  # rank 0 of a run of many processes writes the run directory; the others only train
        resume: tuple[dict[str, Any], bytes] | None = None
        if run.resume_from is not None:  # everything is checked before anything is written
            resume = self._load_everywhere(run, run.resume_from)
        init = self._load_everywhere(run, run.init_from, any_env=True) if run.init_from is not None else None
        t0 = time.perf_counter()
        start_steps = int(resume[0].get("env_steps", 0)) if resume else 0
        if resume is not None and start_steps >= cfg.max_env_steps:
            raise ConfigError(
                f"run {run.dir.name} already has {start_steps:,} env steps (rl.max_env_steps={cfg.max_env_steps:,}); "
                f"to continue, pass a larger --max-steps"
            )
        env = self._make_env(run, cfg.num_envs, world.seed(cfg.seed + start_steps))
        evaluator = None
        try:
            backend = self.learner_class()(cfg, env.observation_space, env.action_space, env.num_envs, training=True)
            best = None
            if resume is not None:
                self._restore(run, backend, run.resume_from, *resume)
                restore_env_state(env, run.resume_from, _rank_env_state(resume[0], world))
                if resume[0].get("best_by", best_by(False)) == best_by(cfg.eval_interval > 0):
                    best = resume[0].get("best_return")  # else ranked another way: not comparable
            elif init is not None:  # policy, value and normalisers; the optimizer and step counter start afresh
                self._restore(run, backend, run.init_from, *init, weights_only=True)
            if not main:  # the same networks as rank 0, its own exploration and mini-batch draws
                backend.seed(world.seed(cfg.seed + start_steps))
            if cfg.eval_interval > 0 and main:  # evaluation runs once, on rank 0
                eval_env, eval_seed = self._eval_env(run, cfg.eval_episodes)
                evaluator = TrainingEvaluator(eval_env, cfg.eval_episodes, seed=eval_seed)
            if not main:
                return self._train_rank(run, env, backend, start_steps, t0)
            run.dir.mkdir(parents=True, exist_ok=True)
            resumed = None
            if resume is not None:
                resumed = {
                    "from": str(run.resume_from),
                    "env_steps": start_steps,
                    "command": list(run.command) or list(sys.argv),
                    "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
                    "world_size": world.size,
                }
            self._write_config(run, resumed, init[0] if init is not None else None)
            if resume is not None:
                drop_metrics_after(run.dir, start_steps)
            loop = TrainLoop(
                run,
                env,
                backend,
                start_steps=start_steps,
                best_return=best,
                header=self._header(run, env),
                on_update=on_update,
                evaluator=evaluator,
            )

            def summary(finished: bool) -> None:
                s = loop.state
                atomic_write_json(
                    run.dir / "summary.json",
                    {
                        "env": run.env.name,
                        "trainer": self.spec.trainer,
                        "backend": self.spec.backend,
                        "finished": finished,
                        "env_steps": s.env_steps,
                        "updates": s.updates,
                        "wall_seconds": time.perf_counter() - t0,
                        "best_return": s.best_return,
                        "last_return": s.last_return,
                        "latest": str(s.latest) if s.latest else None,
                        "best": str(run.checkpoints / f"best{SUFFIX}")
                        if (run.checkpoints / f"best{SUFFIX}").is_file()
                        else None,
                        "resumed_from_steps": start_steps if resume else None,
                    },
                )

            state = loop.train(summary)
            best_file = run.checkpoints / f"best{SUFFIX}"
            if not _ranked_by(best_file, loop.best_by) and state.latest is not None:
                # too few episodes to rank yet, or a best of the other ranking: the final policy is the
                # best one known
                atomic_write_bytes(best_file, state.latest.read_bytes())
            summary(True)
        finally:
            try:
                env.close()
            finally:
                if evaluator is not None:
                    evaluator.close()
        return RunResult(
            run_dir=run.dir,
            env_steps=state.env_steps,
            wall_seconds=time.perf_counter() - t0,
            best_return=state.best_return,
            last_return=state.last_return,
            checkpoint=state.latest,
        )

    def _train_rank(self, run: Run, env: Any, backend: Any, start_steps: int, t0: float) -> RunResult:
        """A rank other than 0: the same loop, writing nothing, ranking nothing, calling no ``on_update``."""
        from motrixlab.training.loop import TrainLoop

        loop = TrainLoop(run, env, backend, start_steps=start_steps, best_return=None, header=self._header(run, env))
        state = loop.train(lambda finished: None)
        return RunResult(
            run_dir=run.dir,
            env_steps=state.env_steps,
            wall_seconds=time.perf_counter() - t0,
            best_return=None,
            last_return=None,
            checkpoint=None,
        )

    @_keeping_process_state()
    def load_policy(self, run: Run, checkpoint: Path, env: Any = None) -> tuple[Any, dict[str, Any]]:
        """A backend holding the checkpoint's policy, for evaluation and export (``env`` gives the spaces)."""
        return self._policy(run, checkpoint, self._load(run, checkpoint), env)

    def _policy(
        self, run: Run, checkpoint: Path, loaded: tuple[dict[str, Any], bytes], env: Any = None
    ) -> tuple[Any, dict[str, Any]]:
        header, payload = loaded
        cfg = self.ppo_cfg(run.rl_cfg)
        probe = env if env is not None else self._make_env(run, 1, 0)
        try:
            spaces = (probe.observation_space, probe.action_space)
        finally:
            if env is None:
                probe.close()
        backend = self.learner_class()(cfg, *spaces, 1, training=False)
        self._restore(run, backend, checkpoint, header, payload)
        return backend, header

    @_keeping_process_state()
    def evaluate(
        self, run: Run, checkpoint: Path, episodes: int, *, render: bool = False, video: Path | None = None
    ) -> EvalResult:
        from motrixlab.training.evaluation import run_episodes

        if episodes <= 0:
            raise ConfigError(f"episodes: must be positive, got {episodes}")
        loaded = self._load(run, checkpoint)  # a bad checkpoint fails before any env is built
        render = render or video is not None
        env, seed = self._eval_env(run, 1 if render else episodes)
        recorder = None
        try:
            backend, header = self._policy(run, checkpoint, loaded, env)
            if render:
                from motrixlab.training.play import play_episodes

                if video is not None:
                    from motrixlab.video import VideoRecorder

                    recorder = VideoRecorder(env, video)
                title = f"{run.env.name} ({self.spec.backend}), {Path(checkpoint).name}"
                result = play_episodes(env, backend.deterministic, episodes, seed=seed, title=title, recorder=recorder)
            else:
                result = run_episodes(env, backend.deterministic, episodes, seed=seed)
            if recorder is not None:
                recorder, done = None, recorder
                done.close(write=True)
        finally:
            try:
                if recorder is not None:  # interrupted or failed: no half-recorded video
                    recorder.close(write=False)
            finally:
                env.close()
        returns = np.asarray(result.returns[:episodes], np.float64)
        lengths = np.asarray(result.lengths[:episodes], np.float64)
        return EvalResult(
            episodes=len(returns),
            mean_return=float(returns.mean()),
            std_return=float(returns.std()),
            mean_length=float(lengths.mean()),
            std_length=float(lengths.std()),
            success_rate=float(np.mean(result.successes[:episodes])) if result.successes else None,
            checkpoint=str(checkpoint),
            env_steps=header.get("env_steps"),
            extra=result.extra(),
        )

    @_keeping_process_state("torch")  # export builds torch modules
    def export(self, run: Run, checkpoint: Path, format: str, path: Path) -> Path:
        from motrixlab.training.export import export_policy

        backend, _ = self.load_policy(run, checkpoint)
        metadata = self._deploy_metadata(run) if format == "onnx" else None
        export_policy(backend.policy_export_parts(), format, Path(path), backend.deterministic, metadata)
        return Path(path)

    def _deploy_metadata(self, run: Run) -> dict[str, str] | None:
        """The env's deploy description for the ONNX file; an env without one gets one line on stderr
        and an export without it (``motrixlab deploy`` then refuses the file, saying so)."""
        from motrixlab.deploy import METADATA_KEY, DeployUnavailable, describe_env, encode

        env = self._make_env(run, 1, 0)
        try:
            return {METADATA_KEY: encode(describe_env(env, run.env.name))}
        except DeployUnavailable as exc:
            print(f"motrixlab: note: no deploy metadata in this export: {exc}", file=sys.stderr)
            return None
        finally:
            env.close()


def _processes(num_envs: int) -> dict[str, int]:
    """How the run is spread: ``num_envs`` is per process."""
    size = world_mod.current().size
    return {"world_size": size, "num_envs_per_process": int(num_envs), "num_envs_total": int(num_envs) * size}


def _rank_env_state(header: dict[str, Any], world: world_mod.World) -> dict[str, Any]:
    """The part of a checkpoint's env state for this rank: rank r of the resumed run takes the state of
    rank ``r mod W`` of the ``W`` ranks that saved it (the env redraws it if its batch size differs)."""
    states = header.get("env_states")
    if isinstance(states, list) and states:
        return {**header, "env_state": states[world.rank % len(states)]}
    return header


def _ranked_by(best: Path, ranking: str) -> bool:
    """Whether ``best`` exists and was ranked the way this run ranks (``loop.best_by``)."""
    try:
        return read_header(best).get("best_by", "train") == ranking
    except CheckpointError:  # missing or unreadable
        return False


__all__ = ["LoopTrainer"]
