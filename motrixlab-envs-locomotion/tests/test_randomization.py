"""Domain randomisation through MotrixSim's per-env overrides, redrawn at every reset."""

from __future__ import annotations

import numpy as np
import pytest
from motrixlab_envs_locomotion.config import RandomizationCfg
from motrixlab_envs_locomotion.robots.go1 import GO1

ACTUATORS = GO1.actuators
FEET = GO1.feet


def overrides(env):
    m, d = env.model, env.data
    kp = np.stack([m.get_actuator(a).get_kp_override(d) for a in ACTUATORS], axis=1)
    kd = np.stack([m.get_actuator(a).get_kd_override(d) for a in ACTUATORS], axis=1)
    mass = m.get_link("trunk").get_mass_override(d)
    friction = np.stack([m.get_geom(g).get_friction_override(d)[:, 0] for g in (*FEET, "floor")], axis=1)
    return kp, kd, mass, friction


def test_disabled_leaves_the_model_values(make_walk):
    env = make_walk(num_envs=4)
    kp, kd, mass, friction = overrides(env)
    assert np.allclose(kp, 35.0) and np.allclose(kd, 0.6) and np.allclose(mass, 5.2)
    assert np.allclose(friction[:, :4], 1.0)


def test_each_env_gets_its_own_physics_within_the_ranges(make_walk, quiet_cfg):
    dr = RandomizationCfg(enabled=True, push_interval_seconds=0.0)
    env = make_walk(num_envs=64, cfg=quiet_cfg(randomization=dr))
    kp, kd, mass, friction = overrides(env)
    assert kp == pytest.approx(env._kp) and kd == pytest.approx(env._kd)  # the torque estimate uses them
    assert (kp >= 35 * 0.9 - 1e-4).all() and (kp <= 35 * 1.1 + 1e-4).all() and kp.std() > 1.0
    assert (mass >= 4.2 - 1e-5).all() and (mass <= 7.2 + 1e-5).all() and mass.std() > 0.5
    assert (friction >= 0.4 - 1e-6).all() and (friction <= 1.25 + 1e-6).all()
    assert np.allclose(friction, friction[:, :1])  # feet and ground share one value per env (contacts use the max)


def test_partial_reset_redraws_only_the_finished_rows(make_walk, quiet_cfg):
    # A reset=True write plan restores model values it does not write; the env re-writes them on
    # every reset, so the finished rows get new values and the others keep theirs.
    dr = RandomizationCfg(enabled=True, push_interval_seconds=0.0)
    env = make_walk(num_envs=8, cfg=quiet_cfg(randomization=dr, max_episode_seconds=0.1))
    before = overrides(env)
    env.reset_rows(np.array([2, 5]))
    after = overrides(env)
    for b, a in zip(before, after, strict=True):
        keep = np.ones(8, bool)
        keep[[2, 5]] = False
        assert np.array_equal(a[keep], b[keep])
        assert not np.allclose(a[[2, 5]], b[[2, 5]])
    assert not np.allclose(after[2], 5.2)  # redrawn, not restored to the model's trunk mass


def test_added_trunk_mass_changes_the_physics(make_walk, quiet_cfg):
    light = quiet_cfg(
        randomization=RandomizationCfg(enabled=True, added_trunk_mass=(-1.0, -1.0), push_interval_seconds=0)
    )
    heavy = quiet_cfg(
        randomization=RandomizationCfg(enabled=True, added_trunk_mass=(3.0, 3.0), push_interval_seconds=0)
    )
    z = []
    for cfg in (light, heavy):
        env = make_walk(num_envs=1, cfg=cfg)
        for _ in range(100):
            env.step(np.zeros((1, 12), np.float32))
        z.append(env.state["qpos"][0, 2])
    assert z[1] < z[0] - 0.01  # the heavier trunk sags the PD legs further


def test_pushes_shove_the_trunk_on_schedule(make_walk, quiet_cfg):
    dr = RandomizationCfg(enabled=True, push_interval_seconds=0.1, push_velocity=1.0)  # every 5 steps
    env = make_walk(num_envs=32, cfg=quiet_cfg(randomization=dr))
    speeds = []
    for _ in range(6):
        env.step(np.zeros((32, 12), np.float32))
        speeds.append(np.linalg.norm(env.state["qvel"][:, :2], axis=1).mean())
    assert speeds[4] > 0.3 and speeds[3] < 0.15  # the 5th step starts with a shove
