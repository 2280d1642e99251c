"""The JAX backend's memory gathers mini-batches with NumPy: the same samples as skrl's own."""

from __future__ import annotations

import numpy as np
import pytest

jax = pytest.importorskip("jax")


def test_host_gather_matches_skrl_random_memory():
    from motrixlab_trainer_skrl.jax_agent import HostGatherMemory
    from skrl.memories.jax import RandomMemory

    rng = np.random.default_rng(0)
    ours, theirs = (cls(memory_size=8, num_envs=16) for cls in (HostGatherMemory, RandomMemory))
    for memory in (ours, theirs):
        memory.create_tensor("observations", size=5, dtype=np.float32)
        memory.create_tensor("terminated", size=1, dtype=bool)
    for _ in range(8):
        obs = rng.standard_normal((16, 5)).astype(np.float32)
        done = rng.random((16, 1)) < 0.2
        for memory in (ours, theirs):
            memory.add_samples(observations=obs, terminated=done)
    indexes = rng.permutation(8 * 16)
    names = ["observations", "terminated", "missing"]
    for mini_batches in (1, 3):
        a = ours.sample_by_index(names, indexes=indexes, mini_batches=mini_batches)
        b = theirs.sample_by_index(names, indexes=indexes, mini_batches=mini_batches)
        assert len(a) == len(b) == mini_batches
        for batch_a, batch_b in zip(a, b, strict=True):
            assert batch_a[2] is None and batch_b[2] is None
            for x, y in zip(batch_a[:2], batch_b[:2], strict=True):
                assert isinstance(x, jax.Array) and x.dtype == y.dtype and x.shape == y.shape
                np.testing.assert_array_equal(np.asarray(x), np.asarray(y))
