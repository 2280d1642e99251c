"""Configs of the velocity-tracking tasks: every field has a default that trains; nested groups keep them findable.

Override any field from the command line with its dotted path, e.g.
``--set env.rewards.scales.torques=-1e-4`` or ``--set env.randomization.enabled=true``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, ClassVar

from motrixlab import EnvCfg

from motrixlab_envs_locomotion.commands import CommandCfg
from motrixlab_envs_locomotion.description import RobotDescription
from motrixlab_envs_locomotion.gait import GaitCfg, GaitScales
from motrixlab_envs_locomotion.height_scan import HeightScanCfg
from motrixlab_envs_locomotion.robots.anymal_c import ANYMAL_C
from motrixlab_envs_locomotion.robots.g1 import G1
from motrixlab_envs_locomotion.robots.go1 import GO1
from motrixlab_envs_locomotion.robots.go2 import GO2
from motrixlab_envs_locomotion.terrain import TerrainCfg


@dataclass(kw_only=True)
class RewardScales:
    """Weights per second of each reward term (multiplied by ctrl_dt each step); 0 switches a term off.

    Tracking terms are positive, the rest are penalties (negative weights).
    """

    tracking_lin_vel: float = 1.0  # exp kernel on the planar velocity error
    tracking_ang_vel: float = 0.5  # exp kernel on the yaw-rate error
    lin_vel_z: float = -2.0  # vertical velocity²
    ang_vel_xy: float = -0.05  # roll and pitch rate²
    orientation: float = -1.0  # sin²(tilt) via the projected gravity
    torques: float = -2e-4  # Σ joint torque² (estimated from the PD law)
    joint_acc: float = -2.5e-7  # Σ joint acceleration²
    action_rate: float = -0.01  # Σ (action change)²
    base_height: float = -10.0  # (trunk height above ground - target)²
    undesired_contacts: float = -1.0  # hips and thighs touching the ground
    feet_air_time: float = 1.0  # Σ (air time - target) on touchdown, while told to move
    stand_still: float = -0.5  # Σ |joint offset| while told to stand still
    joint_limits: float = -5.0  # Σ excursion beyond the soft joint limits (rad)


@dataclass(kw_only=True)
class RewardCfg:
    scales: RewardScales = field(default_factory=RewardScales)
    tracking_sigma: float = 0.25  # width of the tracking exp kernels ((m/s)² and (rad/s)²)
    base_height_target: float = 0.27  # m, from the public standing height
    air_time_target: float = 0.5  # s; shorter steps are penalised, longer ones rewarded
    soft_joint_limit: float = 0.9  # share of each joint range that is free of penalty
    only_positive: bool = True  # clip the step reward at 0 so ending an episode early never pays
    alive_bonus: float = 0.0  # per second of a running episode: makes staying up pay before the clip

    def validate(self) -> None:
        if self.tracking_sigma <= 0:
            raise ValueError(f"rewards.tracking_sigma: must be positive, got {self.tracking_sigma}")
        if not 0 < self.soft_joint_limit <= 1:
            raise ValueError(f"rewards.soft_joint_limit: must be in (0, 1], got {self.soft_joint_limit}")
        if self.alive_bonus < 0:
            raise ValueError(f"rewards.alive_bonus: must be >= 0, got {self.alive_bonus}")


@dataclass(kw_only=True)
class NoiseCfg:
    """Gaussian noise added to the policy's observation (standard deviations, times ``scale``)."""

    enabled: bool = False  # add the noise (on for the rough and stairs tasks)
    scale: float = 1.0  # multiplies every standard deviation below
    lin_vel: float = 0.1  # m/s
    ang_vel: float = 0.2  # rad/s
    gravity: float = 0.05  # on the projected gravity (unit vector)
    joint_pos: float = 0.01  # rad
    joint_vel: float = 1.5  # rad/s
    height_scan: float = 0.02  # m, std of the uniform noise on each height-scan entry (``height_scan.enabled``)

    def validate(self) -> None:
        for name in ("scale", "lin_vel", "ang_vel", "gravity", "joint_pos", "joint_vel", "height_scan"):
            if getattr(self, name) < 0:
                raise ValueError(f"noise.{name}: must be >= 0, got {getattr(self, name)}")


