"""The networks both backends build (``torch_models``, ``jax_models``), framework-free: which models a
config asks for and the Gaussian policy's settings (their initial gains are the core's,
``motrixlab.training.learner.HIDDEN_GAIN`` and the like, shared by every trainer)."""

from __future__ import annotations

from typing import Any

from motrixlab.rlcfg import PPOCfg

#: skrl ``GaussianMixin`` arguments: unclipped actions (the env clips), log-std kept in [-20, 2]
GAUSSIAN = {"clip_actions": False, "clip_log_std": True, "min_log_std": -20.0, "max_log_std": 2.0}


def shared_trunk_hidden(hidden: tuple[int, ...]) -> tuple[int, ...]:
    if not hidden:
        raise ValueError("policy_hidden: a shared trunk needs at least one hidden layer")
    return tuple(hidden)


def build_models(cfg: PPOCfg, policy: type, value: type, shared: type, **common: Any) -> tuple[Any, Any]:
    """The policy and value models of ``cfg``: one ``shared`` model for both with ``cfg.shared_trunk``,
    else a ``policy`` and a ``value`` (built in that order: both draw initial weights)."""
    gaussian = {"hidden": cfg.policy_hidden, "activation": cfg.activation, "init_log_std": cfg.init_log_std}
    if cfg.shared_trunk:
        model = shared(**common, **gaussian)
        return model, model
    return policy(**common, **gaussian), value(**common, hidden=cfg.value_hidden, activation=cfg.activation)
