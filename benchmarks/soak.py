"""Soak: a long ``motrixlab train cartpole`` with frequent checkpoints and evaluations, watched from outside.

Every few seconds the training process's resident memory (``VmRSS``), its open file descriptors
and the files in its run directory are sampled; at the end the run is stopped with SIGINT, which
must end it with exit code 130 and a readable ``latest`` checkpoint. Printed: the first sample
after the warm-up, the largest and the last of each figure, then a JSON summary (last line).

    python benchmarks/soak.py --minutes 30
    python benchmarks/soak.py --minutes 1 --backend jax

The runs go to a temporary directory (``MOTRIXLAB_RUNS_DIR``), removed at the end unless ``--keep``.
Exit code 0 when the stop was clean, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def open_fds(pid: int) -> int | None:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


def run_files(runs: Path) -> tuple[int, int]:
    """(files, bytes) under the runs directory."""
    count = size = 0
    for root, _, names in os.walk(runs):
        for name in names:
            count += 1
            try:
                size += os.path.getsize(os.path.join(root, name))
            except OSError:
                pass
    return count, size


def latest_steps(runs: Path) -> int | None:
    from motrixlab.training.checkpoint import read_header

    for path in runs.glob("cartpole/*/checkpoints/latest.ckpt"):
        try:
            return int(read_header(path)["env_steps"])
        except Exception:
            return None
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="training time before the SIGINT")
    parser.add_argument("--backend", default="torch")
    parser.add_argument("--every", type=float, default=5.0, help="seconds between samples")
    parser.add_argument("--warmup", type=float, default=60.0, help="seconds before the 'start' sample")
    parser.add_argument("--checkpoint-interval", type=int, default=2048, help="rl.checkpoint_interval")
    parser.add_argument("--eval-interval", type=int, default=8192, help="rl.eval_interval")
    parser.add_argument("--keep", action="store_true", help="keep the temporary runs directory")
    args = parser.parse_args()

    runs = Path(tempfile.mkdtemp(prefix="motrixlab-soak-"))
    env = {**os.environ, "MOTRIXLAB_RUNS_DIR": str(runs), "RUST_LOG": "error"}
    cmd = [
        sys.executable,
        "-m",
        "motrixlab",
        "train",
        "cartpole",
        "--backend",
        args.backend,
        "--max-steps",
        str(10**12),
        "--no-progress",
        "--set",
        f"rl.checkpoint_interval={args.checkpoint_interval}",
        "--set",
        f"rl.eval_interval={args.eval_interval}",
    ]
    log = runs / "train.log"
    duration = args.minutes * 60
    warmup = min(args.warmup, duration / 4)
    samples: list[dict[str, float]] = []
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
        t0 = time.monotonic()
        print(f"soak: pid {proc.pid}, {args.minutes:g} min, runs in {runs}", flush=True)
        try:
            while time.monotonic() - t0 < duration and proc.poll() is None:
                time.sleep(args.every)
                rss, fds = rss_kib(proc.pid), open_fds(proc.pid)
                if rss is None or fds is None:
                    break
                files, size = run_files(runs)
                sample = {
                    "t": round(time.monotonic() - t0, 1),
                    "rss_mib": round(rss / 1024, 1),
                    "fds": fds,
                    "files": files - 1,  # not train.log
                    "bytes": size,
                    "env_steps": latest_steps(runs) or 0,
                }
                samples.append(sample)
                if len(samples) % 12 == 1:
                    print(json.dumps(sample), flush=True)
            alive = proc.poll() is None
            steps_before = latest_steps(runs) or 0
            if alive:
                proc.send_signal(signal.SIGINT)
            try:
                code = proc.wait(timeout=300)
            except subprocess.TimeoutExpired:
                proc.kill()
                code = proc.wait()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    steps_after = latest_steps(runs)
    tail = log.read_text(errors="replace").splitlines()[-5:]
    after_warmup = [s for s in samples if s["t"] >= warmup] or samples
    figures = {}
    for key in ("rss_mib", "fds", "files", "bytes"):
        values = [s[key] for s in after_warmup]
        figures[key] = {"start": values[0], "max": max(values), "end": values[-1]} if values else None
    ok = alive and code == 130 and steps_after is not None and steps_after >= steps_before
    summary = {
        "backend": args.backend,
        "minutes": args.minutes,
        "warmup_s": warmup,
        "samples": len(samples),
        "checkpoint_interval": args.checkpoint_interval,
        "eval_interval": args.eval_interval,
        "alive_at_end": alive,
        "exit_code": code,
        "latest_env_steps_before_sigint": steps_before,
        "latest_env_steps_after_sigint": steps_after,
        "ok": ok,
        **figures,
    }
    for key, label in (("rss_mib", "RSS MiB"), ("fds", "open fds"), ("files", "run files"), ("bytes", "run bytes")):
        f = figures[key]
        if f:
            print(f"{label:>10}: start {f['start']}  max {f['max']}  end {f['end']}")
    if not ok:
        print("soak: FAILED; the training output ends with:", *tail, sep="\n  ")
    if args.keep:
        print(f"soak: runs kept in {runs}")
    else:
        shutil.rmtree(runs, ignore_errors=True)
    print(json.dumps(summary))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
