"""rsl_rl's PPO behind the core's :class:`~motrixlab.training.learner.Learner` seam (imported only when
the trainer runs).

rsl_rl's ``OnPolicyRunner`` is not used: the core's loop drives ``rsl_rl.algorithms.PPO`` directly
(``act``, ``process_env_step``, ``compute_returns``, ``update``), so runs, checkpoints and logs are those
of every MotrixLab trainer. Observations go to rsl_rl's models as a ``TensorDict`` with one group,
``policy``, used by both actor and critic.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import chain
from typing import Any

import numpy as np
import torch
from motrixlab.rlcfg import PPOCfg
from motrixlab.training import world as world_mod
from motrixlab.training.learner import HIDDEN_GAIN, MEAN_GAIN, VALUE_GAIN, Learner
from motrixlab.training.torch_payload import dump_state, load_state
from motrixlab.training.tracking import (
    TAG_ENTROPY_LOSS,
    TAG_LEARNING_RATE,
    TAG_POLICY_LOSS,
    TAG_STD,
    TAG_UPDATE_MS,
    TAG_VALUE_LOSS,
)
from rsl_rl.algorithms import PPO
from rsl_rl.models import MLPModel
from rsl_rl.modules.normalization import EmpiricalDiscountedVariationNormalization
from rsl_rl.storage import RolloutStorage
from tensordict import TensorDict

from motrixlab_trainer_rslrl.rslrl_cfg import actor_kwargs, critic_kwargs, ppo_kwargs
from motrixlab_trainer_rslrl.torch_env import TorchEnv

#: the observation group both models read
GROUP = "policy"
OBS_GROUPS = {"actor": [GROUP], "critic": [GROUP]}
#: torch's own intra-op thread count, read before a learner sets it to 1 for its rollouts
_DEFAULT_THREADS = torch.get_num_threads()


class RslRlLearner(Learner):
    name = "torch"

    def __init__(
        self, cfg: PPOCfg, observation_space: Any, action_space: Any, num_envs: int, *, training: bool
    ) -> None:
        super().__init__(cfg, observation_space, action_space, num_envs, training=training)
        world = world_mod.current()
        self.device = torch.device(f"cuda:{world.local_rank}" if torch.cuda.is_available() else "cpu")
        # On CPU the rollout runs on one torch thread (more compete with the physics workers) and the
        # update on all its cores (its share in a run of many), when the physics is idle; outside such a
        # run OMP_NUM_THREADS, when set, decides instead.
        self._update_threads = 0
        if self.device.type == "cpu" and (world.distributed or not os.environ.get("OMP_NUM_THREADS")):
            self._update_threads = world.threads() if world.distributed else _DEFAULT_THREADS
            torch.set_num_threads(1)
        self.seed(cfg.seed)
        obs_dim, act_dim = int(observation_space.shape[0]), int(action_space.shape[0])
        example = self._td(torch.zeros(num_envs, obs_dim, device=self.device))
        actor = MLPModel(example, OBS_GROUPS, "actor", act_dim, **actor_kwargs(cfg))
        critic = MLPModel(example, OBS_GROUPS, "critic", 1, **critic_kwargs(cfg))
        # the core's initialisation, not torch's default: configs tuned on one trainer transfer (with
        # torch's default, cartpole's registered config reached 117 instead of 385 / 1000 by 20k steps)
        for model, out_gain in ((actor, MEAN_GAIN), (critic, VALUE_GAIN)):
            last = len(model.mlp) - 1
            model.mlp.init_weights([out_gain if i == last else HIDDEN_GAIN for i in range(last + 1)])
        storage = (
            RolloutStorage("rl", num_envs, cfg.rollouts, example, [act_dim], str(self.device)) if training else None
        )
        # in a run of many processes rsl_rl's own paths run: gradients averaged per mini-batch, the global
        # mean KL for the learning rate, normalisers merged (they do so whenever a process group exists)
        multi = {"global_rank": world.rank, "local_rank": world.local_rank, "world_size": world.size}
        self.alg = PPO(
            actor,
            critic,
            storage,  # type: ignore[arg-type]
            device=str(self.device),
            multi_gpu_cfg=multi if world.distributed and training else None,
            **ppo_kwargs(cfg),
        )
        if world.distributed and training:
            self.alg.broadcast_parameters()
        # rsl_rl builds ``Adam(params, lr)``; on CPU that steps each tensor on its own. The same Adam over
        # all tensors at once (``foreach``) is equal in maths and faster for these small networks.
        self.alg.optimizer = torch.optim.Adam(
            chain(self.alg.actor.parameters(), self.alg.critic.parameters()), lr=cfg.learning_rate, foreach=True
        )
        (self.alg.train_mode if training else self.alg.eval_mode)()
        self._low = torch.as_tensor(action_space.low, dtype=torch.float32, device=self.device)
        self._high = torch.as_tensor(action_space.high, dtype=torch.float32, device=self.device)
        # rsl_rl has no value normaliser: with ``value_normalization``, rewards are divided by a running
        # std of the discounted return instead, which keeps values (and the value clip, in their units)
        # near unit scale the way a value normaliser does
        self._reward_norm = EmpiricalDiscountedVariationNormalization([], gamma=cfg.gamma).to(self.device)
        self._reward_norm.train(training)
        self._step = 0  # transitions stored in the current rollout
        self._tracking: dict[str, list[float]] = {}

    def _td(self, obs: torch.Tensor) -> TensorDict:
        return TensorDict({GROUP: obs}, batch_size=[obs.shape[0]], device=self.device)

    # ---- rollout ---------------------------------------------------------------------------
    def wrap(self, env: Any, seed: int | None = None) -> TorchEnv:
        return TorchEnv(env, self.device, seed)

    def act(self, obs: torch.Tensor, timestep: int, timesteps: int) -> torch.Tensor:
        with torch.inference_mode():
            return self.alg.act(self._td(obs))

    def record(
        self,
        *,
        obs: torch.Tensor,
        actions: torch.Tensor,
        reward: torch.Tensor,
        final_obs: torch.Tensor,
        terminated: torch.Tensor,
        truncated: torch.Tensor,
        timestep: int,
        timesteps: int,
    ) -> bool:
        cfg = self.cfg
        with torch.inference_mode():
            final = self._td(final_obs)
            rewards = reward * cfg.reward_scale  # a new tensor: the env's buffer is not touched
            if cfg.value_normalization:
                rewards = self._reward_norm(rewards)
            if cfg.time_limit_bootstrap and bool(truncated.any()):
                # the target of a truncated row is r + gamma * V(last observation of its episode)
                rewards = rewards + cfg.gamma * self.alg.critic(final).view(-1) * truncated
            self.alg.process_env_step(final, rewards, terminated | truncated, {})
        self._step += 1
        if self._step < cfg.rollouts:
            return False
        self._step = 0
        with torch.inference_mode():
            # rows not done continue from final_obs (their next observation); done rows are cut
            self.alg.compute_returns(final)
        t0 = time.perf_counter()
        with self._all_cores():
            losses = self.alg.update()
        self._track(TAG_UPDATE_MS, 1000 * (time.perf_counter() - t0))
        self._track(TAG_POLICY_LOSS, losses["surrogate"])
        self._track(TAG_VALUE_LOSS, losses["value"])
        self._track(TAG_ENTROPY_LOSS, -cfg.entropy_loss_scale * losses["entropy"])
        self._track("rslrl/entropy", losses["entropy"])
        self._track(TAG_STD, float(self.alg.actor.output_std.detach().mean()))
        self._track(TAG_LEARNING_RATE, float(self.alg.learning_rate))
        return True

    @contextmanager
    def _all_cores(self) -> Iterator[None]:
        if self._update_threads > 1:
            torch.set_num_threads(self._update_threads)
        try:
            yield
        finally:
            if self._update_threads > 1:
                torch.set_num_threads(1)

    def _track(self, tag: str, value: float) -> None:
        self._tracking.setdefault(tag, []).append(float(value))

    def take_tracking(self) -> dict[str, float]:
        out = {k: float(np.mean(v)) for k, v in self._tracking.items() if v}
        self._tracking.clear()
        return out

    # ---- policy ----------------------------------------------------------------------------
    def deterministic(self, obs: np.ndarray) -> np.ndarray:
        actor = self.alg.actor
        was_training = actor.training
        actor.eval()  # frozen normaliser
        try:
            with torch.inference_mode():
                x = torch.as_tensor(obs, dtype=torch.float32, device=self.device)
                mean = torch.clamp(actor(self._td(x)), self._low, self._high)
        finally:
            actor.train(was_training)
        return mean.cpu().numpy()

    # ---- state -----------------------------------------------------------------------------
    def state_bytes(self) -> bytes:
        alg = self.alg
        state = {
            "actor": alg.actor.state_dict(),
            "critic": alg.critic.state_dict(),
            "optimizer": alg.optimizer.state_dict(),
            "learning_rate": float(alg.learning_rate),
            "reward_norm": self._reward_norm.state_dict(),
            "discounted_return": self._reward_norm.disc_avg.avg,
            "rng": {"torch": torch.get_rng_state()},  # rsl_rl samples actions and mini-batches with it
        }
        return dump_state(state)

    def load_state_bytes(self, payload: bytes, *, weights_only: bool = False) -> None:
        state = load_state(payload, self.device)
        needed = ("actor", "critic") if weights_only else ("actor", "critic", "optimizer", "learning_rate")
        for name in needed:
            if name not in state:
                raise KeyError(f"missing {name!r} state")
        # the networks with their observation normalisers (buffers of the models)
        self.alg.actor.load_state_dict(state["actor"])
        self.alg.critic.load_state_dict(state["critic"])
        if "reward_norm" in state:  # the value's scale belongs with the value network
            self._reward_norm.load_state_dict(state["reward_norm"])
            self._reward_norm.disc_avg.avg = None if weights_only else state.get("discounted_return")
        if weights_only:
            return
        self.alg.optimizer.load_state_dict(state["optimizer"])
        self.alg.learning_rate = float(state["learning_rate"])
        for group in self.alg.optimizer.param_groups:
            group["lr"] = self.alg.learning_rate
        rng = state.get("rng", {}).get("torch")
        if rng is not None and self.training:
            torch.set_rng_state(rng.cpu())

    def seed(self, seed: int) -> None:
        super().seed(seed)
        torch.manual_seed(seed)

    # ---- export ----------------------------------------------------------------------------
    def mean_layers(self) -> list[tuple[np.ndarray, np.ndarray]]:
        linear = [m for m in self.alg.actor.mlp if isinstance(m, torch.nn.Linear)]
        return [(m.weight.detach().cpu().numpy(), m.bias.detach().cpu().numpy()) for m in linear]

    def normaliser_stats(self) -> tuple[np.ndarray, np.ndarray, float, float] | None:
        norm = self.alg.actor.obs_normalizer
        if not self.cfg.observation_normalization:
            return None
        mean, std = (x.detach().float().cpu().numpy().reshape(-1) for x in (norm._mean, norm._std))
        return mean, std, float(norm.eps), float("inf")
