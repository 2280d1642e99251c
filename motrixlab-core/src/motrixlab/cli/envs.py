"""``motrixlab list`` and ``motrixlab info``: what environments are installed and what they take."""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from motrixlab.cli.common import console, print_json, registry
from motrixlab.errors import UnknownNameError
from motrixlab.names import did_you_mean, one_of

INSTALL_HINT = (
    "Install some with: pip install motrixlab-envs-basic motrixlab-envs-locomotion "
    "motrixlab-envs-manipulation (or any package providing a 'motrixlab' plugin)"
)


def list_envs(
    domain: str | None = typer.Option(None, "--domain", help="Only environments of this domain."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """List every installed environment, from every plugin."""
    reg = registry()
    specs = sorted(reg.envs.values(), key=lambda s: (s.domain, s.name))
    if domain is not None:
        domains = {s.domain for s in specs}
        if domain not in domains and specs:
            raise UnknownNameError(
                f"unknown domain {domain!r}{did_you_mean(domain, domains)}; domains: {one_of(domains)}"
            )
        specs = [s for s in specs if s.domain == domain]
    if as_json:
        print_json(
            [
                {
                    "name": s.name,
                    "domain": s.domain,
                    "description": s.description,
                    "plugin": s.plugin,
                    "distribution": reg.plugins[s.plugin].distribution,
                    "tags": list(s.tags),
                }
                for s in specs
            ]
        )
        return
    if not specs:
        where = f" in domain {domain!r}" if domain else ""
        console.print(f"No environments installed{where}.")
        if not reg.envs:
            console.print(INSTALL_HINT)
        else:
            console.print(f"Domains: {', '.join(sorted({s.domain for s in reg.envs.values()}))}")
        return
    table = Table(title=f"{len(specs)} environments")
    for col in ("name", "domain", "description", "plugin"):
        table.add_column(col)
    for s in specs:
        dist = reg.plugins[s.plugin].distribution or s.plugin
        table.add_row(*map(escape, (s.name, s.domain, s.description, dist)))
    console.print(table)


def _fields(cfg: Any, prefix: str = "") -> list[tuple[str, str, Any]]:
    from motrixlab.overrides import type_name

    hints = typing.get_type_hints(type(cfg))
    rows: list[tuple[str, str, Any]] = []
    for f in dataclasses.fields(cfg):
        if not f.init:
            continue
        value = getattr(cfg, f.name)
        if dataclasses.is_dataclass(value):
            rows += _fields(value, f"{prefix}{f.name}.")
        else:
            rows.append((prefix + f.name, type_name(hints.get(f.name, type(value))), value))
    return rows


def info(
    env: str = typer.Argument(..., help="Environment name (see `motrixlab list`)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Show an environment's config fields, spaces, plugin and trainer backends."""
    from motrixlab.factory import make_env_cfg
    from motrixlab.fielddocs import describe
    from motrixlab.imports import load_ref
    from motrixlab.plugins import missing_modules

    reg = registry()
    spec = reg.env(env)
    cfg = make_env_cfg(spec)
    docs = describe(cfg)
    env_obj = load_ref(spec.env, f"env {env!r}")(cfg, num_envs=1, seed=0)
    try:
        obs_space, act_space = env_obj.observation_space, env_obj.action_space
    finally:
        env_obj.close()
    backends = []
    for t in reg.trainer_backends():
        rl = reg.rl_cfg_spec(env, t.trainer, t.backend)
        installed = not missing_modules(t.requires)
        backends.append(
            {
                "backend": t.key,
                "installed": installed,
                "rl_cfg": rl.cfg if rl else (t.default_cfg or None),
                "notes": list(_cfg_notes(env, t, reg)) if installed else [],
            }
        )
    plugin = reg.plugins[spec.plugin]
    data = {
        "name": spec.name,
        "domain": spec.domain,
        "description": spec.description,
        "plugin": spec.plugin,
        "distribution": plugin.distribution,
        "version": plugin.version,
        "cfg_class": spec.cfg,
        "env_class": spec.env,
        "fields": [{"name": n, "type": t, "default": v, "doc": docs.get(n, "")} for n, t, v in _fields(cfg)],
        "sim_substeps": cfg.sim_substeps,
        "max_episode_steps": cfg.max_episode_steps,
        "observation_space": {"shape": list(obs_space.shape), "dtype": str(obs_space.dtype)},
        "action_space": {
            "shape": list(act_space.shape),
            "dtype": str(act_space.dtype),
            "low": act_space.low.tolist(),
            "high": act_space.high.tolist(),
        },
        "backends": backends,
    }
    if as_json:
        print_json(data)
        return
    console.print(f"[bold]{escape(spec.name)}[/bold]  ({escape(spec.domain)})  {escape(spec.description)}")
    console.print(escape(f"plugin: {spec.plugin} ({plugin.distribution or '?'} {plugin.version or ''})"))
    console.print(escape(f"config: {spec.cfg}   env: {spec.env}"))
    console.print(
        f"observation: Box{tuple(obs_space.shape)} {obs_space.dtype}   "
        f"action: Box{tuple(act_space.shape)} {act_space.dtype} "
        f"in [{float(act_space.low.min()):g}, {float(act_space.high.max()):g}]"
    )
    console.print(
        f"control: {cfg.sim_substeps} physics steps of {cfg.sim_dt:g} s per action; "
        f"episodes of {cfg.max_episode_steps} steps"
    )
    table = Table(title="config fields (override with --set env.<field>=<value>)")
    for col in ("field", "type", "default", "meaning"):
        table.add_column(col)
    for name, tp, value in _fields(cfg):
        table.add_row(escape(name), escape(tp), escape(repr(value)), escape(docs.get(name, "")))
    console.print(table)
    if backends:
        for b in backends:
            state = "installed" if b["installed"] else "framework missing"
            console.print(escape(f"backend {b['backend']}: {state}; RL config {b['rl_cfg'] or '(none)'}"))
            for note in b["notes"]:
                console.print(escape(f"  note: {note}"))
    else:
        console.print(escape("backends: none installed (pip install 'motrixlab-trainer-skrl[torch]')"))


def _cfg_notes(env: str, spec: Any, reg: Any) -> tuple[str, ...]:
    """What the backend says it cannot honour in the env's RL config (nothing if that cannot be told)."""
    from motrixlab.cli.train import _trainer
    from motrixlab.errors import MotrixLabError
    from motrixlab.factory import make_rl_cfg

    try:
        return tuple(_trainer(spec).cfg_notes(make_rl_cfg(env, spec, registry=reg)))
    except MotrixLabError:
        return ()


def register(app: typer.Typer) -> None:
    app.command("list")(list_envs)
    app.command("info")(info)
