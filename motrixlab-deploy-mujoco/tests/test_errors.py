"""Each fault is one line on stderr, exit status 1, nothing run."""

from __future__ import annotations

import json

import onnx
import pytest
from deploy_helpers import cli
from motrixlab.deploy import METADATA_KEY


def _one_line(code: int, err: str) -> str:
    assert code == 1
    assert err.startswith("motrixlab: error: ") and "\n" not in err, err
    return err


def test_unknown_target_names_the_package_to_install(cartpole_onnx, capsys):
    err = _one_line(*cli(capsys, "deploy", str(cartpole_onnx), "--target", "gazebo")[::2])
    assert "unknown deploy target 'gazebo'" in err and "installed: mujoco" in err
    assert "pip install motrixlab-deploy-gazebo" in err


def test_a_file_that_is_not_onnx(capsys, tmp_path):
    bad = tmp_path / "policy.onnx"
    bad.write_bytes(b"not a model")
    err = _one_line(*cli(capsys, "deploy", str(bad), "--target", "mujoco")[::2])
    assert "is not an ONNX model" in err


def test_a_model_mujoco_cannot_load(cartpole_onnx, capsys, tmp_path):
    model = onnx.load(str(cartpole_onnx))
    entry = next(p for p in model.metadata_props if p.key == METADATA_KEY)
    description = json.loads(entry.value)
    description["model"]["xml"] = description["model"]["xml"].replace('type="slide"', 'type="sliding"')
    entry.value = json.dumps(description)
    broken = tmp_path / "broken.onnx"
    onnx.save(model, str(broken))
    err = _one_line(*cli(capsys, "deploy", str(broken), "--target", "mujoco")[::2])
    assert "'cartpole.xml'" in err and "cannot be loaded by MuJoCo" in err


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--command", "1,2"), "--command: expected three numbers"),
        (("--episodes", "0"), "--episodes: must be positive"),
        (("--seconds", "-1"), "--seconds: must be a positive"),
        (("--video", "walk.mp4"), "--video"),
    ],
)
def test_bad_options(cartpole_onnx, capsys, args, words):
    err = _one_line(*cli(capsys, "deploy", str(cartpole_onnx), "--target", "mujoco", *args)[::2])
    assert words in err


def test_missing_artifact(capsys, tmp_path):
    err = _one_line(*cli(capsys, "deploy", str(tmp_path / "none.onnx"), "--target", "mujoco")[::2])
    assert "is not a file" in err
