"""go1-walk-rough: spawning on the terrain, contacts with the heightfield, the level curriculum."""

from __future__ import annotations

import numpy as np
import pytest
from motrixlab_envs_locomotion.observation import OBS_DIM


def test_builds_with_randomisation_and_noise_on(make_rough):
    env = make_rough(num_envs=8)
    assert env.cfg.randomization.enabled and env.cfg.noise.enabled
    assert env.cfg.model_file.endswith("go1.xml")  # the user's config, not the generated scene
    assert env.ground_geoms == ("floor", "terrain")
    obs, *_ = env.step(np.zeros((8, 12), np.float32))
    assert obs.shape == (8, OBS_DIM)


def test_robots_start_on_their_tiles_and_stand_on_the_terrain(make_rough, small_terrain, ground_contacts):
    env = make_rough(num_envs=12, terrain=small_terrain(), initial_max_level=2)
    centres = env.terrain.tile_centre(env.levels, env.columns)
    assert np.abs(env.state["qpos"][:, :2] - centres).max() <= env.cfg.terrain.platform / 2
    for _ in range(50):
        env.step(np.zeros((12, 12), np.float32))
    height = env.base_height()
    assert (height > 0.2).all() and (height < 0.32).all()  # standing above the local ground
    feet, trunk, _ = ground_contacts(env)
    assert feet.sum() >= 40 and not trunk.any()
    assert env.state["qpos"][:, 2].max() > 0.5  # some envs stand on raised tiles


def test_initial_levels_span_min_to_max(make_rough):
    env = make_rough(num_envs=64, initial_min_level=1, initial_max_level=2)
    assert set(env.levels.tolist()) == {1, 2}  # 64 draws: both, and nothing else
    top = make_rough(num_envs=8, initial_min_level=2, initial_max_level=2, curriculum=False)
    assert (top.levels == 2).all()
    assert np.allclose(top.state["qpos"][:, :2], top.terrain.tile_centre(top.levels, top.columns), atol=1.0)


def test_curriculum_moves_levels_by_distance_walked(make_rough):
    env = make_rough(num_envs=6, initial_max_level=1)
    env.levels[:] = [0, 1, 1, 2, 2, 1]
    env.commanded_distance[:] = [0.0, 4.0, 4.0, 0.0, 1.0, 2.0]
    origins = env.origins.copy()
    pos = env.state["qpos"][:, :3].copy()
    far = env.terrain.tile_size / 2 + 0.5
    pos[:, :2] = origins + np.array([[far, 0], [far, 0], [0.5, 0], [far, 0], [0.1, 0], [1.5, 0]])
    env.set_state(base_pos=pos)
    env.rng = np.random.default_rng(0)
    env.on_episode_end(np.arange(6))
    # walked off the tile: up (level 2 of 3 goes beyond the last and restarts at a random level);
    # walked less than half the commanded distance: down; otherwise stay
    assert env.levels[[0, 1, 2, 4, 5]].tolist() == [1, 2, 0, 1, 1]
    assert 0 <= env.levels[3] < env.terrain.levels
    assert not env.commanded_distance.any()
    assert env.log["terrain_top_passed"] == 0.5  # of the two episodes on the top level, one walked off


def test_curriculum_off_keeps_levels(make_rough):
    env = make_rough(num_envs=4, curriculum=False)
    before = env.levels.copy()
    env.on_episode_end(np.arange(4))
    assert np.array_equal(env.levels, before)


def test_terrain_level_is_logged(make_rough):
    env = make_rough(num_envs=4)
    *_, info = env.step(np.zeros((4, 12), np.float32))
    assert info["log"]["terrain_level"] == pytest.approx(env.levels.mean())


