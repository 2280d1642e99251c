"""The deploy description survives export: what the ONNX file carries is what the env describes, and
MuJoCo builds the embedded model from it alone."""

from __future__ import annotations

import json

import motrixlab
import numpy as np
import onnx
import pytest
from deploy_helpers import cli
from motrixlab.deploy import METADATA_KEY, decode, describe_env, encode


def test_exported_metadata_is_the_envs_description(cartpole_onnx):
    props = {p.key: p.value for p in onnx.load(str(cartpole_onnx)).metadata_props}
    stored = decode(props.get(METADATA_KEY), str(cartpole_onnx))
    env = motrixlab.make("cartpole")
    try:
        assert stored == json.loads(encode(describe_env(env, "cartpole")))
    finally:
        env.close()
    assert stored["env"] == "cartpole" and stored["obs_dim"] == 4
    assert stored["timing"] == {"physics_dt": 0.005, "decimation": 2}
    assert stored["control"]["kind"] == "effort" and stored["control"]["action_scale"] == [300.0]  # ±3 x gear 100
    assert "<mujoco" in stored["model"]["xml"] and stored["model"]["file"] == "cartpole.xml"


def test_go1_description_round_trips_and_loads_in_mujoco():
    from motrixlab_deploy_mujoco.model import load_model

    env = motrixlab.make("go1-walk")
    try:
        text = encode(describe_env(env, "go1-walk"))
        kp, kd = env.kp.copy(), env.kd.copy()
    finally:
        env.close()
    d = decode(text, "go1.onnx")
    assert [t["term"] for t in d["observation"]] == [
        "base_lin_vel",
        "base_ang_vel",
        "projected_gravity",
        "joint_pos_rel",
        "joint_vel",
        "last_action",
        "command",
    ]
    assert d["obs_dim"] == 48 and d["timing"] == {"physics_dt": 0.01, "decimation": 2}
    np.testing.assert_allclose(d["control"]["kp"], kp)
    np.testing.assert_allclose(d["control"]["kd"], kd)
    assert d["control"]["torque_limit"][:3] == pytest.approx([23.7, 23.7, 35.5])
    # the zero-action knee target carries the standing gravity feed-forward (5.2 N m at kp 35)
    assert d["control"]["action_offset"][2] == pytest.approx(-1.8 + 5.2 / 35, abs=2e-3)
    model, layout = load_model(d, "go1.onnx")
    assert model.nq == 19 and model.opt.timestep == pytest.approx(0.01)
    assert layout.base_qpos == 0 and list(layout.qpos) == list(range(7, 19))
    assert np.all(model.actuator_gainprm == 0)  # the artifact's PD law drives the joints, not MuJoCo's actuators


def test_export_of_an_env_without_description_says_so_and_deploy_refuses(slider_run, capsys, tmp_path):
    out = tmp_path / "slider.onnx"
    code, _, err = cli(capsys, "export", "test-slider", "--checkpoint", "latest", "--output", str(out))
    assert code == 0 and out.is_file(), err
    assert err.count("\n") == 0 and "no deploy metadata" in err and "test-slider" in err
    code, _, err = cli(capsys, "deploy", str(out), "--target", "mujoco")
    assert code == 1
    assert err.startswith("motrixlab: error: ") and err.count("\n") == 0
    assert "carries no deploy metadata" in err and "slider.onnx" in err


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("go1-walk-rough", "terrain"),
        ("go1-walk-stairs", "terrain"),
        ("anymal-c-navigate", "goal relative to the robot"),
    ],
)
def test_tasks_that_cannot_be_described_say_why(name, why):
    from motrixlab.deploy import DeployUnavailable

    env = motrixlab.make(name)
    try:
        with pytest.raises(DeployUnavailable, match=why):
            describe_env(env, name)
    finally:
        env.close()


@pytest.mark.parametrize("name", ["go2-walk", "anymal-c-walk"])
def test_every_walking_robot_is_described_from_its_description(name):
    env = motrixlab.make(name)
    try:
        d = describe_env(env, name)
        robot = env.robot
    finally:
        env.close()
    assert d["joints"] == list(robot.joints) and d["base_body"] == robot.base
    assert d["default_joint_pos"] == pytest.approx(list(robot.standing_pose))
    assert d["control"]["torque_limit"] == pytest.approx(list(robot.torque_limits))
    assert d["initial_state"]["base_pos"][2] == pytest.approx(robot.standing_height)


def test_humanoid_clock_and_height_rule_run_in_mujoco_as_in_training():
    import mujoco
    from motrixlab_deploy_mujoco.controller import Controller
    from motrixlab_deploy_mujoco.model import load_model

    env = motrixlab.make("g1-walk", num_envs=1, seed=0)
    try:
        d = decode(encode(describe_env(env, "g1-walk")), "g1.onnx")
        model, layout = load_model(d, "g1.onnx")
        assert model.nq == 19 and d["obs_dim"] == 50
        ctrl = Controller(d, layout)
        data = mujoco.MjData(model)
        data.qpos[2], data.qpos[7:] = d["initial_state"]["base_pos"][2], d["default_joint_pos"]
        mujoco.mj_forward(model, data)
        ctrl.reset()
        obs, _ = env.reset(seed=0)
        seen = []
        for _ in range(120):  # 2.4 s: three cycles of the 1.25 Hz clock
            clock = ctrl.observe(data, np.zeros(12, np.float32), np.zeros(3))[-2:]
            np.testing.assert_allclose(clock, obs[0, -2:], atol=1e-5)
            seen.append(clock)
            ctrl.advance()
            obs, *_ = env.step(np.zeros((1, 12), np.float32))
    finally:
        env.close()
    assert np.ptp(np.array(seen), axis=0) == pytest.approx([2.0, 2.0], abs=0.02)  # the clock went round
    assert not ctrl.terminated(model, data)  # standing
    data.qpos[2] = 0.45  # the pelvis below the description's 0.5 m
    assert ctrl.terminated(model, data)
