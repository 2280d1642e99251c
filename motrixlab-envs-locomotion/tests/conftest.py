from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("RUST_LOG", "error")

from motrixlab_envs_locomotion import quat
from motrixlab_envs_locomotion.config import Go1RoughCfg, Go1WalkCfg
from motrixlab_envs_locomotion.robots.go1 import GO1
from motrixlab_envs_locomotion.rough import RoughEnv
from motrixlab_envs_locomotion.terrain import TerrainCfg
from motrixlab_envs_locomotion.walk import WalkEnv

FEET = GO1.feet


def _quiet_walk_cfg(**kw) -> Go1WalkCfg:
    cfg = Go1WalkCfg(**kw)
    cfg.reset.joint_pos_noise = 0.0
    cfg.reset.base_lin_vel_noise = 0.0
    cfg.reset.base_ang_vel_noise = 0.0
    cfg.reset.random_yaw = False
    return cfg


@pytest.fixture
def quiet_cfg():
    """go1-walk config without reset noise, so states are exactly what a test writes."""
    return _quiet_walk_cfg


@pytest.fixture
def make_walk():
    envs = []

    def make(num_envs: int = 4, seed: int = 0, cfg: Go1WalkCfg | None = None) -> WalkEnv:
        env = WalkEnv(cfg or _quiet_walk_cfg(), num_envs=num_envs, seed=seed)
        env.reset(seed=seed)
        envs.append(env)
        return env

    yield make
    for env in envs:
        env.close()


@pytest.fixture
def small_terrain():
    """A 3-level terrain of 4 m tiles: quick to build and to simulate."""

    def make(**kw) -> TerrainCfg:
        return TerrainCfg(**{"levels": 3, "tile_size": 4.0, "platform": 1.0, **kw})

    return make


@pytest.fixture
def make_rough(small_terrain):
    def make(num_envs: int = 8, seed: int = 0, terrain: TerrainCfg | None = None, **cfg_kw) -> RoughEnv:
        cfg = Go1RoughCfg(terrain=terrain or small_terrain(), **cfg_kw)
        env = RoughEnv(cfg, num_envs=num_envs, seed=seed)
        env.reset(seed=seed)
        return env

    return make


def _ground_contacts(env: WalkEnv):
    """Feet (N, 4) bool, trunk (N,) bool and penalised geoms (N, 8) touching any ground geom, from the raw query."""
    c = env.state["contacts"]
    if len(env.ground_geoms) > 1:
        c = c.reshape(env.num_envs, len(env.ground_geoms), -1).max(axis=1)
    nf = len(FEET)
    return c[:, :nf] > 0.5, c[:, nf] > 0.5, c[:, nf + 1 :]


def _stand(env: WalkEnv, seconds: float) -> tuple[np.ndarray, np.ndarray]:
    """Step ``env`` with zero action for ``seconds``, asserting that no episode ends; then each env's trunk
    pose (N, 7) and trunk tilt from the vertical (N,) in rad."""
    zero = np.zeros((env.num_envs, env.num_joints), np.float32)
    for _ in range(round(seconds / env.dt)):
        _, _, terminated, _, _ = env.step(zero)
        assert not terminated.any()
    qpos = env.state["qpos"]
    return qpos[:, :7].copy(), np.arccos(-quat.projected_gravity(qpos[:, 3:7])[:, 2])


@pytest.fixture
def stand():
    """Stands an env under zero action (``_stand``)."""
    return _stand


@pytest.fixture
def ground_contacts():
    """Decodes an env's contact query independently of the compiled reward pass."""
    return _ground_contacts
