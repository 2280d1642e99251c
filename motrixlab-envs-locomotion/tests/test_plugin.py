"""Registration through the plugin, config overrides and the tuned PPO configs."""

from __future__ import annotations

import dataclasses
import re

import motrixlab
import pytest
from motrixlab_envs_locomotion.ppo import AnymalCWalkPPO, Go1RoughPPO, Go1WalkPPO, Go2WalkPPO


def test_the_tasks_are_registered_with_ppo_configs():
    reg = motrixlab.get_registry()
    tasks = (
        ("go1-walk", Go1WalkPPO),
        ("go1-walk-rough", Go1RoughPPO),
        ("go2-walk", Go2WalkPPO),
        ("anymal-c-walk", AnymalCWalkPPO),
    )
    for name, ppo in tasks:
        spec = reg.env(name)
        assert spec.domain == "locomotion"
        rl = reg.rl_cfg_spec(name, "skrl", "torch")
        assert rl is not None and rl.cfg.endswith(ppo.__name__)
        ppo().validate()


def test_make_with_nested_overrides():
    env = motrixlab.make(
        "go1-walk", num_envs=2, seed=0, overrides={"rewards.scales.torques": "-1e-3", "commands.lin_vel_x": "(0, 1.5)"}
    )
    assert env.cfg.rewards.scales.torques == -1e-3
    assert env.cfg.commands.lin_vel_x == (0.0, 1.5)
    env.close()


def test_invalid_config_is_one_clear_error():
    with pytest.raises(motrixlab.ConfigError, match=r"commands.lin_vel_y"):
        motrixlab.make("go1-walk", num_envs=1, overrides={"commands.lin_vel_y": "(1, -1)"})
    with pytest.raises(motrixlab.ConfigError, match=r"randomization.frictoin"):
        motrixlab.make("go1-walk", num_envs=1, overrides={"randomization.frictoin": "(0, 1)"})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("noise.joint_vel", "nan"),
        ("rewards.scales.torques", "-inf"),
        ("commands.lin_vel_x", "(0, inf)"),
        ("action_scale", "inf"),
    ],
)
def test_every_number_of_the_config_must_be_finite(field, value):
    with pytest.raises(motrixlab.ConfigError, match=rf"^env\.{re.escape(field)}: must be finite, got"):
        motrixlab.make("go1-walk", num_envs=1, overrides={field: value})


def test_config_fields_are_documented():
    from motrixlab_envs_locomotion import config

    for cls in (config.Go1WalkCfg, config.RewardScales, config.RandomizationCfg, config.NoiseCfg):
        assert cls.__doc__ and len(dataclasses.fields(cls)) > 3
