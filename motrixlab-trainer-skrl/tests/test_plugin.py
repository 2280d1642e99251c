"""Registration: two backends, lazy framework imports, a generic default config."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from motrixlab.plugins import discover
from motrixlab.rlcfg import PPOCfg


def test_registers_torch_and_jax_backends_with_requirements_and_hints():
    reg = discover(warn=lambda _: None)
    torch_spec = reg.trainers["skrl/torch"]
    jax_spec = reg.trainers["skrl/jax"]
    assert torch_spec.requires == ("torch", "skrl")
    assert jax_spec.requires == ("jax", "flax", "optax", "skrl")
    assert torch_spec.install_hint == "pip install 'motrixlab-trainer-skrl[torch]'"
    assert jax_spec.install_hint == "pip install 'motrixlab-trainer-skrl[jax]'"
    assert torch_spec.plugin == jax_spec.plugin == "skrl"
    for spec in (torch_spec, jax_spec):
        from motrixlab.imports import load_ref

        assert load_ref(spec.default_cfg) is PPOCfg


def _modules_after(code: str) -> set[str]:
    probe = code + "\nimport json, sys\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(json.loads(proc.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "code",
    [
        "import motrixlab_trainer_skrl.plugin",
        "from motrixlab_trainer_skrl.skrl_trainer import TorchTrainer, JaxTrainer",
        "from motrixlab.plugins import get_registry; get_registry().trainer('skrl', 'jax')",
    ],
)
def test_plugin_and_trainer_classes_import_no_framework(code):
    loaded = _modules_after(code)
    assert loaded.isdisjoint({"torch", "jax", "jaxlib", "flax", "optax", "skrl", "tensorboard"}), loaded


def test_torch_backend_does_not_import_jax():
    loaded = _modules_after("import motrixlab_trainer_skrl.torch_agent")
    assert "torch" in loaded and "skrl" in loaded
    assert loaded.isdisjoint({"jax", "jaxlib", "flax", "optax"})


def test_jax_backend_does_not_import_torch():
    loaded = _modules_after("import motrixlab_trainer_skrl.jax_agent")
    assert "jax" in loaded and "flax" in loaded
    assert "torch" not in loaded


def test_training_on_jax_never_imports_torch(tmp_path):
    code = (
        "import os\n"
        f"os.environ['MOTRIXLAB_RUNS_DIR'] = {str(tmp_path)!r}\n"
        "from motrixlab.cli.app import main\n"
        "try:\n"
        "    main(['train', 'test-slider', '--backend', 'jax', '--max-steps', '256', '--no-progress',\n"
        "          '--set', 'rl.num_envs=16', '--set', 'rl.rollouts=8', '--set', 'rl.mini_batches=2'])\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code\n"
    )
    loaded = _modules_after(code)
    assert "jax" in loaded and "skrl" in loaded
    assert "torch" not in loaded
    assert list(tmp_path.glob("test-slider/*/checkpoints/latest.ckpt"))
