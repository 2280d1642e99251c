"""Entry point of the basic environments: registers specs only (import strings, nothing heavy)."""

from __future__ import annotations

from collections.abc import Callable

import motrixlab

_PKG = "motrixlab_envs_basic"

#: name -> (module, config class, env class, PPO config class, description)
ENVS: dict[str, tuple[str, str, str, str, str]] = {
    "cartpole": ("cartpole", "CartPoleCfg", "CartPoleEnv", "CartPolePPO", "Balance a pole upright on a cart"),
    "cartpole-swingup": (
        "cartpole_swingup",
        "CartPoleSwingUpCfg",
        "CartPoleSwingUpEnv",
        "CartPoleSwingUpPPO",
        "Swing a hanging pole up and balance it on a cart",
    ),
    "pendulum": (
        "pendulum",
        "PendulumCfg",
        "PendulumEnv",
        "PendulumPPO",
        "Swing a torque-limited pendulum up and hold it",
    ),
    "acrobot": (
        "acrobot",
        "AcrobotCfg",
        "AcrobotEnv",
        "AcrobotPPO",
        "Swing an elbow-driven two-link arm's tip up high",
    ),
    "reacher": (
        "reacher",
        "ReacherCfg",
        "ReacherEnv",
        "ReacherPPO",
        "Bring a planar arm's fingertip to a random target",
    ),
    "walker-stand": ("walker", "WalkerStandCfg", "WalkerEnv", "WalkerStandPPO", "Planar biped: stand up tall"),
    "walker-walk": ("walker", "WalkerWalkCfg", "WalkerEnv", "WalkerWalkPPO", "Planar biped: walk forward at 1 m/s"),
    "walker-run": ("walker", "WalkerRunCfg", "WalkerEnv", "WalkerRunPPO", "Planar biped: run forward at 8 m/s"),
    "cheetah-run": (
        "cheetah",
        "CheetahCfg",
        "CheetahEnv",
        "CheetahRunPPO",
        "Planar cheetah: run forward, up to 10 m/s",
    ),
    "hopper-stand": ("hopper", "HopperStandCfg", "HopperEnv", "HopperStandPPO", "Planar hopper: stand up tall"),
    "hopper-hop": ("hopper", "HopperHopCfg", "HopperEnv", "HopperHopPPO", "Planar hopper: hop forward at 2 m/s"),
}


@motrixlab.hookimpl
def motrixlab_register_envs(register: Callable[[motrixlab.EnvSpec], None]) -> None:
    for name, (module, cfg, env, _ppo, description) in ENVS.items():
        register(
            motrixlab.EnvSpec(
                name=name,
                cfg=f"{_PKG}.{module}:{cfg}",
                env=f"{_PKG}.{module}:{env}",
                domain="basic",
                description=description,
            )
        )


@motrixlab.hookimpl
def motrixlab_register_rl_cfgs(register: Callable[[motrixlab.RLCfgSpec], None]) -> None:
    for name, (module, _cfg, _env, ppo, _description) in ENVS.items():
        register(motrixlab.RLCfgSpec(env=name, cfg=f"{_PKG}.{module}:{ppo}"))
