"""Engine panics inside ``step`` are contained by ``NpEnv``.

MotrixSim aborts a whole batched step with a ``PanicException`` (a ``BaseException``) when one
row's contact solver or a force-limited position actuator meets NaN or absurd velocities. The
cart-pole test env never panics, so this file builds a small contact model that does: a box on
the floor with a position-controlled leg.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import motrixsim as mx
import numpy as np
import pytest
from motrixlab import EnvCfg
from motrixlab.npenv import NpEnv, box, is_engine_panic
from motrixsim import write as W

HOPPER_XML = """
<mujoco model="hopper-box">
  <option timestep="0.01"/>
  <worldbody>
    <geom name="floor" type="plane" size="5 5 0.1"/>
    <body name="torso" pos="0 0 0.3">
      <freejoint/>
      <geom type="box" size="0.1 0.1 0.1" mass="1"/>
      <body name="leg" pos="0 0 -0.1">
        <joint name="knee" type="hinge" axis="0 1 0" range="-1 1"/>
        <geom type="box" size="0.02 0.02 0.1" pos="0 0 -0.1" mass="0.2"/>
      </body>
    </body>
  </worldbody>
  <actuator>
    <position name="knee" joint="knee" kp="10" kv="0.5" forcelimited="true" forcerange="-5 5"
              ctrllimited="true" ctrlrange="-1 1"/>
  </actuator>
</mujoco>
"""


@dataclass(kw_only=True)
class HopperCfg(EnvCfg):
    max_episode_seconds: float = 5.0


class HopperEnv(NpEnv[HopperCfg]):
    """Obs = full state (7 + 1 positions, 6 + 1 velocities); action = knee target."""

    def __init__(self, cfg: HopperCfg, *, num_envs: int = 1, seed: int | None = None) -> None:
        super().__init__(cfg, num_envs=num_envs, seed=seed)
        self.observation_space = box(15)
        self.action_space = box(1, -1.0, 1.0)
        self._ctrl = self.compile_write({"u": W.ActuatorCtrls()})
        self.nan_ctrl_rows: list[int] = []  # rows whose next control is NaN (a buggy action map)

    def apply_action(self, actions: np.ndarray) -> None:
        self._ctrl["u"][:] = actions
        self._ctrl["u"][self.nan_ctrl_rows] = np.nan
        self.nan_ctrl_rows = []
        self._ctrl.execute(self.data)

    def compute_obs(self) -> np.ndarray:
        return np.concatenate((self.state["qpos"], self.state["qvel"]), axis=1)

    def compute_reward(self) -> np.ndarray:
        return np.ones(self.num_envs, np.float32)

    def compute_terminated(self) -> np.ndarray:
        return np.zeros(self.num_envs, bool)

    def reset_rows(self, ids: np.ndarray) -> None:
        mask = np.zeros(self.num_envs, bool)
        mask[ids] = True
        self.data[mask].reset(self.model)


@pytest.fixture
def hopper(tmp_path: Path):
    path = tmp_path / "hopper.xml"
    path.write_text(HOPPER_XML)
    made: list[HopperEnv] = []

    def factory(num_envs: int = 4) -> HopperEnv:
        env = HopperEnv(HopperCfg(model_file=str(path)), num_envs=num_envs, seed=0)
        made.append(env)
        return env

    yield factory
    for env in made:
        env.close()


def engine_panics_on(model_file: str, row_vel: float) -> bool:
    """Does a bare MotrixSim step panic when one row carries this velocity?"""
    model = mx.load_model(model_file)
    data = mx.SceneData(model, batch=[3])
    model.step_n(data, 20)  # standing on the floor
    vel = data.dof_vel
    vel[1] = row_vel
    data.set_dof_vel(vel)
    try:
        model.step_n(data, 2)  # the first substep spreads the bad value, the second panics
    except BaseException as exc:
        if is_engine_panic(exc):
            return True
        raise
    return False


@pytest.mark.parametrize("value", [np.nan, 1e15])
def test_engine_panic_resets_the_offending_row_and_the_rest_continue(hopper, value):
    env = hopper(num_envs=4)
    assert engine_panics_on(env.cfg.model_file, value), "precondition: the bare engine panics"
    start, _ = env.reset()
    act = np.full((4, 1), 0.5, np.float32)
    for _ in range(10):
        env.step(act)
    before = env.compute_obs().copy()
    vel = env.data.dof_vel
    vel[1] = value
    env.data.set_dof_vel(vel)
    obs, reward, term, _trunc, info = env.step(act)  # must not raise
    assert info["log"]["engine_panics"] == 1
    assert info["log"]["diverged"] == 1
    assert term.tolist() == [False, True, False, False]
    assert np.isfinite(obs).all() and np.isfinite(reward).all()
    np.testing.assert_allclose(obs[1], start[1], atol=1e-6)  # the offending row restarted
    others = [0, 2, 3]
    # The others kept their episode: same state up to (at most) one step of motion.
    assert np.all(env.episode_steps[others] == 11)
    np.testing.assert_allclose(obs[others, :8], before[others, :8], atol=0.05)
    assert not np.allclose(obs[others], start[others])
    for _ in range(20):
        obs, _, term, _, info = env.step(act)
        assert "engine_panics" not in info["log"] and not term.any()
    assert np.isfinite(obs).all()
    assert np.all(np.abs(obs[:, 2] - 0.25) < 0.2)  # every torso is still near standing height


def test_engine_panic_from_a_nan_control_blames_that_row(hopper):
    env = hopper(num_envs=4)
    start, _ = env.reset()
    act = np.full((4, 1), 0.5, np.float32)
    for _ in range(5):
        env.step(act)
    env.nan_ctrl_rows = [2]
    obs, _, term, _, info = env.step(act)
    assert info["log"]["engine_panics"] == 1
    assert term.tolist() == [False, False, True, False]
    np.testing.assert_allclose(obs[2], start[2], atol=1e-6)
    assert np.all(env.episode_steps[[0, 1, 3]] == 6)
    obs, _, term, _, info = env.step(act)
    assert not term.any() and np.isfinite(obs).all()
