"""One training run over many processes: who this process is, and the few collectives the loop needs.

A run spans processes data-parallel: each process steps its own env batch and its own copy of the
policy; the learner averages gradients inside its library (torch.distributed, or jax.distributed
for jax), and the loop below exchanges what rank 0 logs and checkpoints. The processes are started
by torchrun's elastic launcher (``motrixlab train --nproc``, or ``torchrun`` itself), which sets
``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, ``LOCAL_WORLD_SIZE``, ``MASTER_ADDR`` and ``MASTER_PORT``.

The run-level exchange (episode statistics, stop requests, the resume checkpoint, jax's
coordinator address) always goes through a torch.distributed process group: gloo on CPU, with NCCL
added for CUDA tensors when every process has a GPU. A single process (``WORLD_SIZE`` unset or 1)
never imports torch here and never creates a group.
"""

from __future__ import annotations

import datetime
import os
import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from motrixlab.errors import ConfigError, MotrixLabError

#: each rank's env and exploration seeds are ``seed + rank * RANK_SEED_STRIDE``
RANK_SEED_STRIDE = 1_000_000
#: threads per process (physics pool, torch, XLA); default: this machine's cores // processes on it
THREADS_ENV = "MOTRIXLAB_THREADS"
#: seconds a collective waits for the other processes before the run fails
TIMEOUT_ENV = "MOTRIXLAB_DIST_TIMEOUT"
DEFAULT_TIMEOUT_S = 600
#: the run directory the launcher created for rank 0 (a fresh run started by ``train --nproc``)
RUN_DIR_ENV = "MOTRIXLAB_RUN_DIR"
#: set in the processes ``train --nproc`` starts (the launcher, not each process, reports how the run ended)
LAUNCHED_ENV = "MOTRIXLAB_LAUNCHED"
#: exit status of a process that stops because another one is gone (the launcher names the lost one)
PEER_LOST_EXIT = 3

T = TypeVar("T")


class PeerLost(Exception):
    """A collective failed: another process of the run died or stopped answering."""


