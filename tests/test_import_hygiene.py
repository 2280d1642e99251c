"""Listing what is installed stays cheap: no physics engine, no ML framework, no env code."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import entry_points

import pytest

HEAVY = (
    "motrixsim",
    "numba",
    "torch",
    "jax",
    "jaxlib",
    "flax",
    "optax",
    "skrl",
    "rsl_rl",
    "tensordict",
    "tensorboard",
    "tensorflow",
)
FRAMEWORKS = ("torch", "jax", "jaxlib", "flax", "optax", "skrl", "rsl_rl", "tensordict", "tensorflow")

RUN_CLI = """\
import json, sys
from motrixlab.cli.app import main
try:
    main({args!r})
except SystemExit as exc:
    code = exc.code
sys.stdout.flush()
print("\\n@@modules@@" + json.dumps(sorted(sys.modules)))
"""


def cli_modules(*args: str) -> set[str]:
    proc = subprocess.run([sys.executable, "-c", RUN_CLI.format(args=list(args))], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return set(json.loads(proc.stdout.split("@@modules@@")[1]))


def top(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


@pytest.mark.parametrize("args", [("list",), ("list", "--json"), ("plugins", "--json"), ("list", "--domain", "test")])
def test_listing_imports_no_engine_no_framework_and_only_plugin_modules(args):
    modules = cli_modules(*args)
    assert top(modules).isdisjoint(HEAVY), sorted(top(modules) & set(HEAVY))
    plugin_modules = {ep.value for ep in entry_points(group="motrixlab")}
    packages = {value.split(".")[0] for value in plugin_modules}
    loaded = {m for m in modules if m.split(".")[0] in packages}
    allowed = plugin_modules | packages
    assert loaded <= allowed, f"{args}: plugin code beyond the plugin modules: {sorted(loaded - allowed)}"
    assert plugin_modules <= modules  # every plugin was loaded


def test_env_code_never_imports_a_learning_framework():
    code = """\
import json, sys
from motrixlab.imports import load_ref
from motrixlab.plugins import get_registry
reg = get_registry()
errors = []
for ref in [r for s in reg.envs.values() for r in (s.cfg, s.env)] + [s.cfg for s in reg.rl_cfgs]:
    try:
        load_ref(ref)
    except Exception as exc:
        errors.append(str(exc))
print(json.dumps({"envs": sorted(reg.envs), "errors": errors, "modules": sorted(sys.modules)}))
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert "test-slider" in out["envs"]
    assert top(set(out["modules"])).isdisjoint(FRAMEWORKS), sorted(top(set(out["modules"])) & set(FRAMEWORKS))
    assert out["errors"] == []
