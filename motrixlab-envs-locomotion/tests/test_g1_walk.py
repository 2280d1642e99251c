"""g1-walk and g1-walk-rough: the gait clock, the gait reward terms, terminations, determinism, registration."""

from __future__ import annotations

import math

import motrixlab
import numpy as np
import pytest
from motrixlab.deploy import DeployUnavailable
from motrixlab_envs_locomotion import gait as G
from motrixlab_envs_locomotion import quat
from motrixlab_envs_locomotion.config import G1RoughCfg, G1WalkCfg
from motrixlab_envs_locomotion.observation import OBS_LAYOUT, obs_layout, obs_slices
from motrixlab_envs_locomotion.robots.g1 import G1
from motrixlab_envs_locomotion.rough import RoughEnv

QUIET = {
    "reset.joint_pos_noise": 0,
    "reset.base_lin_vel_noise": 0,
    "reset.base_ang_vel_noise": 0,
    "reset.random_yaw": False,
}
ZERO = np.zeros((1, 12), np.float32)
f32 = np.float32


def _make(num_envs=2, seed=0, name="g1-walk", **overrides):
    env = motrixlab.make(name, num_envs=num_envs, seed=seed, overrides={**QUIET, **overrides})
    env.reset(seed=seed)
    return env


# ---- observation -----------------------------------------------------------------------------------
def test_layout_appends_the_clock_to_the_quadrupeds_layout():
    assert obs_layout(12) == OBS_LAYOUT  # unchanged without the clock
    layout = obs_layout(12, phase=True)
    assert layout[:-1] == OBS_LAYOUT and layout[-1] == ("phase", 2)
    sl = obs_slices(12, phase=True)
    assert sl["command"] == slice(45, 48) and sl["phase"] == slice(48, 50)


def test_observation_layout_and_frames():
    env = _make(num_envs=2)
    sl = env.obs_slices
    assert env.observation_space.shape == (50,) and env.action_space.shape == (12,)
    obs = env.set_state(
        base_pos=[[0, 0, 2.0], [0, 0, 2.0]],
        base_quat=quat.from_yaw(np.array([np.pi / 2, 0.0])),
        lin_vel=[[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]],
        ang_vel=[[0.0, 0.0, 0.7], [0.0, 0.0, 0.0]],
    )
    assert obs.shape == (2, 50)
    assert obs[0, sl["lin_vel"]] == pytest.approx([0.0, -1.0, 0.0], abs=1e-5)  # facing +y, moving along +x
    assert obs[0, sl["ang_vel"]] == pytest.approx([0.0, 0.0, 0.7], abs=1e-5)
    tilted = env.set_state(base_quat=quat.from_axis_angle(np.array([[0, 1.0, 0]] * 2), [0.3, 0.3]))
    assert tilted[:, sl["gravity"]] == pytest.approx(np.tile([np.sin(0.3), 0.0, -np.cos(0.3)], (2, 1)), abs=1e-5)
    assert tilted[:, sl["joint_pos"]] == pytest.approx(np.zeros((2, 12)), abs=1e-6)
    assert tilted[:, sl["command"]] == pytest.approx(env.commands)
    assert tilted[:, sl["phase"]] == pytest.approx(np.tile([0.0, 1.0], (2, 1)))  # a new episode starts at phase 0
    env.close()


