"""``EnvCfg``: the base of every task config."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from motrixlab.errors import ConfigError, ModelLoadError


@dataclass(kw_only=True)
class EnvCfg:
    """Timing and model shared by every env. Task configs subclass it; nested dataclasses allowed.

    ``sim_dt`` overrides the model file's timestep; ``ctrl_dt`` must be a whole multiple of it
    (the policy acts every ``sim_substeps`` physics steps).
    """

    model_file: str = ""  # the MJCF (or URDF) file MotrixSim loads
    sim_dt: float = 0.01  # s per physics step (overrides the model file's timestep)
    ctrl_dt: float = 0.02  # s per action, a whole multiple of sim_dt
    max_episode_seconds: float = 10.0  # an episode is truncated after this long

    @property
    def sim_substeps(self) -> int:
        return max(1, round(self.ctrl_dt / self.sim_dt))

    @property
    def max_episode_steps(self) -> int:
        return max(1, round(self.max_episode_seconds / self.ctrl_dt))

    def validate(self) -> None:
        """Raise ``ValueError`` naming the first invalid field."""
        if not self.model_file:
            raise ValueError("model_file: no model file set")
        if not Path(self.model_file).is_file():
            raise ValueError(f"model_file: {self.model_file!r} does not exist")
        for name in ("sim_dt", "ctrl_dt", "max_episode_seconds"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise ValueError(f"{name}: must be a positive number, got {value!r}")
        ratio = self.ctrl_dt / self.sim_dt
        if ratio < 1 - 1e-9 or abs(ratio - round(ratio)) > 1e-6:
            raise ValueError(f"ctrl_dt: must be a whole multiple of sim_dt ({self.sim_dt}), got {self.ctrl_dt}")


CfgT = TypeVar("CfgT", bound=EnvCfg)


def validated(cfg: CfgT, prefix: str) -> CfgT:
    """``cfg`` once ``cfg.validate()`` passed; its ValueError becomes one user-error line starting with
    ``prefix`` (a ``ModelLoadError`` for the model file, a ``ConfigError`` otherwise)."""
    try:
        cfg.validate()
    except ValueError as exc:
        error = ModelLoadError if str(exc).startswith("model_file:") else ConfigError
        raise error(f"{prefix}{exc}") from None
    return cfg
