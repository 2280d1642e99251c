"""``PPOCfg`` -> skrl 2.x ``PPO_CFG``: every field lands where skrl reads it, on both frameworks."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from gymnasium import spaces
from motrixlab import ConfigError
from motrixlab.rlcfg import PPOCfg, RLCfg
from motrixlab_trainer_skrl.skrl_cfg import RewardScale, ppo_kwargs

OBS = spaces.Box(-np.inf, np.inf, (4,), np.float32)


def _cfg_classes(framework: str):
    if framework == "torch":
        from skrl.agents.torch.ppo import PPO_CFG
        from skrl.resources.preprocessors.torch import RunningStandardScaler
        from skrl.resources.schedulers.torch import KLAdaptiveLR
    else:
        from skrl.agents.jax.ppo import PPO_CFG
        from skrl.resources.preprocessors.jax import RunningStandardScaler
        from skrl.resources.schedulers.jax import KLAdaptiveLR
    return PPO_CFG, RunningStandardScaler, KLAdaptiveLR


@pytest.mark.parametrize("framework", ["torch", "jax"])
def test_translation_builds_skrl_ppo_cfg(framework):
    ppo_cfg, scaler, kl = _cfg_classes(framework)
    cfg = PPOCfg(
        rollouts=24,
        learning_epochs=3,
        mini_batches=6,
        gamma=0.97,
        gae_lambda=0.9,
        learning_rate=2e-4,
        kl_threshold=0.015,
        ratio_clip=0.3,
        value_clip=0.4,
        value_loss_scale=0.5,
        entropy_loss_scale=0.01,
        grad_norm_clip=0.7,
        reward_scale=0.1,
    )
    built = ppo_cfg(**ppo_kwargs(cfg, observation_space=OBS, device="cpu", scaler=scaler, kl_scheduler=kl))
    assert (built.rollouts, built.learning_epochs, built.mini_batches) == (24, 3, 6)
    assert (built.discount_factor, built.gae_lambda) == (0.97, 0.9)
    assert built.learning_rate == 2e-4
    assert built.learning_rate_scheduler is kl
    assert built.learning_rate_scheduler_kwargs == {"kl_threshold": 0.015}
    assert built.kl_threshold == 0  # skrl's early stop stays off: the threshold is the LR schedule's target
    assert (built.ratio_clip, built.value_clip, built.value_loss_scale) == (0.3, 0.4, 0.5)
    assert (built.entropy_loss_scale, built.grad_norm_clip) == (0.01, 0.7)
    assert built.time_limit_bootstrap is True
    assert built.observation_preprocessor is scaler and built.value_preprocessor is scaler
    assert built.observation_preprocessor_kwargs == {"size": OBS, "device": "cpu"}
    assert built.value_preprocessor_kwargs == {"size": 1, "device": "cpu"}
    assert built.state_preprocessor is None
    assert built.experiment["write_interval"] == 0 and built.experiment["checkpoint_interval"] == 0
    rewards = np.ones(3, np.float32)
    shaped = built.rewards_shaper(rewards, 0, 10)
    assert np.allclose(shaped, 0.1) and shaped is not rewards


@pytest.mark.parametrize("framework", ["torch", "jax"])
def test_switches_turn_skrl_features_off(framework):
    ppo_cfg, scaler, kl = _cfg_classes(framework)
    cfg = PPOCfg(
        lr_schedule="constant",
        clip_value_loss=False,
        observation_normalization=False,
        value_normalization=False,
        time_limit_bootstrap=False,
    )
    built = ppo_cfg(**ppo_kwargs(cfg, observation_space=OBS, device="cpu", scaler=scaler, kl_scheduler=kl))
    assert built.learning_rate_scheduler is None
    assert built.value_clip == 0
    assert built.observation_preprocessor is None and built.value_preprocessor is None
    assert built.time_limit_bootstrap is False


def test_every_ppo_field_is_used():
    """A PPOCfg field the translation ignores would silently do nothing."""
    handled_elsewhere = {
        "seed",
        "num_envs",
        "max_env_steps",
        "checkpoint_interval",
        "keep_checkpoints",
        "eval_episodes",
        "eval_interval",
        "policy_hidden",
        "value_hidden",
        "activation",
        "shared_trunk",
        "init_log_std",
    }
    import inspect

    from motrixlab_trainer_skrl import skrl_cfg

    source = inspect.getsource(skrl_cfg.ppo_kwargs)
    for f in dataclasses.fields(PPOCfg):
        if f.name not in handled_elsewhere:
            assert f"cfg.{f.name}" in source, f"PPOCfg.{f.name} is not translated"


def test_reward_scale_returns_a_new_array():
    r = np.array([1.0, 2.0], np.float32)
    out = RewardScale(2.0)(r, 0, 1)
    assert np.array_equal(out, [2.0, 4.0]) and out is not r


def test_a_non_ppo_config_is_refused_in_one_line():
    from motrixlab.plugins import get_registry
    from motrixlab_trainer_skrl.skrl_trainer import TorchTrainer

    with pytest.raises(ConfigError, match="the skrl trainer needs a PPOCfg, got RLCfg"):
        TorchTrainer(get_registry().trainer("skrl", "torch")).ppo_cfg(RLCfg())


@pytest.mark.parametrize("framework", ["torch", "jax"])
def test_every_activation_the_config_accepts_has_a_layer(framework):
    pytest.importorskip(framework)
    import importlib

    activations = importlib.import_module(f"motrixlab_trainer_skrl.{framework}_models").ACTIVATIONS
    for name in activations:
        PPOCfg(activation=name).validate()  # accepted
    with pytest.raises(ValueError, match="activation"):
        PPOCfg(activation="gelu").validate()
    assert set(activations) == {"elu", "relu", "tanh", "silu"}  # the names PPOCfg documents
