"""On CPU the torch backend steps the env on one thread and runs PPO updates on all of torch's threads."""

from __future__ import annotations

import os

import gymnasium as gym
import numpy as np
import pytest

torch_agent = pytest.importorskip("motrixlab_trainer_skrl.torch_agent")
torch = pytest.importorskip("torch")

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("OMP_NUM_THREADS")) or torch_agent._DEFAULT_THREADS < 2,
    reason="OMP_NUM_THREADS decides, or torch has one thread anyway",
)


def _backend():
    from motrixlab.rlcfg import PPOCfg

    obs = gym.spaces.Box(-np.inf, np.inf, (4,), np.float32)
    act = gym.spaces.Box(-1.0, 1.0, (1,), np.float32)
    return torch_agent.TorchBackend(PPOCfg(num_envs=8, rollouts=4, mini_batches=1), obs, act, 8, training=True)


def test_updates_run_on_all_threads_and_rollouts_on_one_for_every_backend_in_a_process():
    seen = []
    for _ in range(2):  # the second backend must not take the first one's setting for the machine's size
        backend = _backend()
        assert torch.get_num_threads() == 1
        assert backend.agent.update.__name__ == "update_on_all_cores"  # skrl's update goes through it
        wrapped = backend._on_all_cores(lambda: seen.append(torch.get_num_threads()))
        wrapped()
        assert torch.get_num_threads() == 1  # back to one thread for the next rollout
    assert seen == [torch_agent._DEFAULT_THREADS] * 2
