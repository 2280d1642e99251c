"""anymal-c-navigate: goals, the goal-derived command, the goal reward and success."""

from __future__ import annotations

import motrixlab
import numpy as np
import pytest
from motrixlab_envs_locomotion import quat

QUIET = {"reset.joint_pos_noise": 0, "reset.base_lin_vel_noise": 0, "reset.base_ang_vel_noise": 0}


@pytest.fixture
def nav():
    env = motrixlab.make("anymal-c-navigate", num_envs=64, seed=0, overrides=QUIET)
    env.reset(seed=0)
    yield env
    env.close()


def test_same_spaces_as_walking_and_goals_one_to_five_metres_away(nav):
    walk = motrixlab.make("anymal-c-walk", num_envs=1)
    assert nav.observation_space.shape == walk.observation_space.shape == (48,)
    assert nav.action_space.shape == walk.action_space.shape == (12,)
    walk.close()
    d = np.linalg.norm(nav.goals - nav.state["qpos"][:, :2], axis=1)
    assert d.min() >= 1.0 - 1e-4 and d.max() <= 5.0 + 1e-4 and d.std() > 0.5
    assert np.abs(nav.goal_heading).max() <= np.pi and nav.goal_heading.std() > 1.0


def test_the_command_leads_to_the_goal_then_turns_to_its_heading(nav):
    z = nav.robot.standing_height
    ids = np.arange(3)
    nav.goals[ids] = [[3.0, 0.0], [0.0, 0.3], [0.1, 0.0]]
    nav.goal_heading[ids] = [0.0, 0.0, 0.8]
    facing = quat.from_yaw(np.array([0.0, 0.0, 0.0]))
    obs = nav.set_state(ids, base_pos=[[0, 0, z]] * 3, base_quat=facing)
    cmd = obs[ids, nav.obs_slices["command"]]
    assert cmd[0] == pytest.approx([1.0, 0.0, 0.0], abs=1e-4)  # far ahead: full speed, no turn
    assert cmd[1] == pytest.approx([0.0, 0.3, 0.0], abs=1e-4)  # near, to the left: sidestep, face the heading
    assert cmd[2] == pytest.approx([0.1, 0.0, 0.8], abs=1e-4)  # near: turn to the goal heading
    # a robot facing +y sees a goal ahead along +x on its right
    nav.goals[0] = [3.0, 0.0]
    obs = nav.set_state([0], base_pos=[[0, 0, z]], base_quat=quat.from_yaw(np.array([np.pi / 2])))
    assert obs[0, nav.obs_slices["command"]] == pytest.approx([0.0, -0.6, -1.0], abs=1e-4)


def test_goal_reward_and_success(nav):
    z = nav.robot.standing_height
    ids = np.arange(2)
    nav.goals[ids] = [[0.1, 0.0], [2.0, 0.0]]
    nav.set_state(ids, base_pos=[[0, 0, z]] * 2, base_quat=quat.from_yaw(np.zeros(2)))
    _, _, terminated, _, info = nav.step(np.zeros((64, 12), np.float32))
    log, dt = info["log"], nav.dt
    d = log["goal_distance"][:2]
    assert d[0] < 0.15 and d[1] > 1.8
    assert log["success"][:2].tolist() == [1.0, 0.0]
    assert log["reward/goal"][:2] == pytest.approx(2.0 * dt * np.exp(-(d**2)), rel=1e-4)
    assert not terminated[:2].any()


def test_episode_lasts_ten_seconds():
    cfg = motrixlab.make("anymal-c-navigate", num_envs=1).cfg
    assert cfg.max_episode_steps == 500
