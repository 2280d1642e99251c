"""The three Franka tasks: registration, sampling, action mapping, rewards, success and scripted solutions."""

from __future__ import annotations

import math

import motrixlab
import numpy as np
import pytest
from motrixlab.errors import ConfigError
from motrixlab.rlcfg import PPOCfg
from motrixsim import write as W
from panda_dh import READY, ik

TASKS = ("franka-reach", "franka-lift-cube", "franka-open-drawer")
OBS_DIMS = {"franka-reach": 38, "franka-lift-cube": 52, "franka-open-drawer": 42}
#: fingertip frame with the fingers down and their travel along world x (across the drawer handle)
DOWN_ACROSS_X = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, -1.0]])


def make(name: str, num_envs: int = 2, seed: int = 0, **overrides):
    env = motrixlab.make(name, num_envs=num_envs, seed=seed, overrides=overrides)
    env.reset(seed=seed)
    return env


def set_robot(env, q_arm, finger: float | np.ndarray) -> None:
    """Teleport the arm (rows of ``q_arm``) and fingers, with forward kinematics; targets follow."""
    plan = env.compile_write(
        {"q": W.BodyJointPosition([*(f"joint{i}" for i in range(1, 8)), "finger_left", "finger_right"])},
        forward_kinematic=True,
    )
    plan["q"][:, :7] = q_arm
    plan["q"][:, 7:] = np.reshape(finger, (-1, 1))
    plan.execute(env.data)
    env.joint_target[:] = plan["q"][:, :7]
    env.state.execute(env.data)


def evaluate(env) -> np.ndarray:
    """Observation and reward of the current state, as ``step`` computes them."""
    env.action_rate[:] = 0.0
    env.log = {}
    env.refresh(None)
    obs = env.compute_obs()
    return obs, env.compute_reward()


def drive(env, q_des: np.ndarray, gripper: float, steps: int):
    """Step toward arm pose ``q_des`` (one row) through the delta-target actions."""
    for _ in range(steps):
        action = np.zeros((env.num_envs, 8), np.float32)
        action[:, :7] = np.clip((q_des - env.joint_target) / env.cfg.action_scale, -1, 1)
        action[:, 7] = gripper
        out = env.step(action)
    return out


# ---- registration and spaces ------------------------------------------------------------------
def test_plugin_registers_tasks_with_tuned_ppo_configs():
    registry = motrixlab.get_registry()
    for name in TASKS:
        spec = registry.env(name)
        assert spec.domain == "manipulation"
        rl = registry.rl_cfg_spec(name, "skrl", "torch")
        assert rl is not None and rl.trainer is None  # a neutral PPOCfg: every trainer takes it
        module, attr = rl.cfg.split(":")
        cfg = getattr(__import__(module, fromlist=[attr]), attr)()
        assert isinstance(cfg, PPOCfg) and type(cfg) is not PPOCfg
        cfg.validate()


@pytest.mark.parametrize("name", TASKS)
def test_spaces_and_robot_observation_layout(name):
    env = make(name, num_envs=3)
    assert env.observation_space.shape == (OBS_DIMS[name],)
    assert env.action_space.shape == (8,) and (env.action_space.low == -1).all() and (env.action_space.high == 1).all()
    obs, reward, terminated, truncated, info = env.step(np.zeros((3, 8), np.float32))
    assert obs.shape == (3, OBS_DIMS[name]) and obs.dtype == np.float32
    assert reward.shape == (3,) and reward.dtype == np.float32
    q = env.state["robot_q"]
    np.testing.assert_allclose(obs[:, 0:7], q[:, :7] - READY, atol=1e-6)
    np.testing.assert_allclose(obs[:, 7:14], env.state["robot_v"][:, :7], atol=1e-6)
    np.testing.assert_allclose(obs[:, 21], q[:, 7] + q[:, 8], atol=1e-6)
    np.testing.assert_allclose(obs[:, 23:26], env.state["tip_pos"][:, 0], atol=1e-6)
    assert info["log"]["success"].shape == (3,)
    assert not terminated.any() and not truncated.any()
    # reset pose: ready pose plus bounded noise, fingers open
    env.reset(seed=1)
    assert np.abs(env.state["robot_q"][:, :7] - READY).max() <= env.cfg.reset_joint_noise + 1e-6
    np.testing.assert_allclose(env.state["robot_q"][:, 7:], 0.04, atol=1e-6)
    env.close()


def test_episode_length_and_timing():
    env = make("franka-reach", num_envs=2)
    assert env.sim_substeps == 5 and math.isclose(env.cfg.ctrl_dt, 0.05)
    assert env.max_episode_steps == 60
    for step in range(60):
        obs, _, terminated, truncated, info = env.step(np.zeros((2, 8), np.float32))
        assert truncated.all() == (step == 59) and not terminated.any()
    # finished rows restarted: new obs at the reset pose, final_obs from the old episode
    assert (env.episode_steps == 0).all()
    assert not np.allclose(obs[:, 32:35], info["final_obs"][:, 32:35])  # new targets


