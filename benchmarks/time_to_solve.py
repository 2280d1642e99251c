"""Time to solve: wall time from the start of training to a deterministic evaluation return >= target.

    python benchmarks/time_to_solve.py                  # cartpole, skrl on torch and jax, 5 seeds
    python benchmarks/time_to_solve.py --backend torch --seeds 0 1 2 --set rl.num_envs=64
    python benchmarks/time_to_solve.py --backend skrl/torch rslrl/torch     # trainer/backend

Per seed, in this process: the framework is imported first (import time is not training time),
then ``Trainer.train`` runs with the env's registered PPO config. After every PPO update the
policy is evaluated (``--eval-episodes`` episodes, deterministic actions, frozen normalisers) with
the clock paused; the first update whose mean return reaches ``--target`` stops the run and gives
the time and env steps to solve. An evaluation stops early once the target is out of reach
(assumes a per-step reward of at most 1, as in cartpole).

Then, unless ``--no-command``: the whole ``motrixlab train ENV --trainer T --backend B`` command is timed in a
subprocess, its final policy evaluated, and the training loop's throughput (rollouts and PPO
updates) compared with ``motrixlab bench`` at the same number of envs. The CPU may be shared:
figures are noisy, medians are reported.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from throughput import training_loop_rate  # the sibling script (its folder is on sys.path when run)


def _eval_until(env: Any, policy: Any, episodes: int, target: float, max_steps: int) -> float:
    """Mean return of one episode per row; stops early (returning -inf) once ``target`` is out of reach."""
    obs, _ = env.reset(seed=12345)
    n = env.num_envs
    returns = np.zeros(n)
    active = np.ones(n, bool)
    for step in range(max_steps):
        obs, reward, terminated, truncated, _ = env.step(policy(obs))
        returns += np.where(active, reward, 0.0)
        active &= ~(terminated | truncated)
        best_case = returns.sum() + active.sum() * (max_steps - step - 1)
        if best_case < target * n:
            return float("-inf")
        if not active.any():
            break
    return float(returns.mean())


def split_key(key: str) -> tuple[str, str]:
    """``trainer/backend``, or a backend alone for skrl's."""
    trainer, _, backend = key.rpartition("/")
    return trainer or "skrl", backend


def time_to_solve(
    env_name: str,
    key: str,
    seed: int,
    sets: list[str],
    target: float,
    episodes: int,
    max_steps: int | None,
    keep_training: bool = False,
) -> dict[str, Any]:
    from motrixlab.cli.train import _trainer, build_run

    # this benchmark evaluates after every update itself: the config's own evaluations (which do not
    # change the training) would only add CPU time to ``cpu_seconds``
    sets = ["rl.eval_interval=0", *sets]
    trainer_name, backend = split_key(key)
    run = build_run(
        env_name, trainer=trainer_name, backend=backend, seed=seed, sets=sets, max_steps=max_steps, show_progress=False
    )
    trainer = _trainer(run.trainer)
    eval_env: list[Any] = []
    solved: dict[str, Any] = {}
    last: dict[str, Any] = {}
    cpu = {"start": 0.0, "paused": 0.0}

    def on_update(info: Any) -> bool:
        c0 = time.process_time()
        try:
            return _on_update(info)
        finally:
            cpu["paused"] += time.process_time() - c0

    def _on_update(info: Any) -> bool:
        if not eval_env:
            env_cls = importlib.import_module(run.env.env.split(":")[0])
            cls = getattr(env_cls, run.env.env.split(":")[1])
            eval_env.append(cls(run.env_cfg, num_envs=episodes, seed=seed + 999))
        env = eval_env[0]
        if solved and keep_training:
            last["backend"] = info.backend
            return False
        mean = _eval_until(env, info.backend.deterministic, episodes, target, env.max_episode_steps)
        if mean >= target:
            solved.update(
                seconds=info.train_seconds,
                env_steps=info.env_steps,
                eval_return=mean,
                cpu_seconds=time.process_time() - cpu["start"] - cpu["paused"],
            )
            last["backend"] = info.backend
            return not keep_training
        last["backend"] = info.backend
        return False

    t0 = time.perf_counter()
    cpu["start"] = time.process_time()
    result = trainer.train(run, on_update=on_update)
    total = time.perf_counter() - t0
    final = None
    if keep_training and eval_env and last:
        final = _eval_until(eval_env[0], last["backend"].deterministic, episodes, -1e18, eval_env[0].max_episode_steps)
    for env in eval_env:
        env.close()
    return {
        "seed": seed,
        "solved": bool(solved),
        "seconds": solved.get("seconds"),
        "cpu_seconds": solved.get("cpu_seconds"),
        "env_steps": solved.get("env_steps"),
        "eval_return": solved.get("eval_return"),
        "trained_env_steps": result.env_steps,
        "wall_with_evals": total,
        "final_eval_return": final,
    }