def test_invalid_terrain_config_is_a_config_error(small_terrain):
    import motrixlab
    from motrixlab_envs_locomotion.config import Go1RoughCfg
    from motrixlab_envs_locomotion.rough import RoughEnv

    with pytest.raises(motrixlab.ConfigError, match=r"terrain\.levels"):
        RoughEnv(Go1RoughCfg(terrain=small_terrain(levels=0)), num_envs=1)
    with pytest.raises(motrixlab.ConfigError, match="initial_max_level"):
        RoughEnv(Go1RoughCfg(terrain=small_terrain(levels=2), initial_max_level=2), num_envs=1)
    with pytest.raises(motrixlab.ConfigError, match=r"initial_min_level: must be in \[0, initial_max_level = 1\]"):
        RoughEnv(Go1RoughCfg(terrain=small_terrain(levels=3), initial_min_level=2), num_envs=1)


def test_curriculum_levels_are_env_state(make_rough):
    import motrixlab

    env = make_rough(num_envs=6)
    assert isinstance(env, motrixlab.StatefulEnv)
    env.levels[:] = [0, 1, 2, 2, 1, 0]
    state = env.env_state()
    assert state == {"terrain_levels": [0, 1, 2, 2, 1, 0]}
    fresh = make_rough(num_envs=6)
    fresh.load_env_state(state)
    assert fresh.levels.tolist() == [0, 1, 2, 2, 1, 0]
    fresh.reset(seed=1)  # the next episodes start on the restored tiles
    centres = fresh.terrain.tile_centre(fresh.levels, fresh.columns)
    assert np.abs(fresh.state["qpos"][:, :2] - centres).max() <= fresh.cfg.terrain.platform / 2
    *_, info = fresh.step(np.zeros((6, 12), np.float32))
    assert info["log"]["terrain_level"] == pytest.approx(1.0)
    # another batch size draws from the saved levels
    wider = make_rough(num_envs=20)
    wider.load_env_state({"terrain_levels": [2, 2, 2]})
    assert wider.levels.tolist() == [2] * 20
    for bad in ([], [0, 3], [0.5, 1.0], [[0, 1]], "12"):
        with pytest.raises(ValueError, match=r"terrain_levels must be a non-empty list of integers in \[0, 2\]"):
            wider.load_env_state({"terrain_levels": bad})
    assert wider.levels.tolist() == [2] * 20


def test_stairs_task_keeps_graduates_on_top_and_measures_climbs(small_terrain):
    from motrixlab_envs_locomotion.config import Go1StairsCfg
    from motrixlab_envs_locomotion.rough import StairsEnv

    assert Go1StairsCfg().terrain.types == ("stairs",) and Go1StairsCfg().terrain.max_step_height == 0.15
    cfg = Go1StairsCfg(terrain=small_terrain(types=("stairs",), max_step_height=0.15), initial_max_level=2)
    env = StairsEnv(cfg, num_envs=4, seed=0)
    env.reset(seed=0)
    top = env.terrain.levels - 1
    # the pyramid's platform is as high as its flight
    for level in range(env.terrain.levels):
        x, y = env.terrain.tile_centre(level, 0)
        assert env.terrain.height_at(x, y) == pytest.approx(env.flight_height(np.array([level]))[0], abs=1e-3)
    # an episode started at the top of the pyramid: nothing climbed yet
    assert env.climbed == pytest.approx(np.zeros(4))
    assert env.lowest == pytest.approx(env.terrain.height_at(env.origins[:, 0], env.origins[:, 1]), abs=1e-4)
    # every env walked off its tile on the top level; two climbed a whole flight on the way
    env.levels[:] = top
    far = env.origins + np.float32(env.terrain.tile_size)
    env.set_state(base_pos=np.concatenate([far, np.full((4, 1), 3.0, np.float32)], axis=1))
    flight = env.flight_height(np.array([top]))[0]
    env.climbed[:] = [0.0, 0.5 * flight, 0.95 * flight, flight]
    env.log = {}
    env.on_episode_end(np.arange(4))
    assert env.levels.tolist() == [top] * 4  # graduates stay on the last level
    assert env.log["stair_top_reached"] == pytest.approx(0.5)
    assert env.log["stairs_climbed"] == pytest.approx(env.climbed.mean())
    assert env.log["terrain_top_passed"] == pytest.approx(1.0)
    env.close()
