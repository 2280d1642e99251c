"""The training monitor's own cost inside a real run: the seconds spent in its calls (``tick``, ``update``,
``evaluation``, ``checkpoint``, ``close``, dashboard redraws included) as a share of the training loop's
wall time, with the dashboard drawn on a pseudo-terminal.

    python motrixlab-trainer-skrl/benchmarks/monitor_cost.py cartpole go1-walk --max-steps 200000

A share of the same run's wall time does not depend on how busy a shared machine is, unlike an
A/B comparison of two runs' throughput (``dashboard_overhead.py``). The loop's own timing of the
step parts (four clock reads per env step) is measured separately, per call.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import struct
import sys
import tempfile
import termios
import threading
import time

os.environ.setdefault("RUST_LOG", "error")

from dashboard_overhead import drain  # the sibling script (its folder is on sys.path when run)


def measure(env: str, max_steps: int, backend: str) -> dict[str, float]:
    from motrixlab import monitor as monitor_module
    from motrixlab.cli.train import _trainer, build_run

    spent = {"seconds": 0.0, "calls": 0, "draws": 0}
    originals = {}
    for name in ("tick", "update", "evaluation", "checkpoint", "close"):
        original = getattr(monitor_module.TrainingMonitor, name)
        originals[name] = original

        def timed(self, *args, __original=original, **kwargs):
            t0 = time.perf_counter()
            try:
                return __original(self, *args, **kwargs)
            finally:
                spent["seconds"] += time.perf_counter() - t0
                spent["calls"] += 1

        setattr(monitor_module.TrainingMonitor, name, timed)
    from motrixlab import dashboard as dashboard_module

    draw = dashboard_module.Dashboard.draw

    def counted(self, now):
        spent["draws"] += 1
        return draw(self, now)

    dashboard_module.Dashboard.draw = counted
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 110, 0, 0))
    threading.Thread(target=drain, args=(master,), daemon=True).start()
    terminal = os.fdopen(slave, "w", buffering=1)
    stderr = sys.stderr
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["MOTRIXLAB_RUNS_DIR"] = tmp
        os.environ["COLUMNS"] = "110"
        run = build_run(env, backend=backend, seed=0, max_steps=max_steps, show_progress=True, log_interval=0)
        sys.stderr = terminal
        try:
            result = _trainer(run.trainer).train(run)
        finally:
            sys.stderr = stderr
            for name, original in originals.items():
                setattr(monitor_module.TrainingMonitor, name, original)
            dashboard_module.Dashboard.draw = draw
    terminal.close()
    clock = time.perf_counter
    t0 = clock()
    for _ in range(100_000):
        clock(), clock(), clock(), clock()
    per_step_timing = (clock() - t0) / 100_000
    return {
        "env_steps": result.env_steps,
        "wall_seconds": result.wall_seconds,
        "monitor_seconds": spent["seconds"],
        "monitor_share": spent["seconds"] / result.wall_seconds,
        "calls": spent["calls"],
        "draws": spent["draws"],
        "ms_per_draw_or_call_over_draws": 1000 * spent["seconds"] / max(spent["draws"], 1),
        "timing_us_per_env_step_call": 1e6 * per_step_timing,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("envs", nargs="+")
    parser.add_argument("--max-steps", type=int, default=200_000)
    parser.add_argument("--backend", default="torch")
    args = parser.parse_args()
    for env in args.envs:
        r = measure(env, args.max_steps, args.backend)
        print(
            f"{env}: {r['env_steps']:,} env steps in {r['wall_seconds']:.1f} s; monitor calls {r['calls']:,} "
            f"({r['draws']} dashboard draws) took {r['monitor_seconds'] * 1000:.0f} ms = "
            f"{100 * r['monitor_share']:.2f} % of the run; the loop's four clock reads per env step: "
            f"{r['timing_us_per_env_step_call']:.2f} µs",
            flush=True,
        )


if __name__ == "__main__":
    main()
