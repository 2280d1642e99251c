"""One run over several processes against one process: throughput, time to a floor, all-reduce cost.

    python benchmarks/distributed.py layouts go1-walk --layouts 1x1024 2x512 --steps 3500000 \\
        --eval-at 2000000 2500000 3000000 3500000
    python benchmarks/distributed.py allreduce go1-walk --procs 2

``layouts``: for each ``PROCSxENVS`` layout (same total envs), ``motrixlab train ENV --nproc PROCS
--num-envs ENVS`` in a subprocess to ``--steps`` env steps, checkpointing at each ``--eval-at``
step; then ``motrixlab eval`` of those checkpoints (``--episodes``, deterministic, random
commands). Reports the training loop's env-steps/s (median over updates after the second), its
wall time to each checkpoint, and the eval figures (``lin_vel_error``, episode length). One layout
runs at a time: on a small machine concurrent runs only measure each other.

``allreduce``: the cost of averaging the gradients of ENV's registered networks (policy and value)
over ``--procs`` gloo processes on loopback: the median time of one ``all_reduce`` of that many
float32 values, and what one PPO update pays (one policy and one value reduce per mini-batch).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _cli(*args: str, runs: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "MOTRIXLAB_RUNS_DIR": str(runs), "RUST_LOG": "error"}
    proc = subprocess.run([sys.executable, "-m", "motrixlab", *args], env=env, capture_output=True, text=True)
    if check and proc.returncode:
        raise SystemExit(f"motrixlab {' '.join(args)} failed: {proc.stderr.strip().splitlines()[-3:]}")
    return proc


def run_layout(
    env: str, backend: str, procs: int, envs: int, steps: int, eval_at: list[int], episodes: int, runs: Path
) -> dict[str, Any]:
    interval = math.gcd(*eval_at) if eval_at else 0  # a checkpoint at every step of eval_at
    sets = ["--set", f"rl.checkpoint_interval={interval}", "--set", "rl.keep_checkpoints=0"] if interval else []
    t0 = time.perf_counter()
    _cli(
        "train",
        env,
        "--backend",
        backend,
        "--nproc",
        str(procs),
        "--num-envs",
        str(envs),
        "--max-steps",
        str(steps),
        "--no-progress",
        *sets,
        runs=runs,
    )
    wall = time.perf_counter() - t0
    run_dir = next(p for p in (runs / env).iterdir() if p.is_dir())
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    rates = [r["perf/env_steps_per_s"] for r in rows[2:]]
    out: dict[str, Any] = {
        "layout": f"{procs}x{envs}",
        "env_steps": rows[-1]["env_steps"],
        "env_steps_per_s": statistics.median(rates),
        "update_ms": statistics.median(r.get("perf/update_ms", 0.0) for r in rows[2:]),
        "wall_seconds": wall,
        "in_sync": all(r.get("dist/ranks_in_sync", 1.0) == 1.0 for r in rows),
        "evals": [],
    }
    ckpts = sorted(run_dir.glob("checkpoints/step-*.ckpt"), key=lambda p: int(p.stem.split("-")[1]))
    for want in eval_at:
        ckpt = next((c for c in ckpts if int(c.stem.split("-")[1]) >= want), None)
        if ckpt is None:
            continue
        got = int(ckpt.stem.split("-")[1])
        at = next((r["wall_seconds"] for r in rows if r["env_steps"] >= got), None)
        done = _cli(
            "eval",
            env,
            "--run",
            run_dir.name,
            "--checkpoint",
            str(ckpt),
            "--episodes",
            str(episodes),
            "--json",
            runs=runs,
        )
        result = json.loads(done.stdout)
        out["evals"].append(
            {
                "env_steps": got,
                "wall_seconds": at,
                "mean_length": result["mean_length"],
                **{k: v for k, v in result["extra"].items() if k.endswith("error")},
            }
        )
    return out


def layouts(args: argparse.Namespace) -> None:
    results = []
    for layout in args.layouts:
        procs, envs = (int(x) for x in layout.split("x"))
        with tempfile.TemporaryDirectory() as tmp:
            results.append(
                run_layout(args.env, args.backend, procs, envs, args.steps, args.eval_at, args.episodes, Path(tmp))
            )
        print(json.dumps(results[-1]), flush=True)


# ---- all-reduce -----------------------------------------------------------------------------------
def _param_count(env: str) -> tuple[int, Any]:
    import motrixlab
    from motrixlab import make_rl_cfg
    from motrixlab.plugins import get_registry

    reg = get_registry()
    cfg = make_rl_cfg(env, reg.trainer("skrl", "torch"), {}, registry=reg)
    e = motrixlab.make(env, num_envs=1, seed=0)
    obs, act = e.observation_space.shape[0], e.action_space.shape[0]
    e.close()

    def mlp(sizes: list[int]) -> int:
        return sum(a * b + b for a, b in itertools.pairwise(sizes))

    return mlp([obs, *cfg.policy_hidden, act]) + act + mlp([obs, *cfg.value_hidden, 1]), cfg


def _reduce_worker(rank: int, size: int, port: int, numel: int, reps: int, out: Any) -> None:
    import torch
    import torch.distributed as dist

    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=size)
    t = torch.randn(numel)
    for _ in range(10):
        dist.all_reduce(t)
    times = []
    for _ in range(reps):
        dist.barrier()
        t0 = time.perf_counter()
        dist.all_reduce(t)
        times.append(time.perf_counter() - t0)
    if rank == 0:
        out.put(statistics.median(times))
    dist.destroy_process_group()


def allreduce(args: argparse.Namespace) -> None:
    import torch.multiprocessing as mp

    params, cfg = _param_count(args.env)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ctx = mp.get_context("spawn")
    q = ctx.SimpleQueue()
    mp.spawn(_reduce_worker, args=(args.procs, port, params, args.reps, q), nprocs=args.procs, join=True)
    one = q.get()
    per_update = 2 * cfg.learning_epochs * cfg.mini_batches
    print(
        json.dumps(
            {
                "env": args.env,
                "procs": args.procs,
                "params": params,
                "all_reduce_ms": 1000 * one,
                "reduces_per_update": per_update,
                "per_update_ms": 1000 * one * per_update,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("layouts")
    p.add_argument("env")
    p.add_argument("--backend", default="torch")
    p.add_argument("--layouts", nargs="+", default=["1x1024", "2x512"])
    p.add_argument("--steps", type=int, default=3_500_000)
    p.add_argument("--eval-at", type=int, nargs="*", default=[])
    p.add_argument("--episodes", type=int, default=100)
    p.set_defaults(run=layouts)
    p = sub.add_parser("allreduce")
    p.add_argument("env")
    p.add_argument("--procs", type=int, default=2)
    p.add_argument("--reps", type=int, default=300)
    p.set_defaults(run=allreduce)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
