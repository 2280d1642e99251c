"""Training throughput next to the env's own: ``motrixlab train`` env-steps/s vs ``motrixlab bench``.

    python benchmarks/throughput.py cartpole go1-walk --backend torch --updates 4

For each env, in a subprocess: ``motrixlab train ENV`` with the env's registered PPO config for
``--updates`` PPO updates (``--set`` overrides apply, e.g. ``rl.num_envs=1024``). The training rate
is env steps per second of the training loop, rollouts and PPO updates included (from
``metrics.jsonl``: the median over updates after the first, which pays for warm-up). The bench rate
is ``motrixlab bench ENV`` at the same number of envs with random actions. The CPU may be shared
with other work: figures are noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any


def _cli(*args: str, runs: Path) -> str:
    env = {**os.environ, "MOTRIXLAB_RUNS_DIR": str(runs), "RUST_LOG": "error"}
    proc = subprocess.run([sys.executable, "-m", "motrixlab", *args], env=env, capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"motrixlab {' '.join(args)} failed: {proc.stderr.strip().splitlines()[-1:]}")
    return proc.stdout


def _rl_cfg(env: str, backend: str, sets: list[str]) -> Any:
    """The RL config ``motrixlab train`` would use (resolved here without importing a framework)."""
    from motrixlab import make_rl_cfg
    from motrixlab.overrides import parse_set_args
    from motrixlab.plugins import get_registry

    reg = get_registry()
    return make_rl_cfg(env, reg.trainer("skrl", backend), parse_set_args(sets)["rl"], registry=reg)


def training_loop_rate(run_dir: Path) -> tuple[float, int]:
    """Env-steps/s of a run's training loop from ``metrics.jsonl``: the median over updates after the
    first (which pays for warm-up); and the number of updates."""
    lines = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    rates = [line["perf/env_steps_per_s"] for line in lines[1:]] or [lines[0]["perf/env_steps_per_s"]]
    return statistics.median(rates), len(lines)


def measure(env: str, backend: str, updates: int, sets: list[str], bench_steps: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        runs = Path(tmp)
        rl = _rl_cfg(env, backend, sets)
        num_envs, rollouts = rl.num_envs, rl.rollouts
        steps = updates * num_envs * rollouts
        set_args = [a for s in sets for a in ("--set", s)]
        _cli("train", env, "--backend", backend, "--max-steps", str(steps), "--no-progress", *set_args, runs=runs)
        run_dir = next((runs / env).iterdir())
        train_rate, updates_done = training_loop_rate(run_dir)
        bench = json.loads(
            _cli(
                "bench",
                env,
                "--num-envs",
                str(num_envs),
                "--steps",
                str(bench_steps),
                "--repeat",
                "1",
                "--json",
                runs=runs,
            )
        )
    return {
        "env": env,
        "backend": backend,
        "num_envs": num_envs,
        "rollouts": rollouts,
        "updates": updates_done,
        "train_env_steps_per_s": train_rate,
        "bench_env_steps_per_s": bench["env_steps_per_s"],
        "share": train_rate / bench["env_steps_per_s"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("envs", nargs="+")
    parser.add_argument("--backend", default="torch")
    parser.add_argument("--updates", type=int, default=4)
    parser.add_argument("--bench-steps", type=int, default=1000)
    parser.add_argument("--set", dest="sets", action="append", default=[])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = [measure(env, args.backend, args.updates, args.sets, args.bench_steps) for env in args.envs]
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    for r in rows:
        print(
            f"{r['env']} ({r['backend']}, {r['num_envs']} envs x {r['rollouts']} rollouts, {r['updates']} updates): "
            f"training {r['train_env_steps_per_s']:,.0f} env-steps/s, bench {r['bench_env_steps_per_s']:,.0f} "
            f"({r['share']:.0%})"
        )


if __name__ == "__main__":
    main()
