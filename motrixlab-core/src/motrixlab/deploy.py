"""Deployment: the self-description an exported policy carries, and the base class of deploy targets.

An exported ONNX file holds, besides the network, one metadata entry ``METADATA_KEY`` whose value
is the JSON of a *deploy description*: everything a controller in another engine (or on a robot)
needs to run the policy: control timing, joints, standing pose, PD gains and limits, how actions
become joint targets, the observation as named standard terms, the command distribution, the
episode's start and end, and the model file itself. Envs write it (``deploy_description()``), a
trainer's export stores it, and a deploy target (``motrixlab deploy --target T``) reads it.
"""

from __future__ import annotations

import base64
import json
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from motrixlab.errors import ConfigError, MotrixLabError

#: The ONNX ``metadata_props`` key holding the description's JSON.
METADATA_KEY = "motrixlab.deploy"
#: Version of the description's layout; readers refuse versions they do not know.
VERSION = 1

#: Standard observation terms: name -> (width, meaning). Widths ``"joints"``/``"actions"`` are the
#: number of observed joints or of actions. Each term of an observation is ``scale * value``.
OBS_TERMS: dict[str, tuple[int | str, str]] = {
    "base_lin_vel": (3, "linear velocity of the base body in its own frame (m/s)"),
    "base_ang_vel": (3, "angular velocity of the base body in its own frame (rad/s)"),
    "projected_gravity": (3, "the unit vector of gravity seen in the base frame"),
    "joint_pos": ("joints", "joint positions (rad or m)"),
    "joint_pos_rel": ("joints", "joint positions minus default_joint_pos"),
    "joint_vel": ("joints", "joint velocities"),
    "last_action": ("actions", "the action the policy returned at the previous control step (0 at the start)"),
    "command": (3, "the velocity command: forward (m/s), sideways (m/s), yaw rate (rad/s), base frame"),
    "gait_clock": (
        2,
        "(sin 2 pi phi, cos 2 pi phi) of a gait phase phi in cycles: 0 at the episode start, advanced by the "
        "term's frequency (cycles per second) times the control period after every control step",
    ),
}
#: Control kinds: ``pd`` (actions offset PD joint targets) or ``effort`` (actions scale joint forces).
CONTROL_KINDS = ("pd", "effort")
#: Termination kinds of ``episode.terminate`` and the fields each rule needs besides ``kind``.
TERMINATION_FIELDS: dict[str, dict[str, Any]] = {
    "tilt": {"body": str, "max_rad": float | int},  # the body's tilt from upright beyond max_rad
    "contact": {"geoms": list, "with": list},  # any of geoms touching any of with
    "joint_limit": {"joint": str, "max_abs": float | int},  # |q| beyond max_abs
    "height": {"body": str, "min_m": float | int},  # the body's origin below min_m above z = 0
}
TERMINATION_KINDS = tuple(TERMINATION_FIELDS)


class DeployUnavailable(MotrixLabError):
    """An env or artifact that cannot be described (or read) for deployment; the message says why."""


def encode(description: dict[str, Any]) -> str:
    """The checked description as compact JSON (the metadata value)."""
    return json.dumps(check_description(description), separators=(",", ":"), sort_keys=True)


def decode(text: str | None, source: str) -> dict[str, Any]:
    """The description from a metadata value, checked; ``source`` names the file in errors."""
    if text is None:
        raise DeployUnavailable(
            f"{source!r} carries no deploy metadata ({METADATA_KEY!r}): re-export it with `motrixlab export ENV "
            "--format onnx` from an env that describes itself for deployment"
        )
    try:
        description = json.loads(text)
    except ValueError as exc:
        raise DeployUnavailable(f"{source!r}: deploy metadata is not valid JSON ({exc})") from None
    try:
        return check_description(description)
    except ConfigError as exc:
        raise DeployUnavailable(f"{source!r}: {exc}") from None


