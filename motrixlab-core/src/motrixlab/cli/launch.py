"""``train --nproc/--nnodes``: start the run's processes with torchrun's elastic launcher, and the
setup each started process does first (:func:`join_run`).

The launcher runs ``python -m motrixlab train ...`` once per process with torchrun's environment;
those processes find each other through torchrun's rendezvous and are one training run
(:mod:`motrixlab.training.world`). ``torchrun ... -m motrixlab train ...`` does the same by hand.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from pathlib import Path
from typing import Any

from motrixlab.errors import ConfigError
from motrixlab.training import world as world_mod

#: seconds the launcher waits for the other processes to stop after one failed, before killing them
SHUTDOWN_TIMEOUT_S = 30


def check_layout(nproc: int, nnodes: int, node_rank: int, rdzv_endpoint: str | None) -> None:
    if nproc < 1:
        raise ConfigError(f"--nproc: must be 1 or more processes per machine, got {nproc}")
    if nnodes < 1:
        raise ConfigError(f"--nnodes: must be 1 or more machines, got {nnodes}")
    if not 0 <= node_rank < nnodes:
        raise ConfigError(f"--node-rank: must be in [0, {nnodes - 1}] for --nnodes {nnodes}, got {node_rank}")
    if nnodes > 1 and not rdzv_endpoint:
        raise ConfigError("--nnodes > 1 needs --rdzv-endpoint HOST:PORT, reachable from every machine (node 0's)")
    if rdzv_endpoint is not None:
        host, _, port = rdzv_endpoint.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ConfigError(f"--rdzv-endpoint: expected HOST:PORT, got {rdzv_endpoint!r}")


def launch(
    worker_args: list[str],
    *,
    nproc: int,
    nnodes: int,
    node_rank: int,
    rdzv_endpoint: str | None,
    run_dir: Path | None,
    resume_hint: str,
) -> None:
    """Run ``motrixlab train <worker_args>`` in ``nproc`` processes here (and ``nnodes`` machines in all).

    ``run_dir``: the fresh run directory rank 0 writes (on node 0), else None. A process that dies
    stops the others and ends the launcher with one line naming it; Ctrl-C or SIGTERM stops every
    process after its current update, rank 0 writing ``latest`` first."""
    from torch.distributed.elastic.multiprocessing.api import SignalException
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.launcher.api import elastic_launch
    from torch.distributed.run import config_from_args, get_args_parser

    logging.getLogger("torch.distributed.elastic").setLevel(logging.CRITICAL)
    argv = [f"--nproc-per-node={nproc}", "--max-restarts=0", "--monitor-interval=0.5", f"--log-dir={os.devnull}"]
    argv.append(f"--shutdown-timeout={SHUTDOWN_TIMEOUT_S}")
    if nnodes == 1 and rdzv_endpoint is None:
        argv += ["--rdzv-backend=c10d", "--rdzv-endpoint=127.0.0.1:0", f"--rdzv-id=motrixlab-{os.getpid()}"]
    else:  # a fixed node order: node 0 holds rank 0, which writes the run
        assert rdzv_endpoint is not None
        host, _, port = rdzv_endpoint.rpartition(":")
        argv += [f"--nnodes={nnodes}", f"--node-rank={node_rank}", "--rdzv-backend=static"]
        argv += [f"--master-addr={host}", f"--master-port={port}"]
    argv += ["-m", "motrixlab", "train", *worker_args]
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # the workers size their own threads (world.threads)
    os.environ.setdefault("TORCH_CPP_LOG_LEVEL", "ERROR")
    os.environ[world_mod.LAUNCHED_ENV] = "1"
    if run_dir is not None:
        os.environ[world_mod.RUN_DIR_ENV] = str(run_dir)
    config, cmd, cmd_args = config_from_args(get_args_parser().parse_args(argv))
    try:
        elastic_launch(config=config, entrypoint=cmd)(*cmd_args)
    except ChildFailedError as exc:
        code, line = _failure(exc)
        if line:
            print(f"motrixlab: error: {line}; {resume_hint}", file=sys.stderr)
        raise SystemExit(code) from None
    except (SignalException, KeyboardInterrupt):
        print(f"motrixlab: interrupted; {resume_hint}", file=sys.stderr)
        raise SystemExit(130) from None


def _failure(exc: Any) -> tuple[int, str]:
    """The exit status and the line for a failed run: the process that died first (by a signal, or
    with an error of its own, which it has printed), not those that stopped because it was gone."""
    failures = sorted(exc.failures.items())
    # killed by a signal; SIGTERM last: that is how the launcher stops the others once one has died
    killed = sorted(
        ((rank, f) for rank, f in failures if f.exitcode < 0), key=lambda rf: (rf[1].exitcode == -signal.SIGTERM, rf[0])
    )
    if killed:
        rank, f = killed[0]
        try:
            name = signal.Signals(-f.exitcode).name
        except ValueError:
            name = f"signal {-f.exitcode}"
        return 1, f"rank {rank} (local rank {f.local_rank}, pid {f.pid}) was killed by {name}; the run stopped"
    own = [(rank, f) for rank, f in failures if f.exitcode not in (world_mod.PEER_LOST_EXIT, 130)]
    if own:
        return own[0][1].exitcode or 1, ""  # it printed its own one-line error
    if all(f.exitcode == 130 for _, f in failures):
        return 130, ""
    rank, f = failures[0]
    return 1, f"rank {rank} lost contact with the other processes of the run; the run stopped"


def join_run(world: world_mod.World) -> None:
    """First thing in a process of a run of many: join the process group and take this process's share of
    the cores (the physics thread pool, pinned to its own cores when they suffice)."""
    world_mod.join(world)
    threads = world.threads()
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    mine = cores[world.local_rank * threads : (world.local_rank + 1) * threads]
    if len(cores) < world.local_size * threads or len(mine) != threads:
        mine = []
    if threads == 1:  # XLA's CPU client otherwise starts a thread per core
        flags = os.environ.get("XLA_FLAGS", "")
        if "intra_op_parallelism_threads" not in flags:
            os.environ["XLA_FLAGS"] = f"{flags} --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    import motrixsim

    try:
        motrixsim.init_thread_pool(num_threads=threads, core_ids=mine or None)
    except RuntimeError:  # already created in this process (a test calling train twice): keep it
        pass