# ---- actions -------------------------------------------------------------------------------------
def test_actions_are_delta_joint_targets_and_an_absolute_gripper_command():
    env = make("franka-reach", num_envs=4)
    start = env.joint_target.copy()
    action = np.zeros((4, 8), np.float32)
    action[0, 0] = 1.0  # +0.1 rad on joint 1
    action[1, 3] = -0.5  # -0.05 rad on joint 4
    action[:, 7] = [-1.0, 1.0, 0.0, 0.5]
    env.step(action)
    expected = start.copy()
    expected[0, 0] += 0.1
    expected[1, 3] -= 0.05
    np.testing.assert_allclose(env.joint_target, expected, atol=1e-6)
    np.testing.assert_allclose(env._ctrl["arm"], expected, atol=1e-6)
    np.testing.assert_allclose(env._ctrl["fingers"][:, 0], [0.0, 0.04, 0.02, 0.03], atol=1e-6)
    # a zero action keeps the targets: the arm holds still
    held = env.joint_target.copy()
    env.step(np.zeros((4, 8), np.float32))
    np.testing.assert_allclose(env.joint_target, held, atol=1e-6)
    # targets never run ahead of the joints by more than max_target_lead, nor leave the joint range
    push = np.zeros((4, 8), np.float32)
    push[:, 3] = 1.0  # joint 4 towards its upper limit -0.0698
    for _ in range(30):
        env.step(push)
        lead = env.joint_target - env.state["robot_q"][:, :7]
        assert np.abs(lead).max() <= env.cfg.max_target_lead + 1e-5
    assert np.allclose(env.joint_target[:, 3], env.joint_high[3])


def test_invalid_actions_raise_value_error():
    env = make("franka-reach", num_envs=2)
    with pytest.raises(ValueError, match="shape"):
        env.step(np.zeros((2, 7), np.float32))
    bad = np.zeros((2, 8), np.float32)
    bad[1, 2] = np.nan
    with pytest.raises(ValueError, match="non-finite"):
        env.step(bad)


def test_config_errors_name_the_field():
    with pytest.raises(ConfigError, match="target_x"):
        motrixlab.make("franka-reach", overrides={"target_x": (0.6, 0.3)})
    with pytest.raises(ConfigError, match="cube_yaw"):
        motrixlab.make("franka-lift-cube", overrides={"cube_yaw": (-4.0, 0.0)})
    with pytest.raises(ConfigError, match="start_opening"):
        motrixlab.make("franka-open-drawer", overrides={"start_opening": (0.0, 0.2)})
    with pytest.raises(ConfigError, match="action_scale"):
        motrixlab.make("franka-reach", overrides={"action_scale": 0.0})
    with pytest.raises(ConfigError, match=r"rewards\.lift"):
        motrixlab.make("franka-lift-cube", overrides={"rewards.lift": -1.0})


# ---- sampling ----------------------------------------------------------------------------------------
def test_reach_targets_lie_in_the_workspace_and_follow_the_seed():
    cfg = motrixlab.make_env_cfg(motrixlab.get_registry().env("franka-reach"))
    env = make("franka-reach", num_envs=512, seed=3)
    t = env.target.copy()
    for axis, (lo, hi) in enumerate((cfg.target_x, cfg.target_y, cfg.target_z)):
        assert lo <= t[:, axis].min() and t[:, axis].max() <= hi
        assert t[:, axis].max() - t[:, axis].min() > 0.8 * (hi - lo)  # spread over the box
    # the marker shows the target, and the observation holds it
    np.testing.assert_allclose(env.compute_obs()[:, 32:35], t, atol=1e-6)
    np.testing.assert_allclose(env.model.get_body("target").get_position(env.data), t, atol=1e-5)
    env.reset(seed=3)
    np.testing.assert_array_equal(env.target, t)
    env.reset(seed=4)
    assert not np.allclose(env.target, t)


