"""``train``, ``eval``, ``play`` and ``export``: resolve env, RL config and backend, then hand over.

The work itself belongs to the trainer backend (``motrixlab.Trainer``); this module only turns a
command line into a :class:`motrixlab.Run` and prints results.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import typer

from motrixlab.cli.common import console, print_json, registry
from motrixlab.errors import ConfigError, PluginError, UnknownNameError
from motrixlab.training.world import LAUNCHED_ENV

BACKEND_HELP = "Trainer backend (torch, jax, ...); default: a GPU backend if present, else torch, else jax."


def _trainer(spec: Any) -> Any:
    from motrixlab.imports import load_ref
    from motrixlab.trainer import Trainer

    cls = load_ref(spec.entry, f"trainer {spec.key}")
    if not (isinstance(cls, type) and issubclass(cls, Trainer)):
        raise PluginError(f"trainer {spec.key}: {spec.entry!r} is not a motrixlab.Trainer subclass")
    return cls(spec)


def _load_run(env: str, ref: str) -> tuple[Path, dict[str, Any]]:
    from motrixlab.runs import find_run

    run_dir = find_run(env, ref)
    path = run_dir / "config.json"
    try:
        config = json.loads(path.read_text())
    except OSError as exc:
        raise ConfigError(f"run config {str(path)!r} cannot be read: {exc.strerror or exc}") from None
    except ValueError as exc:  # a file cut short or overwritten: not JSON (UnicodeDecodeError included)
        raise ConfigError(f"run config {str(path)!r} is damaged: not valid JSON ({exc})") from None
    if not isinstance(config, dict):
        raise ConfigError(f"run config {str(path)!r} is damaged: not a JSON object")
    return run_dir, config


def build_run(
    env: str,
    *,
    trainer: str | None = None,
    backend: str | None = None,
    sets: list[str] | None = None,
    num_envs: int | None = None,
    seed: int | None = None,
    max_steps: int | None = None,
    run_dir: Path | None = None,
    saved: dict[str, Any] | None = None,
    resume_from: Path | None = None,
    show_progress: bool = True,
    log_interval: float = 30.0,
) -> Any:
    """A :class:`motrixlab.Run` from names and overrides (or from a saved ``config.json``)."""
    from motrixlab.factory import make_env_cfg, make_rl_cfg
    from motrixlab.overrides import parse_set_args
    from motrixlab.runs import new_run_dir
    from motrixlab.trainer import Run

    reg = registry()
    spec = reg.env(env)
    if saved is not None:
        trainer = trainer or saved["trainer"]
        if backend is not None and backend != saved["backend"]:
            raise ConfigError(
                f"run was trained with backend {saved['backend']!r}, not {backend!r}; "
                f"omit --backend or pass --backend {saved['backend']}"
            )
        backend = saved["backend"]
    tspec = reg.trainer(trainer, backend)
    overrides = parse_set_args(sets or [])
    env_over: dict[str, Any] = dict(saved["env_cfg"]) if saved else {}
    rl_over: dict[str, Any] = dict(saved["rl_cfg"]) if saved else {}
    env_over = _flatten(env_over)
    rl_over = _flatten(rl_over)
    env_over.update(overrides["env"])
    rl_over.update(overrides["rl"])
    for key, value in (("num_envs", num_envs), ("seed", seed), ("max_env_steps", max_steps)):
        if value is not None:
            rl_over[key] = value
    env_cfg = make_env_cfg(spec, env_over)
    rl_cfg = make_rl_cfg(env, tspec, rl_over, registry=reg)
    if run_dir is None:
        run_dir = new_run_dir(env, tspec.trainer, tspec.backend)
    return Run(
        env=spec,
        env_cfg=env_cfg,
        rl_cfg=rl_cfg,
        trainer=tspec,
        dir=run_dir,
        resume_from=resume_from,
        command=tuple(sys.argv),
        show_progress=show_progress,
        log_interval=log_interval,
    )


def _flatten(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flatten(v, f"{prefix}{k}."))
        else:
            out[prefix + k] = tuple(v) if isinstance(v, list) else v
    return out


def _checkpoint(trainer: Any, run_dir: Path, ref: str) -> Path:
    from motrixlab.runs import resolve_checkpoint

    return resolve_checkpoint(run_dir, ref, getattr(trainer, "checkpoint_suffix", ""))


def train(
    env: str = typer.Argument(..., help="Environment name (see `motrixlab list`)."),
    backend: str | None = typer.Option(None, "--backend", "-b", help=BACKEND_HELP),
    trainer: str | None = typer.Option(None, "--trainer", help="Trainer (default: any installed)."),
    num_envs: int | None = typer.Option(None, "--num-envs", "-n", help="Parallel envs (rl.num_envs)."),
    seed: int | None = typer.Option(None, "--seed", help="Seed (rl.seed)."),
    max_steps: int | None = typer.Option(None, "--max-steps", help="Total env steps (rl.max_env_steps)."),
    sets: list[str] = typer.Option([], "--set", help="env.<field>=<value> or rl.<field>=<value>; repeatable."),
    resume: str | None = typer.Option(None, "--resume", help="Continue a run: 'latest', a run name or path."),
    init_from: str | None = typer.Option(
        None,
        "--init-from",
        help="Start from the policy and normalisers of another run (its latest checkpoint; a run name or path) "
        "or of a checkpoint file; fresh optimizer and step counter. Its env needs this env's spaces.",
    ),
    no_progress: bool = typer.Option(False, "--no-progress", help="No live dashboard in the terminal."),
    log_interval: float = typer.Option(
        30.0, "--log-interval", help="Seconds between plain progress lines when stdout is not a terminal; 0: none."
    ),
    nproc: int = typer.Option(
        1, "--nproc", help="Processes on this machine, each with its own --num-envs (torchrun's elastic launcher)."
    ),
    nnodes: int = typer.Option(1, "--nnodes", help="Machines in the run (each runs this command)."),
    node_rank: int = typer.Option(0, "--node-rank", help="This machine's index; node 0 holds rank 0 and its run."),
    rdzv_endpoint: str | None = typer.Option(
        None, "--rdzv-endpoint", help="HOST:PORT of node 0 where the machines meet (needed with --nnodes > 1)."
    ),
) -> None:
    """Train a policy; writes runs/<env>/<stamp>-<trainer>-<backend>/.

    In a terminal a live dashboard shows progress; otherwise (a file, a pipe, a batch job) one plain
    line every --log-interval seconds. With --nproc/--nnodes one run spans several processes and
    machines, data-parallel; rank 0 writes the run."""
    from motrixlab.cli.launch import check_layout
    from motrixlab.training.world import World

    if log_interval < 0:
        raise ConfigError(f"--log-interval: must be 0 or more seconds, got {log_interval:g}")
    if init_from is not None and resume is not None:
        raise ConfigError("--init-from starts a new run and --resume continues one: pass only one of them")
    check_layout(nproc, nnodes, node_rank, rdzv_endpoint)
    world = World.from_environ()
    args = dict(trainer=trainer, backend=backend, sets=sets, num_envs=num_envs, seed=seed, max_steps=max_steps)
    if world.distributed:
        show = not no_progress
        return _train_rank(env, world, resume, init_from, args, show_progress=show, log_interval=log_interval)
    if nproc * nnodes > 1:
        worker_args = _worker_args(env, resume, init_from, no_progress, log_interval, **args)
        layout = dict(nproc=nproc, nnodes=nnodes, node_rank=node_rank, endpoint=rdzv_endpoint)
        return _launch(env, resume, worker_args, **layout, args=args)
    run_dir, saved = _load_run(env, resume) if resume is not None else (None, None)
    run = build_run(env, **args, run_dir=run_dir, saved=saved, show_progress=not no_progress, log_interval=log_interval)
    _train(env, run, resume, init_from, main=True)


def _train(env: str, run: Any, resume: str | None, init_from: str | None, *, main: bool) -> None:
    """Train ``run`` in this process (one process, or one rank of many: ``main`` is rank 0, which alone
    holds the run's lock and prints)."""
    from contextlib import nullcontext

    from motrixlab.runstatus import training

    run_dir = run.dir if resume is not None else None
    try:  # a fresh run that fails before writing anything leaves no directory behind
        impl = _trainer(run.trainer)
        if main:
            for note in impl.cfg_notes(run.rl_cfg):
                print(f"motrixlab: note: {note}", file=sys.stderr)
        if run_dir is not None:
            run = replace(run, resume_from=_checkpoint(impl, run_dir, "latest") if main else run_dir / "latest")
        if init_from is not None:
            from motrixlab.runs import find_policy_checkpoint

            suffix = getattr(impl, "checkpoint_suffix", "")
            run = replace(run, init_from=find_policy_checkpoint(init_from, suffix) if main else Path(init_from))
        with training(run.dir) if main else nullcontext():  # the run's lock; status.json says how it ended
            if run_dir is not None and main:
                from motrixlab.runs import remove_temporaries

                remove_temporaries(run_dir)  # a killed process's half-written files (the lock is ours now)
            result = impl.train(run)
    except BaseException as exc:
        if not main:
            raise
        if resume is None:
            from motrixlab.runs import remove_empty_run_dir
            from motrixlab.runstatus import OWN_FILES

            remove_empty_run_dir(run.dir, ignore=OWN_FILES)
        if isinstance(exc, KeyboardInterrupt) and run.dir.is_dir():  # Ctrl-C or SIGTERM
            if os.environ.get(LAUNCHED_ENV):  # the launcher says how to continue, for all the processes
                raise SystemExit(130) from None
            print(
                f"motrixlab: interrupted; continue with: motrixlab train {env} --resume {run.dir.name}", file=sys.stderr
            )
            raise SystemExit(130) from None
        raise
    if not main:
        return
    best = f"{result.best_return:.1f}" if result.best_return is not None else "n/a"
    ranked = "evaluation return" if run.rl_cfg.eval_interval > 0 else "return"
    console.print(
        f"trained {env} for {result.env_steps:,} env steps in {result.wall_seconds:.1f} s; "
        f"best {ranked} {best}; run: {result.run_dir}"
    )


def _worker_args(
    env: str, resume: str | None, init_from: str | None, no_progress: bool, log_interval: float, **args: Any
) -> list[str]:
    """The ``train`` arguments each launched process gets (the same run, without the launcher's options)."""
    out = [env]
    for flag, key in (("--trainer", "trainer"), ("--backend", "backend"), ("--num-envs", "num_envs")):
        if args[key] is not None:
            out += [flag, str(args[key])]
    for flag, key in (("--seed", "seed"), ("--max-steps", "max_steps")):
        if args[key] is not None:
            out += [flag, str(args[key])]
    for item in args["sets"] or []:
        out += ["--set", item]
    if resume is not None:
        out += ["--resume", resume]
    if init_from is not None:
        out += ["--init-from", init_from]
    if no_progress:
        out.append("--no-progress")
    return [*out, "--log-interval", repr(log_interval)]


def _launch(
    env: str,
    resume: str | None,
    worker_args: list[str],
    *,
    nproc: int,
    nnodes: int,
    node_rank: int,
    endpoint: str | None,
    args: dict[str, Any],
) -> None:
    """Check the run here (names, overrides, the run to resume), then start its processes."""
    from motrixlab.cli.launch import launch
    from motrixlab.runs import remove_empty_run_dir
    from motrixlab.runstatus import OWN_FILES

    fresh_here = resume is None and node_rank == 0  # node 0 creates the run directory rank 0 writes
    if node_rank == 0:
        run_dir, saved = _load_run(env, resume) if resume is not None else (None, None)
        run = build_run(env, **args, run_dir=run_dir, saved=saved)
        name = run.dir.name
    else:  # another machine: rank 0, on node 0, has the run; check the names and overrides only
        build_run(env, **args, run_dir=Path(os.devnull))
        name = resume or "<run>"
    launched = ["--nproc", str(nproc)]
    if nnodes > 1:
        launched += ["--nnodes", str(nnodes), "--node-rank", str(node_rank), "--rdzv-endpoint", str(endpoint)]
    hint = f"continue with: motrixlab train {env} --resume {name} {' '.join(launched)}"
    try:
        launch(
            worker_args,
            nproc=nproc,
            nnodes=nnodes,
            node_rank=node_rank,
            rdzv_endpoint=endpoint,
            run_dir=run.dir if fresh_here else None,
            resume_hint=hint,
        )
    finally:
        if fresh_here:
            remove_empty_run_dir(run.dir, ignore=OWN_FILES)


def _train_rank(
    env: str,
    world: Any,
    resume: str | None,
    init_from: str | None,
    args: dict[str, Any],
    *,
    show_progress: bool,
    log_interval: float,
) -> None:
    """One process of a run of many: rank 0 resolves the run (the directory to write, or the one to resume)
    and tells the others, which need no access to it."""
    from motrixlab.cli.launch import join_run
    from motrixlab.errors import MotrixLabError
    from motrixlab.training import world as world_mod

    join_run(world)
    found: tuple[str, dict[str, Any] | None] | str = ""
    if world.is_main:
        try:
            if resume is not None:
                run_dir, saved = _load_run(env, resume)
            else:
                given = os.environ.get(world_mod.RUN_DIR_ENV)
                run_dir, saved = (Path(given) if given else None), None
            run = build_run(
                env, **args, run_dir=run_dir, saved=saved, show_progress=show_progress, log_interval=log_interval
            )
        except MotrixLabError as exc:
            world_mod.broadcast(f"rank 0 could not set up the run: {exc}")
            raise
        found = (str(run.dir), saved)
    found = world_mod.broadcast(found)
    if isinstance(found, str):
        raise world_mod.PeerLost(found)
    if not world.is_main:
        run = build_run(env, **args, run_dir=Path(found[0]), saved=found[1], show_progress=False, log_interval=0)
    try:
        _train(env, run, resume, init_from, main=world.is_main)
    except Exception as exc:  # a library's collective failing because a peer is gone: jax raises ValueError
        if world_mod.is_peer_loss(exc):
            raise world_mod.PeerLost(str(exc)) from exc
        raise
    finally:
        world_mod.leave()


CHECKPOINT_HELP = (
    "latest, best, a checkpoint name or a path; a checkpoint file of another env's run is evaluated on this env "
    "when their observation and action spaces are the same."
)
RUN_HELP = "Run: 'latest', a run name or a path (also of another env with the same spaces)."
EVAL_SET_HELP = "env.<field>=<value>: evaluate under other env settings than the run's (repeatable)."


def _eval_target(
    env: str, run_ref: str, checkpoint: str, backend: str | None, sets: list[str] | None = None
) -> tuple[Any, Any, Path]:
    from motrixlab.overrides import parse_set_args

    if parse_set_args(sets or [])["rl"]:
        raise ConfigError("--set: evaluation takes only env.<field> overrides (the policy's RL config is the run's)")
    from motrixlab.runs import run_of_checkpoint

    # a checkpoint file inside a run directory brings its run (of this env or of another one)
    own_run = run_of_checkpoint(Path(checkpoint)) if run_ref == "latest" and Path(checkpoint).is_file() else None
    run_dir, saved = _load_run(env, str(own_run) if own_run is not None else run_ref)
    source = saved.get("env")
    if isinstance(source, str) and source != env:
        # a policy of another env: this env under its own config (and --set), the policy's RL config;
        # the trainer refuses it unless the observation and action spaces are the same
        saved = {**saved, "env_cfg": {}}
    run = build_run(env, backend=backend, run_dir=run_dir, saved=saved, sets=sets)
    if isinstance(source, str) and source != env:
        run = replace(run, policy_env=source)
    impl = _trainer(run.trainer)
    return run, impl, _checkpoint(impl, run_dir, checkpoint)


def evaluate(
    env: str = typer.Argument(..., help="Environment name."),
    checkpoint: str = typer.Option("best", "--checkpoint", "-c", help=CHECKPOINT_HELP),
    run: str = typer.Option("latest", "--run", help=RUN_HELP),
    episodes: int | None = typer.Option(None, "--episodes", "-e", help="Episodes (default rl.eval_episodes)."),
    backend: str | None = typer.Option(None, "--backend", "-b", help="Must match the run's backend."),
    sets: list[str] = typer.Option([], "--set", help=EVAL_SET_HELP),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Evaluate a checkpoint with deterministic actions."""
    run_obj, impl, ckpt = _eval_target(env, run, checkpoint, backend, sets)
    n = episodes if episodes is not None else run_obj.rl_cfg.eval_episodes
    if n <= 0:
        raise ConfigError(f"--episodes: must be positive, got {n}")
    result = impl.evaluate(run_obj, ckpt, n)
    if as_json:
        print_json(result.to_json())
        return
    _print_eval(env, result)


def _print_eval(env: str, result: Any) -> None:
    from rich.table import Table

    table = Table(title=f"{env}: {result.episodes} episodes, checkpoint {Path(str(result.checkpoint)).name}")
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_row("return", f"{result.mean_return:.2f} ± {result.std_return:.2f}")
    table.add_row("length", f"{result.mean_length:.1f} ± {result.std_length:.1f}")
    if result.success_rate is not None:
        table.add_row("success rate", f"{result.success_rate:.1%}")
    for k, v in sorted(result.extra.items()):
        table.add_row(k, f"{v:.4g}")
    console.print(table)


def play(
    env: str = typer.Argument(..., help="Environment name."),
    checkpoint: str = typer.Option("best", "--checkpoint", "-c", help=CHECKPOINT_HELP),
    run: str = typer.Option("latest", "--run", help=RUN_HELP),
    episodes: int = typer.Option(5, "--episodes", "-e", help="Episodes to play."),
    backend: str | None = typer.Option(None, "--backend", "-b", help="Must match the run's backend."),
    sets: list[str] = typer.Option([], "--set", help=EVAL_SET_HELP),
    video: Path | None = typer.Option(
        None, "--video", help="Also record the episodes as an animated GIF (needs a Vulkan driver; lavapipe on CPU)."
    ),
) -> None:
    """Play a policy with deterministic actions and live episode stats, optionally recorded as a GIF."""
    if episodes <= 0:
        raise ConfigError(f"--episodes: must be positive, got {episodes}")
    if video is not None:
        from motrixlab.video import check_video_path

        video = check_video_path(video)
    run_obj, impl, ckpt = _eval_target(env, run, checkpoint, backend, sets)
    if video is None:
        result = impl.evaluate(run_obj, ckpt, episodes, render=True)
    else:  # a trainer that records video takes ``video`` (and raises if it wrote nothing)
        result = impl.evaluate(run_obj, ckpt, episodes, render=True, video=video)
    _print_eval(env, result)
    if video is not None:
        console.print(f"video: {video}")


def export(
    env: str = typer.Argument(..., help="Environment name."),
    checkpoint: str = typer.Option("best", "--checkpoint", "-c", help="latest, best, a checkpoint name or a path."),
    fmt: str = typer.Option("onnx", "--format", "-f", help="onnx or torchscript."),
    output: Path | None = typer.Option(
        None, "--output", "--out", "-o", help="Output file (default: next to the checkpoint)."
    ),
    run: str = typer.Option("latest", "--run", help="Run: 'latest', a run name or a path."),
    backend: str | None = typer.Option(None, "--backend", "-b", help="Must match the run's backend."),
) -> None:
    """Export the policy, with its observation normaliser, for deployment."""
    run_obj, impl, ckpt = _eval_target(env, run, checkpoint, backend)
    formats = getattr(impl, "export_formats", ())
    if formats and fmt not in formats:
        raise UnknownNameError(f"unknown export format {fmt!r}; valid: {', '.join(formats)}")
    suffix = {"onnx": ".onnx", "torchscript": ".pt"}.get(fmt, f".{fmt}")
    path = output or run_obj.dir / "exported" / f"{ckpt.stem}{suffix}"
    written = impl.export(run_obj, ckpt, fmt, path)
    console.print(f"exported {env} policy ({fmt}) to {written}")


def register(app: typer.Typer) -> None:
    app.command("train")(train)
    app.command("eval")(evaluate)
    app.command("play")(play)
    app.command("export")(export)
