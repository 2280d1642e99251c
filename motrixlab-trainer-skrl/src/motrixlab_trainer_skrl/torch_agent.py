"""skrl PPO on PyTorch (imported only when the torch backend runs)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from motrixlab.rlcfg import PPOCfg
from motrixlab.training import world as world_mod
from motrixlab.training.torch_payload import dump_state, load_state
from skrl import config as skrl_config
from skrl import logger as skrl_logger
from skrl.agents.torch.ppo import PPO, PPO_CFG
from skrl.memories.torch import RandomMemory
from skrl.resources.preprocessors.torch import RunningStandardScaler
from skrl.resources.schedulers.torch import KLAdaptiveLR

from motrixlab_trainer_skrl import skrl_private, skrl_world
from motrixlab_trainer_skrl.backend import Backend
from motrixlab_trainer_skrl.torch_env import TorchEnv
from motrixlab_trainer_skrl.torch_models import Policy, SharedPolicyValue, Value

skrl_logger.setLevel(logging.WARNING)

#: torch's own intra-op thread count, read before any backend sets it to 1 for its rollouts (a second
#: backend in the same process must not take that 1 for the machine's size)
_DEFAULT_THREADS = torch.get_num_threads()


def default_device() -> torch.device:
    """The GPU of this process (its local rank's in a run of many), else the CPU."""
    return torch.device(f"cuda:{world_mod.current().local_rank}" if torch.cuda.is_available() else "cpu")


class RunScaler(RunningStandardScaler):
    """skrl's running standard scaler; in a run of many processes each update merges the batch moments
    of every process first, so that the normalisers stay the same everywhere."""

    def _parallel_variance(self, input_mean: torch.Tensor, input_var: torch.Tensor, input_count: int) -> None:
        if skrl_config.torch.is_distributed:
            n = float(input_count)
            mean, var = input_mean.double(), input_var.double()
            sums = torch.cat([mean.new_tensor([n]), n * mean, n * (var + mean**2)])
            torch.distributed.all_reduce(sums, op=torch.distributed.ReduceOp.SUM)
            total = sums[0]
            d = mean.numel()
            mean = sums[1 : 1 + d] / total
            var = sums[1 + d :] / total - mean**2
            input_mean, input_var = mean.to(input_mean.dtype), var.to(input_var.dtype)
            input_count = int(total.item())
        super()._parallel_variance(input_mean, input_var, input_count)


class TorchBackend(Backend):
    name = "torch"
    env_wrapper = TorchEnv

    def __init__(
        self, cfg: PPOCfg, observation_space: Any, action_space: Any, num_envs: int, *, training: bool
    ) -> None:
        super().__init__(cfg, observation_space, action_space, num_envs, training=training)
        skrl_world.join_torch()
        self.device = default_device()
        # On CPU, torch runs on one intra-op thread while the env steps, and on all its cores during PPO
        # updates, when the physics workers are idle: extra torch threads during rollouts compete with
        # the physics (measured: 5x slower), while two threads in the update nearly halve it for
        # Go1-sized networks. Its cores: the process's share in a run of many, else all; outside such a
        # run OMP_NUM_THREADS, when set, decides instead.
        self._update_threads = 0
        world = world_mod.current()
        if self.device.type == "cpu" and (world.distributed or not os.environ.get("OMP_NUM_THREADS")):
            self._update_threads = world.threads() if world.distributed else _DEFAULT_THREADS
            torch.set_num_threads(1)
        self._build(
            models=(Policy, Value, SharedPolicyValue),
            memory=lambda: RandomMemory(memory_size=cfg.rollouts, num_envs=num_envs, device=self.device),
            ppo=PPO,
            ppo_cfg=PPO_CFG,
            scaler=RunScaler,
            kl_scheduler=KLAdaptiveLR,
            before_init=self._tune,
        )
        self._low = torch.as_tensor(action_space.low, dtype=torch.float32, device=self.device)
        self._high = torch.as_tensor(action_space.high, dtype=torch.float32, device=self.device)

    def _tune(self, agent: Any) -> None:
        # skrl builds ``Adam(params, lr)``; on CPU that steps each tensor on its own, which costs more than
        # the small networks' backward pass. The same Adam over all tensors at once (``foreach``) is equal
        # in maths and about twice as fast here.
        skrl_private.use_optimizer(agent, lambda params, lr: torch.optim.Adam(params, lr=lr, foreach=True))
        if self._update_threads > 1:
            skrl_private.wrap_update(agent, self._on_all_cores)

    def _on_all_cores(self, update: Callable[..., Any]) -> Callable[..., Any]:
        threads = self._update_threads

        def update_on_all_cores(*args: Any, **kwargs: Any) -> Any:
            torch.set_num_threads(threads)
            try:
                return update(*args, **kwargs)
            finally:
                torch.set_num_threads(1)

        return update_on_all_cores

    # ---- rollout ---------------------------------------------------------------------------
    def no_grad(self) -> torch.no_grad:
        return torch.no_grad()

    # ---- policy ----------------------------------------------------------------------------
    def deterministic(self, obs: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            x = skrl_private.observation_preprocessor(self.agent)(
                torch.as_tensor(obs, dtype=torch.float32, device=self.device)
            )
            mean, _ = self.policy.compute({"observations": x}, role="policy")
            mean = torch.clamp(mean, self._low, self._high)
        return mean.cpu().numpy()

    # ---- state -----------------------------------------------------------------------------
    def _stateful(self) -> dict[str, Any]:
        parts: dict[str, Any] = dict(self.agent.checkpoint_modules)
        if self.agent.value is self.agent.policy:
            parts.pop("value", None)
        if getattr(self.agent, "scheduler", None) is not None:
            parts["scheduler"] = self.agent.scheduler
        return parts

    def state_bytes(self) -> bytes:
        state = {name: module.state_dict() for name, module in self._stateful().items()}
        state["rng"] = {"torch": torch.get_rng_state()}  # skrl's torch memory samples with torch's generator
        return dump_state(state)

    def load_state_bytes(self, payload: bytes, *, weights_only: bool = False) -> None:
        """Restore a ``state_bytes`` payload; ``weights_only``: networks and normalisers, not the optimizer,
        learning-rate schedule or random state (a new run starting from another's policy)."""
        state = load_state(payload, self.device)
        for name, module in self._stateful().items():
            if weights_only and name in ("optimizer", "scheduler"):
                continue
            if name not in state:
                raise KeyError(f"missing {name!r} state")
            module.load_state_dict(state[name])
        rng = state.get("rng", {}).get("torch")
        if rng is not None and self.training and not weights_only:
            torch.set_rng_state(rng.cpu())

    def seed(self, seed: int) -> None:
        super().seed(seed)
        torch.manual_seed(seed)

    # ---- export ----------------------------------------------------------------------------
    def mean_layers(self) -> list[tuple[np.ndarray, np.ndarray]]:
        linear = [m for m in self.policy.mean_layers() if isinstance(m, torch.nn.Linear)]
        return [(m.weight.detach().cpu().numpy(), m.bias.detach().cpu().numpy()) for m in linear]

    def normaliser_stats(self) -> tuple[np.ndarray, np.ndarray, float, float] | None:
        pre = skrl_private.observation_preprocessor(self.agent)
        if not isinstance(pre, RunningStandardScaler):
            return None
        mean, variance = (x.float().cpu().numpy() for x in (pre.running_mean, pre.running_variance))
        return mean, np.sqrt(variance), float(pre.epsilon), float(pre.clip_threshold)
