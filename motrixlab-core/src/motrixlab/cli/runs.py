"""``motrixlab runs`` and ``motrixlab plot``: every run at a glance, and its curves as a PNG."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from motrixlab.cli.common import console, print_json

COLUMNS = ("run", "env", "trainer", "seed", "steps", "status", "best", "last", "eval", "wall", "age")
RIGHT = ("seed", "steps", "best", "last", "eval")
#: what a narrow terminal leaves out first
DROP_ORDER = ("wall", "eval", "trainer", "seed", "env", "age", "last")
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
    from rich import box
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
    rows = []
    for i in infos:
        steps = f"{i.env_steps:,}" if i.env_steps is not None else "-"
        if i.max_env_steps and i.env_steps is not None and i.env_steps < i.max_env_steps:
            steps += f" ({100 * i.env_steps / i.max_env_steps:.0f}%)"
        cells = {
            "run": i.name,
            "env": i.env,
            "trainer": i.trainer_key,
            "seed": str(i.seed) if i.seed is not None else "-",
            "steps": steps,
            "status": i.status + (" !" if i.problems else ""),
            "best": num(i.best_return),
            "last": num(i.last_return),
            "eval": num(i.last_eval),
            "wall": duration(i.wall_seconds),
            "age": _ago(i.started),
        }
        rows.append(cells)
    # a terminal too narrow for every column loses the least needed ones first; a file or pipe gets all
    width = console.width if console.is_terminal else 10_000
    shown = list(COLUMNS)
    if env is not None:
        shown.remove("env")
    for col in DROP_ORDER:
        if sum(max(len(col), *(len(r[col]) for r in rows)) + 3 for col in shown) <= width:
            break
        if col in shown:
            shown.remove(col)
    table = Table(
        title=f"{len(infos)} run{'s' * (len(infos) != 1)} under {runs_root()}",
        box=box.SIMPLE_HEAD,
        title_justify="left",
    )
    for col in shown:
        table.add_column(col, justify="right" if col in RIGHT else "left", no_wrap=True, overflow="ellipsis")
    for cells in rows:
        status = cells["status"]
        style = STATUS_STYLE.get(status.split()[0], "dim")
        values = {**cells, "status": f"[{style}]{escape(status)}[/{style}]"}
        table.add_row(*(values[c] if c == "status" else escape(values[c]) for c in shown))
    if console.is_terminal:
        console.print(table)
    else:
        from rich.console import Console

        Console(highlight=False, width=10_000).print(table)
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
