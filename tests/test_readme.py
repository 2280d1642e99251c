"""The README is executable: its plugin guide installs and trains, and its commands parse."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from motrixlab.cli.app import app
from motrixlab.plugins import discover
from motrixlab_testenv import freshvenv

README = Path(__file__).resolve().parents[1] / "README.md"
TEXT = README.read_text()

GUIDE_FILE = re.compile(r"^\*\*`(?P<path>mylab-envs/[^`]+)`\*\*.*?^```[a-z]*\n(?P<body>.*?)^```$", re.M | re.S)

PD_CONTROL = """\
import json
import numpy as np
import motrixlab

def episode(policy, **overrides):
    env = motrixlab.make("cart-reach", num_envs=64, seed=0, overrides=overrides)
    obs, _ = env.reset()
    total = np.zeros(64)
    for _ in range(env.max_episode_steps):
        obs, reward, terminated, truncated, info = env.step(policy(obs))
        assert reward.dtype == np.float32 and not terminated.any()
        total += reward
    assert truncated.all()
    # the last step's distance and observation come before the reset that starts the next episode
    return float(total.mean()), float(info["log"]["distance"].max()), float(np.abs(info["final_obs"][:, 0]).max())

rng = np.random.default_rng(0)
pd = lambda obs: np.clip(4.0 * obs[:, :1] - 0.6 * obs[:, 1:2], -1, 1).astype(np.float32)
rand = lambda obs: rng.uniform(-1, 1, (len(obs), 1)).astype(np.float32)
print(json.dumps({"pd": episode(pd), "random": episode(rand), "narrow": episode(pd, target_range=0.1)}))
"""


def guide_files() -> dict[str, str]:
    return {m["path"]: m["body"] for m in GUIDE_FILE.finditer(TEXT)}


def test_the_guide_has_every_file_of_the_package():
    assert set(guide_files()) == {
        "mylab-envs/pyproject.toml",
        "mylab-envs/src/mylab_envs/__init__.py",
        "mylab-envs/src/mylab_envs/cart.xml",
        "mylab-envs/src/mylab_envs/cart_reach.py",
        "mylab-envs/src/mylab_envs/plugin.py",
    }


@pytest.fixture(scope="module")
def guide_venv(tmp_path_factory) -> freshvenv.FreshVenv:
    root = tmp_path_factory.mktemp("guide")
    for path, body in guide_files().items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(body)
    venv = freshvenv.create(root / "venv")
    venv.install(root / "mylab-envs")
    return venv


def test_the_guide_plugin_lists_and_describes_its_env(guide_venv):
    proc = guide_venv.cli("list", "--domain", "mylab", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == [
        {
            "name": "cart-reach",
            "domain": "mylab",
            "description": "Push a cart along a rail to a random target",
            "plugin": "mylab",
            "distribution": "mylab-envs",
            "tags": [],
        }
    ]
    assert "mylab" not in proc.stderr  # no plugin warnings
    info = json.loads(guide_venv.cli("info", "cart-reach", "--json").stdout)
    fields = {f["name"]: f["default"] for f in info["fields"]}
    assert fields["target_range"] == 0.8 and fields["effort_cost"] == 0.05
    assert info["observation_space"]["shape"] == [3] and info["action_space"]["shape"] == [1]
    for backend in info["backends"]:
        if backend["backend"].startswith("skrl/"):
            assert backend["rl_cfg"] == "mylab_envs.cart_reach:CartReachPPO"


def test_the_guide_env_steps_and_rewards_reaching_the_target(guide_venv):
    proc = guide_venv.run("-c", PD_CONTROL)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    pd_return, pd_distance, pd_error = result["pd"]
    random_return, random_distance, _ = result["random"]
    assert pd_return > 170 and pd_distance < 0.01 and pd_error < 0.01  # PD parks every cart on its target
    assert random_return < 130 and random_distance > 0.2
    assert result["narrow"][0] > pd_return  # closer targets (target_range override) are reached sooner


def test_the_guide_env_trains(guide_venv, tmp_path):
    proc = guide_venv.cli(
        "train", "cart-reach", "--max-steps", "4096", "--num-envs", "64", "--no-progress",
        env={"MOTRIXLAB_RUNS_DIR": str(tmp_path)}, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    (run,) = (tmp_path / "cart-reach").iterdir()
    config = json.loads((run / "config.json").read_text())
    assert json.dumps(config).count('"rollouts": 32') == 1  # CartReachPPO, from the plugin
    summary = json.loads((run / "summary.json").read_text())
    assert summary["env_steps"] >= 4096


# ---- the rest of the README ---------------------------------------------------------------------


def readme_commands() -> list[list[str]]:
    commands = []
    for block in re.findall(r"^```bash\n(.*?)^```$", TEXT, re.M | re.S):
        for line in block.splitlines():
            line = line.split("#")[0].strip()
            if line.startswith("motrixlab "):
                commands.append(shlex.split(line)[1:])
    return commands


@pytest.mark.parametrize("args", readme_commands(), ids=" ".join)
def test_readme_commands_parse(args):
    group = typer.main.get_command(app)
    ctx = group.make_context("motrixlab", list(args), resilient_parsing=False)
    rest = [*getattr(ctx, "_protected_args", []), *ctx.args]
    name, command, rest = group.resolve_command(ctx, rest)
    command.make_context(name, rest, parent=ctx)  # raises on an unknown option or a missing argument


def test_readme_env_table_names_installed_envs():
    table = TEXT.split("## Environments")[1].split("## ")[0]
    named = set(re.findall(r"`([a-z0-9-]+)`", table)) - {"motrixlab-envs-basic", "motrixlab-envs-locomotion"}
    named -= {"motrixlab-envs-manipulation"}
    assert len(named) >= 10
    installed = set(discover(warn=lambda message: None).envs)
    assert named <= installed, sorted(named - installed)


def test_readme_quick_start_installs_every_package():
    quick = TEXT.split("## Quick start")[1].split("## ")[0]
    for package in sorted(p.parent.name for p in README.parent.glob("motrixlab-*/pyproject.toml")):
        assert f"./{package}" in quick, package


def test_readme_python_example_runs():
    section = TEXT.split("## From Python")[1].split("## ")[0]
    (code,) = re.findall(r"^```python\n(.*?)^```$", section, re.M | re.S)
    code += "\nassert obs.shape[0] == 1024 and env.cfg.max_episode_seconds == 5.0\nprint('ok')\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith("ok")