@dataclass(kw_only=True)
class RandomizationCfg:
    """Per-env physics randomisation, drawn again at every reset (MotrixSim per-env overrides)."""

    enabled: bool = False  # draw the ranges below at every reset
    friction: tuple[float, float] = (0.4, 1.25)  # feet and ground sliding friction
    added_trunk_mass: tuple[float, float] = (-1.0, 2.0)  # kg added to the trunk (Go1: 5.2 kg)
    kp_scale: tuple[float, float] = (0.9, 1.1)  # per-joint PD stiffness factor
    kd_scale: tuple[float, float] = (0.9, 1.1)  # per-joint PD damping factor
    push_interval_seconds: float = 8.0  # every env is shoved this often; 0 = never
    push_velocity: float = 0.5  # m/s, largest planar velocity change of a shove

    def validate(self) -> None:
        for name in ("friction", "added_trunk_mass", "kp_scale", "kd_scale"):
            low, high = getattr(self, name)
            if not low <= high:
                raise ValueError(f"randomization.{name}: lower bound {low} exceeds upper bound {high}")
        if self.friction[0] < 0 or self.kp_scale[0] <= 0 or self.kd_scale[0] < 0:
            raise ValueError("randomization: friction and kd_scale must be >= 0, kp_scale > 0")
        if self.push_interval_seconds < 0 or self.push_velocity < 0:
            raise ValueError("randomization.push_interval_seconds and push_velocity: must be >= 0")


@dataclass(kw_only=True)
class ResetCfg:
    """Initial state spread: random heading, jittered joints and a small initial velocity."""

    joint_pos_noise: float = 0.1  # rad, uniform around the standing pose
    base_lin_vel_noise: float = 0.2  # m/s, uniform per axis
    base_ang_vel_noise: float = 0.2  # rad/s, uniform per axis
    random_yaw: bool = True  # start each episode facing a random heading

    def validate(self) -> None:
        for name in ("joint_pos_noise", "base_lin_vel_noise", "base_ang_vel_noise"):
            if getattr(self, name) < 0:
                raise ValueError(f"reset.{name}: must be >= 0, got {getattr(self, name)}")


@dataclass(kw_only=True)
class WalkCfg(EnvCfg):
    """Flat-ground velocity tracking of the robot ``robot`` (a class attribute: one config class per
    robot). Physics at 100 Hz, policy at 50 Hz, 20 s episodes."""

    robot: ClassVar[RobotDescription]
    model_file: str
    sim_dt: float = 0.01
    ctrl_dt: float = 0.02
    max_episode_seconds: float = 20.0
    action_scale: float = 0.5  # rad of joint-target offset per unit of action (actions are in [-1, 1])
    max_tilt: float = 1.0  # rad; a trunk tilted further than this ends the episode
    min_base_height: float = 0.0  # m above the ground; a trunk lower than this ends the episode (0: never)
    commands: CommandCfg = field(default_factory=CommandCfg)
    rewards: RewardCfg = field(default_factory=RewardCfg)
    noise: NoiseCfg = field(default_factory=NoiseCfg)
    randomization: RandomizationCfg = field(default_factory=RandomizationCfg)
    reset: ResetCfg = field(default_factory=ResetCfg)
    gait: GaitCfg = field(default_factory=GaitCfg)  # the gait clock and feet terms (bipeds)
    height_scan: HeightScanCfg = field(default_factory=HeightScanCfg)  # ground heights around the trunk

    def validate(self) -> None:
        super().validate()
        non_finite = _first_non_finite(self)
        if non_finite:
            raise ValueError(f"{non_finite[0]}: must be finite, got {non_finite[1]}")
        if self.action_scale <= 0:
            raise ValueError(f"action_scale: must be positive, got {self.action_scale}")
        if not 0 < self.max_tilt <= math.pi:
            raise ValueError(f"max_tilt: must be in (0, pi], got {self.max_tilt}")
        if self.min_base_height < 0:
            raise ValueError(f"min_base_height: must be >= 0, got {self.min_base_height}")
        for group in (
            self.commands,
            self.rewards,
            self.noise,
            self.randomization,
            self.reset,
            self.gait,
            self.height_scan,
        ):
            group.validate()
        feet = self.robot.feet
        if self.gait.enabled and len(self.gait.offsets) != len(feet):
            raise ValueError(f"gait.offsets: one per foot ({len(feet)}: {', '.join(feet)}), got {self.gait.offsets}")
        unknown = [name for name in self.gait.deviation_joints if name not in self.robot.joints]
        if unknown:
            raise ValueError(f"gait.deviation_joints: {', '.join(unknown)} not joints of {self.robot.name}")
        trunk, added = self.robot.base_mass, self.randomization.added_trunk_mass
        if added[0] <= -trunk:
            raise ValueError(f"randomization.added_trunk_mass: must stay above -{trunk:g} kg, got {added}")


