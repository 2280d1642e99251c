"""Damaged run files end ``eval``, ``play``, ``export`` and ``train --resume`` with exactly one line
that names the file, and exit code 1; a damaged line of ``metrics.jsonl`` does not stop a resume.

One cartpole run is trained once; each test damages a copy of it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from motrixlab.cli.app import main
from motrixlab.plugins import reset_registry
from motrixlab.training.checkpoint import read_checkpoint, read_header, write_checkpoint

COMMANDS = {
    "eval": ("eval", "cartpole", "--checkpoint", "latest", "--episodes", "1"),
    "play": ("play", "cartpole", "--checkpoint", "latest", "--episodes", "1"),
    "export": ("export", "cartpole", "--checkpoint", "latest"),
    "resume": ("train", "cartpole", "--resume", "latest", "--max-steps", "3072", "--no-progress"),
}


def _problem_lines(err: str) -> list[str]:
    return [
        line
        for line in err.splitlines()
        if line.strip() and not line.startswith("Motphys profiler") and not line.startswith("motrixlab: note:")
    ]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A runs directory with one short cartpole run: latest, best and the newest of two periodic checkpoints."""
    import os

    root = tmp_path_factory.mktemp("trained")
    old = os.environ.get("MOTRIXLAB_RUNS_DIR")
    os.environ["MOTRIXLAB_RUNS_DIR"] = str(root)
    try:
        reset_registry()
        sets = (
            *("rl.checkpoint_interval=1024", "rl.keep_checkpoints=1"),
            *("rl.eval_interval=0", "rl.num_envs=64", "rl.rollouts=16"),
        )
        main(["train", "cartpole", "--max-steps", "2048", "--no-progress", *(a for s in sets for a in ("--set", s))])
    except SystemExit as exc:  # pragma: no cover - a failure to train fails every test here
        assert not exc.code, exc
    finally:
        if old is None:
            os.environ.pop("MOTRIXLAB_RUNS_DIR", None)
        else:
            os.environ["MOTRIXLAB_RUNS_DIR"] = old
        reset_registry()
    return root


def test_only_the_newest_periodic_checkpoints_are_kept(trained):
    (run_dir,) = (trained / "cartpole").iterdir()
    assert sorted(p.name for p in (run_dir / "checkpoints").iterdir()) == ["best.ckpt", "latest.ckpt", "step-2048.ckpt"]


@pytest.fixture
def run(trained: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the trained run, under a ``MOTRIXLAB_RUNS_DIR`` of this test."""
    runs = tmp_path / "runs"
    shutil.copytree(trained, runs)
    monkeypatch.setenv("MOTRIXLAB_RUNS_DIR", str(runs))
    monkeypatch.setenv("COLUMNS", "400")  # one line is one line, however long
    (run_dir,) = (runs / "cartpole").iterdir()
    return run_dir


def _rewrite_header(path: Path, **fields: object) -> None:
    header, payload = read_checkpoint(path)
    header.update(fields)
    write_checkpoint(path, header, payload)


def _truncate_config(run_dir: Path) -> Path:
    path = run_dir / "config.json"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _config_not_an_object(run_dir: Path) -> Path:
    path = run_dir / "config.json"
    path.write_text('["cartpole"]\n')
    return path


def _remove_checkpoints(run_dir: Path) -> Path:
    shutil.rmtree(run_dir / "checkpoints")
    return run_dir / "checkpoints"


def _other_env(run_dir: Path) -> Path:
    path = run_dir / "checkpoints" / "latest.ckpt"
    _rewrite_header(path, env="test-slider")
    return path


def _other_backend(run_dir: Path) -> Path:
    path = run_dir / "checkpoints" / "latest.ckpt"
    _rewrite_header(path, backend="jax")
    return path


def _other_obs_size(run_dir: Path) -> Path:
    path = run_dir / "checkpoints" / "latest.ckpt"
    _rewrite_header(path, obs_dim=7)
    return path


DAMAGE = {
    "truncated-config": (_truncate_config, "is damaged: not valid JSON"),
    "config-not-an-object": (_config_not_an_object, "is damaged: not a JSON object"),
    "no-checkpoints": (_remove_checkpoints, "checkpoints"),
    "other-env": (_other_env, "trained on env 'test-slider', not 'cartpole'"),
    "other-backend": (_other_backend, "written by backend skrl/jax, not skrl/torch"),
    "other-obs-size": (_other_obs_size, "observation shape (7,) and action shape (1,); 'cartpole' has (4,) and (1,)"),
}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_run_is_one_line_naming_the_file(run, run_cli, command, damage):
    make, says = DAMAGE[damage]
    damaged = make(run)
    before = sorted(p.relative_to(run) for p in run.rglob("*"))
    code, _, err = run_cli(*COMMANDS[command])
    assert code == 1, err
    assert "Traceback" not in err
    (line,) = _problem_lines(err)
    assert line.startswith("motrixlab: error: ")
    assert str(damaged) in line and says in line, line
    assert sorted(p.relative_to(run) for p in run.rglob("*")) == before  # nothing written, nothing removed


def test_a_garbage_line_in_metrics_does_not_stop_a_resume(run, run_cli):
    metrics = run / "metrics.jsonl"
    good = metrics.read_text().splitlines()
    assert len(good) == 2
    metrics.write_text("\n".join([good[0], "{not json", '{"no": "steps"}', good[1], "\x00\x00 cut sh"]) + "\n")
    code, _, err = run_cli(*COMMANDS["resume"])
    assert code == 0, err
    lines = metrics.read_text().splitlines()
    assert lines[:2] == good  # the good lines kept, in order; the damaged ones gone
    assert [json.loads(line)["env_steps"] for line in lines] == [1024, 2048, 3072]
    assert int(read_header(run / "checkpoints" / "latest.ckpt")["env_steps"]) == 3072


class _Opens:
    """Unpickled, this object would create ``path`` (pickle calls ``open(path, "w")``)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return (open, (str(self.path), "w"))


@pytest.mark.parametrize("command", ["eval", "resume"])
def test_a_checkpoint_payload_is_never_unpickled(run, run_cli, tmp_path, command):
    """A payload whose checksum and header are right but which holds a pickled callable: nothing of
    it runs, the load is one line."""
    import io

    import torch

    marker = tmp_path / "ran"
    path = run / "checkpoints" / "latest.ckpt"
    header, _ = read_checkpoint(path)
    buffer = io.BytesIO()
    torch.save({"policy": _Opens(marker)}, buffer)
    write_checkpoint(path, header, buffer.getvalue())
    code, _, err = run_cli(*COMMANDS[command])
    assert not marker.exists()
    assert code == 1, err
    (line,) = _problem_lines(err)
    assert line.startswith(f"motrixlab: error: checkpoint {str(path)!r} ")
    assert "payload refused: it holds objects other than tensors and plain values" in line, line
    assert "weights_only" not in line  # no advice to load it unsafely
