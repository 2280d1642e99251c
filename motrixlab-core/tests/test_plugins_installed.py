"""Plugins as users get them: packages built from source and installed with a real ``pip install``
into a fresh venv, then seen (or not) by the ``motrixlab`` command line.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from motrixlab_testenv import freshvenv

SLIDER_XML = Path(freshvenv.__file__).with_name("slider.xml")

GOOD_PLUGIN = """\
import motrixlab


@motrixlab.hookimpl
def motrixlab_register_envs(register):
    register(motrixlab.EnvSpec(
        name="venv-slider",
        cfg="mlx_venv_good.env:GoodCfg",
        env="mlx_venv_good.env:GoodEnv",
        domain="venv",
        description="A slider shipped by a pip-installed package",
    ))
"""

GOOD_ENV = """\
from dataclasses import dataclass
from pathlib import Path

from motrixlab_testenv.env import SliderCfg, SliderEnv


@dataclass(kw_only=True)
class GoodCfg(SliderCfg):
    model_file: str = str(Path(__file__).with_name("model.xml"))
    max_angle: float = 0.25


class GoodEnv(SliderEnv):
    pass
"""

STEP_IN_VENV = """\
import json
import numpy as np
import motrixlab

env = motrixlab.make("venv-slider", num_envs=3, seed=0)
obs, _ = env.reset()
obs, reward, term, trunc, info = env.step(np.ones((3, 1), np.float32))
print(json.dumps({"model_file": env.cfg.model_file, "max_angle": env.cfg.max_angle,
                  "obs_shape": list(obs.shape), "cart_vel": obs[:, 2].tolist()}))
"""


def list_json(venv: freshvenv.FreshVenv, **env: str) -> tuple[dict[str, dict], str]:
    proc = venv.cli("list", "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    return {e["name"]: e for e in json.loads(proc.stdout)}, proc.stderr


def test_pip_install_makes_an_env_appear_and_uninstall_removes_it(tmp_path):
    venv = freshvenv.create(tmp_path / "venv")
    project = freshvenv.write_project(
        tmp_path / "mlx-venv-good",
        dist="mlx-venv-good",
        entry="venvgood",
        module="mlx_venv_good",
        files={"plugin.py": GOOD_PLUGIN, "env.py": GOOD_ENV, "model.xml": SLIDER_XML.read_text()},
    )
    before, _ = list_json(venv)
    assert "venv-slider" not in before
    assert "test-slider" in before  # the current environment's plugins are visible too

    venv.install(project)
    after, _ = list_json(venv)
    assert after["venv-slider"] == {
        "name": "venv-slider",
        "domain": "venv",
        "description": "A slider shipped by a pip-installed package",
        "plugin": "venvgood",
        "distribution": "mlx-venv-good",
        "tags": [],
    }
    table = venv.cli("list", "--domain", "venv")
    assert table.returncode == 0 and "venv-slider" in table.stdout and "test-slider" not in table.stdout
    plugins = {p["name"]: p for p in json.loads(venv.cli("plugins", "--json").stdout)}
    assert plugins["venvgood"]["distribution"] == "mlx-venv-good" and plugins["venvgood"]["version"] == "0.1.0"
    assert plugins["venvgood"]["envs"] == ["venv-slider"] and plugins["venvgood"]["errors"] == []

    # The env runs from the installed copy, model file included as package data.
    proc = venv.run("-c", STEP_IN_VENV)
    assert proc.returncode == 0, proc.stderr
    stepped = json.loads(proc.stdout)
    assert Path(stepped["model_file"]).is_relative_to(venv.site_packages)
    assert stepped["max_angle"] == 0.25 and stepped["obs_shape"] == [3, 4]
    assert all(v > 0 for v in stepped["cart_vel"])

    venv.uninstall("mlx-venv-good")
    gone, _ = list_json(venv)
    assert "venv-slider" not in gone and "test-slider" in gone


# ---- a venv full of broken plugins --------------------------------------------------------------

BROKEN_IMPORT = """\
raise RuntimeError("plugin import exploded")
"""

MISSPELLED_HOOK = """\
import motrixlab


@motrixlab.hookimpl
def motrixlab_register_env(register):
    register(motrixlab.EnvSpec(name="zoo-typo", cfg="a.b:C", env="a.b:D"))
"""

DUPLICATE = """\
import motrixlab


@motrixlab.hookimpl
def motrixlab_register_envs(register):
    for name in ("zoo-slider", "zoo-slider-2"):
        register(motrixlab.EnvSpec(name=name, cfg="motrixlab_testenv.env:SliderCfg",
                                   env="motrixlab_testenv.env:SliderEnv", domain="zoo"))
