"""Plugin discovery: one pluggy project, one entry-point group, each plugin loaded in isolation.

The :class:`Registry` is the typed facade the rest of MotrixLab uses; nothing outside this module
touches pluggy or entry points.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType
from typing import Any

import pluggy

from motrixlab import hookspecs
from motrixlab.errors import MotrixLabError, PluginError, UnknownNameError
from motrixlab.names import did_you_mean, one_of
from motrixlab.specs import DeployTargetSpec, EnvSpec, RLCfgSpec, TrainerSpec

GROUP = hookspecs.PROJECT
DISABLE_ENV = "MOTRIXLAB_DISABLE_PLUGINS"
STRICT_ENV = "MOTRIXLAB_STRICT_PLUGINS"

_HOOKS = (
    "motrixlab_register_envs",
    "motrixlab_register_rl_cfgs",
    "motrixlab_register_trainers",
    "motrixlab_register_deploy_targets",
)


@dataclass
class PluginInfo:
    """What one entry point brought: for ``motrixlab plugins``."""

    name: str
    module: str
    distribution: str | None = None
    version: str | None = None
    disabled: bool = False
    envs: list[str] = field(default_factory=list)
    rl_cfgs: list[str] = field(default_factory=list)
    trainers: list[str] = field(default_factory=list)
    deploy_targets: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "module": self.module,
            "distribution": self.distribution,
            "version": self.version,
            "disabled": self.disabled,
            "envs": self.envs,
            "rl_cfgs": self.rl_cfgs,
            "trainers": self.trainers,
            "deploy_targets": self.deploy_targets,
            "errors": self.errors,
        }


@dataclass
class Registry:
    """Everything the installed plugins registered."""

    envs: dict[str, EnvSpec] = field(default_factory=dict)
    rl_cfgs: list[RLCfgSpec] = field(default_factory=list)
    trainers: dict[str, TrainerSpec] = field(default_factory=dict)
    deploy_targets: dict[str, DeployTargetSpec] = field(default_factory=dict)
    plugins: dict[str, PluginInfo] = field(default_factory=dict)

    @property
    def errors(self) -> list[str]:
        return [f"plugin {p.name!r}: {e}" for p in self.plugins.values() for e in p.errors]

    # -- lookups ------------------------------------------------------------------------------
    def env(self, name: str) -> EnvSpec:
        try:
            return self.envs[name]
        except KeyError:
            if not self.envs:
                raise UnknownNameError(
                    f"unknown environment {name!r}: no environments are installed "
                    "(pip install motrixlab-envs-basic, or see `motrixlab plugins`)"
                ) from None
            raise UnknownNameError(
                f"unknown environment {name!r}{did_you_mean(name, self.envs)}; installed: {one_of(self.envs)}"
            ) from None

    def trainer_backends(self, trainer: str | None = None) -> list[TrainerSpec]:
        return [t for t in self.trainers.values() if trainer is None or t.trainer == trainer]

    def trainer(self, trainer: str | None, backend: str | None) -> TrainerSpec:
        """Resolve a trainer backend; ``backend=None`` picks the first available by preference."""
        candidates = self.trainer_backends(trainer)
        if not candidates:
            have = one_of({t.trainer for t in self.trainers.values()})
            if trainer is None or not self.trainers:
                raise UnknownNameError(
                    "no trainer backend is installed; install one with: "
                    "pip install 'motrixlab-trainer-skrl[torch]'  (or [jax])"
                )
            hint = did_you_mean(trainer, have.split(", "))
            raise UnknownNameError(f"unknown trainer {trainer!r}{hint}; installed: {have}")
        if backend is not None:
            for spec in sorted(candidates, key=_backend_preference):
                if spec.backend == backend:
                    missing = missing_modules(spec.requires)
                    if missing:
                        raise MotrixLabError(
                            f"backend {spec.key!r} needs {', '.join(missing)}, which is not installed; "
                            f"install it with: {spec.install_hint or 'pip install ' + ' '.join(missing)}"
                        )
                    return spec
            backends = [s.backend for s in candidates]
            raise UnknownNameError(
                f"unknown backend {backend!r}{did_you_mean(backend, backends)}; available: {one_of(backends)}"
            )
        usable = [s for s in candidates if not missing_modules(s.requires)]
        if not usable:
            hints = "; ".join(
                s.install_hint or "pip install " + " ".join(missing_modules(s.requires)) for s in candidates
            )
            raise MotrixLabError(f"no usable trainer backend: their frameworks are not installed; {hints}")
        return min(usable, key=_backend_preference)

    def deploy_target(self, name: str) -> DeployTargetSpec:
        """A usable deploy target: registered, with its ``requires`` importable."""
        spec = self.deploy_targets.get(name)
        if spec is None:
            have = f"installed: {one_of(self.deploy_targets)}" if self.deploy_targets else "none is installed"
            raise UnknownNameError(
                f"unknown deploy target {name!r}{did_you_mean(name, self.deploy_targets)}; {have} "
                f"(a target comes from a package such as: pip install motrixlab-deploy-{name})"
            )
        missing = missing_modules(spec.requires)
        if missing:
            raise MotrixLabError(
                f"deploy target {name!r} needs {', '.join(missing)}, which is not installed; "
                f"install it with: {spec.install_hint or 'pip install ' + ' '.join(missing)}"
            )
        return spec

    def rl_cfg_spec(self, env: str, trainer: str, backend: str) -> RLCfgSpec | None:
        """The most specific registered config: for this trainer and backend, for this trainer, for any
        trainer (``trainer=None``) and this backend, for any; None means: use the trainer's default."""
        mine = [s for s in self.rl_cfgs if s.env == env]
        for want in ((trainer, backend), (trainer, None), (None, backend), (None, None)):
            for spec in mine:
                if (spec.trainer, spec.backend) == want:
                    return spec
        return None


