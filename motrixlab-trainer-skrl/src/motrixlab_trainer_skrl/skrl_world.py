"""skrl in a run of many processes (:mod:`motrixlab.training.world`), without changing skrl's files.

When skrl is first imported it reads torchrun's ``WORLD_SIZE`` and starts an NCCL process group of
its own (which a CPU cannot run, and which the run has already started with gloo), and
``JAX_WORLD_SIZE`` makes it start jax.distributed with its defaults. :func:`hidden_world` imports
skrl with those variables out of sight; :func:`join_torch` and :func:`join_jax` then tell skrl's
config about the run the process joined, so that skrl's own distributed code paths run: parameters
broadcast at start, gradients averaged at every mini-batch, the global mean KL for the learning rate.

No framework and no skrl module is imported here at module import.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from motrixlab.training import world as world_mod

from motrixlab_trainer_skrl import skrl_private

_WORLD_VARS = ("WORLD_SIZE", "RANK", "LOCAL_RANK", "JAX_WORLD_SIZE", "JAX_RANK", "JAX_LOCAL_RANK")


@contextmanager
def hidden_world() -> Iterator[None]:
    """Hide the launcher's world variables while skrl is imported for the first time."""
    saved = {name: os.environ.pop(name) for name in _WORLD_VARS if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def join_torch() -> None:
    """skrl's torch config in the run's world (the process group is the run's own)."""
    world = world_mod.current()
    if world.distributed:
        skrl_private.set_world("torch", rank=world.rank, local_rank=world.local_rank, world_size=world.size)


def join_jax() -> None:
    """Start jax.distributed for this run (its coordinator in rank 0, gloo collectives on CPU) and put
    skrl's jax config in it; before anything touches jax's devices."""
    world = world_mod.current()
    if not world.distributed:
        return
    import jax
    import jax.experimental.multihost_utils  # skrl's broadcast uses it without importing it
    from skrl import config

    if not config.jax.is_distributed:
        address = world_mod.coordinator_address()
        jax.config.update("jax_cpu_collectives_implementation", "gloo")
        try:
            jax.distributed.initialize(coordinator_address=address, num_processes=world.size, process_id=world.rank)
        except RuntimeError as exc:
            raise world_mod.PeerLost(f"rank {world.rank}: jax.distributed did not start: {exc}") from exc
        skrl_private.set_world("jax", rank=world.rank, local_rank=world.local_rank, world_size=world.size)
    skrl_private.set_jax_device(jax.local_devices()[0])
