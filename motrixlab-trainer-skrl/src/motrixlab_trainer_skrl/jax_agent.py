"""skrl PPO on JAX/flax (imported only when the jax backend runs). State is saved with flax msgpack."""

from __future__ import annotations

import logging
import os
from typing import Any

import flax.serialization
import jax
import jax.numpy as jnp
import numpy as np
from motrixlab.rlcfg import PPOCfg
from skrl import config as skrl_config
from skrl import logger as skrl_logger
from skrl.agents.jax.ppo import PPO, PPO_CFG
from skrl.memories.jax import RandomMemory
from skrl.resources.preprocessors.jax import RunningStandardScaler
from skrl.resources.schedulers.jax import KLAdaptiveLR

from motrixlab_trainer_skrl import skrl_private, skrl_world
from motrixlab_trainer_skrl.backend import Backend
from motrixlab_trainer_skrl.jax_env import JaxEnv
from motrixlab_trainer_skrl.jax_models import Policy, SharedPolicyValue, Value, all_sum, policy_layer_names

skrl_logger.setLevel(logging.WARNING)

CACHE_ENV = "MOTRIXLAB_JAX_CACHE"


def enable_compilation_cache() -> str | None:
    """Keep XLA executables between runs: compiling skrl's jitted update takes seconds on a CPU.

    ``MOTRIXLAB_JAX_CACHE`` sets the directory (empty: off); jax's own ``JAX_COMPILATION_CACHE_DIR``
    wins when set. Default: ``$XDG_CACHE_HOME/motrixlab/jax`` (``~/.cache/motrixlab/jax``).
    """
    if os.environ.get("JAX_COMPILATION_CACHE_DIR"):
        return os.environ["JAX_COMPILATION_CACHE_DIR"]
    path = os.environ.get(CACHE_ENV)
    if path is None:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        path = os.path.join(base, "motrixlab", "jax")
    if not path:
        return None
    jax.config.update("jax_compilation_cache_dir", path)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.05)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    return path


class HostGatherMemory(RandomMemory):
    """skrl's random memory, gathering mini-batches with NumPy when the arrays live on the CPU.

    On CPU a jax array's buffer is readable in place, and a NumPy gather of a rollout is about 3x
    faster than jax's (a dispatched gather per tensor and mini-batch); the indices and the sampled
    values are the same.
    """

    def sample_by_index(self, names: list[str], *, indexes: Any, mini_batches: int = 1) -> list[list[Any]]:
        if self.device.platform != "cpu":
            return super().sample_by_index(names, indexes=indexes, mini_batches=mini_batches)
        batches = np.array_split(np.asarray(indexes), mini_batches) if mini_batches > 1 else [np.asarray(indexes)]
        views = [np.asarray(skrl_private.memory_view(self, name)) if name in self.tensors else None for name in names]
        return [[None if view is None else jax.device_put(view[batch]) for view in views] for batch in batches]


class RunScaler(RunningStandardScaler):
    """skrl's running standard scaler; in a run of many processes each update merges the batch moments
    of every process first (jax.distributed), so that the normalisers stay the same everywhere."""

    def __call__(self, x: jax.Array | None, *, train: bool = False, inverse: bool = False) -> jax.Array | None:
        if train and x is not None and skrl_config.jax.is_distributed:
            self._parallel_variance(*_global_moments(x))
            train = False
        return super().__call__(x, train=train, inverse=inverse)


