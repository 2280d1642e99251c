"""Deploy targets as a plugin kind: registered, listed, resolved, and refused in one line; and the deploy
description they read, checked field by field."""

from __future__ import annotations

import json
import types

import motrixlab
import pytest
from motrixlab import DeployTargetSpec, MotrixLabError, PluginError, UnknownNameError
from motrixlab.deploy import DeployUnavailable, check_description, control_dt, decode
from motrixlab.plugins import discover


def target_plugin(name: str, *specs: DeployTargetSpec) -> types.ModuleType:
    module = types.ModuleType(name)

    @motrixlab.hookimpl
    def motrixlab_register_deploy_targets(register):
        for spec in specs:
            register(spec)

    module.motrixlab_register_deploy_targets = motrixlab_register_deploy_targets
    return module


def test_a_target_is_registered_and_resolved():
    spec = DeployTargetSpec(name="bench-rig", entry="motrixlab.deploy:DeployTarget", requires=("json",))
    reg = discover([("rig", target_plugin("rig", spec))], strict=True)
    assert reg.deploy_target("bench-rig").plugin == "rig"
    assert reg.plugins["rig"].deploy_targets == ["bench-rig"]
    assert reg.plugins["rig"].to_json()["deploy_targets"] == ["bench-rig"]


def test_an_unknown_target_lists_the_installed_ones_and_a_package_to_install():
    spec = DeployTargetSpec(name="bench-rig", entry="motrixlab.deploy:DeployTarget")
    reg = discover([("rig", target_plugin("rig", spec))], strict=True)
    with pytest.raises(UnknownNameError) as info:
        reg.deploy_target("bench-rgi")
    message = str(info.value)
    assert "did you mean 'bench-rig'" in message and "pip install motrixlab-deploy-bench-rgi" in message


def test_a_target_whose_engine_is_missing_prints_its_install_hint():
    spec = DeployTargetSpec(
        name="far-engine",
        entry="motrixlab.deploy:DeployTarget",
        requires=("motrixlab_no_such_engine",),
        install_hint="pip install motrixlab-deploy-far-engine",
    )
    reg = discover([("far", target_plugin("far", spec))], strict=True)
    with pytest.raises(
        MotrixLabError, match=r"needs motrixlab_no_such_engine.*pip install motrixlab-deploy-far-engine"
    ):
        reg.deploy_target("far-engine")


def test_a_target_name_registered_twice_is_reported():
    spec = DeployTargetSpec(name="twice", entry="motrixlab.deploy:DeployTarget")
    with pytest.raises(PluginError, match="deploy target 'twice' is already registered by plugin 'a'"):
        discover([("a", target_plugin("a", spec)), ("b", target_plugin("b", spec))], strict=True)


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [({"name": "no spaces", "entry": "a:b"}, "deploy target name"), ({"name": "ok", "entry": "nocolon"}, "invalid")],
)
def test_the_spec_validates_its_fields(kwargs, pattern):
    with pytest.raises(PluginError if pattern == "invalid" else ValueError, match=pattern):
        DeployTargetSpec(**kwargs)


def _description() -> dict:
    """A whole, valid description of a one-joint slider with every termination kind and a gait clock."""
    return {
        "version": 1,
        "env": "slide",
        "model": {"format": "mjcf", "file": "slide.xml", "xml": "<mujoco/>", "assets": {}},
        "timing": {"physics_dt": 0.01, "decimation": 2},
        "base_body": "cart",
        "joints": ["slide"],
        "default_joint_pos": [0.0],
        "control": {
            "kind": "pd",
            "joints": ["slide"],
            **{key: [1.0] for key in ("action_scale", "action_offset", "low", "high", "kp", "kd", "torque_limit")},
        },
        "observation": [
            {"term": "joint_pos", "dim": 1, "scale": 1.0},
            {"term": "gait_clock", "dim": 2, "scale": 1.0, "frequency": 1.5},
        ],
        "obs_dim": 3,
        "commands": None,
        "episode": {
            "max_seconds": 5.0,
            "terminate": [
                {"kind": "tilt", "body": "cart", "max_rad": 1.0},
                {"kind": "contact", "geoms": ["cart"], "with": ["floor"]},
                {"kind": "joint_limit", "joint": "slide", "max_abs": 1.0},
                {"kind": "height", "body": "cart", "min_m": 0.2},
            ],
        },
        "initial_state": {},
        "reward": None,
    }


def _broken(path: tuple, value: object) -> dict:
    d = _description()
    *parents, last = path
    node = d
    for key in parents:
        node = node[key]
    if value is KeyError:
        del node[last]
    else:
        node[last] = value
    return d


@pytest.mark.parametrize(
    ("path", "value", "words"),
    [
        (("observation", 1, "frequency"), KeyError, "observation[1].frequency is missing"),
        (("observation", 1, "frequency"), -1.0, "observation[1].frequency must be > 0, got -1.0"),
        (("observation", 0), "joint_pos", "observation[0] is not a JSON object"),
        (("episode", "terminate", 3, "min_m"), KeyError, "episode.terminate[3].min_m is missing"),
        (("episode", "terminate", 1, "with"), "floor", "episode.terminate[1].with has the wrong type (str)"),
        (("episode", "terminate", 2), "joint_limit", "episode.terminate[2] is not a JSON object"),
        (("episode", "terminate", 0, "kind"), "fall", "termination kind 'fall' is unknown; valid: tilt, contact"),
    ],
)
def test_a_deploy_description_is_checked_field_by_field(path, value, words):
    assert check_description(_description())["obs_dim"] == 3
    with pytest.raises(DeployUnavailable) as info:
        decode(json.dumps(_broken(path, value)), "slide.onnx")
    message = str(info.value)
    assert message.startswith("'slide.onnx': deploy description: ") and words in message and "\n" not in message


def test_the_control_period_is_the_physics_step_times_the_decimation():
    d = _description()
    assert control_dt(d) == pytest.approx(0.02)
    d["timing"] = {"physics_dt": 0.005, "decimation": 4}
    assert control_dt(check_description(d)) == pytest.approx(0.02)
    d["timing"]["decimation"] = 3
    assert control_dt(d) == pytest.approx(0.015)
