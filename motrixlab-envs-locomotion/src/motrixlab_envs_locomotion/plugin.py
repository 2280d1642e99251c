"""Entry point of the locomotion environments: registers specs only (import strings, nothing heavy)."""

from __future__ import annotations

from collections.abc import Callable

import motrixlab

_PKG = "motrixlab_envs_locomotion"


@motrixlab.hookimpl
def motrixlab_register_envs(register: Callable[[motrixlab.EnvSpec], None]) -> None:
    register(
        motrixlab.EnvSpec(
            name="go1-walk",
            cfg=f"{_PKG}.config:Go1WalkCfg",
            env=f"{_PKG}.walk:WalkEnv",
            domain="locomotion",
            description="Go1 quadruped tracks a velocity command on flat ground",
            tags=("quadruped", "velocity-tracking"),
        )
    )
    register(
        motrixlab.EnvSpec(
            name="go1-walk-rough",
            cfg=f"{_PKG}.config:Go1RoughCfg",
            env=f"{_PKG}.rough:RoughEnv",
            domain="locomotion",
            description="Go1 velocity tracking on procedural rough terrain with a level curriculum",
            tags=("quadruped", "velocity-tracking", "terrain", "curriculum"),
        )
    )
    register(
        motrixlab.EnvSpec(
            name="go2-walk",
            cfg=f"{_PKG}.config:Go2WalkCfg",
            env=f"{_PKG}.walk:WalkEnv",
            domain="locomotion",
            description="Go2 quadruped tracks a velocity command on flat ground",
            tags=("quadruped", "velocity-tracking"),
        )
    )
    register(
        motrixlab.EnvSpec(
            name="anymal-c-walk",
            cfg=f"{_PKG}.config:AnymalCWalkCfg",
            env=f"{_PKG}.walk:WalkEnv",
            domain="locomotion",
            description="ANYmal C quadruped tracks a velocity command on flat ground",
            tags=("quadruped", "velocity-tracking"),
        )
    )
    register(
        motrixlab.EnvSpec(
            name="go1-walk-stairs",
            cfg=f"{_PKG}.config:Go1StairsCfg",
            env=f"{_PKG}.rough:StairsEnv",
            domain="locomotion",
            description="Go1 walks up and down pyramid stairs (risers up to 15 cm) with a level curriculum",
            tags=("quadruped", "velocity-tracking", "terrain", "curriculum", "stairs"),
        )
    )
    register(
        motrixlab.EnvSpec(
            name="anymal-c-navigate",
            cfg=f"{_PKG}.config:AnymalCNavigateCfg",
            env=f"{_PKG}.navigate:NavigateEnv",
            domain="locomotion",
            description="ANYmal C walks to a goal position and heading 1-5 m away (joint targets, end to end)",
            tags=("quadruped", "navigation"),
        )
    )
    register(
        motrixlab.EnvSpec(
            name="g1-walk",
            cfg=f"{_PKG}.config:G1WalkCfg",
            env=f"{_PKG}.walk:WalkEnv",
            domain="locomotion",
            description="G1 humanoid (12 leg joints) tracks a velocity command on flat ground, stepping to a clock",
            tags=("humanoid", "biped", "velocity-tracking"),
        )
    )
    register(
        motrixlab.EnvSpec(
            name="g1-walk-rough",
            cfg=f"{_PKG}.config:G1RoughCfg",
            env=f"{_PKG}.rough:RoughEnv",
            domain="locomotion",
            description="G1 humanoid velocity tracking on procedural rough terrain with a level curriculum",
            tags=("humanoid", "biped", "velocity-tracking", "terrain", "curriculum"),
        )
    )


@motrixlab.hookimpl
def motrixlab_register_rl_cfgs(register: Callable[[motrixlab.RLCfgSpec], None]) -> None:
    register(motrixlab.RLCfgSpec(env="go1-walk", cfg=f"{_PKG}.ppo:Go1WalkPPO"))
    register(motrixlab.RLCfgSpec(env="go2-walk", cfg=f"{_PKG}.ppo:Go2WalkPPO"))
    register(motrixlab.RLCfgSpec(env="anymal-c-walk", cfg=f"{_PKG}.ppo:AnymalCWalkPPO"))
    register(motrixlab.RLCfgSpec(env="go1-walk-stairs", cfg=f"{_PKG}.ppo:Go1StairsPPO"))
    register(motrixlab.RLCfgSpec(env="anymal-c-navigate", cfg=f"{_PKG}.ppo:AnymalCNavigatePPO"))
    register(motrixlab.RLCfgSpec(env="go1-walk-rough", cfg=f"{_PKG}.ppo:Go1RoughPPO"))
    register(motrixlab.RLCfgSpec(env="g1-walk", cfg=f"{_PKG}.ppo:G1WalkPPO"))
    register(motrixlab.RLCfgSpec(env="g1-walk-rough", cfg=f"{_PKG}.ppo:G1RoughPPO"))