def command_run(env_name: str, key: str, sets: list[str], runs_dir: Path) -> dict[str, Any]:
    """Time ``motrixlab train`` end to end, then evaluate its best checkpoint and read its throughput."""
    env = {**os.environ, "MOTRIXLAB_RUNS_DIR": str(runs_dir), "RUST_LOG": "error"}
    trainer, backend = split_key(key)
    cmd = [sys.executable, "-m", "motrixlab", "train", env_name, "--trainer", trainer, "--backend", backend]
    cmd.append("--no-progress")
    for s in sets:
        cmd += ["--set", s]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    run_dir = sorted((runs_dir / env_name).iterdir())[-1]
    summary = json.loads((run_dir / "summary.json").read_text())
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "motrixlab",
            "eval",
            env_name,
            "--run",
            str(run_dir),
            "--checkpoint",
            "latest",
            "--episodes",
            "20",
            "--json",
        ],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    )
    evaluation = json.loads(out.stdout)
    config = json.loads((run_dir / "config.json").read_text())
    # the training loop's rate (rollouts and PPO updates), as throughput.py reports it; the whole
    # run's rate also counts framework import and set-up
    loop_rate, _ = training_loop_rate(run_dir)
    return {
        "command_seconds": wall,
        "train_seconds": summary["wall_seconds"],
        "env_steps": summary["env_steps"],
        "train_env_steps_per_s": loop_rate,
        "run_env_steps_per_s": summary["env_steps"] / summary["wall_seconds"],
        "num_envs": config["rl_cfg"]["num_envs"],
        "eval_return_latest": evaluation["mean_return"],
    }


def bench_env(env_name: str, num_envs: int) -> float:
    from motrixlab.cli.bench import measure

    return float(measure(env_name, num_envs, 2000)["env_steps_per_s"])  # long enough to steady the figure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--env", default="cartpole")
    parser.add_argument("--backend", nargs="+", default=["torch", "jax"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--set", dest="sets", action="append", default=[], help="rl.<field>=<value> overrides")
    parser.add_argument("--target", type=float, default=950.0)
    parser.add_argument("--eval-episodes", type=int, default=10)
    parser.add_argument("--max-steps", type=int, default=None, help="cap on env steps per seed")
    parser.add_argument(
        "--keep-training", action="store_true", help="train the whole budget and also evaluate the final policy"
    )
    parser.add_argument("--no-command", action="store_true", help="skip the whole-command timing")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("RUST_LOG", "error")
    report: dict[str, Any] = {"env": args.env, "target": args.target, "backends": {}}
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["MOTRIXLAB_RUNS_DIR"] = tmp
        for backend in args.backend:
            from motrixlab.cli.train import _trainer
            from motrixlab.plugins import get_registry

            _trainer(get_registry().trainer(*split_key(backend))).learner_class()  # imports the framework
            if split_key(backend)[1] == "torch":
                importlib.import_module("torch._dynamo")  # torch's optimizers import it on first use
            rows = [
                time_to_solve(
                    args.env, backend, s, args.sets, args.target, args.eval_episodes, args.max_steps, args.keep_training
                )
                for s in args.seeds
            ]
            solved = [r for r in rows if r["solved"]]
            entry: dict[str, Any] = {
                "seeds": rows,
                "solved": f"{len(solved)}/{len(rows)}",
                # unsolved seeds count as infinitely slow for the median
                "median_seconds": _median([r["seconds"] if r["solved"] else float("inf") for r in rows]),
                "median_cpu_seconds": _median([r["cpu_seconds"] if r["solved"] else float("inf") for r in rows]),
                "median_env_steps": _median([r["env_steps"] if r["solved"] else float("inf") for r in rows]),
            }
            if not args.no_command:
                cmd = command_run(args.env, backend, args.sets, Path(tmp) / f"cmd-{backend.replace('/', '-')}")
                cmd["bench_env_steps_per_s"] = bench_env(args.env, cmd["num_envs"])
                cmd["train_share_of_bench"] = cmd["train_env_steps_per_s"] / cmd["bench_env_steps_per_s"]
                entry["command"] = cmd
            report["backends"][backend] = entry
            if not args.json:
                _print(backend, entry)
    if args.json:
        print(json.dumps(report, indent=2))


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _print(backend: str, entry: dict[str, Any]) -> None:
    print(
        f"[{backend}] solved {entry['solved']}: median {entry['median_seconds']:.2f} s "
        f"(process CPU {entry['median_cpu_seconds']:.2f} s), "
        f"{entry['median_env_steps']:,.0f} env steps"
    )
    for r in entry["seeds"]:
        if r["solved"]:
            final = "" if r["final_eval_return"] is None else f", final eval {r['final_eval_return']:.1f}"
            print(
                f"  seed {r['seed']}: {r['seconds']:.2f} s (CPU {r['cpu_seconds']:.2f} s), "
                f"{r['env_steps']:,} env steps, "
                f"eval {r['eval_return']:.1f}{final}"
            )
        else:
            print(f"  seed {r['seed']}: not solved in {r['trained_env_steps']:,} env steps")
    cmd = entry.get("command")
    if cmd:
        print(
            f"  whole command: {cmd['command_seconds']:.1f} s (training {cmd['train_seconds']:.1f} s, "
            f"{cmd['env_steps']:,} steps, eval of latest {cmd['eval_return_latest']:.1f})"
        )
        print(
            f"  throughput: training loop {cmd['train_env_steps_per_s']:,.0f} env-steps/s "
            f"(whole run {cmd['run_env_steps_per_s']:,.0f}) vs bench "
            f"{cmd['bench_env_steps_per_s']:,.0f} at {cmd['num_envs']} envs "
            f"({cmd['train_share_of_bench']:.0%})"
        )


if __name__ == "__main__":
    main()
