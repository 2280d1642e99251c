"""``ABEnv`` as a skrl torch environment (``skrl.envs.wrappers.torch.Wrapper``).

Usable with skrl's own trainers too. Per step it copies only the observation (the env may reuse
its buffer; skrl keeps it across the next step); reward, flags and ``info["final_obs"]`` are
zero-copy views on CPU, shaped the way skrl stores them (``(num_envs, 1)``). The NumPy arrays of
the last step stay available as :attr:`last` for bookkeeping that needs no tensors.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from skrl.envs.wrappers.torch import Wrapper

from motrixlab_trainer_skrl.env_wrapper import ABEnvWrapperMixin


class TorchEnv(ABEnvWrapperMixin, Wrapper):
    def __init__(self, env: Any, device: torch.device | str = "cpu", seed: int | None = None) -> None:
        super().__init__(env, torch.device(device), seed)
        self._on_cpu = self.device.type == "cpu"

    def _view(self, array: np.ndarray) -> torch.Tensor:
        t = torch.from_numpy(array)
        return t if self._on_cpu else t.to(self.device, non_blocking=True)

    def _obs(self, array: np.ndarray) -> torch.Tensor:
        t = torch.from_numpy(array)
        return t.clone() if self._on_cpu else t.to(self.device)

    def reset(self, *, seed: int | None = None) -> tuple[torch.Tensor, dict[str, Any]]:
        obs, info = self.env.reset(seed=self._take_seed(seed))
        return self._obs(obs), info

    def step(self, actions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, Any]:
        array = actions.detach().numpy() if self._on_cpu else actions.detach().cpu().numpy()
        obs, reward, terminated, truncated, info = self.env.step(array)
        self.last = (obs, reward, terminated, truncated, info)
        info = {**info, "final_obs": self._view(info.get("final_obs", obs))}
        return (
            self._obs(obs),
            self._view(reward).view(-1, 1),
            self._view(terminated).view(-1, 1),
            self._view(truncated).view(-1, 1),
            info,
        )
