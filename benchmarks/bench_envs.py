"""Throughput of every installed environment: ``nox -s bench`` or ``python benchmarks/bench_envs.py``.

Each env runs in its own process (a fresh MotrixSim thread pool, no cross-talk), with random
actions, and reports env-steps/s, the physics share of ``step`` and bare ``step_n`` throughput.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("envs", nargs="*", help="env names (default: all installed)")
    parser.add_argument("--num-envs", type=int, default=1024)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=1, help="timed windows per env; medians are reported")
    parser.add_argument("--json", action="store_true", help="print JSON lines instead of a table")
    args = parser.parse_args()

    if args.envs:
        names = args.envs
    else:
        from motrixlab.plugins import get_registry

        names = sorted(get_registry().envs)
    rows = []
    for name in names:
        cmd = [
            sys.executable,
            "-m",
            "motrixlab",
            "bench",
            name,
            "--num-envs",
            str(args.num_envs),
            "--steps",
            str(args.steps),
            "--repeat",
            str(args.repeat),
            "--json",
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            rows.append({"env": name, "error": proc.stderr.strip().splitlines()[-1:]})
        else:
            rows.append(json.loads(proc.stdout))
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


if __name__ == "__main__":
    main()
