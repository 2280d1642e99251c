"""``motrixlab plugins``: which plugins were found, from which distribution, and what they did."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from motrixlab.cli.common import console, print_json, registry


def plugins(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """List plugins: name, distribution, version, what each registered, and errors."""
    reg = registry()
    infos = sorted(reg.plugins.values(), key=lambda p: p.name)
    if as_json:
        print_json([p.to_json() for p in infos])
        return
    if not infos:
        console.print("No plugins installed.")
        return
    table = Table(title=f"{len(infos)} plugins")
    for col in ("plugin", "distribution", "version", "registered", "status"):
        table.add_column(col)
    for p in infos:
        parts = []
        if p.envs:
            parts.append(f"{len(p.envs)} envs: {', '.join(p.envs)}")
        if p.rl_cfgs:
            parts.append(f"{len(p.rl_cfgs)} RL configs")
        if p.trainers:
            parts.append(f"trainers: {', '.join(p.trainers)}")
        if p.deploy_targets:
            parts.append(f"deploy targets: {', '.join(p.deploy_targets)}")
        status = "disabled" if p.disabled else ("[red]" + escape("; ".join(p.errors)) + "[/red]" if p.errors else "ok")
        cells = (p.name, p.distribution or "-", p.version or "-", "\n".join(parts) or "-")
        table.add_row(*map(escape, cells), status)
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("plugins")(plugins)
