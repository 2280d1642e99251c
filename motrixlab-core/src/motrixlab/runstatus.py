"""Whether a run is training, finished, was interrupted or crashed, told honestly rather than guessed.

While ``motrixlab train`` trains a run, its process holds an exclusive ``fcntl.flock`` on
``<run>/run.lock``; the operating system drops the lock when the process ends, however it ends.
``<run>/status.json`` records what the process said last: ``running`` when it started, then
``finished``, ``interrupted`` (Ctrl-C, SIGTERM) or ``crashed`` (an exception). A run whose lock
is free but whose status still says ``running`` was killed without a word (SIGKILL, out of
memory, power): ``crashed``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from motrixlab.errors import MotrixLabError
from motrixlab.runs import atomic_write_json

LOCK = "run.lock"
STATUS = "status.json"
#: what ``run_status`` answers; ``unknown`` only for a run written without ``motrixlab train`` (or
#: before it kept a status) that did not finish
STATUSES = ("running", "finished", "interrupted", "crashed", "unknown")
#: files of this module's own, which say nothing about what a run produced
OWN_FILES = (LOCK, STATUS)


def is_locked(run_dir: Path) -> bool:
    """Whether a live process holds the run's lock (is training it)."""
    try:
        fd = os.open(run_dir / LOCK, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)  # closing drops a lock this call took
    return False


def read_status(run_dir: Path) -> dict[str, Any] | None:
    """``status.json`` as a dict, or None when it is missing or unreadable."""
    try:
        data = json.loads((run_dir / STATUS).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def run_status(run_dir: Path, summary: dict[str, Any] | None = None) -> str:
    """One of ``STATUSES`` for ``run_dir`` (``summary``: its ``summary.json``, when already read)."""
    if is_locked(run_dir):
        return "running"
    said = (read_status(run_dir) or {}).get("status")
    if said in ("finished", "interrupted", "crashed"):
        return said
    if said == "running":  # the lock is free: the process is gone without saying how it ended
        return "crashed"
    if summary is None:
        try:
            summary = json.loads((run_dir / "summary.json").read_text())
        except (OSError, ValueError):
            summary = None
    if isinstance(summary, dict) and summary.get("finished") is True:
        return "finished"
    return "unknown"


def _acquire(run_dir: Path) -> int:
    run_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(run_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o666)
    for _ in range(100):  # a reader (``motrixlab runs``) holds a shared lock for microseconds
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            time.sleep(0.01)
    os.close(fd)
    pid = (read_status(run_dir) or {}).get("pid", "?")
    raise MotrixLabError(f"run {run_dir} is being trained by another process (pid {pid}); wait for it or stop it")


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def training(run_dir: Path) -> Iterator[None]:
    """Hold ``run_dir``'s lock and keep its ``status.json`` while the block trains.

    The block's outcome becomes the status: returning is ``finished``, ``KeyboardInterrupt``
    (Ctrl-C; SIGTERM too, turned into one while the block runs unless a handler is set) is
    ``interrupted``, any other exception ``crashed``, except a ``MotrixLabError``: a refused
    command (a bad checkpoint, a budget already reached) leaves the previous status as it was."""
    fd = _acquire(run_dir)
    path = run_dir / STATUS
    previous = path.read_bytes() if path.is_file() else None
    started = time.strftime("%Y-%m-%dT%H:%M:%S")
    base = {"pid": os.getpid(), "host": socket.gethostname(), "started": started}
    sigterm = None
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        sigterm = signal.signal(signal.SIGTERM, _raise_interrupt)

    def say(status: str) -> None:
        atomic_write_json(path, {"status": status, **base, "ended": time.strftime("%Y-%m-%dT%H:%M:%S")})

    try:
        atomic_write_json(path, {"status": "running", **base})
        yield
    except KeyboardInterrupt:
        say("interrupted")
        raise
    except MotrixLabError:
        if previous is None:
            path.unlink(missing_ok=True)
        else:
            from motrixlab.runs import atomic_write_bytes

            atomic_write_bytes(path, previous)
        raise
    except BaseException:
        say("crashed")
        raise
    else:
        say("finished")
    finally:
        if sigterm is not None:
            signal.signal(signal.SIGTERM, sigterm)
        os.close(fd)
