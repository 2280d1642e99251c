"""A resumed ``go1-walk-rough`` run keeps its terrain curriculum: the levels travel in the checkpoint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from motrixlab.cli.app import main
from motrixlab.plugins import reset_registry
from motrixlab.training.checkpoint import read_checkpoint, write_checkpoint

N = 16
SETS = (
    f"rl.num_envs={N}",
    "rl.rollouts=8",
    "rl.policy_hidden=16",
    "rl.value_hidden=16",
    "env.terrain.levels=3",
    "env.terrain.tile_size=4.0",
    "env.terrain.platform=1.0",
    "env.initial_max_level=0",
    "env.curriculum=false",  # levels stay where they were put, so the log shows exactly what was restored
)


def _cli(capsys, *args: str) -> tuple[int, str]:
    reset_registry()
    try:
        main([*args, "--no-progress"])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out + err


def _terrain_levels(run: Path) -> list[float]:
    lines = (run / "metrics.jsonl").read_text().splitlines()
    return [json.loads(line)["env/terrain_level"] for line in lines]


@pytest.fixture
def rough_run(tmp_path, monkeypatch, capsys) -> Path:
    monkeypatch.setenv("MOTRIXLAB_RUNS_DIR", str(tmp_path / "runs"))
    args = [a for s in SETS for a in ("--set", s)]
    code, out = _cli(capsys, "train", "go1-walk-rough", "--backend", "torch", "--max-steps", str(2 * 8 * N), *args)
    assert code == 0, out
    (run,) = (tmp_path / "runs" / "go1-walk-rough").iterdir()
    return run


def test_resume_restores_the_curriculum(rough_run, capsys):
    latest = rough_run / "checkpoints" / "latest.ckpt"
    header, payload = read_checkpoint(latest)
    assert header["env_state"] == {"terrain_levels": [0] * N}
    assert _terrain_levels(rough_run) == [0.0, 0.0]
    # as if the curriculum had promoted every env: the resumed run must start from these levels
    header["env_state"]["terrain_levels"] = [2] * (N // 2) + [1] * (N // 2)
    write_checkpoint(latest, header, payload)
    code, out = _cli(capsys, "train", "go1-walk-rough", "--resume", "latest", "--max-steps", str(3 * 8 * N))
    assert code == 0, out
    assert _terrain_levels(rough_run) == [0.0, 0.0, 1.5]
    assert read_checkpoint(latest)[0]["env_state"]["terrain_levels"] == [2] * (N // 2) + [1] * (N // 2)


def test_an_env_state_the_env_cannot_take_is_one_line_and_nothing_changes(rough_run, capsys):
    latest = rough_run / "checkpoints" / "latest.ckpt"
    header, payload = read_checkpoint(latest)
    header["env_state"]["terrain_levels"] = [7] * N  # the terrain has levels 0-2
    write_checkpoint(latest, header, payload)
    before = {p: p.read_bytes() for p in rough_run.rglob("*") if p.is_file()}
    code, out = _cli(capsys, "train", "go1-walk-rough", "--resume", "latest", "--max-steps", str(3 * 8 * N))
    assert code != 0
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 1 and "env state this env cannot take" in lines[0]
    assert "terrain_levels must be a non-empty list of integers in [0, 2]" in lines[0]
    assert {p: p.read_bytes() for p in rough_run.rglob("*") if p.is_file()} == before
