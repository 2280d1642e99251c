"""Entry point of the manipulation environments: registers specs only (import strings, nothing heavy)."""

from __future__ import annotations

from collections.abc import Callable

import motrixlab

_PKG = "motrixlab_envs_manipulation"
#: (env name, module, config class, env class, PPO config class, description)
_TASKS = (
    (
        "franka-reach",
        "reach",
        "ReachCfg",
        "ReachEnv",
        "ReachPPO",
        "Franka Panda: move the fingertip to a random target",
    ),
    (
        "franka-lift-cube",
        "lift_cube",
        "LiftCubeCfg",
        "LiftCubeEnv",
        "LiftCubePPO",
        "Franka Panda: grasp a cube on a table and lift it to a target height",
    ),
    (
        "franka-open-drawer",
        "open_drawer",
        "OpenDrawerCfg",
        "OpenDrawerEnv",
        "OpenDrawerPPO",
        "Franka Panda: pull a cabinet drawer open by its handle",
    ),
)


@motrixlab.hookimpl
def motrixlab_register_envs(register: Callable[[motrixlab.EnvSpec], None]) -> None:
    for name, module, cfg, env, _, description in _TASKS:
        register(
            motrixlab.EnvSpec(
                name=name,
                cfg=f"{_PKG}.{module}:{cfg}",
                env=f"{_PKG}.{module}:{env}",
                domain="manipulation",
                description=description,
                tags=("franka", "arm"),
            )
        )


@motrixlab.hookimpl
def motrixlab_register_rl_cfgs(register: Callable[[motrixlab.RLCfgSpec], None]) -> None:
    for name, module, _, _, ppo, _ in _TASKS:
        register(motrixlab.RLCfgSpec(env=name, cfg=f"{_PKG}.{module}:{ppo}"))
