"""Faults of the file system end in one line and leave nothing half-written or empty behind.

The faults are real: a path through a file; a file-size limit (``RLIMIT_FSIZE``) that makes the
kernel refuse writes past it; and, where the tests may mount one (as root), a read-only tmpfs and
a 2 MB tmpfs that training fills until a write fails with "No space left on device".
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from motrixlab.errors import MotrixLabError, StorageError
from motrixlab.runs import atomic_write_bytes, new_run_dir, remove_empty_run_dir, remove_temporaries


def _limited(max_bytes: int, *argv: str) -> list[str]:
    """``python ARGV`` under a file-size limit: a small Python that ignores SIGXFSZ (so a write past the
    limit fails with EFBIG instead of killing the process), sets ``RLIMIT_FSIZE`` and execs; both survive
    the exec. (No ``preexec_fn``: forking a process that runs JAX's threads can deadlock the child.)"""
    setup = (
        "import os, resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
        f"resource.setrlimit(resource.RLIMIT_FSIZE, ({max_bytes}, {max_bytes})); "
        "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])"
    )
    return [sys.executable, "-c", setup, *argv]


def _motrixlab(runs: Path, *args: str, max_file_bytes: int | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MOTRIXLAB_RUNS_DIR": str(runs), "RUST_LOG": "error"}
    argv = ("-m", "motrixlab", *args)
    return subprocess.run(
        [sys.executable, *argv] if max_file_bytes is None else _limited(max_file_bytes, *argv),
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        check=False,
    )


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("motrixlab: ") or "Traceback" in line]


def test_a_failed_write_names_the_path_and_keeps_the_old_file(tmp_path):
    target = tmp_path / "latest.ckpt"
    atomic_write_bytes(target, b"old checkpoint")
    code = (
        "import sys\n"
        "from motrixlab.runs import atomic_write_bytes\n"
        "from motrixlab.errors import StorageError\n"
        "try:\n"
        f"    atomic_write_bytes(__import__('pathlib').Path({str(target)!r}), b'x' * 200_000)\n"
        "except StorageError as exc:\n"
        "    print(exc)\n"
        "    sys.exit(3)\n"
    )
    proc = subprocess.run(_limited(50_000, "-c", code), capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 3, proc.stderr
    assert proc.stdout.strip() == f"cannot write {str(target)!r}: File too large"
    assert target.read_bytes() == b"old checkpoint"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.ckpt"]  # no temporary file left


def test_a_path_through_a_file_is_one_storage_error(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(StorageError, match=r"cannot write '.*/file/run/config.json': Not a directory"):
        atomic_write_bytes(tmp_path / "file" / "run" / "config.json", b"{}")
    with pytest.raises(StorageError, match=r"cannot create the run directory '.*/file/cartpole/.*': Not a directory"):
        new_run_dir("cartpole", "skrl", "torch", root=tmp_path / "file")
    assert issubclass(StorageError, MotrixLabError)


def test_only_empty_run_directories_are_removed(tmp_path):
    run = new_run_dir("cartpole", "skrl", "torch", root=tmp_path)
    remove_empty_run_dir(run)
    assert list(tmp_path.iterdir()) == []  # the run and its env folder
    kept = new_run_dir("cartpole", "skrl", "torch", root=tmp_path)
    atomic_write_bytes(kept / "checkpoints" / "latest.ckpt", b"state")
    remove_empty_run_dir(kept)
    assert (kept / "checkpoints" / "latest.ckpt").read_bytes() == b"state"


def test_runs_dir_through_a_file_is_one_line(tmp_path):
    (tmp_path / "file").write_text("")
    proc = _motrixlab(tmp_path / "file" / "runs", "train", "cartpole", "--max-steps", "1000", "--no-progress")
    assert proc.returncode == 1
    assert _error_lines(proc.stderr) == [
        f"motrixlab: error: cannot create the run directory '{tmp_path}/file/runs/cartpole/"
        + proc.stderr.split("/cartpole/")[1].split("'")[0]
        + "': Not a directory (runs go under $MOTRIXLAB_RUNS_DIR or ./runs)"
    ]


def test_a_run_that_fails_at_start_up_leaves_no_directory(tmp_path):
    runs = tmp_path / "runs"
    runs.mkdir()
    bad_model = tmp_path / "model.txt"
    bad_model.write_text("not a model")
    proc = _motrixlab(runs, "train", "cartpole", "--max-steps", "1000", "--set", f"env.model_file={bad_model}")
    assert proc.returncode == 1
    (line,) = _error_lines(proc.stderr)
    assert line.startswith(f"motrixlab: error: model file '{bad_model}' could not be loaded")
    assert list(runs.iterdir()) == []


def test_a_run_that_cannot_write_its_checkpoint_stops_with_one_line(tmp_path):
    """The kernel refuses the first checkpoint (too large for the limit): training stops at once instead
    of going on with nothing saved, and no partial checkpoint is left."""
    runs = tmp_path / "runs"
    args = ("train", "cartpole", "--max-steps", "20000", "--no-progress", "--set", "rl.checkpoint_interval=2048")
    proc = _motrixlab(runs, *args, max_file_bytes=20_000)
    assert proc.returncode == 1
    (line,) = _error_lines(proc.stderr)
    assert line.startswith("motrixlab: error: cannot write '") and line.endswith(".ckpt': File too large")
    (run,) = (runs / "cartpole").iterdir()
    assert not list((run / "checkpoints").glob("*.ckpt")) and not list((run / "checkpoints").glob(".*"))
    assert '"env": "cartpole"' in (run / "config.json").read_text()


def test_a_resumed_run_removes_the_temporaries_of_a_killed_write(tmp_path):
    run = new_run_dir("cartpole", "skrl", "torch", root=tmp_path)
    atomic_write_bytes(run / "checkpoints" / "latest.ckpt", b"state")
    left = [run / "checkpoints" / ".latest.ckpt.k3j_x9.tmp", run / ".summary.json.a1b2c3.tmp"]
    for path in left:
        path.write_bytes(b"half")
    (run / "notes.tmp").write_text("not ours")
    assert sorted(remove_temporaries(run)) == sorted(left)
    assert sorted(p.name for p in run.rglob("*") if p.is_file()) == ["latest.ckpt", "notes.tmp"]


@pytest.fixture
def tmpfs(tmp_path):
    """``tmpfs(size)``: a small tmpfs mounted under ``tmp_path`` (skipped where mounting is not allowed)."""
    mounts: list[Path] = []

    def mount(size: str) -> Path:
        where = tmp_path / f"mnt{len(mounts)}"
        where.mkdir()
        proc = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True, check=False
        )
        if proc.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.decode().strip()}")
        mounts.append(where)
        return where

    yield mount
    for where in mounts:
        subprocess.run(["umount", "-l", str(where)], check=False)


def test_a_read_only_runs_directory_is_one_line(tmpfs):
    mnt = tmpfs("1m")
    (mnt / "runs").mkdir()
    subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
    proc = _motrixlab(mnt / "runs", "train", "cartpole", "--max-steps", "1000", "--no-progress")
    assert proc.returncode == 1
    (line,) = _error_lines(proc.stderr)
    assert line.startswith(f"motrixlab: error: cannot create the run directory '{mnt}/runs/cartpole/")
    assert line.endswith("': Read-only file system (runs go under $MOTRIXLAB_RUNS_DIR or ./runs)")


def test_a_full_disk_stops_training_with_one_line_and_the_last_checkpoint_intact(tmpfs):
    """A 2 MB tmpfs fills with periodic checkpoints (none pruned) until a write fails with ENOSPC."""
    from motrixlab.training.checkpoint import read_checkpoint

    runs = tmpfs("2m") / "runs"
    sets = ("rl.checkpoint_interval=2048", "rl.keep_checkpoints=0", "rl.eval_interval=0")
    args = ("train", "cartpole", "--max-steps", "400000", "--no-progress", *(a for s in sets for a in ("--set", s)))
    proc = _motrixlab(runs, *args)
    assert proc.returncode == 1
    (line,) = _error_lines(proc.stderr)  # and no traceback
    assert line.startswith("motrixlab: error: cannot write '") and line.endswith("': No space left on device")
    (run,) = (runs / "cartpole").iterdir()
    header, _ = read_checkpoint(run / "checkpoints" / "latest.ckpt")  # complete and verified
    assert header["env_steps"] > 0
    assert not list((run / "checkpoints").glob(".*.tmp"))
