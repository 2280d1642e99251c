"""Terrain generation: seeded, bounded, joined without cliffs, and the physics agrees with it."""

from __future__ import annotations

import tempfile
from pathlib import Path

import motrixsim as mx
import numpy as np
import pytest
from motrixlab_envs_locomotion.terrain import TERRAIN_TYPES, TerrainCfg, generate, scene_xml, tile_heights


def test_same_config_same_terrain_and_the_seed_matters(small_terrain):
    a, b = generate(small_terrain(seed=3)), generate(small_terrain(seed=3))
    c = generate(small_terrain(seed=4))
    assert np.array_equal(a.heights, b.heights)
    assert not np.array_equal(a.heights, c.heights)


def test_heights_are_bounded_and_tiles_meet_at_zero(small_terrain):
    cfg = small_terrain()
    ter = generate(cfg)
    assert ter.heights.min() >= 0.0
    step = round(cfg.tile_size / cfg.resolution)
    assert ter.heights.shape == (len(TERRAIN_TYPES) * step + 1, cfg.levels * step + 1)
    assert not ter.heights[::step, :].any() and not ter.heights[:, ::step].any()  # tile borders
    # the tallest pyramid: last level, slope with a flat platform: slope * (tile - platform) / 2
    assert ter.heights.max() <= cfg.max_slope * (cfg.tile_size - cfg.platform) / 2 + 1e-5


@pytest.mark.parametrize("kind", TERRAIN_TYPES)
def test_difficulty_grows_with_level(kind, small_terrain):
    cfg = small_terrain()
    n = round(cfg.tile_size / cfg.resolution) + 1
    easy = tile_heights(kind, 0.0, n, cfg, np.random.default_rng(0))
    hard = tile_heights(kind, 1.0, n, cfg, np.random.default_rng(0))
    assert easy.max() < hard.max()
    assert easy.min() >= 0 and hard.min() >= 0
    steepest = np.abs(np.diff(hard, axis=0)).max() / cfg.resolution
    if kind == "slope":
        assert steepest == pytest.approx(cfg.max_slope, rel=1e-6)
    if kind == "stairs":
        assert np.abs(np.diff(hard, axis=0)).max() == pytest.approx(cfg.max_step_height)


def test_bad_terrain_config_names_the_field():
    with pytest.raises(ValueError, match=r"terrain.types"):
        TerrainCfg(types=("lava",)).validate()
    with pytest.raises(ValueError, match=r"terrain.resolution"):
        TerrainCfg(resolution=2.0).validate()


def test_physics_rests_on_the_generated_heights(small_terrain):
    """Balls dropped on stair treads and platforms come to rest on the heights the env computes."""
    cfg = small_terrain(types=("stairs", "slope"), max_step_height=0.15)
    ter = generate(cfg)
    points = []
    for level in range(cfg.levels):
        c = ter.tile_centre(level, 0)
        points += [(c[0] - cfg.tile_size / 2 + (k + 0.5) * cfg.step_width, c[1]) for k in (1, 3)]
        points.append(tuple(ter.tile_centre(level, 1)))  # top of a slope pyramid
    balls = "".join(
        f'<body pos="{x} {y} 1.5"><freejoint/><geom type="sphere" size="0.04" mass="0.1" conaffinity="0"/></body>'
        for x, y in points
    )
    with tempfile.TemporaryDirectory() as tmp:
        robot = Path(tmp) / "balls.xml"
        robot.write_text(
            f'<mujoco><worldbody><geom name="floor" type="plane" size="50 50 0.1"/>{balls}</worldbody></mujoco>'
        )
        model = mx.load_mjcf_str(scene_xml(robot, ter))
    data = mx.SceneData(model)
    model.options.timestep = 0.005
    model.step_n(data, 300)
    rest = data.dof_pos.reshape(-1, 7)[:, 2] - 0.04
    pts = np.array(points)
    expected = ter.height_at(pts[:, 0], pts[:, 1])
    assert rest == pytest.approx(expected, abs=0.003)
    assert expected.max() > 0.5  # the check covers tall terrain, not only flat ground
    assert np.unique(expected.round(2)).size >= 6


def test_height_at_is_bilinear_between_samples_and_zero_outside():
    from motrixlab_envs_locomotion.terrain import Terrain

    heights = np.array([[0.0, 1.0, 0.0], [0.0, 3.0, 0.0]], np.float32)  # 3 x 2 samples, 0.5 m apart
    ter = Terrain(heights=heights, resolution=0.5, tile_size=1.0, levels=1, types=("rough",))
    assert ter.origin == (-0.5, -0.25)
    x = np.array([[-0.5, 0.0, -0.25], [0.0, 0.25, 0.6]])  # the last one is past the +x edge
    y = np.array([-0.25, 0.25, 0.0])  # broadcast over the rows of x
    h = ter.height_at(x, y)
    assert h.shape == (2, 3) and h.dtype == np.float32
    # samples, the middle of the left cell (mean of 0, 1, 0, 3), halfway between 3 and 0
    assert h == pytest.approx(np.array([[0.0, 3.0, 1.0], [1.0, 1.5, 0.0]]))
    assert ter.height_at(np.array([0.0]), np.array([0.26])) == pytest.approx([0.0])  # beyond +y
