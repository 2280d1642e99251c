"""Build envs and configs by registered name: ``motrixlab.make("cartpole", num_envs=64)``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from motrixlab.env import ABEnv
from motrixlab.envcfg import EnvCfg, validated
from motrixlab.errors import ConfigError, PluginError
from motrixlab.imports import load_ref
from motrixlab.overrides import apply_overrides
from motrixlab.plugins import Registry, get_registry
from motrixlab.rlcfg import RLCfg
from motrixlab.specs import EnvSpec, TrainerSpec


def _instantiate(ref: str, what: str, base: type) -> Any:
    cls = load_ref(ref, what)
    if not (isinstance(cls, type) and issubclass(cls, base)):
        raise PluginError(f"{what}: {ref!r} is not a {base.__name__} subclass")
    try:
        return cls()
    except TypeError as exc:
        raise PluginError(f"{what}: {ref!r} must be constructible with no arguments ({exc})") from None


def make_env_cfg(spec: EnvSpec, overrides: Mapping[str, Any] | None = None) -> EnvCfg:
    """The spec's config class, default-constructed, overridden and validated."""
    cfg = _instantiate(spec.cfg, f"env {spec.name!r} config", EnvCfg)
    return validated(apply_overrides(cfg, overrides or {}, section="env"), "env.")


def make_rl_cfg(
    env: str,
    trainer: TrainerSpec,
    overrides: Mapping[str, Any] | None = None,
    *,
    registry: Registry | None = None,
) -> RLCfg:
    """Resolve the RL config: backend-specific, then any-backend, then the trainer default."""
    registry = registry or get_registry()
    spec = registry.rl_cfg_spec(env, trainer.trainer, trainer.backend)
    if spec is not None:
        cfg = _instantiate(spec.cfg, f"RL config for {env!r}", RLCfg)
    elif trainer.default_cfg is not None:
        cfg = _instantiate(trainer.default_cfg, f"default RL config of {trainer.key}", RLCfg)
    else:
        raise ConfigError(f"no RL config for {env!r} with trainer {trainer.key!r}, and the trainer has no default")
    cfg = apply_overrides(cfg, overrides or {}, section="rl")
    try:
        cfg.validate()
    except ValueError as exc:
        raise ConfigError(f"rl.{exc}") from None
    return cfg


def make(
    name: str,
    *,
    num_envs: int = 1,
    seed: int | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> ABEnv:
    """Create the registered env ``name`` with ``num_envs`` rows; ``overrides`` are dotted cfg fields."""
    spec = get_registry().env(name)
    cfg = make_env_cfg(spec, overrides)
    env_cls = load_ref(spec.env, f"env {name!r}")
    return env_cls(cfg, num_envs=num_envs, seed=seed)
