"""Every use of skrl's internals by the skrl trainer: private attributes, and public ones replaced or wrapped.

skrl 2.x has no public way to do a few things the trainer needs (know whether ``post_interaction`` just ran an
update, normalise observations outside ``act``, resume the policy's sampling stream, read a memory's flat
storage, swap the optimizer, wrap the update). They are done here, one named function each, and nowhere else.
:data:`RELIED_ON` lists each attribute with the skrl class that must have it and why it is needed;
``tests/test_skrl_private.py`` checks the list against the installed skrl, so a skrl release that renames
one of them fails there, naming it, instead of somewhere inside a training run.

No framework is imported here: the functions take the skrl objects they work on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

TORCH_PPO = "skrl.agents.torch.ppo:PPO"
JAX_PPO = "skrl.agents.jax.ppo:PPO"
JAX_GAUSSIAN = "skrl.models.jax:GaussianMixin"
JAX_DETERMINISTIC = "skrl.models.jax:DeterministicMixin"
JAX_MEMORY = "skrl.memories.jax:RandomMemory"
JAX_CONFIG = "skrl:config.jax"
TORCH_CONFIG = "skrl:config.torch"


@dataclass(frozen=True)
class Relied:
    """``owner`` (``module:name`` of a skrl class, or of a skrl object) has attribute ``name`` on its instances."""

    owner: str
    name: str
    why: str


RELIED_ON: tuple[Relied, ...] = (
    *(
        Relied(
            agent,
            "_rollout",
            "transitions recorded since init(); post_interaction runs an update when it becomes a multiple of "
            "cfg.rollouts, so a change of it across post_interaction tells the loop that an update ran",
        )
        for agent in (TORCH_PPO, JAX_PPO)
    ),
    *(
        Relied(
            agent,
            "_observation_preprocessor",
            "the observation normaliser act() applies (an identity function when normalisation is off): "
            "deterministic actions and export use the same one, frozen",
        )
        for agent in (TORCH_PPO, JAX_PPO)
    ),
    Relied(
        JAX_GAUSSIAN,
        "_g_i",
        "how many times the policy has sampled actions; each sample folds it into the policy's PRNG key, so a "
        "resumed run continues the same noise stream",
    ),
    *(
        Relied(
            JAX_DETERMINISTIC,
            name,
            "what DeterministicMixin.__init__ sets (its only state); a model with both mixins can run only one of "
            "the two __init__ (each freezes the flax module), so the other's attributes are set by hand",
        )
        for name in ("_d_clip_actions", "_d_min_actions", "_d_max_actions")
    ),
    Relied(
        JAX_MEMORY,
        "_tensors_view",
        "a tensor's storage flattened to (memory_size * num_envs, size), what sample_by_index indexes; read in "
        "place to gather mini-batches with NumPy on CPU",
    ),
    Relied(TORCH_PPO, "optimizer", "replaced by a multi-tensor (foreach) Adam over the same parameters"),
    Relied(TORCH_PPO, "scheduler", "rebuilt on the replacement optimizer"),
    Relied(TORCH_PPO, "checkpoint_modules", "holds the optimizer under 'optimizer': the replacement goes there too"),
    Relied(TORCH_PPO, "update", "wrapped per instance: post_interaction calls self.update(...)"),
    *(
        Relied(
            JAX_CONFIG,
            name,
            "skrl's process-wide PRNG key and device, set by a backend; saved and put back as they were, without "
            "the property getters (which convert them and import jax)",
        )
        for name in ("_key", "_device")
    ),
    *(
        Relied(
            owner,
            name,
            "the ranks skrl's distributed code reads, read from the environment when skrl is imported; set for a "
            "run whose process group MotrixLab started (skrl would otherwise start NCCL, or jax.distributed, itself)",
        )
        for owner in (TORCH_CONFIG, JAX_CONFIG)
        for name in ("_rank", "_local_rank", "_world_size", "_is_distributed")
    ),
)


# ---- agents -----------------------------------------------------------------------------------
def rollout_count(agent: Any) -> int:
    """Transitions the agent has recorded since ``init()`` (``_rollout``)."""
    return int(agent._rollout)


def observation_preprocessor(agent: Any) -> Any:
    """The normaliser ``act()`` applies to observations; an identity function when normalisation is off."""
    return agent._observation_preprocessor


def use_optimizer(agent: Any, make: Callable[[list[Any], float], Any]) -> None:
    """Replace a torch agent's optimizer by ``make(params, lr)`` over the same parameters, and rebuild its
    learning-rate scheduler on it. A no-op for an agent without an optimizer (one built for inference)."""
    if getattr(agent, "optimizer", None) is None:
        return
    group = agent.optimizer.param_groups[0]
    agent.optimizer = make(group["params"], group["lr"])
    agent.checkpoint_modules["optimizer"] = agent.optimizer
    if agent.scheduler is not None:
        agent.scheduler = type(agent.scheduler)(agent.optimizer, **agent.cfg.learning_rate_scheduler_kwargs[0])


def wrap_update(agent: Any, wrap: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    """Make the agent's PPO update (called by ``post_interaction``) run through ``wrap(update)``."""
    agent.update = wrap(agent.update)