def _need(d: dict[str, Any], key: str, kind: Any, where: str) -> Any:
    if not isinstance(d, dict):
        raise ConfigError(f"deploy description: {where.rstrip('.') or 'the description'} is not a JSON object")
    if key not in d:
        raise ConfigError(f"deploy description: {where}{key} is missing")
    value = d[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ConfigError(f"deploy description: {where}{key} has the wrong type ({type(value).__name__})")
    return value


def _numbers(d: dict[str, Any], key: str, n: int, where: str) -> list[float]:
    value = _need(d, key, list, where)
    if len(value) != n or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
        raise ConfigError(f"deploy description: {where}{key} must be {n} numbers, got {value!r:.80}")
    return value


def check_description(d: Any) -> dict[str, Any]:
    """Raise ``ConfigError`` naming the first missing or inconsistent field; return ``d``."""
    if not isinstance(d, dict):
        raise ConfigError("deploy description: not a JSON object")
    version = _need(d, "version", int, "")
    if version != VERSION:
        raise ConfigError(f"deploy description: version {version} is not supported (this MotrixLab reads {VERSION})")
    _need(d, "env", str, "")
    model = _need(d, "model", dict, "")
    if _need(model, "format", str, "model.") != "mjcf":
        raise ConfigError(f"deploy description: model.format {model['format']!r} is not supported; valid: mjcf")
    _need(model, "xml", str, "model.")
    _need(model, "assets", dict, "model.")
    timing = _need(d, "timing", dict, "")
    physics_dt = _need(timing, "physics_dt", float | int, "timing.")
    decimation = _need(timing, "decimation", int, "timing.")
    if not physics_dt > 0 or decimation < 1:
        raise ConfigError("deploy description: timing.physics_dt must be > 0 and timing.decimation >= 1")
    joints = _need(d, "joints", list, "")
    _numbers(d, "default_joint_pos", len(joints), "")
    control = _need(d, "control", dict, "")
    kind = _need(control, "kind", str, "control.")
    if kind not in CONTROL_KINDS:
        raise ConfigError(f"deploy description: control.kind {kind!r} is unknown; valid: {', '.join(CONTROL_KINDS)}")
    actuated = _need(control, "joints", list, "control.")
    na = len(actuated)
    for key in ("action_scale", "action_offset", "low", "high"):
        _numbers(control, key, na, "control.")
    if kind == "pd":
        for key in ("kp", "kd", "torque_limit"):
            _numbers(control, key, na, "control.")
    width = 0
    for i, term in enumerate(_need(d, "observation", list, "")):
        name = _need(term, "term", str, f"observation[{i}].")
        if name not in OBS_TERMS:
            raise ConfigError(
                f"deploy description: observation term {name!r} is not a standard term; valid: {', '.join(OBS_TERMS)}"
            )
        size = {"joints": len(joints), "actions": na}.get(str(OBS_TERMS[name][0]), OBS_TERMS[name][0])
        if _need(term, "dim", int, f"observation[{i}].") != size:
            raise ConfigError(f"deploy description: observation term {name!r} has dim {term['dim']}, expected {size}")
        _need(term, "scale", float | int, f"observation[{i}].")
        if name == "gait_clock" and not _need(term, "frequency", float | int, f"observation[{i}].") > 0:
            raise ConfigError(f"deploy description: observation[{i}].frequency must be > 0, got {term['frequency']}")
        width += int(size)
    if _need(d, "obs_dim", int, "") != width:
        raise ConfigError(f"deploy description: obs_dim {d['obs_dim']} differs from the terms' total {width}")
    commands = d.get("commands")
    if commands is not None:
        for key in ("low", "high"):
            _numbers(commands, key, 3, "commands.")
    episode = _need(d, "episode", dict, "")
    _need(episode, "max_seconds", float | int, "episode.")
    for i, rule in enumerate(_need(episode, "terminate", list, "episode.")):
        kind = _need(rule, "kind", str, f"episode.terminate[{i}].")
        if kind not in TERMINATION_FIELDS:
            valid = ", ".join(TERMINATION_KINDS)
            raise ConfigError(f"deploy description: termination kind {kind!r} is unknown; valid: {valid}")
        for key, key_type in TERMINATION_FIELDS[kind].items():
            _need(rule, key, key_type, f"episode.terminate[{i}].")
    _need(d, "initial_state", dict, "")
    return d


def control_dt(d: dict[str, Any]) -> float:
    """The policy's period in seconds (``physics_dt * decimation``) of a checked description."""
    return float(d["timing"]["physics_dt"]) * int(d["timing"]["decimation"])


_FILE_ATTR = re.compile(r"""\bfile\s*=\s*["']([^"']+)["']""")


def embed_model(path: str | Path) -> dict[str, Any]:
    """The ``model`` entry of a description: the MJCF text and every file it names (includes, meshes,
    textures, height fields), base64-encoded under the name the MJCF uses, so the artifact stands alone."""
    path = Path(path)
    try:
        xml = path.read_text()
    except OSError as exc:
        raise ConfigError(f"model file {str(path)!r} cannot be read: {exc.strerror or exc}") from None
    assets: dict[str, str] = {}
    pending = [xml]
    while pending:
        for name in _FILE_ATTR.findall(pending.pop()):
            if name in assets:
                continue
            try:
                data = (path.parent / name).read_bytes()
            except OSError as exc:
                raise ConfigError(f"model file {str(path)!r} names {name!r}, which cannot be read: {exc}") from None
            assets[name] = base64.b64encode(data).decode("ascii")
            if name.endswith(".xml"):
                pending.append(data.decode())
    return {"format": "mjcf", "file": path.name, "xml": xml, "assets": assets}


def model_assets(description: dict[str, Any]) -> dict[str, bytes]:
    """The embedded files of a description's model, decoded."""
    return {k: base64.b64decode(v) for k, v in description["model"]["assets"].items()}


def describe_env(env: Any, name: str) -> dict[str, Any]:
    """The checked deploy description of env ``env`` registered as ``name``; ``DeployUnavailable`` says
    why there is none."""
    describe = getattr(env, "deploy_description", None)
    if describe is None:
        raise DeployUnavailable(f"env {name!r} does not describe itself for deployment (no deploy_description)")
    description = {**describe(), "env": name}
    try:
        return check_description(description)
    except ConfigError as exc:
        raise DeployUnavailable(f"{type(env).__name__}: {exc}") from None


# ---------------------------------------------------------------------------------------------
# targets


@dataclass(frozen=True, kw_only=True)
class DeployOptions:
    """What ``motrixlab deploy`` asks of a target."""

    episodes: int = 10
    seconds: float | None = None  # episode length; None: the description's max_seconds
    command: tuple[float, float, float] | None = None  # a fixed command instead of sampled ones
    seed: int = 0
    video: Path | None = None
    compare: bool = False  # also run the policy in MotrixSim on the same commands


@dataclass(kw_only=True)
class DeployResult:
    """Metrics of a deployment, in the same terms ``eval`` uses; ``to_json`` is the stable schema."""

    target: str
    artifact: str
    env: str
    episodes: int
    seconds: float
    seed: int
    metrics: dict[str, float | None]
    per_episode: list[dict[str, Any]] = field(default_factory=list)
    reference: dict[str, Any] | None = None  # {"engine": ..., "metrics": {...}} of the same policy
    video: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": "motrixlab.deploy.result",
            "version": VERSION,
            "target": self.target,
            "artifact": self.artifact,
            "env": self.env,
            "episodes": self.episodes,
            "seconds": self.seconds,
            "seed": self.seed,
            "metrics": self.metrics,
            "per_episode": self.per_episode,
            "reference": self.reference,
            "video": self.video,
        }


class DeployTarget(ABC):
    """Runs an exported artifact; built as ``TargetClass(spec)`` with its ``DeployTargetSpec``."""

    def __init__(self, spec: Any) -> None:
        self.spec = spec

    @abstractmethod
    def deploy(self, artifact: Path, options: DeployOptions) -> DeployResult:
        """Run ``options.episodes`` episodes of the artifact's policy and measure them."""
