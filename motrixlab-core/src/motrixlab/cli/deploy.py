"""``motrixlab deploy``: run an exported, self-describing policy file on a deploy target."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import typer

from motrixlab.cli.common import console, print_json, registry
from motrixlab.errors import ConfigError, PluginError


def _command(text: str | None) -> tuple[float, float, float] | None:
    if text is None:
        return None
    parts = text.split(",")
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        values = ()
    if len(values) != 3 or not all(math.isfinite(v) for v in values):
        raise ConfigError(f"--command: expected three numbers vx,vy,wz (m/s, m/s, rad/s), got {text!r}")
    return values  # type: ignore[return-value]


def _target(name: str) -> Any:
    from motrixlab.deploy import DeployTarget
    from motrixlab.imports import load_ref

    spec = registry().deploy_target(name)
    cls = load_ref(spec.entry, f"deploy target {name!r}")
    if not (isinstance(cls, type) and issubclass(cls, DeployTarget)):
        raise PluginError(f"deploy target {name!r}: {spec.entry!r} is not a motrixlab.deploy.DeployTarget subclass")
    return cls(spec)


def deploy(
    artifact: Path = typer.Argument(..., help="An exported ONNX policy with deploy metadata."),
    target: str = typer.Option(..., "--target", "-t", help="Deploy target (see `motrixlab plugins`)."),
    episodes: int = typer.Option(10, "--episodes", "-e", help="Episodes to run."),
    command: str | None = typer.Option(None, "--command", help="A fixed command vx,vy,wz instead of sampled ones."),
    seconds: float | None = typer.Option(None, "--seconds", help="Episode length (default: the training episode's)."),
    video: Path | None = typer.Option(None, "--video", help="Also record the first episode as an animated GIF."),
    seed: int = typer.Option(0, "--seed", help="Seed of initial states and commands."),
    compare: bool = typer.Option(
        False, "--compare", help="Also run the policy in MotrixSim on the same commands (the training engine)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Run an exported policy on a deploy target and report eval-like metrics."""
    from motrixlab.deploy import DeployOptions

    if episodes <= 0:
        raise ConfigError(f"--episodes: must be positive, got {episodes}")
    if seconds is not None and not (seconds > 0 and math.isfinite(seconds)):
        raise ConfigError(f"--seconds: must be a positive number of seconds, got {seconds:g}")
    if not artifact.is_file():
        raise ConfigError(f"artifact {str(artifact)!r} is not a file")
    if video is not None and (video.suffix.lower() != ".gif" or not video.parent.is_dir() or video.is_dir()):
        raise ConfigError(f"--video: {str(video)!r} must be a .gif file in an existing directory")
    options = DeployOptions(
        episodes=episodes, seconds=seconds, command=_command(command), seed=seed, video=video, compare=compare
    )
    result = _target(target).deploy(artifact, options)
    if as_json:
        print_json(result.to_json())
        return
    _print(result)


def _print(result: Any) -> None:
    from rich.table import Table

    title = f"{result.env} on {result.target}: {result.episodes} episodes of up to {result.seconds:g} s"
    table = Table(title=title)
    table.add_column("metric")
    table.add_column(result.target, justify="right")
    ref = result.reference
    if ref is not None:
        table.add_column(ref["engine"], justify="right")
    for key, value in result.metrics.items():
        cells = [key, _fmt(value)]
        if ref is not None:
            cells.append(_fmt(ref["metrics"].get(key)))
        table.add_row(*cells)
    console.print(table)
    if result.video:
        console.print(f"video: {result.video}")


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4g}"


def register(app: typer.Typer) -> None:
    app.command("deploy")(deploy)
