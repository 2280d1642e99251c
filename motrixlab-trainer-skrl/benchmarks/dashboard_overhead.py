"""What the live dashboard costs training: the same run (same seed, same budget) in a pseudo-terminal
with the dashboard, and with ``--no-progress --log-interval 0`` (nothing shown), alternating.

    python motrixlab-trainer-skrl/benchmarks/dashboard_overhead.py cartpole go1-walk --max-steps 1000000 --repeat 2

Per run: the training loop's wall seconds (``summary.json``), env steps per wall second, and the
median of ``perf/env_steps_per_s`` over its PPO updates (the first two left out: start-up). Both
modes run in a 110 x 40 pseudo-terminal whose output is read and dropped, so only the dashboard
differs. The CPU may be shared: compare the modes' spread with their difference.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
from pathlib import Path

MODES = {"dashboard": [], "none": ["--no-progress", "--log-interval", "0"]}


def drain(fd: int) -> None:
    """Read and drop a pseudo-terminal's output until it closes."""
    while True:
        try:
            if not os.read(fd, 65536):
                return
        except OSError:
            return


def train_in_terminal(env: str, max_steps: int, seed: int, mode: str, runs: Path, backend: str) -> dict:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 110, 0, 0))
    run_env = {**os.environ, "RUST_LOG": "error", "MOTRIXLAB_RUNS_DIR": str(runs), "COLUMNS": "110", "LINES": "40"}
    before = set((runs / env).iterdir()) if (runs / env).is_dir() else set()
    cmd = [sys.executable, "-m", "motrixlab", "train", env, "--backend", backend, "--seed", str(seed)]
    cmd += ["--max-steps", str(max_steps), *MODES[mode]]
    proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, env=run_env, close_fds=True)
    os.close(slave)
    reader = threading.Thread(target=drain, args=(master,), daemon=True)
    reader.start()
    _, status, ru = os.wait4(proc.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    reader.join(5)
    os.close(master)
    if code != 0:
        raise SystemExit(f"{' '.join(cmd)} failed with exit code {code}")
    (run,) = set((runs / env).iterdir()) - before
    summary = json.loads((run / "summary.json").read_text())
    rates = []
    for line in (run / "metrics.jsonl").read_text().splitlines():
        rate = json.loads(line).get("perf/env_steps_per_s")
        if rate is not None:
            rates.append(rate)
    return {
        "env": env,
        "mode": mode,
        "env_steps": summary["env_steps"],
        "wall_seconds": summary["wall_seconds"],
        "steps_per_wall_s": summary["env_steps"] / summary["wall_seconds"],
        "median_update_rate": statistics.median(rates[2:] or rates),
        "last_return": summary["last_return"],
        "cpu": ru.ru_utime + ru.ru_stime,
        "nvcsw": ru.ru_nvcsw,
        "nivcsw": ru.ru_nivcsw,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("envs", nargs="+")
    parser.add_argument("--max-steps", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--backend", default="torch")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for env in args.envs:
            for rep in range(args.repeat):
                order = ("dashboard", "none") if rep % 2 == 0 else ("none", "dashboard")
                for mode in order:
                    r = train_in_terminal(env, args.max_steps, args.seed, mode, Path(tmp), args.backend)
                    results.append(r)
                    print(
                        f"{env:10s} {mode:9s} {r['env_steps']:>10,} steps in {r['wall_seconds']:7.1f} s: "
                        f"{r['steps_per_wall_s']:>8,.0f} env-steps/s, "
                        f"median update rate {r['median_update_rate']:>8,.0f}, "
                        f"last return {r['last_return']:.1f} cpu {r['cpu']:.1f}s vcsw {r['nvcsw']} ivcsw {r['nivcsw']}",
                        flush=True,
                    )
    for env in args.envs:
        by_mode = {m: [r for r in results if r["env"] == env and r["mode"] == m] for m in MODES}
        wall = {m: statistics.mean(r["steps_per_wall_s"] for r in rs) for m, rs in by_mode.items()}
        upd = {m: statistics.mean(r["median_update_rate"] for r in rs) for m, rs in by_mode.items()}
        print(
            f"{env}: dashboard {wall['dashboard']:,.0f} vs none {wall['none']:,.0f} env-steps/s "
            f"({100 * (wall['dashboard'] / wall['none'] - 1):+.1f} %); median update rate "
            f"{upd['dashboard']:,.0f} vs {upd['none']:,.0f} ({100 * (upd['dashboard'] / upd['none'] - 1):+.1f} %)"
        )
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
