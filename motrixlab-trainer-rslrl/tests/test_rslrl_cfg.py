"""PPOCfg -> rsl_rl: every field lands where it means the same, and what rsl_rl cannot do is said."""

from __future__ import annotations

import math

import pytest
from motrixlab.rlcfg import PPOCfg
from motrixlab_trainer_rslrl.rslrl_cfg import actor_kwargs, critic_kwargs, ppo_kwargs, unsupported


def test_ppo_fields_translate_to_rsl_rl_arguments():
    cfg = PPOCfg(
        learning_epochs=3,
        mini_batches=8,
        ratio_clip=0.3,
        gamma=0.97,
        gae_lambda=0.9,
        value_loss_scale=0.5,
        entropy_loss_scale=0.002,
        learning_rate=7e-4,
        grad_norm_clip=0.8,
        clip_value_loss=False,
        kl_threshold=0.02,
    )
    assert ppo_kwargs(cfg) == {
        "num_learning_epochs": 3,
        "num_mini_batches": 8,
        "clip_param": 0.3,
        "gamma": 0.97,
        "lam": 0.9,
        "value_loss_coef": 0.5,
        "entropy_coef": 0.002,
        "learning_rate": 7e-4,
        "max_grad_norm": 0.8,
        "use_clipped_value_loss": False,
        "schedule": "adaptive",
        "desired_kl": 0.02,
    }
    assert ppo_kwargs(PPOCfg(lr_schedule="constant"))["schedule"] == "fixed"


@pytest.mark.parametrize(("ours", "theirs"), [("elu", "elu"), ("relu", "relu"), ("tanh", "tanh"), ("silu", "swish")])
def test_networks_and_activations(ours, theirs):
    from rsl_rl.utils import resolve_nn_activation

    cfg = PPOCfg(policy_hidden=(32, 16), value_hidden=(8,), activation=ours, init_log_std=-0.5)
    actor, critic = actor_kwargs(cfg), critic_kwargs(cfg)
    assert actor["hidden_dims"] == [32, 16] and critic["hidden_dims"] == [8]
    assert actor["activation"] == critic["activation"] == theirs
    assert (
        type(resolve_nn_activation(theirs)).__name__
        == {"elu": "ELU", "relu": "ReLU", "tanh": "Tanh", "silu": "SiLU"}[ours]
    )
    assert actor["distribution_cfg"]["init_std"] == pytest.approx(math.exp(-0.5))
    assert actor["obs_normalization"] is critic["obs_normalization"] is True


def test_fields_without_an_rsl_rl_meaning_are_named():
    assert unsupported(PPOCfg(value_normalization=False)) == ()
    notes = unsupported(PPOCfg(value_normalization=True, shared_trunk=True, value_clip=0.5, ratio_clip=0.2))
    assert len(notes) == 3
    assert notes[0].startswith("rl.value_normalization=true:") and "discounted return" in notes[0]
    assert notes[1].startswith("rl.shared_trunk=true:")
    assert notes[2] == "rl.value_clip=0.5: rsl_rl clips the value loss by rl.ratio_clip (0.2)"
    assert unsupported(PPOCfg(value_normalization=False, value_clip=0.5, clip_value_loss=False)) == ()
