"""``docs/contract.md`` is executable and complete: its Python blocks run, and every name the code
exposes to plugin authors is described in it."""

from __future__ import annotations

import dataclasses
import inspect
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import motrixlab
import pytest
import typer.main
from motrixlab import hookspecs
from motrixlab.cli.app import app
from motrixlab.env import ABEnv, StatefulEnv
from motrixlab.npenv import NpEnv
from motrixlab.trainer import EvalResult, Run, RunResult, Trainer

CONTRACT = Path(__file__).resolve().parents[1] / "docs" / "contract.md"
TEXT = CONTRACT.read_text()
BLOCK = re.compile(r"^```(?P<lang>[a-z]*)\n(?P<body>.*?)^```$", re.M | re.S)


def blocks(lang: str) -> list[str]:
    return [m["body"] for m in BLOCK.finditer(TEXT) if m["lang"] == lang]


def section(title: str) -> str:
    """The text of the ``## `` section whose heading contains ``title``."""
    match = re.search(rf"^## [^\n]*{re.escape(title)}[^\n]*\n(.*?)(?=^## |\Z)", TEXT, re.M | re.S)
    assert match, f"docs/contract.md has no section {title!r}"
    return match[1]


def test_the_python_blocks_run_as_one_script(tmp_path):
    script = tmp_path / "contract_blocks.py"
    script.write_text("\n\n".join(blocks("python")))
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_the_entry_point_block_names_the_group():
    (toml,) = blocks("toml")
    assert list(tomllib.loads(toml)["project"]["entry-points"]) == [hookspecs.PROJECT]


def _mentioned(names, where: str = TEXT) -> list[str]:
    """The names that appear in no code span of ``where`` (as a whole word)."""
    spans = " ".join(re.findall(r"`[^`\n]+`", where))
    return [n for n in names if not re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", spans)]


def test_every_hook_is_described():
    hooks = [n for n, f in vars(hookspecs).items() if n.startswith("motrixlab_") and callable(f)]
    assert hooks and _mentioned(hooks, section("Plugins")) == []


@pytest.mark.parametrize(
    "spec", [motrixlab.EnvSpec, motrixlab.RLCfgSpec, motrixlab.TrainerSpec, motrixlab.DeployTargetSpec]
)
def test_every_spec_field_is_described(spec):
    assert _mentioned([f.name for f in dataclasses.fields(spec)], section("Plugins")) == []


@pytest.mark.parametrize("cfg", [motrixlab.RLCfg, motrixlab.PPOCfg])
def test_every_rl_config_field_is_described(cfg):
    assert _mentioned([f.name for f in dataclasses.fields(cfg)], section("RL configs")) == []


def test_every_env_cfg_field_and_protocol_member_is_described():
    env = section("Environments")
    names = [f.name for f in dataclasses.fields(motrixlab.EnvCfg)] + ["sim_substeps", "max_episode_steps", "validate"]
    for protocol in (ABEnv, StatefulEnv):
        names += [n for n in dir(protocol) if not n.startswith("_")]
    names += [n for n in inspect.get_annotations(ABEnv)]
    assert _mentioned(sorted(set(names)), env) == []


def test_every_npenv_hook_is_described():
    """Everything a task overrides or calls on NpEnv (its public names) is in the NpEnv section."""
    public = {n for n in vars(NpEnv) if not n.startswith("_")}
    assert {"refresh", "apply_action", "reset_rows"} <= public
    assert _mentioned(sorted(public), section("Environments")) == []


def test_the_step_order_names_every_hook_it_calls():
    order = TEXT[TEXT.index("**The step order.**") :]
    order = order[: order.index("```")]
    for hook in ("apply_action", "refresh(None)", "refresh(ids)", "compute_obs", "compute_reward"):
        assert hook in order
    for hook in ("compute_terminated", "reset_rows(ids)", "step_within_limits"):
        assert hook in order


def test_the_trainer_contract_is_described():
    trainers = section("Trainers")
    names = [n for n in Trainer.__abstractmethods__] + ["export_formats", "checkpoint_suffix"]
    for record in (Run, RunResult, EvalResult):
        names += [f.name for f in dataclasses.fields(record)]
    names += ["checkpoints", "to_json"]
    assert _mentioned(sorted(set(names)), trainers) == []


def test_the_public_api_is_described():
    assert _mentioned(sorted(set(motrixlab.__all__) - {"hookimpl"})) == []
    assert "@motrixlab.hookimpl" in TEXT


def _commands() -> dict:
    return dict(typer.main.get_command(app).commands)


def test_every_command_and_option_is_described():
    cli = section("The `motrixlab` command")
    rows = {m[1]: m[0] for m in re.finditer(r"^\| `([a-z]+)[^\n]*$", cli, re.M)}
    commands = _commands()
    assert sorted(rows) == sorted(commands)
    for name, command in commands.items():
        flags = [opt for p in command.params for opt in p.opts if opt.startswith("--")]
        missing = [f for f in flags if f not in rows[name]]
        assert missing == [], f"`motrixlab {name}` options missing from its row: {missing}"


def test_design_md_outside_the_repository_is_not_needed():
    root = CONTRACT.parents[1]
    readme = (root / "README.md").read_text()
    assert "docs/contract.md" in readme
    hits = [
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.suffix in {".md", ".py", ".toml"} and ".nox" not in p.parts and "DESIGN.md" in p.read_text(errors="ignore")
    ]
    assert hits == [str(Path(__file__).relative_to(root))]
