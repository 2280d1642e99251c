"""The trainer contract: what a backend (registered with a ``TrainerSpec``) implements.

A backend imports its framework inside these methods, never at module import.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from motrixlab.envcfg import EnvCfg
from motrixlab.rlcfg import RLCfg
from motrixlab.specs import EnvSpec, TrainerSpec


@dataclass(frozen=True, kw_only=True)
class Run:
    """Everything a backend needs for one run, resolved by the CLI (or by code)."""

    env: EnvSpec
    env_cfg: EnvCfg
    rl_cfg: RLCfg
    trainer: TrainerSpec
    dir: Path  # runs/<env>/<stamp>-<trainer>-<backend>
    resume_from: Path | None = None  # checkpoint to continue from (same run dir)
    init_from: Path | None = None  # checkpoint whose policy and normalisers a new run starts from
    policy_env: str | None = None  # env the evaluated checkpoint was trained on, when not ``env``
    command: tuple[str, ...] = ()
    show_progress: bool = True  # a live dashboard when stderr is a terminal (motrixlab.monitor)
    log_interval: float = 30.0  # seconds between plain progress lines when stdout is not a terminal; 0: none

    @property
    def checkpoints(self) -> Path:
        return self.dir / "checkpoints"


@dataclass(frozen=True, kw_only=True)
class RunResult:
    run_dir: Path
    env_steps: int
    wall_seconds: float
    best_return: float | None = None
    last_return: float | None = None
    checkpoint: Path | None = None


@dataclass(frozen=True, kw_only=True)
class EvalResult:
    """Deterministic-policy evaluation; ``extra`` holds task metrics (means of ``info["log"]``)."""

    episodes: int
    mean_return: float
    std_return: float
    mean_length: float
    std_length: float
    success_rate: float | None = None
    checkpoint: str = ""
    env_steps: int | None = None  # training steps of the evaluated checkpoint
    extra: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["checkpoint"] = str(self.checkpoint)
        return data


class Trainer(ABC):
    """One (trainer, backend) pair, e.g. skrl on torch."""

    def __init__(self, spec: TrainerSpec) -> None:
        self.spec = spec

    @abstractmethod
    def train(self, run: Run) -> RunResult:
        """Train, writing TensorBoard events, metrics.jsonl, summary.json and checkpoints in ``run.dir``."""

    @abstractmethod
    def evaluate(
        self, run: Run, checkpoint: Path, episodes: int, *, render: bool = False, video: Path | None = None
    ) -> EvalResult:
        """Run ``episodes`` episodes with deterministic actions and frozen normalisers; ``render``: one
        env row with live stats (``play``); ``video``: also record them (``motrixlab.video``)."""

    @abstractmethod
    def export(self, run: Run, checkpoint: Path, format: str, path: Path) -> Path:
        """Write the policy (with its observation normaliser) as ``format`` to ``path``."""

    def cfg_notes(self, rl_cfg: RLCfg) -> tuple[str, ...]:
        """Fields of ``rl_cfg`` this trainer cannot honour, one line each saying what happens instead;
        ``train`` and ``info`` print them, so nothing is ignored silently. None by default."""
        return ()

    #: formats ``export`` accepts, for the CLI's help and validation
    export_formats: tuple[str, ...] = ()
    #: file suffix of checkpoints, so ``--checkpoint best`` finds ``checkpoints/best<suffix>``
    checkpoint_suffix: str = ""
