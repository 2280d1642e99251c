"""The artifact's embedded model in MuJoCo, with the addresses the controller reads and writes.

The model's own actuators are switched off (zero gain and bias): the controller applies the
description's control law itself, as generalized forces at every physics step, so that the law
run here is the one written in the artifact and not MuJoCo's reading of the actuator elements.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from motrixlab.deploy import model_assets
from motrixlab.errors import ModelLoadError


@dataclass
class Layout:
    """Addresses in ``qpos``/``qvel`` and ids of what the description names."""

    qpos: np.ndarray  # (J,) observed joints
    qvel: np.ndarray
    ctrl_qpos: np.ndarray  # (A,) controlled joints
    ctrl_qvel: np.ndarray
    base_qpos: int | None  # free joint of the base body: position at [a, a+3), quaternion w x y z at [a+3, a+7)
    base_qvel: int | None  # world linear velocity at [a, a+3), body-frame angular velocity at [a+3, a+6)
    contact_pairs: set[tuple[int, int]]  # geom pairs whose contact ends an episode
    joint_limits: list[tuple[int, float]]  # (qpos address, max |q|) that end an episode
    max_tilt: float | None
    min_height: float | None  # base height (m above z = 0) below which an episode ends


def load_model(description: dict[str, Any], source: str) -> tuple[Any, Layout]:
    """The MuJoCo model of ``description`` at its physics step; ``ModelLoadError`` (one line) if MuJoCo
    cannot load it or it lacks a named joint, body or geom."""
    import mujoco

    model_info = description["model"]
    try:
        model = mujoco.MjModel.from_xml_string(model_info["xml"], model_assets(description))
    except ValueError as exc:
        first = (str(exc).strip().splitlines() or ["unknown error"])[0]
        raise ModelLoadError(
            f"model {model_info.get('file', '?')!r} embedded in {source!r} cannot be loaded by MuJoCo: {first[:200]}"
        ) from None
    model.opt.timestep = float(description["timing"]["physics_dt"])
    model.actuator_gainprm[:] = 0.0
    model.actuator_biasprm[:] = 0.0

    def joint(name: str) -> Any:
        j = model.joint(name) if _has(model, mujoco.mjtObj.mjOBJ_JOINT, name) else None
        if j is None:
            raise ModelLoadError(f"model embedded in {source!r} has no joint {name!r}, which the description names")
        return j

    def geom(name: str) -> int:
        if not _has(model, mujoco.mjtObj.mjOBJ_GEOM, name):
            raise ModelLoadError(f"model embedded in {source!r} has no geom {name!r}, which the description names")
        return int(model.geom(name).id)

    joints = [joint(n) for n in description["joints"]]
    controlled = [joint(n) for n in description["control"]["joints"]]
    base_qpos = base_qvel = None
    base = description.get("base_body")
    if base is not None:
        if not _has(model, mujoco.mjtObj.mjOBJ_BODY, base):
            raise ModelLoadError(f"model embedded in {source!r} has no body {base!r}, which the description names")
        body = model.body(base)
        free = [j for j in range(model.njnt) if model.jnt_bodyid[j] == body.id and model.jnt_type[j] == 0]
        if not free:
            raise ModelLoadError(f"model embedded in {source!r}: base body {base!r} has no free joint")
        base_qpos, base_qvel = int(model.jnt_qposadr[free[0]]), int(model.jnt_dofadr[free[0]])
    pairs: set[tuple[int, int]] = set()
    limits: list[tuple[int, float]] = []
    max_tilt = min_height = None
    for rule in description["episode"]["terminate"]:
        if rule["kind"] == "contact":
            for a in rule["geoms"]:
                for b in rule["with"]:
                    ga, gb = geom(a), geom(b)
                    pairs |= {(ga, gb), (gb, ga)}
        elif rule["kind"] == "joint_limit":
            limits.append((int(joint(rule["joint"]).qposadr[0]), float(rule["max_abs"])))
        elif rule["kind"] == "tilt":
            max_tilt = float(rule["max_rad"])
        elif rule["kind"] == "height":
            min_height = float(rule["min_m"])
    if description["control"]["kind"] == "pd":
        # the law's damping, integrated implicitly by MuJoCo (Controller.apply adds the rest)
        model.dof_damping[[int(j.dofadr[0]) for j in controlled]] += np.asarray(description["control"]["kd"])
    layout = Layout(
        qpos=np.array([int(j.qposadr[0]) for j in joints]),
        qvel=np.array([int(j.dofadr[0]) for j in joints]),
        ctrl_qpos=np.array([int(j.qposadr[0]) for j in controlled]),
        ctrl_qvel=np.array([int(j.dofadr[0]) for j in controlled]),
        base_qpos=base_qpos,
        base_qvel=base_qvel,
        contact_pairs=pairs,
        joint_limits=limits,
        max_tilt=max_tilt,
        min_height=min_height,
    )
    return model, layout


def _has(model: Any, kind: Any, name: str) -> bool:
    import mujoco

    return mujoco.mj_name2id(model, kind, name) >= 0