# ---- models and memories ----------------------------------------------------------------------
def policy_draws(policy: Any) -> int:
    """How many times a jax Gaussian policy has sampled actions (0 for any other model)."""
    return int(getattr(policy, "_g_i", 0))


def set_policy_draws(policy: Any, draws: int) -> None:
    policy._g_i = int(draws)


def set_policy_key(policy: Any, key: Any) -> None:
    """The PRNG key a jax Gaussian policy folds its draw counter into (set from skrl's config when built)."""
    object.__setattr__(policy, "_g_key", key)


def init_deterministic_mixin_off(model: Any) -> None:
    """What ``skrl.models.jax.DeterministicMixin.__init__(clip_actions=False)`` sets, without running it (it
    freezes the flax module, as ``GaussianMixin.__init__`` does after it). Call inside the model's ``__init__``."""
    model._d_clip_actions = False
    model._d_min_actions = model._d_max_actions = None


def memory_view(memory: Any, name: str) -> Any:
    """A jax memory's tensor flattened to ``(memory_size * num_envs, size)``: the rows ``sample_by_index`` indexes."""
    return memory._tensors_view(name)


# ---- process-wide configuration ---------------------------------------------------------------
def _config() -> Any:
    """skrl's process-wide config (importing skrl, if it is the first time, out of sight of the launcher's
    world variables: :mod:`motrixlab_trainer_skrl.skrl_world`)."""
    from motrixlab_trainer_skrl.skrl_world import hidden_world

    with hidden_world():
        from skrl import config
    return config


def jax_config_state() -> tuple[Any, Any]:
    """skrl's jax PRNG key and device exactly as stored (no conversion, no jax import)."""
    config = _config()
    return config.jax._key, config.jax._device


def set_world(framework: str, *, rank: int, local_rank: int, world_size: int) -> None:
    """Put skrl's ``torch`` or ``jax`` config in a run of ``world_size`` processes as rank ``rank``."""
    section = getattr(_config(), framework)
    section._rank, section._local_rank, section._world_size = rank, local_rank, world_size
    section._is_distributed = world_size > 1


def set_jax_device(device: Any) -> None:
    """skrl's default jax device (without the setter, which parses and, in a run of many, picks by rank)."""
    _config().jax._device = device


def restore_jax_config_state(state: tuple[Any, Any]) -> None:
    config = _config()

    config.jax._key, config.jax._device = state


def drop_traced_jax_key() -> None:
    """Replace skrl's PRNG key by a concrete placeholder when it is a tracer.

    skrl's ``config.jax.key`` getter stores the key it converts; read for the first time inside a
    ``jax.jit`` trace, it stores the trace's tracer, and the next ``config.jax.device = ...`` then
    fails converting it. A backend seeds skrl right after setting the device, so the placeholder's
    value never reaches a model.
    """
    import jax
    import numpy as np
    from skrl import config

    if isinstance(config.jax._key, jax.core.Tracer):
        config.jax._key = np.array([0, 0], dtype=np.uint32)
