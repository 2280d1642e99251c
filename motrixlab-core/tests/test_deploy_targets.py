"""Deploy targets as a plugin kind: registered, listed, resolved, and refused in one line."""

from __future__ import annotations

import types

import motrixlab
import pytest
from motrixlab import DeployTargetSpec, MotrixLabError, PluginError, UnknownNameError
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