def test_phase_clock_advances_at_the_gait_frequency_and_restarts_with_episodes():
    env = _make(num_envs=2)
    f, dt = env.cfg.gait.frequency, env.dt
    period = round(1.0 / (f * dt))
    assert period == 40  # 1.25 Hz at 50 Hz
    sl = env.obs_slices["phase"]
    seen = []
    for k in range(1, period + 1):
        obs, *_ = env.step(np.zeros((2, 12), np.float32))
        seen.append(obs[0, sl].copy())
        angle = 2 * np.pi * f * dt * k
        assert obs[:, sl] == pytest.approx(np.tile([np.sin(angle), np.cos(angle)], (2, 1)), abs=1e-5)
    assert seen[-1] == pytest.approx([0.0, 1.0], abs=1e-5)  # one period later: back to the start
    assert seen[period // 2 - 1] == pytest.approx([0.0, -1.0], abs=1e-5)  # half a period: opposite
    assert env.phase == pytest.approx([0.0, 0.0], abs=1e-9)
    for _ in range(10):
        env.step(np.zeros((2, 12), np.float32))
    env.reset_rows(np.array([1]))
    assert env.phase[0] == pytest.approx(10 * f * dt) and env.phase[1] == 0.0
    env.close()


def test_phase_entries_get_no_noise():
    env = _make(num_envs=64, **{"noise.enabled": True, "noise.scale": 3.0})
    obs, *_ = env.step(np.zeros((64, 12), np.float32))
    sin, cos = G.clock(env.phase)
    assert obs[:, env.obs_slices["phase"]] == pytest.approx(np.stack([sin, cos], axis=1))
    env.close()


# ---- gait terms on hand-made states ----------------------------------------------------------------
def test_stance_follows_the_clock_with_the_legs_half_a_cycle_apart():
    share = 0.55
    assert G.stance(0.0, 0.0, share, False) == (True, 0.0)
    assert G.stance(0.0, 0.5, share, False) == (True, 0.0)  # 0.5 < 0.55: double support
    assert G.stance(0.3, 0.0, share, False) == (True, 0.0)
    in_stance, progress = G.stance(0.3, 0.5, share, False)  # right leg at 0.8: swing
    assert not in_stance and progress == pytest.approx((0.8 - share) / (1 - share))
    in_stance, progress = G.stance(0.7, 0.0, share, False)
    assert not in_stance and progress == pytest.approx((0.7 - share) / (1 - share))
    assert G.stance(0.7, 0.0, share, True) == (True, 0.0)  # told to stand: every foot down
    # over a cycle each foot is down 55 % of the time and the two never swing together
    phases = np.arange(1000) / 1000
    left = np.array([G.stance(p, 0.0, share, False)[0] for p in phases])
    right = np.array([G.stance(p, 0.5, share, False)[0] for p in phases])
    assert left.mean() == pytest.approx(share) and right.mean() == pytest.approx(share)
    assert (left | right).all() and (left & right).mean() == pytest.approx(2 * share - 1)


def _foot_quat(roll: float) -> np.ndarray:
    return quat.from_axis_angle(np.array([[1.0, 0.0, 0.0]]), [roll])[0]


def test_gait_terms_against_hand_computed_values():
    """Row 0 walks (phase 0.3: left in stance, right in swing); row 1 is told to stand; two ground geoms."""
    n, share, clearance, rest = 2, 0.55, 0.08, 0.008
    per_ground = 11  # 2 feet, 9 termination geoms
    contacts = np.zeros((n, 2 * per_ground), f32)
    contacts[0, [0, 1]] = 1.0  # row 0: both feet down (the right one should be up)
    contacts[1, per_ground + 1] = 1.0  # row 1: the right foot on the second ground geom, the left one up
    feet_pos = np.array([[[0.0, 0.1, 0.008], [0.0, -0.1, 0.03]], [[0, 0.1, 0.05], [0, -0.1, 0.3]]], f32)
    feet_rot = np.array([[_foot_quat(0.3), [0, 0, 0, 1]], [[0, 0, 0, 1], _foot_quat(-0.2)]], f32)
    feet_vel = np.array([[[0.1, 0.2, 0.5], [0.3, 0.0, 0.0]], [[1.0, 1.0, 1.0], [0.0, 0.4, 0.0]]], f32)
    ground = np.array([[0.0, 0.0], [0.0, 0.25]], f32)
    joint_pos = np.tile(G1.pose(), (n, 1))
    joint_pos[0, [1, 2]] += [0.1, -0.2]
    out = np.full((len(G.GAIT_TERMS), n), np.nan, f32)
    reward = np.array([0.5, -0.2], f32)
    params = G.new_params(stance_share=share, clearance=clearance, foot_height=rest, grounds=2, only_positive=False)
    commands = np.array([[0.5, 0.0, 0.0], [0.0, 0.0, 0.0]], f32)
    feet = (contacts, feet_pos, feet_rot, feet_vel, ground, joint_pos, G1.pose(), np.array([1, 2, 7]))

    def run(params: np.ndarray, weights: np.ndarray, reward: np.ndarray) -> None:
        G.gait_terms(np.array([0.3, 0.3]), np.array([0.0, 0.5]), commands, *feet, params, weights, out, reward)

    run(params, np.ones(len(G.GAIT_TERMS)), reward)
    terms = dict(zip(G.GAIT_TERMS, out, strict=True))
    progress = (0.8 - share) / (1 - share)
    assert terms["contact_schedule"] == pytest.approx([1.0, 1.0])  # row 0: the left foot; row 1: the right
    swing = (0.03 - rest - clearance * math.sin(math.pi * progress)) ** 2
    assert terms["feet_clearance"] == pytest.approx([swing, 0.0], rel=1e-5)  # standing: no swing
    assert terms["feet_slip"] == pytest.approx([0.05 + 0.09, 0.16], rel=1e-5)  # feet on the ground only
    assert terms["feet_orientation"] == pytest.approx([math.sin(0.3) ** 2, math.sin(0.2) ** 2], rel=1e-5)
    assert terms["joint_deviation"] == pytest.approx([0.05, 0.0], rel=1e-5)
    assert reward == pytest.approx([0.5 + out[:, 0].sum(), -0.2 + out[:, 1].sum()], rel=1e-6)
    # weights scale each term; with only_positive the sum is clipped at 0 after the gait terms
    weights = np.array([2.0, -10.0, 0.0, 0.0, 0.0])
    clipped = np.array([0.5, -0.2], f32)
    params = G.new_params(stance_share=share, clearance=clearance, foot_height=rest, grounds=2, only_positive=True)
    run(params, weights, clipped)
    assert out[0] == pytest.approx([2.0, 2.0]) and out[1] == pytest.approx([-10 * swing, 0.0], rel=1e-5)
    assert clipped == pytest.approx([0.5 + 2.0 - 10 * swing, 1.8], rel=1e-5)
    assert not out[2:].any()


def test_the_swing_target_is_a_sine_arc_of_the_clearance():
    """A swing foot exactly on the arc costs nothing; mid-swing the arc peaks at ``clearance``."""
    share, clearance, rest = 0.5, 0.1, 0.0
    params = G.new_params(stance_share=share, clearance=clearance, foot_height=rest, grounds=1, only_positive=False)
    phases = np.array([0.55, 0.75, 0.9])  # foot 0 in swing: progress 0.1, 0.5, 0.8
    heights = clearance * np.sin(np.pi * (phases - share) / (1 - share))
    feet_pos = np.zeros((3, 1, 3), f32)
    feet_pos[:, 0, 2] = heights
    out = np.zeros((len(G.GAIT_TERMS), 3), f32)
    args = (np.zeros((3, 1), f32), feet_pos, np.tile([0, 0, 0, 1.0], (3, 1, 1)).astype(f32), np.zeros((3, 1, 3), f32))
    G.gait_terms(
        phases, np.zeros(1), np.tile([0.5, 0, 0], (3, 1)).astype(f32), *args, np.zeros((3, 1), f32),
        np.zeros((3, 12), f32), np.zeros(12, f32), np.zeros(0, np.int64), params, np.ones(5), out, np.zeros(3, f32),
    )  # fmt: skip
    assert heights[1] == pytest.approx(clearance)
    assert out[1] == pytest.approx([0.0, 0.0, 0.0], abs=1e-9)
    assert out[0] == pytest.approx([1.0, 1.0, 1.0])  # in the air when the clock says swing


# ---- the terms in the env ---------------------------------------------------------------------------
def test_env_reward_is_the_weighted_sum_of_the_logged_terms_and_the_gait_terms_match_the_state():
    env = _make(num_envs=16, seed=3, **{"rewards.only_positive": False})
    rng = np.random.default_rng(0)
    gc = env.cfg.gait
    for _ in range(30):
        phase = env.phase.copy()  # the clock the policy saw
        commands = env.commands.copy()
        _, reward, terminated, _, info = env.step(rng.uniform(-0.3, 0.3, (16, 12)).astype(np.float32))
        log = info["log"]
        terms = {k: v for k, v in log.items() if k.startswith("reward/")}
        assert set(terms) >= {f"reward/{name}" for name in G.GAIT_TERMS}
        assert reward == pytest.approx(np.sum(list(terms.values()), axis=0), abs=1e-5)
        live = ~terminated  # rows reset in this step have a new state
        s = env.state
        down = s["contacts"][:, :2] > 0.5
        vel = s["feet_vel"].reshape(16, 2, 3)
        slip = ((vel[:, :, 0] ** 2 + vel[:, :, 1] ** 2) * down).sum(axis=1)
        assert log["reward/feet_slip"][live] == pytest.approx((gc.scales.feet_slip * env.dt * slip)[live], rel=1e-4)
        standing = np.abs(commands).sum(axis=1) < 0.1
        leg = (phase[:, None] + np.array(gc.offsets)) % 1.0
        stance = (leg < gc.stance_share) | standing[:, None]
        matched = (down == stance).sum(axis=1)
        expected = gc.scales.contact_schedule * env.dt * matched
        assert log["reward/contact_schedule"][live] == pytest.approx(expected[live], rel=1e-5)
        hips = [G1.joints.index(j) for j in gc.deviation_joints]
        dev = ((env.joint_pos - env.default_joint_pos)[:, hips] ** 2).sum(axis=1)
        expected = gc.scales.joint_deviation * env.dt * dev
        assert log["reward/joint_deviation"][live] == pytest.approx(expected[live], rel=1e-4)
    env.close()


def test_alive_bonus_is_paid_before_the_clip():
    """Every running step earns ``alive_bonus`` x dt, added before the clip at 0, so that staying up pays
    even while the penalties outweigh the tracking terms."""
    env = _make(num_envs=2, **{"rewards.only_positive": False, "rewards.alive_bonus": 2.0})
    _, reward, _, _, info = env.step(np.zeros((2, 12), np.float32))
    assert info["log"]["reward/alive"] == pytest.approx([2.0 * env.dt] * 2)
    others = sum(v for k, v in info["log"].items() if k.startswith("reward/") and k != "reward/alive")
    assert reward == pytest.approx(others + 2.0 * env.dt, abs=1e-6)
    env.close()
    # a penalty far beyond the bonus: clipped to 0 after the bonus
    env = _make(num_envs=2, **{"rewards.alive_bonus": 1.0, "rewards.scales.action_rate": -1000.0})
    _, reward, _, _, info = env.step(np.ones((2, 12), np.float32))
    assert (info["log"]["reward/action_rate"] < -1.0 * env.dt).all() and (reward == 0).all()
    env.close()
    with pytest.raises(motrixlab.ConfigError, match=r"rewards\.alive_bonus"):
        motrixlab.make("g1-walk", num_envs=1, overrides={"rewards.alive_bonus": "-1"})


def test_standing_still_as_told_meets_the_schedule():
    env = _make(num_envs=2)
    env.commands[:] = 0.0
    env.command_steps_left[:] = 10_000
    for _ in range(60):
        *_, info = env.step(np.zeros((2, 12), np.float32))
    log = info["log"]
    scales = env.cfg.gait.scales
    assert log["reward/contact_schedule"] == pytest.approx([2 * scales.contact_schedule * env.dt] * 2)
    assert log["reward/feet_clearance"] == pytest.approx([0.0, 0.0])
    assert np.abs(log["reward/feet_slip"]).max() < 1e-6 and np.abs(log["reward/feet_orientation"]).max() < 1e-6
    env.close()


def test_single_support_is_the_share_of_moving_rows_with_exactly_one_foot_down():
    env = _make(num_envs=4)
    env.command_steps_left[:] = 10_000
    env.commands[:] = 0.0
    *_, info = env.step(np.zeros((4, 12), np.float32))
    assert "single_support" not in info["log"]  # nobody told to move: no figure
    env.commands[:2] = (0.5, 0.0, 0.0)
    *_, info = env.step(np.zeros((4, 12), np.float32))
    assert info["log"]["single_support"] == 0.0  # standing on both feet
    env.close()
    # 3 rows, 2 ground geoms, 3 contact geoms per ground (2 feet first): contacts on either ground count
    contacts = np.zeros((3, 6), np.float32)
    contacts[0, [0, 4]] = 1.0  # both feet down (left on ground 0, right on ground 1)
    contacts[1, 3] = 1.0  # only the left foot, on ground 1
    contacts[2, [1, 2]] = 1.0  # the right foot and a non-foot geom
    commands = np.array([[0.5, 0, 0], [0, 0.3, 0], [0, 0, 0]], np.float32)
    assert G.single_support(contacts, 2, 2, commands) == 0.5  # rows 0 and 1 move; row 1 on one foot
    commands[2] = (0, 0, 0.4)
    assert G.single_support(contacts, 2, 2, commands) == pytest.approx(2 / 3)
    assert G.single_support(contacts, 2, 2, np.zeros((3, 3), np.float32)) is None


# ---- terminations ----------------------------------------------------------------------------------
def test_a_low_or_tilted_pelvis_ends_the_episode():
    env = _make(num_envs=3, **{"min_base_height": 0.79})  # above the standing height: row 0 ends
    z = G1.standing_height
    tilt = quat.from_axis_angle(np.array([[1.0, 0, 0]]), [0.9])[0]  # beyond max_tilt 0.8
    level = np.array([0, 0, 0, 1.0], np.float32)
    env.set_state(base_pos=[[0, 0, z], [0, 0, 3.0], [0, 0, 3.0]], base_quat=np.stack([level, tilt, level]))
    _, _, terminated, truncated, info = env.step(np.zeros((3, 12), np.float32))
    assert terminated.tolist() == [True, True, False] and not truncated.any()
    assert info["log"]["fall"].tolist() == [1.0, 1.0, 0.0]
    env.close()
    env = _make(num_envs=1)  # the default 0.5 m: standing is fine
    _, _, terminated, _, _ = env.step(ZERO)
    assert not terminated.any() and env.cfg.min_base_height == 0.5
    env.close()


def test_any_non_foot_ground_contact_ends_the_episode():
    """Kneeling with a level pelvis (no tilt, height check off): the knees touch the floor."""
    env = _make(num_envs=2, **{"min_base_height": 0.0})
    kneel = G1.pose().copy()
    kneel[[0, 6]], kneel[[3, 9]], kneel[[4, 10]] = 0.0, 2.0, 0.0  # thighs down, shins folded back
    joints = np.stack([kneel, G1.pose()])
    env.set_state(joint_pos=joints, base_pos=[[0, 0, 0.44], [0, 0, G1.standing_height]])
    _, _, terminated, _, info = env.step(np.zeros((2, 12), np.float32))
    assert terminated.tolist() == [True, False]
    assert info["log"]["fall"].tolist() == [1.0, 0.0]
    env.close()


def test_episodes_are_truncated_at_20_seconds():
    cfg = motrixlab.make_env_cfg(motrixlab.get_registry().env("g1-walk"))
    assert cfg.max_episode_steps == 1000 and cfg.max_episode_seconds == 20.0


# ---- determinism, commands, variants ----------------------------------------------------------------
def test_same_seed_same_trajectory():
    def run(seed):
        env = motrixlab.make("g1-walk", num_envs=8, seed=seed)
        obs, _ = env.reset(seed=seed)
        rng = np.random.default_rng(1)
        out = [obs]
        for _ in range(40):
            obs, reward, terminated, _, _ = env.step(rng.uniform(-1, 1, (8, 12)).astype(np.float32))
            out += [obs, reward[:, None], terminated[:, None]]
        env.close()
        return np.concatenate(out, axis=1)

    a, b, c = run(3), run(3), run(4)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_commands_cover_the_ranges_and_standing_still():
    env = _make(num_envs=512, seed=1)
    c = env.commands
    assert c[:, 0].min() >= -0.5 and c[:, 0].max() <= 1.0 and c[:, 0].max() > 0.9
    assert np.abs(c[:, 1]).max() <= 0.3 and np.abs(c[:, 2]).max() <= 0.5
    assert ((c == 0).all(axis=1)).mean() == pytest.approx(0.1, abs=0.05)
    assert env.resample_steps == 200  # every 4 s
    env.close()


def test_rough_variant_randomises_and_reads_the_terrain_under_the_feet(small_terrain):
    cfg = G1RoughCfg(terrain=small_terrain(), initial_max_level=2)
    assert cfg.randomization.enabled and cfg.noise.enabled and cfg.rewards.scales.base_height == 0.0
    env = RoughEnv(cfg, num_envs=6, seed=0)
    env.reset(seed=0)
    assert env.cfg.model_file.endswith("g1.xml") and env.ground_geoms == ("floor", "terrain")
    for _ in range(25):
        obs, *_ = env.step(np.zeros((6, 12), np.float32))
    assert obs.shape == (6, 50) and np.isfinite(obs).all()
    feet = env.state["feet_pos"].reshape(6, 2, 3)
    under = env.ground_height(feet[..., 0], feet[..., 1])
    assert under == pytest.approx(env.terrain.height_at(feet[..., 0], feet[..., 1]))
    assert env.state["qpos"][:, 2].max() > 0.9  # some stand on raised tiles
    env.close()


def test_registered_with_tuned_ppo():
    reg = motrixlab.get_registry()
    for name, cfg_cls, ppo in (("g1-walk", G1WalkCfg, "G1WalkPPO"), ("g1-walk-rough", G1RoughCfg, "G1RoughPPO")):
        spec = reg.env(name)
        assert spec.domain == "locomotion" and spec.cfg.endswith(cfg_cls.__name__)
        rl = reg.rl_cfg_spec(name, "skrl", "torch")
        assert rl is not None and rl.cfg.endswith(ppo)
    from motrixlab_envs_locomotion.ppo import G1RoughPPO, G1WalkPPO

    for ppo_cls in (G1WalkPPO, G1RoughPPO):
        p = ppo_cls()
        p.validate()
        assert p.num_envs <= 1024 and 24 <= p.rollouts <= 32


def test_deploy_description_carries_the_clock_and_the_height_rule():
    env = _make(num_envs=1)
    try:
        d = env.deploy_description()
    finally:
        env.close()
    terms = [(t["term"], t["dim"]) for t in d["observation"]]
    assert terms[-1] == ("gait_clock", 2) and d["observation"][-1]["frequency"] == pytest.approx(1.25)
    assert d["obs_dim"] == sum(w for _, w in obs_layout(12, phase=True)) == 50
    assert {"kind": "height", "body": G1.base, "min_m": 0.5} in d["episode"]["terminate"]
    assert d["initial_state"]["base_pos"][2] == pytest.approx(G1.standing_height)
    rough = _make(num_envs=1, name="g1-walk-rough")
    try:
        with pytest.raises(DeployUnavailable, match="terrain"):
            rough.deploy_description()
    finally:
        rough.close()


def test_a_quadruped_can_step_to_the_clock_too():
    """The gait is a config option of the shared task: a trot on the Go1 (diagonal pairs together)."""
    trot = {"gait.enabled": "true", "gait.offsets": "(0, 0.5, 0.5, 0)", "gait.scales.contact_schedule": "0.5"}
    env = motrixlab.make("go1-walk", num_envs=4, seed=0, overrides=trot)
    obs, _ = env.reset(seed=0)
    assert obs.shape == (4, 50) and env.obs_slices["phase"] == slice(48, 50)
    *_, info = env.step(np.zeros((4, 12), np.float32))
    assert "reward/contact_schedule" in info["log"]  # the go1-walk default weights are 0: only those set are on
    assert "reward/feet_slip" not in info["log"]
    env.close()


def test_gait_config_is_checked_against_the_robot():
    with pytest.raises(motrixlab.ConfigError, match=r"gait\.offsets: one per foot \(2"):
        motrixlab.make("g1-walk", num_envs=1, overrides={"gait.offsets": "(0, 0.25, 0.5)"})
    with pytest.raises(motrixlab.ConfigError, match=r"gait\.deviation_joints: nope_joint"):
        motrixlab.make("g1-walk", num_envs=1, overrides={"gait.deviation_joints": "(nope_joint,)"})
    with pytest.raises(motrixlab.ConfigError, match=r"gait\.stance_share"):
        motrixlab.make("g1-walk", num_envs=1, overrides={"gait.stance_share": "1.5"})
    with pytest.raises(motrixlab.ConfigError, match=r"min_base_height: must be >= 0"):
        motrixlab.make("g1-walk", num_envs=1, overrides={"min_base_height": "-0.1"})
    with pytest.raises(motrixlab.ConfigError, match=r"gait\.offsets: one per foot \(4"):
        motrixlab.make("go1-walk", num_envs=1, overrides={"gait.enabled": "true"})  # a quadruped needs four
