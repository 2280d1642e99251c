"""``motrixlab runs`` and ``motrixlab plot``: every run at a glance, and its curves as a PNG."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from motrixlab.cli.common import console, print_json

STATUS_STYLE = {"running": "bold green", "finished": "green", "interrupted": "yellow", "crashed": "red"}


def _ago(t: float | None) -> str:
    """Coarse age: 42s, 17m, 3h05m, 2d04h."""
    if t is None:
        return "-"
    s = max(0, int(time.time() - t))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m"
    if s < 86400:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    return f"{s // 86400}d{s % 86400 // 3600:02d}h"


def runs(
    env: str | None = typer.Argument(None, help="Only the runs of this environment."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """List runs, newest first: env, trainer/backend, seed, steps, status, best and last return, age."""
    from rich.markup import escape
    from rich.table import Table

    from motrixlab.monitor import duration, num
    from motrixlab.runinfo import scan_runs
    from motrixlab.runs import runs_root

    infos = scan_runs(env=env)
    if as_json:
        print_json([i.to_json() for i in infos])
        return
    if not infos:
        console.print(f"No runs under {runs_root()}; train one with: motrixlab train ENV")
        return
    table = Table(title=f"{len(infos)} runs under {runs_root()}")
    for col in ("run", "env", "trainer", "seed", "steps", "status", "best", "last", "eval", "wall", "age"):
        table.add_column(col, justify="right" if col in ("seed", "steps", "best", "last", "eval") else "left")
    for i in infos:
        steps = f"{i.env_steps:,}" if i.env_steps is not None else "-"
        if i.max_env_steps and i.env_steps is not None and i.env_steps < i.max_env_steps:
            steps += f" ({100 * i.env_steps / i.max_env_steps:.0f}%)"
        style = STATUS_STYLE.get(i.status, "dim")
        status = f"[{style}]{i.status}[/{style}]" + (" [red]![/red]" if i.problems else "")
        table.add_row(
            escape(i.name),
            escape(i.env),
            escape(i.trainer_key),
            str(i.seed) if i.seed is not None else "-",
            steps,
            status,
            num(i.best_return),
            num(i.last_return),
            num(i.last_eval),
            duration(i.wall_seconds),
            _ago(i.started),
        )
    console.print(table)
    for i in infos:
        for problem in i.problems:
            console.print(escape(f"! {i.env}/{i.name}: {problem}"), style="red")


def plot(
    run: list[str] = typer.Argument(..., help="Runs: an env name (its latest run), a run name or a run directory."),
    metric: list[str] = typer.Option([], "--metric", "-m", help="Metric to plot (repeatable); default: the returns."),
    out: Path | None = typer.Option(None, "--out", "-o", help="PNG to write (default: curves.png in the run)."),
    last: int = typer.Option(1, "--last", help="For an env name: its N latest runs, as a mean with a min/max band."),
    x: str = typer.Option("steps", "--x", help="x axis: steps (env steps) or time (wall seconds)."),
) -> None:
    """Plot runs' metrics.jsonl curves to a PNG and print its path."""
    from motrixlab.errors import ConfigError
    from motrixlab.plot import plot as draw
    from motrixlab.plot import require_matplotlib
    from motrixlab.runinfo import resolve_run_refs

    require_matplotlib()
    if last < 1:
        raise ConfigError(f"--last: must be positive, got {last}")
    dirs = resolve_run_refs(run, last=last)
    if out is None:
        out = dirs[0] / "curves.png" if len(dirs) == 1 else Path("curves.png")
    written = draw(dirs, out, metrics=metric, x=x, band=last > 1)
    console.print(str(written), soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("runs")(runs)
    app.command("plot")(plot)