@dataclass(frozen=True, kw_only=True)
class World:
    """This process's place in the run."""

    rank: int = 0
    size: int = 1
    local_rank: int = 0
    local_size: int = 1

    @property
    def distributed(self) -> bool:
        return self.size > 1

    @property
    def is_main(self) -> bool:
        """Rank 0: the one process that writes the run directory, evaluates and prints."""
        return self.rank == 0

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> World:
        """The world torchrun describes in the environment (one process when it describes none)."""
        env = os.environ if environ is None else environ
        fields = {"rank": "RANK", "size": "WORLD_SIZE", "local_rank": "LOCAL_RANK", "local_size": "LOCAL_WORLD_SIZE"}
        values: dict[str, int] = {}
        for name, var in fields.items():
            raw = env.get(var)
            if raw is None:
                continue
            try:
                values[name] = int(raw)
            except ValueError:
                raise ConfigError(f"{var}={raw!r}: must be an integer (set by torchrun)") from None
        world = cls(**values)
        if world.size < 1 or not 0 <= world.rank < world.size:
            raise ConfigError(f"RANK={world.rank} and WORLD_SIZE={world.size}: need 0 <= RANK < WORLD_SIZE")
        if world.local_size < 1 or not 0 <= world.local_rank < world.local_size:
            raise ConfigError(
                f"LOCAL_RANK={world.local_rank} and LOCAL_WORLD_SIZE={world.local_size}: need 0 <= LOCAL_RANK < "
                f"LOCAL_WORLD_SIZE"
            )
        return world

    def seed(self, seed: int) -> int:
        """This rank's seed for ``seed``: its envs and its exploration differ from every other rank's."""
        return int((seed + self.rank * RANK_SEED_STRIDE) % 2**31)

    def threads(self, environ: Mapping[str, str] | None = None) -> int:
        """Threads this process may use: ``MOTRIXLAB_THREADS``, else the cores it may run on shared evenly
        among the run's processes on this machine."""
        env = os.environ if environ is None else environ
        if env.get(THREADS_ENV):
            return _positive_int(env, THREADS_ENV, "a positive integer")
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        return max(1, cores // self.local_size)


_world = World()
_joined = False


def current() -> World:
    """The world this process joined (one process until :func:`join`)."""
    return _world


def join(world: World) -> None:
    """Join the run's process group (torch.distributed over the launcher's rendezvous); once per process."""
    global _world, _joined
    if not world.distributed or _joined:
        _world = world
        return
    import torch
    import torch.distributed as dist

    timeout = datetime.timedelta(seconds=_timeout_s())
    gpus = torch.cuda.is_available() and torch.cuda.device_count() > world.local_rank
    if gpus:  # NCCL carries CUDA tensors; gloo keeps the CPU-side exchange
        torch.cuda.set_device(world.local_rank)
    try:
        dist.init_process_group(
            backend="cpu:gloo,cuda:nccl" if gpus else "gloo",
            rank=world.rank,
            world_size=world.size,
            timeout=timeout,
        )
    except (RuntimeError, ValueError) as exc:
        raise ConfigError(f"cannot join the run's process group (rank {world.rank} of {world.size}): {exc}") from None
    _world, _joined = world, True


def leave() -> None:
    """Leave the process group (a finished run)."""
    global _joined
    if _joined:
        import torch.distributed as dist

        if dist.is_initialized():
            dist.destroy_process_group()
        _joined = False


def _timeout_s() -> int:
    if not os.environ.get(TIMEOUT_ENV):
        return DEFAULT_TIMEOUT_S
    return _positive_int(os.environ, TIMEOUT_ENV, "a positive number of seconds")


def _positive_int(env: Mapping[str, str], name: str, what: str) -> int:
    raw = env[name]
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ConfigError(f"{name}={raw!r}: must be {what}")
    return value


# ---- collectives of plain Python objects (internal data of the run, between its own processes) ------
def broadcast(obj: T) -> T:
    """Rank 0's ``obj`` on every rank (the argument of other ranks is ignored)."""
    if not _world.distributed:
        return obj
    import torch.distributed as dist

    box = [obj]
    with _collective("broadcast"):
        dist.broadcast_object_list(box, src=0)
    return box[0]


def all_gather(obj: T) -> list[T]:
    """Every rank's ``obj``, in rank order, on every rank."""
    if not _world.distributed:
        return [obj]
    import torch.distributed as dist

    out: list[Any] = [None] * _world.size
    with _collective("all_gather"):
        dist.all_gather_object(out, obj)
    return out


def max_over_ranks(value: int) -> int:
    """The largest of every rank's ``value``, on every rank."""
    if not _world.distributed:
        return value
    import torch
    import torch.distributed as dist

    t = torch.tensor([int(value)], dtype=torch.int64)
    with _collective("all_reduce"):
        dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return int(t.item())


class _collective:
    """Turn a failed collective (a peer gone: connection reset, timeout) into :class:`PeerLost`."""

    def __init__(self, what: str) -> None:
        self.what = what

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, exc: BaseException | None, tb: Any) -> bool:
        if exc is not None and isinstance(exc, RuntimeError):
            first = (str(exc).strip().splitlines() or [kind.__name__])[0]
            raise PeerLost(f"rank {_world.rank}: {self.what} failed: {first[:200]}") from exc
        return False


#: words in the errors of a collective whose peer is gone (gloo, torch.distributed, jax's gloo client)
_PEER_LOSS_WORDS = ("connection closed", "connection reset", "broken pipe", "timed out", "timeout", "gloo")


def is_peer_loss(exc: BaseException) -> bool:
    """Whether ``exc`` (raised inside a library's collective) says another process is gone."""
    if isinstance(exc, PeerLost):
        return True
    if isinstance(exc, MotrixLabError):
        return False
    torch_dist = sys.modules.get("torch.distributed")
    dist_error = getattr(torch_dist, "DistError", None)
    if dist_error is not None and isinstance(exc, dist_error):
        return True
    text = str(exc).lower()
    return _world.distributed and any(word in text for word in _PEER_LOSS_WORDS)


def coordinator_address() -> str:
    """``host:port`` for a framework's own coordinator (jax.distributed) in process 0, agreed on every rank:
    rank 0's address as the other ranks reach it (the interface it uses towards ``MASTER_ADDR``) and a
    port free there."""
    address = ""
    if _world.is_main:
        master = os.environ.get("MASTER_ADDR", "127.0.0.1")
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            probe.connect((master, 9))  # no packet is sent: this picks the outgoing interface
            host = probe.getsockname()[0]
        except OSError:
            host = "127.0.0.1"
        finally:
            probe.close()
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind((host, 0))
            address = f"{host}:{s.getsockname()[1]}"
    return broadcast(address)


__all__ = [
    "LAUNCHED_ENV",
    "PEER_LOST_EXIT",
    "RANK_SEED_STRIDE",
    "RUN_DIR_ENV",
    "THREADS_ENV",
    "TIMEOUT_ENV",
    "PeerLost",
    "World",
    "all_gather",
    "broadcast",
    "coordinator_address",
    "current",
    "is_peer_loss",
    "join",
    "leave",
    "max_over_ranks",
]