def _first_non_finite(cfg: Any, prefix: str = "") -> tuple[str, Any] | None:
    """The dotted path and value of the first NaN or infinite number in a (nested) config, if any.

    Every number of a walking config must be finite: then observation and reward are bounded functions
    of a state within the divergence limit (``WalkEnv.step_within_limits`` relies on it).
    """
    for f in fields(cfg):
        value, path = getattr(cfg, f.name), prefix + f.name
        if is_dataclass(value):
            found = _first_non_finite(value, path + ".")
            if found:
                return found
        elif isinstance(value, (int, float, tuple)) and not isinstance(value, bool):
            items = value if isinstance(value, tuple) else (value,)
            if not all(math.isfinite(v) for v in items if isinstance(v, (int, float))):
                return path, value
    return None


@dataclass(kw_only=True)
class Go1WalkCfg(WalkCfg):
    """``go1-walk``: the Go1-class quadruped on flat ground."""

    robot: ClassVar[RobotDescription] = GO1
    model_file: str = GO1.model_file


@dataclass(kw_only=True)
class Go2WalkCfg(WalkCfg):
    """``go2-walk``: the Go2-class quadruped on flat ground."""

    robot: ClassVar[RobotDescription] = GO2
    model_file: str = GO2.model_file
    rewards: RewardCfg = field(default_factory=lambda: RewardCfg(base_height_target=GO2.height_target))


@dataclass(kw_only=True)
class AnymalCWalkCfg(WalkCfg):
    """``anymal-c-walk``: the ANYmal-C-class quadruped (about 52 kg) on flat ground."""

    robot: ClassVar[RobotDescription] = ANYMAL_C
    model_file: str = ANYMAL_C.model_file
    # its standing torques are five times the Go1's: a torque weight 20 times smaller costs about as much
    rewards: RewardCfg = field(
        default_factory=lambda: RewardCfg(base_height_target=ANYMAL_C.height_target, scales=RewardScales(torques=-1e-5))
    )
    randomization: RandomizationCfg = field(default_factory=lambda: RandomizationCfg(added_trunk_mass=(-5.0, 5.0)))


