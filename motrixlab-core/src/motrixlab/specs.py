"""The specs plugins register: frozen records of import strings, cheap to build and list."""

from __future__ import annotations

from dataclasses import dataclass, field

from motrixlab.imports import check_ref


def _check_name(name: str, what: str) -> None:
    if not name or not all(c.isalnum() or c in "-_." for c in name):
        raise ValueError(f"{what} name {name!r} must be non-empty and use only letters, digits, '-', '_', '.'")


@dataclass(frozen=True, kw_only=True)
class EnvSpec:
    """An environment: its config class and env class, imported only when used."""

    name: str
    cfg: str
    env: str
    domain: str = "misc"
    description: str = ""
    tags: tuple[str, ...] = ()
    plugin: str = field(default="", compare=False)  # filled in by the registry

    def __post_init__(self) -> None:
        _check_name(self.name, "environment")
        check_ref(self.cfg, f"env {self.name!r} cfg")
        check_ref(self.env, f"env {self.name!r} env")


@dataclass(frozen=True, kw_only=True)
class RLCfgSpec:
    """A tuned RL config for one env; for one trainer or any (None: a framework-neutral config such as
    a ``PPOCfg`` serves every trainer that takes it), and for one backend or any (None)."""

    env: str
    cfg: str
    trainer: str | None = None
    backend: str | None = None
    plugin: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        check_ref(self.cfg, f"RL config for {self.env!r}")


@dataclass(frozen=True, kw_only=True)
class TrainerSpec:
    """A trainer backend; ``requires`` are import names checked (not imported) before use."""

    trainer: str
    backend: str
    entry: str
    requires: tuple[str, ...] = ()
    install_hint: str = ""
    default_cfg: str | None = None  # RL config used when no env-specific one is registered
    plugin: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        _check_name(self.trainer, "trainer")
        _check_name(self.backend, "backend")
        check_ref(self.entry, f"trainer {self.trainer}/{self.backend}")
        if self.default_cfg is not None:
            check_ref(self.default_cfg, f"trainer {self.trainer}/{self.backend} default_cfg")

    @property
    def key(self) -> str:
        return f"{self.trainer}/{self.backend}"


@dataclass(frozen=True, kw_only=True)
class DeployTargetSpec:
    """A deployment target: runs an exported, self-describing policy file somewhere else than training.

    ``requires`` are import names checked (not imported) before the target is used.
    """

    name: str
    entry: str
    requires: tuple[str, ...] = ()
    install_hint: str = ""
    description: str = ""
    plugin: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        _check_name(self.name, "deploy target")
        check_ref(self.entry, f"deploy target {self.name!r}")
