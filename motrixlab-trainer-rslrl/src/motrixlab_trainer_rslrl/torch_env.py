"""``ABEnv`` as the torch tensors the rsl_rl learner takes (what ``Learner.wrap`` returns).

Per step it copies only the observation (the env may reuse its buffer, and rsl_rl stores the
observation only after the next step); reward, flags and ``info["final_obs"]`` are zero-copy views
on CPU, shaped ``(num_envs,)`` as rsl_rl takes them. The NumPy arrays of the last step stay
available as :attr:`last` for bookkeeping that needs no tensors.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch


class TorchEnv:
    def __init__(self, env: Any, device: torch.device | str = "cpu", seed: int | None = None) -> None:
        self.env = env
        self.device = torch.device(device)
        self.num_envs = env.num_envs
        self._on_cpu = self.device.type == "cpu"
        self._seed = seed
        self.last: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]] | None = None

    def _view(self, array: np.ndarray) -> torch.Tensor:
        t = torch.from_numpy(array)
        return t if self._on_cpu else t.to(self.device, non_blocking=True)

    def _obs(self, array: np.ndarray) -> torch.Tensor:
        t = torch.from_numpy(array)
        return t.clone() if self._on_cpu else t.to(self.device)

    def reset(self, *, seed: int | None = None) -> tuple[torch.Tensor, dict[str, Any]]:
        """The first reset without a seed uses the one given at construction (once)."""
        seed, self._seed = (seed if seed is not None else self._seed), None
        obs, info = self.env.reset(seed=seed)
        return self._obs(obs), info

    def step(self, actions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, Any]:
        array = actions.detach().numpy() if self._on_cpu else actions.detach().cpu().numpy()
        obs, reward, terminated, truncated, info = self.env.step(array)
        self.last = (obs, reward, terminated, truncated, info)
        info = {**info, "final_obs": self._view(info.get("final_obs", obs))}
        return self._obs(obs), self._view(reward), self._view(terminated), self._view(truncated), info

    def close(self) -> None:
        self.env.close()
