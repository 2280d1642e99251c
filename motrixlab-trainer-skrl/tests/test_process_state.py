"""``train``, ``evaluate``, ``play`` and ``export`` called from Python leave the process as they found it:
Python's, NumPy's and torch's global generators, skrl's jax key, torch's thread counts."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from motrixlab.cli.train import _load_run, _trainer, build_run
from motrixlab_testenv.configs import CARTPOLE_FAST
from trainer_helpers import CARTPOLE_FAST_JAX

torch = pytest.importorskip("torch")

PER_UPDATE = 32 * 16  # CARTPOLE_FAST


def _scramble() -> None:
    """Global state no backend would choose, so that a backend's own settings show."""
    random.seed(987)
    np.random.seed(654)
    torch.manual_seed(321)
    torch.set_num_threads(3)


def _snapshot(framework: str) -> dict:
    state = {
        "random": random.getstate(),
        "numpy": [np.asarray(part).tolist() for part in np.random.get_state()],
        "torch": torch.get_rng_state().tolist(),
        "torch_threads": torch.get_num_threads(),
        "torch_interop_threads": torch.get_num_interop_threads(),
    }
    if framework == "jax":
        from skrl import config

        state["skrl_jax_key"] = np.asarray(config.jax.key).tolist()
        state["skrl_jax_device"] = str(config.jax.device)
    return state


@pytest.mark.timeout(300)
@pytest.mark.parametrize("framework", ["torch", "jax"])
def test_trainer_calls_leave_global_state_as_they_found_it(runs: Path, tmp_path: Path, framework: str):
    pytest.importorskip(framework)
    sets = CARTPOLE_FAST if framework == "torch" else CARTPOLE_FAST_JAX
    run = build_run(
        "cartpole", backend=framework, sets=[*sets, "env.max_episode_seconds=0.5"], max_steps=2 * PER_UPDATE,
        show_progress=False,
    )  # fmt: skip
    trainer = _trainer(run.trainer)
    threads = torch.get_num_threads()
    changed = []

    def check(name: str, call) -> None:
        _scramble()
        before = _snapshot(framework)
        call()
        after = _snapshot(framework)
        changed.extend(f"{name}: {key}" for key in before if after[key] != before[key])

    try:
        check("train", lambda: trainer.train(run))
        run_dir, saved = _load_run("cartpole", str(run.dir))
        run = build_run("cartpole", run_dir=run_dir, saved=saved, show_progress=False)
        checkpoint = run.checkpoints / "latest.ckpt"
        check("evaluate", lambda: trainer.evaluate(run, checkpoint, 2))
        check("play", lambda: trainer.evaluate(run, checkpoint, 1, render=True))
        check("export", lambda: trainer.export(run, checkpoint, "torchscript", tmp_path / "policy.pt"))
    finally:
        torch.set_num_threads(threads)
    assert changed == []