@dataclass(kw_only=True)
class Go1RoughCfg(Go1WalkCfg):
    """Rough terrain with a level curriculum; randomisation and observation noise on by default."""

    terrain: TerrainCfg = field(default_factory=TerrainCfg)
    curriculum: bool = True  # promote/demote each env's terrain level by how far it walked
    initial_max_level: int = 1  # envs start on levels initial_min_level..initial_max_level
    initial_min_level: int = 0  # raise it to evaluate on hard terrain only (with curriculum=false)
    graduates: str = "random"  # envs that pass the last level restart on a "random" level or on the "top" one
    randomization: RandomizationCfg = field(default_factory=lambda: RandomizationCfg(enabled=True))
    noise: NoiseCfg = field(default_factory=lambda: NoiseCfg(enabled=True))
    rewards: RewardCfg = field(default_factory=lambda: RewardCfg(scales=RewardScales(base_height=0.0)))

    def validate(self) -> None:
        super().validate()
        _validate_terrain_task(self)


def _validate_terrain_task(cfg: Go1RoughCfg | G1RoughCfg) -> None:
    """The checks of the rough-terrain fields, shared by the rough configs of every robot."""
    cfg.terrain.validate()
    if not 0 <= cfg.initial_max_level < cfg.terrain.levels:
        raise ValueError(
            f"initial_max_level: must be in [0, terrain.levels - 1 = {cfg.terrain.levels - 1}], "
            f"got {cfg.initial_max_level}"
        )
    if not 0 <= cfg.initial_min_level <= cfg.initial_max_level:
        raise ValueError(
            f"initial_min_level: must be in [0, initial_max_level = {cfg.initial_max_level}], "
            f"got {cfg.initial_min_level}"
        )
    if cfg.graduates not in ("random", "top"):
        raise ValueError(f"graduates: must be 'random' or 'top', got {cfg.graduates!r}")


@dataclass(kw_only=True)
class Go1StairsCfg(Go1RoughCfg):
    """Pyramid stairs only, risers from 3 cm (level 0) to 15 cm (level 9); robots start on a pyramid's top
    platform, walk down and climb the neighbouring pyramids, seeing the steps through a height scan. Envs
    that pass the top level stay there, so the mean level measures how far the curriculum got.

    Yaw-rate commands are half the flat tasks': with the full range, even a policy that tracked every
    command exactly would wander too little to be promoted more often than demoted, and the mean level
    would settle near 4.4 of 9 (``benchmarks/curriculum_ceiling.py``); with ±0.5 rad/s it settles near 7.9."""

    terrain: TerrainCfg = field(
        default_factory=lambda: TerrainCfg(types=("stairs",), levels=10, max_step_height=0.15, step_width=0.3)
    )
    graduates: str = "top"
    commands: CommandCfg = field(default_factory=lambda: CommandCfg(ang_vel_yaw=(-0.5, 0.5)))
    height_scan: HeightScanCfg = field(default_factory=lambda: HeightScanCfg(enabled=True))


def _g1_rewards(**scales: float) -> RewardCfg:
    """The humanoid's reward weights: the quadrupeds' terms re-weighted for a 32 kg biped with stiff drives."""
    weights = {
        "orientation": -5.0,  # an upright torso
        "torques": -1e-5,  # standing costs about 2 x 6 N m at the ankles, walking ten times that
        "undesired_contacts": 0.0,  # every non-foot contact ends the episode
        "feet_air_time": 0.5,
        "stand_still": -0.2,
        **scales,
    }
    return RewardCfg(
        scales=RewardScales(**weights), base_height_target=G1.height_target, air_time_target=0.3, alive_bonus=0.5
    )


def _g1_gait() -> GaitCfg:
    hips = tuple(f"{side}_hip_{axis}_joint" for side in ("left", "right") for axis in ("roll", "yaw"))
    scales = GaitScales(
        contact_schedule=0.2, feet_clearance=-20.0, feet_slip=-0.2, feet_orientation=-0.5, joint_deviation=-1.0
    )
    return GaitCfg(enabled=True, frequency=1.25, stance_share=0.55, deviation_joints=hips, scales=scales)


