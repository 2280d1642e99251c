"""Throughput of every installed environment: ``nox -s bench`` or ``python benchmarks/bench_envs.py``.

Each env runs ``motrixlab bench ENV --json`` in its own process (a fresh MotrixSim thread pool, no
cross-talk), with random actions, and by default measures what the physics-share floors are stated
in: the median of 5 windows of 100 steps at 1024 envs. It writes one JSON file per env to
``--out`` (default ``benchmarks/results/``): ``<env>.json`` holds the ``bench`` JSON and the
command that produced it, or, for an env whose ``bench`` failed, ``{"env", "command", "error"}``
with the error's one line. The table of env-steps/s, physics share and bare ``step_n`` throughput
is printed at the end, and the script exits with status 1 if any env failed.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

from motrixlab.cli.bench import DEFAULT_NUM_ENVS, DEFAULT_REPEAT, DEFAULT_STEPS

RESULTS = Path(__file__).resolve().parent / "results"


def error_line(proc: subprocess.CompletedProcess) -> str:
    """``motrixlab``'s one-line error, else the last line on stderr (a crash), else the exit status."""
    lines = [line.strip() for line in proc.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("motrixlab: error:")]
    return (errors or lines or [f"exit status {proc.returncode} and no message"])[-1]


def bench_one(name: str, args: argparse.Namespace) -> dict[str, Any]:
    bench_args = ["bench", name, "--num-envs", str(args.num_envs), "--steps", str(args.steps)]
    bench_args += ["--repeat", str(args.repeat), "--json"]
    command = shlex.join(["motrixlab", *bench_args])
    proc = subprocess.run([sys.executable, "-m", "motrixlab", *bench_args], capture_output=True, text=True)
    if proc.returncode != 0:
        return {"env": name, "command": command, "error": error_line(proc)}
    try:
        result = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return {"env": name, "command": command, "error": f"not JSON on stdout: {proc.stdout.strip()[:200]!r}"}
    return {**result, "command": command}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("envs", nargs="*", help="env names (default: all installed)")
    parser.add_argument("--num-envs", type=int, default=DEFAULT_NUM_ENVS)
    parser.add_argument("--steps", type=int, default=DEFAULT_STEPS, help="env steps per timed window")
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT, help="timed windows per env (medians reported)")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"folder for <env>.json (default {RESULTS})")
    parser.add_argument("--json", action="store_true", help="print JSON lines instead of a table")
    args = parser.parse_args()

    if args.envs:
        names = args.envs
    else:
        from motrixlab.plugins import get_registry

        names = sorted(get_registry().envs)
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for name in names:
        rows.append(bench_one(name, args))
        (args.out / f"{name}.json").write_text(json.dumps(rows[-1], indent=2) + "\n")
        if args.json:
            print(json.dumps(rows[-1]), flush=True)
    if not args.json:
        print(f"{'env':24} {'env-steps/s':>12} {'physics share':>14} {'raw step_n/s':>13}")
        for r in rows:
            if "error" in r:
                print(f"{r['env']:24} error: {r['error']}")
            else:
                rate, share, raw = r["env_steps_per_s"], r["physics_share"], r["raw_steps_per_s"]
                print(f"{r['env']:24} {rate:12,.0f} {share:14.3f} {raw:13,.0f}")
        print(f"{len(rows)} JSON files in {args.out}")
    failed = [r["env"] for r in rows if "error" in r]
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
