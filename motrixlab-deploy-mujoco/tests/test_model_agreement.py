"""Each shipped robot, dropped and held under its PD law, in MotrixSim and in MuJoCo (from the deploy
description, as ``motrixlab deploy`` builds it): the trajectories must agree to the stated tolerances.

Measured (mujoco 4.0.0, motrixsim 0.10.1): cart-pole, contact-free, agrees to 4e-7 (m, rad) over
1 s, falling and pushed. Go1 under its PD law stands in both; the trunk height agrees within 4.7 mm
held and 4.6 mm through a drop from 0.40 m, the joint angles within 0.052 rad (held) and 0.068 rad
(after the drop). The difference is the contact: MuJoCo's soft contact lets the feet sink about
5 mm more, and the knees bend about 0.05 rad more to match; the slow backward creep of a standing
robot differs by about 1 cm in 2 s. The G1-class humanoid: pelvis height within 0.8 mm held and
4.0 mm dropped 2 cm, joints within 0.025 rad. The tolerances below are these figures with some
margin. The PD law's damping runs implicitly in MuJoCo (``model.load_model``): applied explicitly at
the 10 ms step it made the humanoid's ankles oscillate after a 2 cm drop until it fell.
"""

from __future__ import annotations

import motrixlab
import numpy as np
import pytest
from motrixlab.deploy import describe_env
from motrixlab_deploy_mujoco.controller import Controller
from motrixlab_deploy_mujoco.model import load_model


def _description(name: str) -> tuple[dict, str]:
    env = motrixlab.make(name)
    try:
        return describe_env(env, name), env.cfg.model_file
    finally:
        env.close()


def _motrixsim(model_file: str, dt: float, dof_pos: np.ndarray, ctrl: np.ndarray | None, steps: int) -> np.ndarray:
    """MotrixSim with the model's own actuators (as the training envs drive it): dof_pos per step."""
    import motrixsim as mx

    model = mx.load_model(model_file)
    model.options.timestep = dt
    data = mx.SceneData(model)
    data.reset(model, dof_pos=dof_pos.astype(np.float32), dof_vel=np.zeros(model.num_dof_vel, np.float32))
    if ctrl is not None:
        data.actuator_ctrls = np.ascontiguousarray(ctrl, np.float32)
    out = []
    for _ in range(steps):
        model.step(data)
        out.append(np.array(data.dof_pos, np.float64))
    return np.array(out)


def _mujoco(description: dict, qpos: np.ndarray, target: np.ndarray | None, steps: int) -> np.ndarray:
    """MuJoCo with the description's control law at every physics step: qpos per step."""
    import mujoco

    model, layout = load_model(description, "test")
    data = mujoco.MjData(model)
    data.qpos[:] = qpos
    mujoco.mj_forward(model, data)
    ctrl = Controller(description, layout)
    if target is not None:
        ctrl.target = np.asarray(target, np.float64)
    out = []
    for _ in range(steps):
        if target is not None:
            ctrl.apply(data)
        mujoco.mj_step(model, data)
        out.append(data.qpos.copy())
    return np.array(out)


def test_cartpole_pole_falls_alike():
    d, model_file = _description("cartpole")
    steps = 200  # 1 s at 5 ms
    start = np.array([0.0, 0.1])
    ms = _motrixsim(model_file, 0.005, start, np.zeros(1), steps)
    mj = _mujoco(d, start, np.zeros(1), steps)
    # the pole has fallen far (to the 0.2 rad termination and beyond) and both engines agree on the way
    assert abs(ms[-1, 1]) > 0.5
    np.testing.assert_allclose(mj, ms, atol=1e-5)


def test_cartpole_pushed_cart_moves_alike():
    d, model_file = _description("cartpole")
    steps = 100
    ms = _motrixsim(model_file, 0.005, np.zeros(2), np.array([0.5]), steps)  # 0.5 x gear 100 = 50 N
    mj = _mujoco(d, np.zeros(2), np.array([50.0]), steps)
    assert ms[-1, 0] > 0.05
    np.testing.assert_allclose(mj, ms, atol=1e-5)


def _quadruped_start(d: dict, height: float) -> tuple[np.ndarray, np.ndarray]:
    q0 = np.asarray(d["default_joint_pos"])
    motrixsim_pos = np.concatenate([[0, 0, height, 0, 0, 0, 1], q0])  # quaternion x y z w
    mujoco_pos = np.concatenate([[0, 0, height, 1, 0, 0, 0], q0])  # w x y z
    return motrixsim_pos, mujoco_pos


# every described robot held at its standing height; Go1 also dropped from 0.40 m (the drop of the
# other two quadrupeds from 11.5 cm ends in different poses in the two engines: not yet tolerated
# here), the humanoid from 2 cm: on its feet it is an inverted pendulum that zero action holds only
# near its pose, and it rocks about 3 degrees in MotrixSim, which moves the pelvis up to 3.2 cm
@pytest.mark.parametrize(
    ("env", "lift", "creep"),
    [
        ("go1-walk", 0.0, 0.03),
        ("go1-walk", 0.115, 0.03),
        ("go2-walk", 0.0, 0.03),
        ("anymal-c-walk", 0.0, 0.03),
        ("g1-walk", 0.0, 0.03),
        ("g1-walk", 0.02, 0.04),
    ],
    ids=["go1-hold", "go1-drop", "go2-hold", "anymal-c-hold", "g1-hold", "g1-drop"],
)
def test_robots_held_and_dropped_under_pd_alike(env, lift, creep):
    d, model_file = _description(env)
    standing = d["initial_state"]["base_pos"][2]
    steps = 200  # 2 s at 10 ms
    target = np.asarray(d["control"]["action_offset"])  # zero action: standing pose plus feed-forward
    ms_start, mj_start = _quadruped_start(d, standing + lift)
    ms = _motrixsim(model_file, d["timing"]["physics_dt"], ms_start, target, steps)
    mj = _mujoco(d, mj_start, target, steps)
    # it stands in both: the trunk near its standing height, joints near the standing pose
    for traj in (ms, mj):
        assert abs(traj[-1, 2] - standing) < 0.025, (traj[-1, 2], standing)
        np.testing.assert_allclose(traj[-1, 7:], d["default_joint_pos"], atol=0.15)
    settled = slice(50, None)  # after the landing transient
    assert np.max(np.abs(mj[settled, 2] - ms[settled, 2])) < 0.008  # trunk height, m
    assert np.max(np.abs(mj[settled, 7:] - ms[settled, 7:])) < 0.09  # joint angles, rad
    assert np.max(np.abs(mj[:, 2] - ms[:, 2])) < 0.01  # the whole fall and landing
    assert np.max(np.abs(mj[-1, :2] - ms[-1, :2])) < creep  # horizontal creep, m
