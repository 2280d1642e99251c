"""Random kills: ``motrixlab train cartpole`` is SIGKILLed at a random moment, then must evaluate and resume.

Each trial trains cartpole in a fresh runs directory with a checkpoint and an evaluation every few
updates (so that kills land while checkpoints are written, old ones pruned, and evaluations run),
waits until the first ``latest`` checkpoint exists, then a random 0 to ``--window`` seconds (seeded),
stops the process (SIGSTOP), reads the step count of its ``latest`` checkpoint and kills it (SIGKILL).
Then ``motrixlab eval cartpole --checkpoint latest --json`` and a short
``motrixlab train cartpole --resume latest`` must both succeed, and the resumed run's ``latest``
must not count fewer env steps than the checkpoint before the kill.

    python benchmarks/kill_trials.py --trials 20 --backend torch
    python benchmarks/kill_trials.py --trials 20 --backend jax --seed 1

Prints one line per trial and a JSON summary (last line); exit code 1 if any trial failed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: 64 envs x 16 rollouts = 1024 env steps per update: a periodic checkpoint at every update, an
#: evaluation every other one, three periodic files kept (so old ones are deleted all the time).
TRAIN_SETS = (
    "rl.checkpoint_interval=1024",
    "rl.keep_checkpoints=3",
    "rl.eval_interval=2048",
    "rl.eval_episodes=2",
)
RESUME_STEPS = 2048  # env steps the resumed run trains past the killed one's checkpoint


def _env(runs: Path) -> dict[str, str]:
    return {**os.environ, "MOTRIXLAB_RUNS_DIR": str(runs), "RUST_LOG": "error"}


def _sets(sets: tuple[str, ...]) -> list[str]:
    return [a for s in sets for a in ("--set", s)]


def _latest(runs: Path) -> Path | None:
    return next(iter(runs.glob("cartpole/*/checkpoints/latest.ckpt")), None)


def _steps(path: Path | None) -> int | None:
    from motrixlab.training.checkpoint import CheckpointError, read_header

    if path is None:
        return None
    try:
        return int(read_header(path)["env_steps"])
    except (CheckpointError, KeyError, ValueError):
        return None


def _cli(runs: Path, *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "motrixlab", *args],
        env=_env(runs),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def train_and_kill(runs: Path, backend: str, delay: float, *, timeout: float = 300) -> dict[str, object]:
    """Train in ``runs`` (empty), SIGKILL ``delay`` s after the first checkpoint; ``steps_before`` or ``error``."""
    result: dict[str, object] = {"delay_s": round(delay, 2), "ok": False}
    cmd = [
        sys.executable,
        "-m",
        "motrixlab",
        "train",
        "cartpole",
        "--backend",
        backend,
        "--max-steps",
        str(10**12),
        "--no-progress",
        *_sets(TRAIN_SETS),
    ]
    log = runs / "train.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=_env(runs), stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while _steps(_latest(runs)) is None:
            if proc.poll() is not None:
                tail = log.read_text()[-300:]
                result["error"] = f"training ended with {proc.returncode} before a checkpoint: {tail}"
                return result
            if time.monotonic() > deadline:
                result["error"] = "no checkpoint within the timeout"
                return result
            time.sleep(0.05)
        time.sleep(delay)
        proc.send_signal(signal.SIGSTOP)  # nothing is written between reading the step count and the kill
        before = _steps(_latest(runs))
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    ckpts = _latest(runs).parent  # type: ignore[union-attr]
    result["steps_before"] = before
    result["leftover_tmp"] = len(list(ckpts.glob(".*.tmp")))
    result["periodic"] = len(list(ckpts.glob("step-*.ckpt")))
    if before is None:
        result["error"] = "latest.ckpt unreadable after the kill"
    return result


def run_trial(runs: Path, backend: str, delay: float, *, timeout: float = 300) -> dict[str, object]:
    """One kill and recovery in ``runs`` (empty); a dict with ``ok`` and, if not, ``error``."""
    result = train_and_kill(runs, backend, delay, timeout=timeout)
    if "error" in result:
        return result
    before = int(result["steps_before"])  # type: ignore[call-overload]
    ev = _cli(runs, "eval", "cartpole", "--checkpoint", "latest", "--episodes", "1", "--json", timeout=timeout)
    if ev.returncode != 0:
        result["error"] = f"eval exited {ev.returncode}: {ev.stderr.strip()[-300:]}"
        return result
    try:
        json.loads(ev.stdout)
    except ValueError:
        result["error"] = f"eval --json printed no JSON: {ev.stdout[-300:]}"
        return result

    target = before + RESUME_STEPS
    res = _cli(
        runs,
        "train",
        "cartpole",
        "--resume",
        "latest",
        "--max-steps",
        str(target),
        "--no-progress",
        timeout=timeout,
    )
    if res.returncode != 0:
        result["error"] = f"resume exited {res.returncode}: {res.stderr.strip()[-300:]}"
        return result
    after = _steps(_latest(runs))
    result["steps_after"] = after
    if after is None or after < before:
        result["error"] = f"the resumed run's latest counts {after} env steps, below {before} before the kill"
        return result
    result["ok"] = True
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--backend", default="torch")
    parser.add_argument("--seed", type=int, default=0, help="seed of the kill times")
    parser.add_argument("--window", type=float, default=6.0, help="seconds after the first checkpoint to kill within")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    trials = []
    t0 = time.monotonic()
    for i in range(args.trials):
        with tempfile.TemporaryDirectory(prefix="motrixlab-kill-") as tmp:
            result = run_trial(Path(tmp), args.backend, rng.uniform(0.0, args.window))
        trials.append(result)
        extra = "" if result["ok"] else f"  FAILED: {result.get('error')}"
        print(
            f"trial {i + 1:>3}: kill after {result['delay_s']:>5} s, latest {result.get('steps_before')} -> "
            f"{result.get('steps_after')} env steps, {result.get('leftover_tmp', 0)} temp files left{extra}",
            flush=True,
        )
    failures = [t for t in trials if not t["ok"]]
    summary = {
        "backend": args.backend,
        "seed": args.seed,
        "trials": len(trials),
        "failures": len(failures),
        "errors": [t.get("error") for t in failures],
        "trials_with_temp_files_left": sum(1 for t in trials if t.get("leftover_tmp")),
        "seconds": round(time.monotonic() - t0, 1),
    }
    print(json.dumps(summary))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