def missing_modules(names: Iterable[str]) -> list[str]:
    """Import names that cannot be found, checked without importing them."""
    missing = []
    for name in names:
        try:
            if importlib.util.find_spec(name) is None:
                missing.append(name)
        except (ImportError, ValueError):
            missing.append(name)
    return missing


#: the trainer chosen when several offer the backend and none is named
DEFAULT_TRAINER = "skrl"


def _backend_preference(spec: TrainerSpec) -> tuple[int, bool, str]:
    """GPU backend when present, else torch, else jax, else anything else; among trainers of one
    backend, ``DEFAULT_TRAINER`` first, then by name."""
    order = {"torch": 1, "jax": 2}
    rank = 0 if spec.backend == "torch" and _torch_has_gpu() else order.get(spec.backend, 3)
    return (rank, spec.trainer != DEFAULT_TRAINER, spec.key)


def _torch_has_gpu() -> bool:
    # Only ask when torch is already imported: selecting a backend must not import a framework.
    torch = sys.modules.get("torch")
    return bool(torch is not None and torch.cuda.is_available())


# ---------------------------------------------------------------------------------------------
# discovery


def _env_list(var: str) -> set[str]:
    return {x.strip() for x in os.environ.get(var, "").split(",") if x.strip()}


def strict_mode() -> bool:
    return os.environ.get(STRICT_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


class _Loader:
    """Loads entry points one by one into a pluggy manager and collects their specs."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(GROUP)
        self.pm.add_hookspecs(hookspecs)
        self.registry = Registry()
        self._env_owner: dict[str, PluginInfo] = {}

    def load_entry_point(self, ep: EntryPoint, disabled: set[str]) -> None:
        dist = getattr(ep, "dist", None)
        info = PluginInfo(
            name=ep.name,
            module=ep.value,
            distribution=dist.name if dist is not None else None,
            version=dist.version if dist is not None else None,
        )
        if info.name in self.registry.plugins:
            other = self.registry.plugins[info.name]
            info.errors.append(
                f"entry point name {ep.name!r} is also used by {other.distribution or other.module}; skipped"
            )
            self.registry.plugins[f"{info.name}@{info.distribution}"] = info
            return
        self.registry.plugins[info.name] = info
        if ep.name in disabled:
            info.disabled = True
            return
        try:
            module = ep.load()
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            info.errors.append(f"failed to import {ep.value!r}: {_short(exc)}")
            return
        self.add_plugin(module, info)

    def add_plugin(self, plugin: ModuleType | object, info: PluginInfo) -> None:
        self.registry.plugins.setdefault(info.name, info)
        try:
            self.pm.register(plugin, name=info.name)
        except (pluggy.PluginValidationError, ValueError) as exc:
            info.errors.append(f"invalid plugin: {_short(exc)}")
            return
        hooked = set()
        for caller in self.pm.get_hookcallers(plugin) or []:
            hooked.add(caller.name)
            if not caller.has_spec():
                hint = did_you_mean(caller.name, _HOOKS)
                info.errors.append(f"unknown hook {caller.name!r}{hint}; valid hooks: {', '.join(_HOOKS)}")
        for attr in dir(plugin):  # pluggy ignores unmarked functions: a silent no-op is worse
            if attr.startswith("motrixlab_") and attr not in hooked and callable(getattr(plugin, attr, None)):
                if attr in _HOOKS:
                    info.errors.append(f"{attr!r} is not marked with @motrixlab.hookimpl")
                else:
                    hint = did_you_mean(attr, _HOOKS)
                    info.errors.append(f"unknown hook {attr!r}{hint}; valid hooks: {', '.join(_HOOKS)}")
        # Unknown hooks would fail pm.check_pending() for everyone: drop the whole plugin.
        if info.errors:
            self.pm.unregister(plugin)

    def collect(self) -> Registry:
        self._call("motrixlab_register_envs", EnvSpec, self._add_env)
        self._call("motrixlab_register_trainers", TrainerSpec, self._add_trainer)
        self._call("motrixlab_register_rl_cfgs", RLCfgSpec, self._add_rl_cfg)
        self._call("motrixlab_register_deploy_targets", DeployTargetSpec, self._add_deploy_target)
        return self.registry

    def _call(self, hook: str, kind: type, add: Callable[[Any, PluginInfo], None]) -> None:
        for impl in getattr(self.pm.hook, hook).get_hookimpls():  # registration order (pluggy calls LIFO)
            info = self.registry.plugins[impl.plugin_name]

            def register(spec: Any, _info: PluginInfo = info) -> None:
                if not isinstance(spec, kind):
                    raise TypeError(f"{hook} expects {kind.__name__}, got {type(spec).__name__}")
                add(spec, _info)

            try:
                impl.function(register=register)
            except BaseException as exc:
                if isinstance(exc, KeyboardInterrupt):
                    raise
                info.errors.append(f"{hook} failed: {_short(exc)}")

    def _add_env(self, spec: EnvSpec, info: PluginInfo) -> None:
        if spec.name in self.registry.envs:
            owner = self._env_owner[spec.name]
            first = owner.distribution or owner.name
            second = info.distribution or info.name
            info.errors.append(
                f"environment {spec.name!r} is registered by both {first!r} and {second!r}; "
                f"keeping the one from {first!r}"
            )
            return
        spec = _with_plugin(spec, info.name)
        self.registry.envs[spec.name] = spec
        self._env_owner[spec.name] = info
        info.envs.append(spec.name)

    def _add_trainer(self, spec: TrainerSpec, info: PluginInfo) -> None:
        if spec.key in self.registry.trainers:
            other = self.registry.trainers[spec.key].plugin
            info.errors.append(f"trainer backend {spec.key!r} is already registered by plugin {other!r}")
            return
        self.registry.trainers[spec.key] = _with_plugin(spec, info.name)
        info.trainers.append(spec.key)

    def _add_deploy_target(self, spec: DeployTargetSpec, info: PluginInfo) -> None:
        if spec.name in self.registry.deploy_targets:
            other = self.registry.deploy_targets[spec.name].plugin
            info.errors.append(f"deploy target {spec.name!r} is already registered by plugin {other!r}")
            return
        self.registry.deploy_targets[spec.name] = _with_plugin(spec, info.name)
        info.deploy_targets.append(spec.name)

    def _add_rl_cfg(self, spec: RLCfgSpec, info: PluginInfo) -> None:
        if spec.env not in self.registry.envs:
            info.errors.append(
                f"RL config {spec.cfg!r} is for unknown environment {spec.env!r}"
                f"{did_you_mean(spec.env, self.registry.envs)}"
            )
            return
        label = f"{spec.env}:{spec.trainer}/{spec.backend or '*'}"
        key = (spec.env, spec.trainer, spec.backend)
        clash = [s for s in self.registry.rl_cfgs if (s.env, s.trainer, s.backend) == key]
        if clash:
            info.errors.append(f"RL config {label!r} is already registered by plugin {clash[0].plugin!r}")
            return
        self.registry.rl_cfgs.append(_with_plugin(spec, info.name))
        info.rl_cfgs.append(label)


def _with_plugin(spec: Any, plugin: str) -> Any:
    from dataclasses import replace

    return replace(spec, plugin=plugin)


def discover(
    extra_plugins: Iterable[tuple[str, object]] = (),
    *,
    strict: bool | None = None,
    warn: Callable[[str], None] | None = None,
) -> Registry:
    """Load every ``motrixlab`` entry point (plus ``extra_plugins``) and collect their specs.

    Errors are reported through ``warn`` (stderr by default) once each; in strict mode the first
    error raises :class:`PluginError` instead.
    """
    loader = _Loader()
    disabled = _env_list(DISABLE_ENV)
    for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        loader.load_entry_point(ep, disabled)
    for name, obj in extra_plugins:
        loader.add_plugin(obj, PluginInfo(name=name, module=getattr(obj, "__name__", repr(obj))))
    registry = loader.collect()
    errors = registry.errors
    if errors and (strict_mode() if strict is None else strict):
        raise PluginError(f"{errors[0]} (strict mode: {STRICT_ENV}=1)")
    if warn is None:
        warn = _stderr_warning
    for message in errors:
        warn(message)
    return registry


def _stderr_warning(message: str) -> None:
    print(f"motrixlab: warning: {message}", file=sys.stderr)


_REGISTRY: Registry | None = None


def get_registry() -> Registry:
    """The process-wide registry, discovered on first use (never at import)."""
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = discover()
    return _REGISTRY


def reset_registry() -> None:
    """Forget the cached registry (after installing a plugin in-process, or in tests)."""
    global _REGISTRY
    _REGISTRY = None
