"""The dashboard's cost measured within one run, so that a shared machine's load cancels out: the
dashboard (drawn on a pseudo-terminal) is switched on and off every ``--window`` policy updates,
and the training rate of the updates with it on is compared with that of their neighbours without:
env steps per wall second, and per CPU second of the process (steadier when others share the CPU).

    python motrixlab-trainer-skrl/benchmarks/dashboard_paired.py cartpole --max-steps 300000

"Off" makes the monitor inactive, as ``--no-progress --log-interval 0`` does; the redraws that fall
due while it is off happen when it is switched back on, so the "on" windows carry every redraw of
the run: the figure is an upper bound. Reported: the median over pairs of adjacent windows of
(rate on / rate off - 1), and its interquartile range.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import statistics
import struct
import sys
import tempfile
import termios
import threading
import time

os.environ.setdefault("RUST_LOG", "error")

import itertools

from dashboard_overhead import drain  # the sibling script (its folder is on sys.path when run)


def measure(env: str, max_steps: int, backend: str, window: int, trainer: str) -> dict[str, float]:
    from motrixlab import monitor as monitor_module
    from motrixlab.cli.train import _trainer, build_run

    state = {"updates": 0, "on": True}
    tick, update = monitor_module.TrainingMonitor.tick, monitor_module.TrainingMonitor.update

    def switched_tick(self, env_steps):
        if state["on"]:
            tick(self, env_steps)

    cpu: list[tuple[int, float]] = []  # (env steps, this process's CPU seconds) after each update

    def switched_update(self, env_steps, **kwargs):
        update(self, env_steps, **kwargs)  # the figures stay current either way; a redraw only when on
        cpu.append((env_steps, time.process_time()))
        state["updates"] += 1
        state["on"] = (state["updates"] // window) % 2 == 0

    monitor_module.TrainingMonitor.tick = switched_tick
    monitor_module.TrainingMonitor.update = switched_update
    active = monitor_module.TrainingMonitor._refresh

    def switched_refresh(self, now):
        if state["on"]:
            active(self, now)

    monitor_module.TrainingMonitor._refresh = switched_refresh
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 110, 0, 0))
    threading.Thread(target=drain, args=(master,), daemon=True).start()
    terminal = os.fdopen(slave, "w", buffering=1)
    stderr = sys.stderr
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["MOTRIXLAB_RUNS_DIR"] = tmp
        os.environ["COLUMNS"] = "110"
        run = build_run(
            env,
            trainer=trainer,
            backend=backend,
            seed=0,
            max_steps=max_steps,
            show_progress=True,
            log_interval=0,
            sets=["rl.eval_interval=0"],  # evaluations would pause both kinds of window alike
        )
        sys.stderr = terminal
        try:
            _trainer(run.trainer).train(run)
        finally:
            sys.stderr = stderr
            monitor_module.TrainingMonitor.tick, monitor_module.TrainingMonitor.update = tick, update
            monitor_module.TrainingMonitor._refresh = active
        rates = [
            json.loads(line)["perf/env_steps_per_s"] for line in (run.dir / "metrics.jsonl").read_text().splitlines()
        ]
    terminal.close()
    # update i (1-based) ran with the dashboard on if ((i - 1) // window) is even; the rate logged
    # after update i covers the steps since update i - 1, and so does the CPU time between updates
    cpu_rate = [0.0] + [(s1 - s0) / max(c1 - c0, 1e-9) for (s0, c0), (s1, c1) in itertools.pairwise(cpu)]
    out: dict[str, float] = {"updates": len(rates)}
    for name, per_update in (("wall", rates), ("cpu", cpu_rate)):
        windows: list[tuple[bool, float]] = []
        for start in range(window, len(per_update) - window + 1, window):  # the first window warms up
            chunk = per_update[start : start + window]
            windows.append(((start // window) % 2 == 0, statistics.mean(chunk)))
        ratios = [on / off - 1 for (a, on), (b, off) in itertools.pairwise(windows) if a and not b]
        ratios += [on / off - 1 for (a, off), (b, on) in itertools.pairwise(windows) if not a and b]
        q = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else [ratios[0]] * 3
        out.update({f"{name}_median": statistics.median(ratios), f"{name}_q1": q[0], f"{name}_q3": q[2]})
        out["pairs"] = len(ratios)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("envs", nargs="+")
    parser.add_argument("--max-steps", type=int, default=300_000)
    parser.add_argument("--window", type=int, default=10, help="policy updates per on/off window")
    parser.add_argument("--trainer", default="skrl")
    parser.add_argument("--backend", default="torch")
    args = parser.parse_args()
    for env in args.envs:
        r = measure(env, args.max_steps, args.backend, args.window, args.trainer)
        print(
            f"{env} {args.trainer}/{args.backend}: {r['updates']} updates, {r['pairs']} pairs of windows; "
            f"with the dashboard vs without: env steps per wall second {100 * r['wall_median']:+.2f} % "
            f"(interquartile {100 * r['wall_q1']:+.2f} .. {100 * r['wall_q3']:+.2f} %), env steps per CPU "
            f"second of this process {100 * r['cpu_median']:+.2f} % "
            f"(interquartile {100 * r['cpu_q1']:+.2f} .. {100 * r['cpu_q3']:+.2f} %)",
            flush=True,
        )


if __name__ == "__main__":
    main()
