"""``benchmarks/bench_envs.py`` (``nox -s bench``): one JSON file per env, failures included."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_envs.py"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=300)


def test_writes_one_json_per_env_and_prints_the_table(tmp_path):
    proc = run("test-slider", "--num-envs", "8", "--steps", "5", "--repeat", "2", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["test-slider.json"]
    result = json.loads((tmp_path / "test-slider.json").read_text())
    assert (result["env"], result["num_envs"], result["steps"], result["repeat"]) == ("test-slider", 8, 5, 2)
    assert len(result["windows"]) == 2 and 0.0 < result["physics_share"] <= 1.0
    assert result["command"] == "motrixlab bench test-slider --num-envs 8 --steps 5 --repeat 2 --json"
    assert "physics share" in proc.stdout and proc.stdout.count("test-slider") == 1


def test_a_failing_env_writes_its_error_and_the_run_exits_non_zero(tmp_path):
    proc = run("test-slidr", "test-slider", "--num-envs", "4", "--steps", "3", "--repeat", "1", "--out", str(tmp_path))
    assert proc.returncode == 1
    failed = json.loads((tmp_path / "test-slidr.json").read_text())
    assert set(failed) == {"env", "command", "error"}
    assert failed["error"].startswith("motrixlab: error: ") and "\n" not in failed["error"]
    assert "physics_share" in json.loads((tmp_path / "test-slider.json").read_text())  # the others still run
    assert "test-slidr" in proc.stdout and "error:" in proc.stdout and "failed: test-slidr" in proc.stderr


def test_defaults_are_those_of_motrixlab_bench():
    proc = run("--help")
    assert proc.returncode == 0
    assert "5 windows of 100 steps at 1024 envs" in " ".join(proc.stdout.split())
    assert "benchmarks/results" in proc.stdout
