"""Run directories: ``runs/<env>/<YYYYmmdd-HHMMSS>-<trainer>-<backend>/`` and atomic files in them."""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from motrixlab.errors import StorageError, UnknownNameError, storage_error

RUNS_ENV = "MOTRIXLAB_RUNS_DIR"


def runs_root() -> Path:
    return Path(os.environ.get(RUNS_ENV, "runs"))


def new_run_dir(env: str, trainer: str, backend: str, root: Path | None = None) -> Path:
    """Create a fresh, uniquely named run directory (``remove_empty_run_dir`` takes it back)."""
    base = (root or runs_root()) / env
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for i in range(1000):
        name = f"{stamp}-{trainer}-{backend}" + (f"-{i}" if i else "")
        path = base / name
        try:
            path.mkdir(parents=True, exist_ok=False)
            return path
        except FileExistsError:
            continue
        except OSError as exc:
            error = storage_error("create the run directory", path, exc)
            raise StorageError(f"{error} (runs go under ${RUNS_ENV} or ./runs)") from None
    raise StorageError(f"cannot create a run directory under {str(base)!r}: 1000 runs of this second exist")


def remove_empty_run_dir(run_dir: Path, *, ignore: tuple[str, ...] = ()) -> None:
    """Remove a run directory nothing was written to (files named in ``ignore``, such as its lock, do not
    count and go with it), and its env folder if that is now empty too. A directory holding anything
    else (a resumed run's checkpoints) is never touched."""
    try:
        if not {p.name for p in run_dir.iterdir()} <= set(ignore):
            return
        for name in ignore:
            (run_dir / name).unlink(missing_ok=True)
        run_dir.rmdir()
        run_dir.parent.rmdir()  # only ever removes an empty directory
    except OSError:
        return


def remove_temporaries(run_dir: Path) -> list[Path]:
    """Delete what atomic writes of a killed process left behind (``.<name>.<random>.tmp`` in the run
    directory and its ``checkpoints``); for a run about to be resumed, which no other process writes.
    Best effort: a file that cannot be deleted stays. Returns what was deleted."""
    removed = []
    for folder in (run_dir, run_dir / "checkpoints"):
        for path in folder.glob(".*.tmp"):
            try:
                path.unlink()
            except OSError:
                continue
            removed.append(path)
    return removed


def list_runs(env: str, root: Path | None = None) -> list[Path]:
    """Runs of ``env`` that have a config, oldest first."""
    base = (root or runs_root()) / env
    if not base.is_dir():
        return []
    return sorted((p for p in base.iterdir() if (p / "config.json").is_file()), key=lambda p: p.name)


def find_run(env: str, ref: str = "latest", root: Path | None = None) -> Path:
    """``latest``, a run name under ``runs/<env>/``, or a path to a run directory."""
    runs = list_runs(env, root)
    if ref == "latest":
        if not runs:
            raise UnknownNameError(
                f"no runs of {env!r} under {(root or runs_root()) / env}; train one with: motrixlab train {env}"
            )
        return runs[-1]
    path = Path(ref)
    if (path / "config.json").is_file():
        return path
    for run in runs:
        if run.name == ref:
            return run
    names = ", ".join(r.name for r in runs[-5:]) or "(none)"
    raise UnknownNameError(f"run {ref!r} not found for {env!r}; recent runs: {names}")


def find_policy_checkpoint(ref: str, suffix: str, root: Path | None = None) -> Path:
    """A checkpoint file, a run directory or a run name of any env (their ``latest`` checkpoint)."""
    root = root or runs_root()
    path = Path(ref)
    if path.is_file():
        return path
    runs = [path] if (path / "config.json").is_file() else []
    if not runs and root.is_dir() and "/" not in ref:
        runs = [run for env in sorted(root.iterdir()) if env.is_dir() for run in list_runs(env.name, root)]
        runs = [run for run in runs if run.name == ref]
    if not runs:
        raise UnknownNameError(f"no checkpoint, run directory or run named {ref!r} (runs are under {root})")
    if len(runs) > 1:
        raise UnknownNameError(f"run name {ref!r} is ambiguous: {', '.join(str(r) for r in runs)}; give its path")
    return resolve_checkpoint(runs[0], "latest", suffix)


def run_of_checkpoint(path: Path) -> Path | None:
    """The run directory holding checkpoint file ``path`` (``<run>/checkpoints/<file>``), if it is one."""
    run = Path(path).parent.parent
    return run if Path(path).parent.name == "checkpoints" and (run / "config.json").is_file() else None


def resolve_checkpoint(run_dir: Path, ref: str, suffix: str) -> Path:
    """``latest``, ``best``, a periodic checkpoint's name, or a file path."""
    ckpts = run_dir / "checkpoints"
    candidates = [ckpts / f"{ref}{suffix}", ckpts / ref, Path(ref)]
    for path in candidates:
        if path.is_file():
            return path
    have = sorted(p.name for p in ckpts.glob(f"*{suffix}")) if ckpts.is_dir() else []
    raise UnknownNameError(f"checkpoint {ref!r} not found in {ckpts}; available: {', '.join(have) or '(none)'}")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write via a temp file in the same directory, fsync, rename, fsync the directory: readers see the old
    file or the whole new one, and after a crash the rename is on disk. A file-system failure (no space,
    read-only, permission, a path through a file) leaves the old file as it was and raises a
    :class:`StorageError` naming the path and the cause."""
    path = Path(path)
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; give the file the usual permissions
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        tmp = None
        _fsync_dir(path.parent)
    except OSError as exc:
        raise storage_error("write", path, exc) from None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_UMASK: int | None = None


def _umask() -> int:
    global _UMASK
    if _UMASK is None:
        _UMASK = os.umask(0)
        os.umask(_UMASK)
    return _UMASK


def atomic_write_json(path: Path, obj: Any) -> None:
    atomic_write_bytes(path, (json.dumps(obj, indent=2, default=_json_default) + "\n").encode())


def _json_default(obj: Any) -> Any:
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, tuple):
        return list(obj)
    if hasattr(obj, "tolist"):
        return obj.tolist()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")
