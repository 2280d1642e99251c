"""Every hook a MotrixLab plugin can implement, documented in one place.

A plugin is a module named by an entry point in the ``motrixlab`` group. It implements any of
these hooks with ``@motrixlab.hookimpl``; each hook receives a ``register`` callback and calls
it once per spec. Hooks must only build specs (import strings), never import heavy modules.
"""

from __future__ import annotations

from collections.abc import Callable

import pluggy

from motrixlab.specs import DeployTargetSpec, EnvSpec, RLCfgSpec, TrainerSpec

PROJECT = "motrixlab"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def motrixlab_register_envs(register: Callable[[EnvSpec], None]) -> None:
    """Register environments: ``register(EnvSpec(name=..., cfg="pkg.mod:Cfg", env="pkg.mod:Env"))``.

    Env names are global: two plugins registering the same name is an error naming both.
    """


@hookspec
def motrixlab_register_rl_cfgs(register: Callable[[RLCfgSpec], None]) -> None:
    """Register tuned RL configs: ``register(RLCfgSpec(env=..., cfg="pkg.mod:PPO"))``.

    Resolution for (env, trainer, backend), most specific first: this trainer and backend, this
    trainer (``backend=None``), any trainer (``trainer=None``) and this backend, any trainer and any
    backend; then the trainer's ``default_cfg``. CLI overrides apply last.
    """


@hookspec
def motrixlab_register_trainers(register: Callable[[TrainerSpec], None]) -> None:
    """Register trainer backends: ``register(TrainerSpec(trainer="skrl", backend="torch", entry=...))``.

    ``entry`` names a ``motrixlab.Trainer`` subclass; it is imported only when training starts,
    after ``requires`` were found importable.
    """


@hookspec
def motrixlab_register_deploy_targets(register: Callable[[DeployTargetSpec], None]) -> None:
    """Register deployment targets: ``register(DeployTargetSpec(name="mujoco", entry="pkg.mod:Target"))``.

    ``entry`` names a ``motrixlab.deploy.DeployTarget`` subclass; it is imported only when
    ``motrixlab deploy --target NAME`` runs, after ``requires`` were found importable.
    """
