"""``benchmarks/curve_table.py``: the curve tables of ``docs/benchmarks/`` from a run's ``metrics.jsonl``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "curve_table.py"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=60)


def test_rows_average_the_updates_near_each_mark(tmp_path):
    rows = [
        {"env_steps": 900_000, "wall_seconds": 60.0, "episode/length": 10.0, "env/level": 0.5},
        {"env_steps": 1_050_000, "wall_seconds": 100.0, "episode/length": 20.0},  # no level in this update
        {"env_steps": 1_600_000, "wall_seconds": 120.0, "episode/length": 99.0, "env/level": 9.0},  # near no mark
        {"env_steps": 2_050_000, "wall_seconds": 150.0, "episode/length": 40.0, "env/level": 1.5},
        {"env_steps": 3_100_000, "wall_seconds": 210.0, "episode/length": 50.0, "env/level": 2.0},
    ]
    lines = [json.dumps(r) for r in rows]
    lines.insert(2, "{damaged")  # a torn line is skipped, as a resume skips it
    (tmp_path / "metrics.jsonl").write_text("\n".join(lines) + "\n")
    proc = run(str(tmp_path), "--every", "1", "--metric", "episode/length", "--metric", "env/level")
    assert proc.returncode == 0, proc.stderr
    assert "1 damaged line of" in proc.stderr
    assert proc.stdout.splitlines() == [
        "| env steps | wall | episode/length | env/level |",
        "|---|---|---|---|",
        "| 1M | 2 min | 15 | 0.5 |",
        "| 2M | 2 min | 40 | 1.5 |",
        "| 3M | 4 min | 50 | 2 |",
    ]


def test_a_missing_run_or_bad_mark_spacing_is_one_line(tmp_path):
    proc = run(str(tmp_path / "nowhere"))
    assert proc.returncode == 2 and "nowhere does not exist; give a run directory or its metrics.jsonl" in proc.stderr
    (tmp_path / "other.jsonl").write_text("{}\n")
    proc = run(str(tmp_path / "other.jsonl"))
    assert proc.returncode == 1 and "other.jsonl is not a run's metrics.jsonl" in proc.stderr
    proc = run(str(tmp_path), "--every", "0")
    assert proc.returncode == 2 and "--every must be > 0" in proc.stderr
    proc = run(str(tmp_path))
    assert proc.returncode == 1 and proc.stderr.strip().endswith(
        "metrics.jsonl does not exist; the run has written no metrics yet"
    )
    (tmp_path / "metrics.jsonl").write_text("not json\n")
    proc = run(str(tmp_path))
    assert proc.returncode == 1 and proc.stderr.strip().endswith("holds no metrics rows with env_steps")