def _global_moments(x: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
    """Mean, variance and count of ``x``'s rows over every process of the run."""
    flat = x.reshape(-1, x.shape[-1])
    n = jnp.float32(flat.shape[0])
    mean, var = jnp.mean(flat, axis=0), jnp.var(flat, axis=0, ddof=1)
    sums = jnp.concatenate([n[None], n * mean, n * (var + mean**2)])
    sums = all_sum(sums)
    d = mean.shape[0]
    total = sums[0]
    mean = sums[1 : 1 + d] / total
    return mean, sums[1 + d :] / total - mean**2, total


class JaxBackend(Backend):
    name = "jax"
    env_wrapper = JaxEnv

    def __init__(
        self, cfg: PPOCfg, observation_space: Any, action_space: Any, num_envs: int, *, training: bool
    ) -> None:
        super().__init__(cfg, observation_space, action_space, num_envs, training=training)
        enable_compilation_cache()
        skrl_world.join_jax()
        self.device = jax.local_devices()[0]
        skrl_private.drop_traced_jax_key()
        skrl_config.jax.device = self.device
        self.shared = cfg.shared_trunk
        self._build(  # seeds first: the models take their PRNG keys from skrl's config
            models=(Policy, Value, SharedPolicyValue),
            init_models=self._init_models,
            memory=lambda: HostGatherMemory(memory_size=cfg.rollouts, num_envs=num_envs, device=self.device),
            ppo=PPO,
            ppo_cfg=PPO_CFG,
            scaler=RunScaler,
            kl_scheduler=KLAdaptiveLR,
        )
        self._low = jnp.asarray(action_space.low, dtype=jnp.float32)
        self._high = jnp.asarray(action_space.high, dtype=jnp.float32)
        self._deterministic = jax.jit(self._mean_actions)

    def _init_models(self, policy: Any, value: Any) -> None:
        policy.init_state_dict(role="policy")
        if value is not policy:
            value.init_state_dict(role="value", key=jax.random.fold_in(skrl_config.jax.key, 1))

    # ---- policy ----------------------------------------------------------------------------
    def _mean_actions(self, params: Any, scaler: Any, obs: jax.Array) -> jax.Array:
        if scaler is not None:
            obs = jnp.clip(
                (obs - scaler["running_mean"]) / (jnp.sqrt(scaler["running_variance"]) + scaler["eps"]),
                -scaler["clip"],
                scaler["clip"],
            )
        mean, _ = self.policy.apply(params, {"observations": obs}, "policy")
        return jnp.clip(mean, self._low, self._high)

    def _scaler(self) -> dict[str, Any] | None:
        pre = skrl_private.observation_preprocessor(self.agent)
        if not isinstance(pre, RunningStandardScaler):
            return None
        return {
            "running_mean": pre.running_mean,
            "running_variance": pre.running_variance,
            "eps": pre.epsilon,
            "clip": pre.clip_threshold,
        }

    def deterministic(self, obs: np.ndarray) -> np.ndarray:
        out = self._deterministic(self.policy.state_dict.params, self._scaler(), jnp.asarray(obs, jnp.float32))
        return np.asarray(out)

    # ---- state -----------------------------------------------------------------------------
    def _state(self) -> dict[str, Any]:
        agent = self.agent
        state: dict[str, Any] = {"policy": agent.policy.state_dict.params}
        if not self.shared:
            state["value"] = agent.value.state_dict.params
        if self.training or hasattr(agent, "policy_optimizer"):
            state["policy_optimizer"] = agent.policy_optimizer
            state["value_optimizer"] = agent.value_optimizer
            state["learning_rate"] = {
                "policy": float(agent.policy_learning_rate),
                "value": float(agent.value_learning_rate),
            }
        for name in ("observation_preprocessor", "value_preprocessor"):
            module = agent.checkpoint_modules.get(name)
            if module is not None:
                state[name] = module.state_dict.params
        return state

    def state_bytes(self) -> bytes:
        state = flax.serialization.to_state_dict(self._state())
        state["rng"] = {
            "policy_draws": skrl_private.policy_draws(self.policy),
            # skrl's JAX memory samples mini-batches with NumPy's global generator
            "numpy_keys": np.asarray(np.random.get_state()[1], dtype=np.uint32),
            "numpy_pos": int(np.random.get_state()[2]),
        }
        return flax.serialization.msgpack_serialize(state)

    def load_state_bytes(self, payload: bytes, *, weights_only: bool = False) -> None:
        """Restore a ``state_bytes`` payload; ``weights_only``: networks and normalisers, not the optimizers,
        learning rates or random state (a new run starting from another's policy)."""
        restored = flax.serialization.msgpack_restore(payload)
        if not isinstance(restored, dict):
            raise ValueError("payload is not a state dictionary")
        target = self._state()
        if weights_only:
            for name in ("policy_optimizer", "value_optimizer", "learning_rate"):
                target.pop(name, None)
            restored = {k: v for k, v in restored.items() if k != "rng"}
        for name, template in target.items():
            if name not in restored:
                raise KeyError(f"missing {name!r} state")
            value = flax.serialization.from_state_dict(template, restored[name])
            _check_same_shapes(name, template, value)
            target[name] = value
        agent = self.agent
        agent.policy.state_dict = agent.policy.state_dict.replace(params=target["policy"])
        if "value" in target:
            agent.value.state_dict = agent.value.state_dict.replace(params=target["value"])
        if "policy_optimizer" in target:
            agent.policy_optimizer = target["policy_optimizer"]
            agent.value_optimizer = target["value_optimizer"]
            agent.policy_learning_rate = float(target["learning_rate"]["policy"])
            agent.value_learning_rate = float(target["learning_rate"]["value"])
        for name in ("observation_preprocessor", "value_preprocessor"):
            if name in target:
                agent.checkpoint_modules[name].state_dict = target[name]
        rng = restored.get("rng", {})
        if self.training and "policy_draws" in rng:
            skrl_private.set_policy_draws(self.policy, rng["policy_draws"])
        if self.training and "numpy_keys" in rng:
            np.random.set_state(("MT19937", np.asarray(rng["numpy_keys"], np.uint32), int(rng["numpy_pos"]), 0, 0.0))

    def seed(self, seed: int) -> None:
        super().seed(seed)
        skrl_config.jax.key = int(seed % 2**32)
        if hasattr(self, "policy"):  # reseeding a built learner (another rank's exploration): its own key too
            skrl_private.set_policy_key(self.policy, jax.random.PRNGKey(seed % 2**32))

    # ---- export ----------------------------------------------------------------------------
    def mean_layers(self) -> list[tuple[np.ndarray, np.ndarray]]:
        params = self.policy.state_dict.params["params"]
        names = policy_layer_names(len(self.cfg.policy_hidden), shared=self.shared)
        return [(np.asarray(params[n]["kernel"]).T.copy(), np.asarray(params[n]["bias"])) for n in names]

    def normaliser_stats(self) -> tuple[np.ndarray, np.ndarray, float, float] | None:
        scaler = self._scaler()
        if scaler is None:
            return None
        mean, variance = (np.asarray(scaler[k], np.float32) for k in ("running_mean", "running_variance"))
        return mean, np.sqrt(variance), float(scaler["eps"]), float(scaler["clip"])


def _check_same_shapes(name: str, template: Any, value: Any) -> None:
    want = jax.tree_util.tree_map(lambda x: np.shape(x), template)
    got = jax.tree_util.tree_map(lambda x: np.shape(x), value)
    if jax.tree_util.tree_structure(template) != jax.tree_util.tree_structure(value) or want != got:
        raise ValueError(f"{name!r} state does not match this network (different sizes)")