def test_lift_cube_placement_and_target_heights_follow_the_config_and_seed():
    env = make("franka-lift-cube", num_envs=256, seed=5)
    cfg = env.cfg
    pos = env.cube_pos.copy()
    assert cfg.cube_x[0] <= pos[:, 0].min() and pos[:, 0].max() <= cfg.cube_x[1]
    assert cfg.cube_y[0] <= pos[:, 1].min() and pos[:, 1].max() <= cfg.cube_y[1]
    np.testing.assert_allclose(pos[:, 2], 0.02, atol=1e-6)  # resting on the table
    yaw = np.arctan2(env.cube_mat[:, 1, 0], env.cube_mat[:, 0, 0])
    assert cfg.cube_yaw[0] - 1e-5 <= yaw.min() and yaw.max() <= cfg.cube_yaw[1] + 1e-5
    assert cfg.target_z[0] <= env.target_z.min() and env.target_z.max() <= cfg.target_z[1]
    env.reset(seed=5)
    np.testing.assert_allclose(env.cube_pos, pos, atol=1e-7)
    env.reset(seed=6)
    assert not np.allclose(env.cube_pos, pos)


def test_drawer_start_and_target_openings_follow_the_config():
    env = make("franka-open-drawer", num_envs=256, seed=2)
    cfg = env.cfg
    assert (
        cfg.start_opening[0] - 1e-6
        <= env.drawer_opening.min()
        <= env.drawer_opening.max()
        <= cfg.start_opening[1] + 1e-6
    )
    assert cfg.target_opening[0] <= env.target_opening.min() <= env.target_opening.max() <= cfg.target_opening[1]
    # the handle sits in front of the drawer, moved by the opening along -x
    np.testing.assert_allclose(env.handle_pos[:, 0], env.closed_handle_pos[0] - env.drawer_opening, atol=1e-5)


# ---- rewards and success against hand-computed states ------------------------------------------------
def test_reach_success_threshold_and_reward_terms():
    env = make("franka-reach", num_envs=4)
    set_robot(env, np.tile(READY, (4, 1)), 0.04)
    tip = env.state["tip_pos"][:, 0].copy()
    offsets = np.array([0.0, 0.019, 0.021, 0.3])
    env.target[:] = tip + np.stack([offsets, np.zeros(4), np.zeros(4)], axis=1)
    obs, reward = evaluate(env)
    d = offsets
    np.testing.assert_array_equal(env.log["success"], [1, 1, 0, 0])
    np.testing.assert_allclose(env.log["reward/distance"], 1 - np.tanh(d / 0.2), atol=1e-5)
    np.testing.assert_allclose(env.log["reward/precision"], 1 - np.tanh(d / 0.02), atol=1e-5)
    expected = (1 - np.tanh(d / 0.2) + 1 - np.tanh(d / 0.02) + (d < 0.02)) / 3
    np.testing.assert_allclose(reward, expected, atol=1e-5)
    np.testing.assert_allclose(obs[:, 35:38], env.target - tip, atol=1e-6)
    assert reward[0] == pytest.approx(1.0, abs=1e-6) and (np.diff(reward) < 0).all()


def test_action_rate_penalty_is_bounded_and_logged():
    env = make("franka-reach", num_envs=2)
    env.step(np.full((2, 8), -1.0, np.float32))
    _, reward, *_, info = env.step(np.full((2, 8), 1.0, np.float32))
    penalty = env.cfg.action_rate_penalty * 4.0  # mean of (1 - (-1))^2
    np.testing.assert_allclose(info["log"]["reward/action_rate"], -penalty, atol=1e-6)
    assert (reward >= -penalty - 1e-6).all() and (reward <= 1.0).all()


def test_lift_grasp_and_success_against_hand_computed_states():
    env = make("franka-lift-cube", num_envs=4)
    # fingers around a 4 cm cube: 0.02 each, except row 1 (open)
    set_robot(env, np.tile(READY, (4, 1)), np.array([0.02, 0.04, 0.02, 0.02]))
    tip = env.state["tip_pos"][:, 0].copy()
    cube = tip.copy()
    cube[2, 1] += 0.03  # row 2: off to one side along the finger travel
    plan = env.compile_write(
        {"cube": W.BodyPosition(["cube"]), "rot": W.BodyRotation(["cube"])}, forward_kinematic=True
    )
    plan["cube"][:, 0] = cube
    plan["rot"][:, 0] = [0, 0, 0, 1]
    plan.execute(env.data)
    env.state.execute(env.data)
    height = cube[:, 2]
    env.target_z[:] = [height[0] - 0.01, height[1] - 0.01, height[2] - 0.01, height[3] + 0.05]
    _, reward = evaluate(env)
    held = np.array([True, False, False, True])
    np.testing.assert_array_equal(env.log["reward/grasp"], held)
    np.testing.assert_array_equal(env.log["success"], [1, 0, 0, 0])
    progress = np.clip((height - 0.02) / (env.target_z - 0.02), 0, 1)
    np.testing.assert_allclose(env.log["reward/lift"], held * progress, atol=1e-5)
    d = np.linalg.norm(cube - tip, axis=1)
    reach = 1 - (np.tanh(2 * d) + np.tanh(10 * d)) / 2
    np.testing.assert_allclose(env.log["reward/reach"], reach, atol=1e-5)
    expected = (reach + held + 2 * held * progress + 2 * env.log["success"]) / 6
    np.testing.assert_allclose(reward, expected, atol=1e-5)
    assert reward[0] == pytest.approx(1.0, abs=1e-5)


