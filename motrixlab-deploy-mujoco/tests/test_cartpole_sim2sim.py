"""A cartpole policy trained in MotrixSim balances in MuJoCo, driven only by its exported file."""

from __future__ import annotations

import json

import pytest
from deploy_helpers import cli

RESULT_KEYS = {
    "schema",
    "version",
    "target",
    "artifact",
    "env",
    "episodes",
    "seconds",
    "seed",
    "metrics",
    "per_episode",
    "reference",
    "video",
}
METRIC_KEYS = {"fall_rate", "mean_length_s", "mean_length_steps", "mean_return", "lin_vel_error", "ang_vel_error"}


def test_cartpole_balances_in_mujoco_beside_motrixsim(cartpole_onnx, capsys):
    code, out, err = cli(
        capsys, "deploy", str(cartpole_onnx), "--target", "mujoco", "--episodes", "20", "--compare", "--json"
    )
    assert code == 0, err
    result = json.loads(out)
    assert set(result) == RESULT_KEYS and set(result["metrics"]) == METRIC_KEYS
    assert result["schema"] == "motrixlab.deploy.result" and result["env"] == "cartpole"
    assert result["episodes"] == len(result["per_episode"]) == 20 and result["seconds"] == pytest.approx(10.0)
    balanced = [not e["fell"] and e["length_steps"] == 1000 for e in result["per_episode"]]
    assert sum(balanced) >= 19, result["per_episode"]  # >= 95 % of full episodes
    assert result["metrics"]["mean_return"] == pytest.approx(result["metrics"]["mean_length_steps"])
    assert result["metrics"]["lin_vel_error"] is None  # cartpole has no command
    ref = result["reference"]
    assert ref["engine"] == "motrixsim" and ref["metrics"]["fall_rate"] <= 0.05


def test_an_untrained_policy_is_seen_to_fall(cartpole_onnx, capsys, tmp_path):
    """The same file with its last layer zeroed except a constant push: every episode ends early."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(cartpole_onnx))
    inits = list(model.graph.initializer)
    last_w, last_b = [i for i in inits if len(numpy_helper.to_array(i).shape) == 2][-1], None
    for init in inits:
        if len(numpy_helper.to_array(init).shape) == 1 and numpy_helper.to_array(init).shape[0] == 1:
            last_b = init
    w = numpy_helper.to_array(last_w) * 0
    last_w.CopyFrom(numpy_helper.from_array(w, last_w.name))
    if last_b is not None:
        last_b.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(last_b) * 0 + 1, last_b.name))
    pushed = tmp_path / "pushed.onnx"
    onnx.save(model, str(pushed))
    code, out, err = cli(capsys, "deploy", str(pushed), "--target", "mujoco", "--episodes", "3", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["metrics"]["fall_rate"] == 1.0
    assert result["metrics"]["mean_length_steps"] < 200


def test_video_of_the_first_episode(cartpole_onnx, capsys, tmp_path):
    from PIL import Image

    gif = tmp_path / "cartpole.gif"
    code, out, err = cli(
        capsys, "deploy", str(cartpole_onnx), "--target", "mujoco", "--seconds", "1", "--video", str(gif)
    )
    if code != 0 and "cannot render here" in err:
        pytest.skip(err)
    assert code == 0, err
    assert f"video: {gif}" in out.replace("\n", "")
    with Image.open(gif) as image:
        assert image.n_frames >= 20 and image.size == (320, 240)
