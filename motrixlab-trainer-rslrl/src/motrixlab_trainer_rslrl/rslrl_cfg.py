"""``motrixlab.PPOCfg`` -> rsl_rl 5.x: keyword arguments of ``rsl_rl.algorithms.PPO`` and of the actor
and critic ``MLPModel``s (no rsl_rl import here).

What rsl_rl does not do the MotrixLab way is arranged by the learner, not patched in rsl_rl:

* time-limit bootstrap: rsl_rl's own ``time_outs`` handling adds ``gamma * V(s_t)``, the value of the
  state *before* the last step; the learner adds ``gamma * V(final_obs)`` to the reward of truncated
  rows itself and passes them to rsl_rl as done, so the return is cut there and bootstrapped from
  the episode's own last observation.
* ``reward_scale`` multiplies the reward handed to rsl_rl; episode returns are logged unscaled.
* ``value_normalization``: rsl_rl has no value normaliser, and its value clip (``clip_param``) is in
  the units of the value; the learner divides rewards by a running std of the discounted return
  (rsl_rl's ``EmpiricalDiscountedVariationNormalization``), which keeps values near unit scale.
* ``lr_schedule="kl_adaptive"`` is rsl_rl's ``schedule="adaptive"`` with ``desired_kl=kl_threshold``.

Fields that mean nothing to rsl_rl are listed by :func:`unsupported`, and ``motrixlab train`` and
``info`` print them, rather than ignore them silently.
"""

from __future__ import annotations

import math
from typing import Any

from motrixlab.rlcfg import PPOCfg

#: PPOCfg.activation -> rsl_rl's activation names
ACTIVATIONS = {"elu": "elu", "relu": "relu", "tanh": "tanh", "silu": "swish"}


def ppo_kwargs(cfg: PPOCfg) -> dict[str, Any]:
    """Keyword arguments of ``rsl_rl.algorithms.PPO`` (besides models, storage and device)."""
    return {
        "num_learning_epochs": cfg.learning_epochs,
        "num_mini_batches": cfg.mini_batches,
        "clip_param": cfg.ratio_clip,
        "gamma": cfg.gamma,
        "lam": cfg.gae_lambda,
        "value_loss_coef": cfg.value_loss_scale,
        "entropy_coef": cfg.entropy_loss_scale,
        "learning_rate": cfg.learning_rate,
        "max_grad_norm": cfg.grad_norm_clip,
        "use_clipped_value_loss": cfg.clip_value_loss,
        "schedule": "adaptive" if cfg.lr_schedule == "kl_adaptive" else "fixed",
        "desired_kl": cfg.kl_threshold,
    }


def actor_kwargs(cfg: PPOCfg) -> dict[str, Any]:
    """``MLPModel`` arguments of the policy: a Gaussian with a learnt, state-independent log-std."""
    return {
        "hidden_dims": list(cfg.policy_hidden),
        "activation": ACTIVATIONS[cfg.activation],
        "obs_normalization": cfg.observation_normalization,
        "distribution_cfg": {
            "class_name": "GaussianDistribution",
            "init_std": math.exp(cfg.init_log_std),
            "std_type": "log",
        },
    }


def critic_kwargs(cfg: PPOCfg) -> dict[str, Any]:
    hidden = cfg.policy_hidden if cfg.shared_trunk else cfg.value_hidden
    return {
        "hidden_dims": list(hidden),
        "activation": ACTIVATIONS[cfg.activation],
        "obs_normalization": cfg.observation_normalization,
    }


def unsupported(cfg: PPOCfg) -> tuple[str, ...]:
    """One line per field of ``cfg`` whose value rsl_rl cannot honour, saying what happens instead."""
    notes = []
    if cfg.value_normalization:
        notes.append(
            "rl.value_normalization=true: rsl_rl has no value normaliser; rewards are divided by a running std "
            "of the discounted return instead (logged returns stay unscaled)"
        )
    if cfg.shared_trunk:
        notes.append(
            f"rl.shared_trunk=true: rsl_rl's actor and critic are separate networks; both get {list(cfg.policy_hidden)}"
        )
    if cfg.clip_value_loss and cfg.value_clip != cfg.ratio_clip:
        notes.append(
            f"rl.value_clip={cfg.value_clip:g}: rsl_rl clips the value loss by rl.ratio_clip ({cfg.ratio_clip:g})"
        )
    return tuple(notes)
