"""The process-wide state a learner changes, put back as it was when a trainer call returns.

Building a learner seeds Python's, NumPy's and the framework's global generators (and a library's
own, such as skrl's jax PRNG key), and a torch learner may run its rollouts on one intra-op thread;
export builds torch modules, which draws from torch's generator. ``LoopTrainer.train``, ``evaluate``
(and so ``play``), ``export`` and ``load_policy`` run inside :func:`kept`, so a program that calls
them leaves with the generators and thread counts it had.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

#: a library's own process-wide state: ``save() -> token`` and ``restore(token)``
Keeper = tuple[Callable[[], Any], Callable[[Any], None]]


@contextmanager
def kept(frameworks: tuple[str, ...] = (), extra: Sequence[Keeper] = ()) -> Iterator[None]:
    """Save and restore the state; ``frameworks`` are imported first if the call will use them
    (``torch``), and any already imported is covered too; ``extra`` keeps a library's own state."""
    if "torch" in frameworks:
        import torch  # noqa: F401  # imported anyway by the call: its state is saved before the call
    saved = _save()
    tokens = [save() for save, _ in extra]
    try:
        yield
    finally:
        for (_, restore), token in zip(extra, tokens, strict=True):
            restore(token)
        _restore(saved)


def _save() -> dict[str, Any]:
    saved: dict[str, Any] = {"random": random.getstate(), "numpy": np.random.get_state()}
    torch = sys.modules.get("torch")
    if torch is not None:
        saved["torch"] = {
            "rng": torch.get_rng_state(),
            "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_initialized() else None,
            "threads": torch.get_num_threads(),
        }
    return saved


def _restore(saved: dict[str, Any]) -> None:
    random.setstate(saved["random"])
    np.random.set_state(saved["numpy"])
    state = saved.get("torch")
    if state is not None:
        import torch

        torch.set_rng_state(state["rng"])
        if state["cuda"] is not None:
            torch.cuda.set_rng_state_all(state["cuda"])
        if torch.get_num_threads() != state["threads"]:
            torch.set_num_threads(state["threads"])
