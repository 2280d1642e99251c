"""The height scan: its grid, its frame, its values on hand-made stairs, its noise and where it is refused."""

from __future__ import annotations

import numpy as np
import pytest
from motrixlab_envs_locomotion import quat
from motrixlab_envs_locomotion.config import Go1StairsCfg, Go1WalkCfg, NoiseCfg
from motrixlab_envs_locomotion.height_scan import HeightScanCfg
from motrixlab_envs_locomotion.observation import OBS_DIM, obs_layout
from motrixlab_envs_locomotion.rough import StairsEnv
from motrixlab_envs_locomotion.walk import WalkEnv


def test_grid_rows_run_near_to_far_and_right_to_left():
    pts = HeightScanCfg(forward=(-0.2, 0.2), lateral=(-0.1, 0.1), spacing=0.1).points()
    assert pts.shape == (15, 2) and pts.dtype == np.float32
    np.testing.assert_allclose(pts[:3], [[-0.2, -0.1], [-0.2, 0.0], [-0.2, 0.1]], atol=1e-6)
    np.testing.assert_allclose(pts[-1], [0.2, 0.1], atol=1e-6)
    assert len(HeightScanCfg().points()) == 13 * 7  # the default: 1.2 m x 0.6 m at 0.1 m


def test_layout_puts_the_scan_last():
    assert [n for n, _ in obs_layout(12, scan=5)][-2:] == ["command", "height_scan"]
    assert [n for n, _ in obs_layout(12, phase=True, scan=5)][-2:] == ["phase", "height_scan"]
    assert obs_layout(12, scan=0) == obs_layout(12)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"forward": (0.5, -0.5)}, "height_scan.forward: lower bound 0.5 exceeds upper bound -0.5"),
        ({"spacing": 0.0}, "height_scan.spacing and clip: must be positive"),
        ({"enabled": True, "spacing": 0.01}, "height_scan: 7381 points; at most 1024"),
    ],
)
def test_invalid_grids_are_refused(kw, message):
    with pytest.raises(ValueError, match=message):
        HeightScanCfg(**kw).validate()


@pytest.fixture
def stairs(small_terrain):
    cfg = Go1StairsCfg(terrain=small_terrain(types=("stairs",), max_step_height=0.15), noise=NoiseCfg(enabled=False))
    env = StairsEnv(cfg, num_envs=3, seed=0)
    env.reset(seed=0)
    yield env
    env.close()


def _place(env, xy, z, q):
    pos = np.concatenate([np.asarray(xy, np.float32), np.full((len(xy), 1), z, np.float32)], axis=1)
    return env.set_state(base_pos=pos, base_quat=np.asarray(q, np.float32))


def test_scan_reads_the_risers_ahead_and_behind(stairs):
    env = stairs
    part = env.obs_slices["height_scan"]
    assert part == slice(OBS_DIM, OBS_DIM + 91) and env.observation_space.shape == (OBS_DIM + 91,)
    # level 2 of 3: 15 cm risers, 5 steps up to a 1 m platform at 0.75 m; the trunk stands over the platform
    cx, cy = env.terrain.tile_centre(2, 0)
    rise, top = 0.15, 5 * 0.15
    z = top + env.robot.standing_height
    facing = np.array([[0, 0, 0, 1], [0, 0, 1, 0]], np.float32)  # +x, and -x (yaw pi)
    obs = _place(env, [[cx + 0.15, cy]] * 2 + [[cx, cy]], z, np.concatenate([facing, facing[:1]]))
    scan = obs[:, part].reshape(3, 13, 7)  # rows near to far, columns right to left
    # facing +x from 0.15 m past the centre: the far centre point (0.95 m out) is two steps down
    assert scan[0, -1, 3] == pytest.approx(2 * rise, abs=1e-4)
    assert scan[0, 0, 3] == pytest.approx(0.0, abs=1e-4)  # the near row, 0.25 m behind the centre: platform
    # facing -x from the same place: 0.65 m out on the other side, one step down
    assert scan[1, -1, 3] == pytest.approx(rise, abs=1e-4)
    # the centre of the platform: the points within 0.5 m of it read flat
    flat = np.abs(env._scan_points).max(axis=1) <= 0.45
    assert np.abs(obs[2, part][flat]).max() < 1e-4


def test_scan_follows_the_heading_not_the_tilt(stairs):
    env = stairs
    rng = np.random.default_rng(3)
    cx, cy = env.terrain.tile_centre(1, 0)
    xy = np.array([cx, cy]) + rng.uniform(-1.5, 1.5, (3, 2))
    yaw = rng.uniform(-np.pi, np.pi, 3)
    level = quat.from_yaw(yaw)
    tilt = quat.multiply(level, quat.from_axis_angle(np.array([[0.0, 1.0, 0.0]] * 3), np.array([0.3, -0.2, 0.1])))
    part = env.obs_slices["height_scan"]
    upright = _place(env, xy, 0.6, level)[:, part].copy()
    tilted = _place(env, xy, 0.6, tilt)[:, part]
    assert tilted == pytest.approx(upright, abs=1e-5)
    # against the terrain's own bilinear lookup at the grid rotated by the heading
    pts = env._scan_points
    c, s = np.cos(yaw)[:, None], np.sin(yaw)[:, None]
    wx = xy[:, :1] + c * pts[:, 0] - s * pts[:, 1]
    wy = xy[:, 1:] + s * pts[:, 0] + c * pts[:, 1]
    expected = np.clip(0.6 - env.terrain.height_at(wx, wy) - env.robot.standing_height, -1.0, 1.0)
    assert upright == pytest.approx(expected, abs=1e-5)
    assert np.ptp(upright) > 0.1  # the points span several steps


def test_scan_noise_follows_the_noise_config(small_terrain):
    cfg = Go1StairsCfg(terrain=small_terrain(types=("stairs",)), noise=NoiseCfg(enabled=True, height_scan=0.05))
    env = StairsEnv(cfg, num_envs=64, seed=0)
    env.reset(seed=0)
    part = env.obs_slices["height_scan"]
    noisy = env._observation()[:, part]
    env._scan_noise = 0.0
    clean = env._observation()[:, part]
    diff = noisy - clean  # uniform of std 0.05: within ±0.0866
    assert np.std(diff) == pytest.approx(0.05, rel=0.05) and np.abs(diff).max() <= 0.0867
    env.close()


def test_flat_ground_reads_the_trunk_height_and_has_no_deploy_description():
    from motrixlab.deploy import DeployUnavailable

    env = WalkEnv(Go1WalkCfg(height_scan=HeightScanCfg(enabled=True)), num_envs=2, seed=0)
    env.reset(seed=0)
    part = env.obs_slices["height_scan"]
    obs = _place(env, [[0.0, 0.0], [5.0, -2.0]], 0.4, [[0, 0, 0, 1], [0, 0, 0.6, 0.8]])
    assert obs[:, part] == pytest.approx(np.full((2, 91), 0.4 - env.robot.standing_height), abs=1e-6)
    with pytest.raises(DeployUnavailable, match="height scan"):
        env.deploy_description()
    env.close()
