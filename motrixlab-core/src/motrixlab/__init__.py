"""MotrixLab: reinforcement learning for robots on the MotrixSim physics engine.

Importing ``motrixlab`` is cheap: discovery runs on first use, and the parts that need
MotrixSim, NumPy or gymnasium load when first accessed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from motrixlab.envcfg import EnvCfg
from motrixlab.errors import (
    ConfigError,
    ModelLoadError,
    MotrixLabError,
    PluginError,
    StorageError,
    UnknownNameError,
)
from motrixlab.hookspecs import hookimpl
from motrixlab.rlcfg import PPOCfg, RLCfg
from motrixlab.specs import DeployTargetSpec, EnvSpec, RLCfgSpec, TrainerSpec

__version__ = "0.1.0"

_LAZY = {
    "ABEnv": "motrixlab.env",
    "StatefulEnv": "motrixlab.env",
    "NpEnv": "motrixlab.npenv",
    "make": "motrixlab.factory",
    "make_env_cfg": "motrixlab.factory",
    "make_rl_cfg": "motrixlab.factory",
    "GymVectorEnv": "motrixlab.vector",
    "Trainer": "motrixlab.trainer",
    "Run": "motrixlab.trainer",
    "RunResult": "motrixlab.trainer",
    "EvalResult": "motrixlab.trainer",
    "tolerance": "motrixlab.rewards",
    "get_registry": "motrixlab.plugins",
}

if TYPE_CHECKING:
    from motrixlab.env import ABEnv, StatefulEnv
    from motrixlab.factory import make, make_env_cfg, make_rl_cfg
    from motrixlab.npenv import NpEnv
    from motrixlab.plugins import get_registry
    from motrixlab.rewards import tolerance
    from motrixlab.trainer import EvalResult, Run, RunResult, Trainer
    from motrixlab.vector import GymVectorEnv

__all__ = [
    "ABEnv",
    "ConfigError",
    "DeployTargetSpec",
    "EnvCfg",
    "EnvSpec",
    "EvalResult",
    "GymVectorEnv",
    "ModelLoadError",
    "MotrixLabError",
    "NpEnv",
    "PPOCfg",
    "PluginError",
    "RLCfg",
    "RLCfgSpec",
    "Run",
    "RunResult",
    "StatefulEnv",
    "StorageError",
    "Trainer",
    "TrainerSpec",
    "UnknownNameError",
    "get_registry",
    "hookimpl",
    "make",
    "make_env_cfg",
    "make_rl_cfg",
    "tolerance",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'motrixlab' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
