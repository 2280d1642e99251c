"""Entry point: registers the ``mujoco`` deploy target (imports nothing heavy)."""

from __future__ import annotations

from collections.abc import Callable

import motrixlab
from motrixlab import DeployTargetSpec


@motrixlab.hookimpl
def motrixlab_register_deploy_targets(register: Callable[[DeployTargetSpec], None]) -> None:
    register(
        DeployTargetSpec(
            name="mujoco",
            entry="motrixlab_deploy_mujoco.target:MujocoTarget",
            requires=("mujoco", "onnxruntime"),
            install_hint="pip install motrixlab-deploy-mujoco",
            description="MuJoCo at the physics rate with the artifact's PD law, commands and episode rules",
        )
    )