@dataclass(kw_only=True)
class G1WalkCfg(WalkCfg):
    """``g1-walk``: the G1-class humanoid on flat ground, stepping to a gait clock (``gait``); an episode ends
    when the pelvis falls below ``min_base_height`` or tilts beyond ``max_tilt``, or anything but a sole
    touches the ground."""

    robot: ClassVar[RobotDescription] = G1
    model_file: str = G1.model_file
    action_scale: float = 0.25  # rad per unit of action: stiff drives, a top-heavy robot
    max_tilt: float = 0.8
    min_base_height: float = 0.5  # the pelvis stands at 0.784 m
    commands: CommandCfg = field(
        default_factory=lambda: CommandCfg(
            lin_vel_x=(-0.5, 1.0), lin_vel_y=(-0.3, 0.3), ang_vel_yaw=(-0.5, 0.5), resample_seconds=4.0
        )
    )
    rewards: RewardCfg = field(default_factory=_g1_rewards)
    gait: GaitCfg = field(default_factory=_g1_gait)
    randomization: RandomizationCfg = field(default_factory=lambda: RandomizationCfg(added_trunk_mass=(-1.0, 3.0)))
    reset: ResetCfg = field(default_factory=lambda: ResetCfg(joint_pos_noise=0.05, base_lin_vel_noise=0.1))


@dataclass(kw_only=True)
class G1RoughCfg(G1WalkCfg):
    """``g1-walk-rough``: ``g1-walk`` on the shared rough terrain with its level curriculum; randomisation and
    observation noise on by default."""

    terrain: TerrainCfg = field(default_factory=TerrainCfg)
    curriculum: bool = True  # promote/demote each env's terrain level by how far it walked
    initial_max_level: int = 1  # envs start on levels initial_min_level..initial_max_level
    initial_min_level: int = 0  # raise it to evaluate on hard terrain only (with curriculum=false)
    graduates: str = "random"  # envs that pass the last level restart on a "random" level or on the "top" one
    randomization: RandomizationCfg = field(
        default_factory=lambda: RandomizationCfg(enabled=True, added_trunk_mass=(-1.0, 3.0))
    )
    noise: NoiseCfg = field(default_factory=lambda: NoiseCfg(enabled=True))
    rewards: RewardCfg = field(default_factory=lambda: _g1_rewards(base_height=0.0))

    def validate(self) -> None:
        super().validate()
        _validate_terrain_task(self)


@dataclass(kw_only=True)
class NavigationCfg:
    """Goals per episode: a position 1-5 m away in a random direction and a heading to face there."""

    goal_distance: tuple[float, float] = (1.0, 5.0)  # m from the start
    tolerance: float = 0.25  # m: within it the goal counts as reached (``success``)
    gain: float = 1.0  # 1/s: the walking command is the goal's offset times this, up to max_speed
    max_speed: float = 1.0  # m/s, forward; sideways at most 0.6
    near: float = 0.5  # m: closer than this, the yaw command turns to the goal heading instead of the goal
    goal_weight: float = 2.0  # per second, weight of the exp(-(distance / goal_sigma)^2) goal term
    goal_sigma: float = 1.0  # m

    def validate(self) -> None:
        low, high = self.goal_distance
        if not 0 < low <= high:
            raise ValueError(f"navigation.goal_distance: must be 0 < low <= high, got {self.goal_distance}")
        for name in ("tolerance", "gain", "max_speed", "goal_sigma"):
            if getattr(self, name) <= 0:
                raise ValueError(f"navigation.{name}: must be positive, got {getattr(self, name)}")
        if self.near < 0 or self.goal_weight < 0:
            raise ValueError("navigation.near and navigation.goal_weight: must be >= 0")


@dataclass(kw_only=True)
class AnymalCNavigateCfg(AnymalCWalkCfg):
    """``anymal-c-navigate``: walk to a goal position and heading within 10 s; ``commands`` are unused (the
    command the policy sees is derived from the goal every step)."""

    max_episode_seconds: float = 10.0
    navigation: NavigationCfg = field(default_factory=NavigationCfg)

    def validate(self) -> None:
        super().validate()
        self.navigation.validate()