def test_drawer_grasp_opening_and_success_against_hand_computed_states():
    env = make("franka-open-drawer", num_envs=4)
    env.target_opening[:] = 0.2
    openings = np.array([0.199, 0.201, 0.1, 0.0])
    plan = env.compile_write({"d": W.BodyJointPosition(["drawer"])}, forward_kinematic=True)
    plan["d"][:, 0] = openings
    plan.execute(env.data)
    env.state.execute(env.data)
    handle = env.state["handle_pos"][:, 0].copy()
    q = np.stack([ik(h, DOWN_ACROSS_X) for h in handle[:3]] + [READY])
    set_robot(env, q, np.array([0.0095, 0.0095, 0.04, 0.0095]))  # row 2 open, row 3 far away
    evaluate(env)
    np.testing.assert_array_equal(env.log["success"], [0, 1, 0, 0])
    np.testing.assert_array_equal(env.log["reward/grasp"], [1, 1, 0, 0])
    np.testing.assert_allclose(env.log["reward/open"], np.clip(openings / 0.2, 0, 1), atol=1e-5)
    np.testing.assert_allclose(env.log["reward/align"][:3], 1.0, atol=1e-3)
    assert env.log["reward/align"][3] < 0.01  # ready pose: finger travel along y, along the bar
    tip = env.state["tip_pos"][:, 0]
    d = np.linalg.norm(handle - tip, axis=1)
    reach = 1 - (np.tanh(2 * d) + np.tanh(10 * d)) / 2
    np.testing.assert_allclose(env.log["reward/reach"], reach, atol=1e-5)
    assert reach[:3].min() > 0.98 and reach[3] < 0.5


# ---- scripted solutions through the action interface -------------------------------------------------
def test_scripted_reach_succeeds_and_holds():
    env = make("franka-reach", num_envs=3, seed=11)
    targets = env.target.copy()
    q = np.stack([ik(t) for t in targets])
    drive(env, q, 1.0, 25)
    _, reward, _, _, info = drive(env, q, 1.0, 10)
    assert (info["log"]["success"] == 1).all(), info["log"]["distance"]
    assert (reward > 0.8).all()


def test_scripted_lift_succeeds():
    env = make("franka-lift-cube", num_envs=1, seed=3)
    cube, target = env.cube_pos[0].copy(), float(env.target_z[0])
    yaw = math.atan2(env.cube_mat[0, 1, 0], env.cube_mat[0, 0, 0])
    c, s = math.cos(yaw), math.sin(yaw)
    rot = np.array([[c, s, 0], [s, -c, 0], [0, 0, -1.0]])  # fingers down, pads facing the cube's sides
    above = ik(cube + np.array([0, 0, 0.12]), rot)
    grasp = ik(cube + np.array([0, 0, 0.005]), rot, above)
    lift = ik(np.array([cube[0], cube[1], target + 0.03]), rot, grasp)
    *_, info = drive(env, above, 1.0, 20)
    *_, info = drive(env, grasp, 1.0, 10)
    assert info["log"]["success"][0] == 0 and info["log"]["reward/grasp"][0] == 0
    *_, info = drive(env, grasp, -1.0, 10)
    assert info["log"]["reward/grasp"][0] == 1 and info["log"]["success"][0] == 0
    _, reward, *_, info = drive(env, lift, -1.0, 25)
    assert info["log"]["success"][0] == 1 and env.cube_pos[0, 2] >= target
    assert reward[0] > 0.95


def test_scripted_drawer_pull_succeeds():
    env = make("franka-open-drawer", num_envs=1, seed=3)
    handle, target = env.handle_pos[0].copy(), float(env.target_opening[0])
    above = ik(handle + np.array([0, 0, 0.1]), DOWN_ACROSS_X)
    q = ik(handle, DOWN_ACROSS_X, above)
    drive(env, above, 1.0, 20)
    drive(env, q, 1.0, 10)
    *_, info = drive(env, q, -1.0, 8)
    assert info["log"]["reward/grasp"][0] == 1 and info["log"]["success"][0] == 0
    for x in np.linspace(handle[0], handle[0] - target - 0.02, 8)[1:]:
        q = ik(np.array([x, handle[1], handle[2]]), DOWN_ACROSS_X, q)
        *_, info = drive(env, q, -1.0, 4)
    *_, info = drive(env, q, -1.0, 6)
    assert info["log"]["success"][0] == 1 and env.drawer_opening[0] >= target