"""

ZOO_GOOD = DUPLICATE.replace('("zoo-slider", "zoo-slider-2")', '("zoo-slider",)')

ZOO = {  # entry-point name: (distribution, module, plugin source); loaded in entry-point name order
    "zoobroken": ("mlx-zoo-broken", "mlx_zoo_broken", BROKEN_IMPORT),
    "zoogood": ("mlx-zoo-good", "mlx_zoo_good", ZOO_GOOD),
    "zootypo": ("mlx-zoo-typo", "mlx_zoo_typo", MISSPELLED_HOOK),
    "zoozdup": ("mlx-zoo-dup", "mlx_zoo_dup", DUPLICATE),
}
BAD = ("zoobroken", "zootypo", "zoozdup")


@pytest.fixture(scope="session")
def zoo(tmp_path_factory) -> freshvenv.FreshVenv:
    root = tmp_path_factory.mktemp("zoo")
    venv = freshvenv.create(root / "venv")
    projects = [
        freshvenv.write_project(root / dist, dist=dist, entry=entry, module=module, files={"plugin.py": source})
        for entry, (dist, module, source) in ZOO.items()
    ]
    venv.install(*projects)
    yield venv
    shutil.rmtree(root, ignore_errors=True)


def zoo_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "zoo" in line]


def test_broken_plugins_are_reported_once_and_skipped(zoo):
    envs, stderr = list_json(zoo)
    assert envs["zoo-slider"]["distribution"] == "mlx-zoo-good"
    assert envs["zoo-slider-2"]["distribution"] == "mlx-zoo-dup"  # the rest of the duplicate plugin counts
    assert "zoo-typo" not in envs and "test-slider" in envs
    lines = zoo_lines(stderr)
    assert len(lines) == 3, stderr
    broken, typo, dup = lines
    assert broken == (
        "motrixlab: warning: plugin 'zoobroken': failed to import 'mlx_zoo_broken.plugin': "
        "RuntimeError: plugin import exploded"
    )
    assert typo.startswith("motrixlab: warning: plugin 'zootypo': unknown hook 'motrixlab_register_env'")
    assert "(did you mean 'motrixlab_register_envs'?)" in typo
    assert dup == (
        "motrixlab: warning: plugin 'zoozdup': environment 'zoo-slider' is registered by both "
        "'mlx-zoo-good' and 'mlx-zoo-dup'; keeping the one from 'mlx-zoo-good'"
    )
    assert "Traceback" not in stderr


def test_the_table_output_works_despite_broken_plugins(zoo):
    proc = zoo.cli("list")
    assert proc.returncode == 0
    assert "zoo-slider" in proc.stdout and "mlx-zoo-good" in proc.stdout
    assert len(zoo_lines(proc.stderr)) == 3


def test_plugins_command_shows_each_plugins_errors(zoo):
    proc = zoo.cli("plugins", "--json")
    assert proc.returncode == 0
    plugins = {p["name"]: p for p in json.loads(proc.stdout)}
    assert plugins["zoobroken"]["distribution"] == "mlx-zoo-broken"
    assert plugins["zoobroken"]["envs"] == [] and "plugin import exploded" in plugins["zoobroken"]["errors"][0]
    assert plugins["zootypo"]["envs"] == [] and len(plugins["zootypo"]["errors"]) == 1
    assert plugins["zoozdup"]["envs"] == ["zoo-slider-2"] and len(plugins["zoozdup"]["errors"]) == 1
    assert plugins["zoogood"]["errors"] == []
    table = zoo.cli("plugins", env={"COLUMNS": "300"})
    assert table.returncode == 0 and "plugin import exploded" in table.stdout


def test_strict_mode_makes_plugin_errors_fatal_with_one_line(zoo):
    proc = zoo.cli("list", env={"MOTRIXLAB_STRICT_PLUGINS": "1"})
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("motrixlab: error: plugin '")
    assert lines[0].endswith("(strict mode: MOTRIXLAB_STRICT_PLUGINS=1)")
    assert proc.stdout == ""


def test_disabled_plugins_are_skipped(zoo):
    disable = {"MOTRIXLAB_DISABLE_PLUGINS": ",".join(BAD)}
    envs, stderr = list_json(zoo, **disable)
    assert zoo_lines(stderr) == []
    assert "zoo-slider" in envs and "zoo-slider-2" not in envs
    plugins = {p["name"]: p for p in json.loads(zoo.cli("plugins", "--json", env=disable).stdout)}
    assert all(plugins[name]["disabled"] and not plugins[name]["errors"] for name in BAD)
    assert not plugins["zoogood"]["disabled"]
    # with the bad ones disabled, strict mode has nothing to complain about in the zoo
    strict = zoo.cli("list", "--json", env={**disable, "MOTRIXLAB_STRICT_PLUGINS": "1"})
    assert "zoo" not in strict.stderr
