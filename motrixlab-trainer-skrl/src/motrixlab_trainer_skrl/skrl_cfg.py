"""``motrixlab.PPOCfg`` → skrl 2.x ``PPO_CFG`` keyword arguments (same for torch and jax).

What skrl does not do the MotrixLab way is arranged here, not patched in skrl:

* time-limit bootstrap: the loop hands skrl ``info["final_obs"]`` as ``next_observations``, so skrl's
  own bootstrap (``reward += gamma * V(next_obs)`` on truncated rows) sees the last observation of the
  finished episode, never the first one of the next. With bootstrapping off, truncation is passed to
  skrl as termination (skrl would otherwise bootstrap from the next episode's values).
* ``kl_threshold`` is the target of the KL-adaptive learning rate; skrl's early stop on KL stays off.
* ``reward_scale`` is a rewards shaper; episode returns are logged unscaled.
"""

from __future__ import annotations

from typing import Any

from motrixlab.rlcfg import PPOCfg

#: skrl's own logging and checkpointing are off: the MotrixLab loop writes both.
EXPERIMENT_OFF = {"directory": "", "experiment_name": "", "write_interval": 0, "checkpoint_interval": 0}


class RewardScale:
    """A picklable rewards shaper (skrl calls it as ``shaper(rewards, timestep, timesteps)``)."""

    def __init__(self, scale: float) -> None:
        self.scale = float(scale)

    def __call__(self, rewards: Any, timestep: int, timesteps: int) -> Any:
        return rewards * self.scale  # always a new array: skrl adds the bootstrap in place


def ppo_kwargs(
    cfg: PPOCfg,
    *,
    observation_space: Any,
    device: Any,
    scaler: type,
    kl_scheduler: type,
) -> dict[str, Any]:
    """Keyword arguments for ``skrl.agents.<framework>.ppo.PPO_CFG``."""
    kwargs: dict[str, Any] = {
        "rollouts": cfg.rollouts,
        "learning_epochs": cfg.learning_epochs,
        "mini_batches": cfg.mini_batches,
        "discount_factor": cfg.gamma,
        "gae_lambda": cfg.gae_lambda,
        "learning_rate": cfg.learning_rate,
        "grad_norm_clip": cfg.grad_norm_clip,
        "ratio_clip": cfg.ratio_clip,
        "value_clip": cfg.value_clip if cfg.clip_value_loss else 0.0,
        "entropy_loss_scale": cfg.entropy_loss_scale,
        "value_loss_scale": cfg.value_loss_scale,
        "kl_threshold": 0.0,
        "time_limit_bootstrap": cfg.time_limit_bootstrap,
        "rewards_shaper": RewardScale(cfg.reward_scale),
        "experiment": dict(EXPERIMENT_OFF),
    }
    if cfg.lr_schedule == "kl_adaptive":
        kwargs["learning_rate_scheduler"] = kl_scheduler
        kwargs["learning_rate_scheduler_kwargs"] = {"kl_threshold": cfg.kl_threshold}
    if cfg.observation_normalization:
        kwargs["observation_preprocessor"] = scaler
        kwargs["observation_preprocessor_kwargs"] = {"size": observation_space, "device": device}
    if cfg.value_normalization:
        kwargs["value_preprocessor"] = scaler
        kwargs["value_preprocessor_kwargs"] = {"size": 1, "device": device}
    return kwargs
