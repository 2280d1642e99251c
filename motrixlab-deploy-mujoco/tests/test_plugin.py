"""The installed package registers the ``mujoco`` target without importing MuJoCo or onnxruntime."""

from __future__ import annotations

import json
import subprocess
import sys

from deploy_helpers import cli


def test_plugins_lists_the_mujoco_target(capsys):
    code, out, err = cli(capsys, "plugins", "--json")
    assert code == 0, err
    (mine,) = [p for p in json.loads(out) if p["name"] == "mujoco"]
    assert mine["distribution"] == "motrixlab-deploy-mujoco" and mine["deploy_targets"] == ["mujoco"]
    assert mine["errors"] == []
    code, out, _ = cli(capsys, "plugins")
    assert code == 0 and "deploy targets" in out


def test_listing_imports_neither_mujoco_nor_onnxruntime():
    code = (
        "import sys; from motrixlab.cli.app import main\n"
        "try:\n    main(['plugins', '--json'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('mujoco', 'onnxruntime', 'onnx') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert "HEAVY []" in proc.stdout
