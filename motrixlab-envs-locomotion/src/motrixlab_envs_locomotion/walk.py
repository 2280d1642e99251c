"""Velocity tracking on flat ground for any legged robot that a ``RobotDescription`` describes.

The robot is the config class's ``robot`` (``go1-walk``: ``robots.go1.GO1``); nothing here names a
robot. Actions are joint-target offsets from the standing pose, tracked by the model's PD position
actuators; the targets also carry the standing pose's gravity feed-forward (``standing_torque``).
Robots whose config enables ``gait`` (the humanoid) also observe a gait clock and earn the gait
terms of ``gait.py``; the others run exactly as without it.
Everything is read through the one compiled query plan of ``NpEnv`` (base pose and velocity from
the DoF state, ground contacts from geom-pair collisions) and written through compiled write
plans. Per step, the work on the batch is a few numpy operations and compiled loops over the rows
(kinematics, rewards, observation, and the start of new episodes); no per-env Python loops.

All post-physics bookkeeping happens in ``refresh``, which NpEnv calls once per step right after
the physics, in one pass and in a fixed order — kinematics, reward, termination, command
resampling, observation — so the observation carries the command that the next reward is
measured against; ``compute_obs``, ``compute_reward`` and ``compute_terminated`` return what that
pass computed. After ``reset_rows``, ``refresh(ids)`` recomputes the kinematics and observation of
the reset rows only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from motrixlab.errors import ConfigError
from motrixlab.npenv import NpEnv, box
from motrixsim import query as Q
from motrixsim import write as W

from motrixlab_envs_locomotion import gait as G
from motrixlab_envs_locomotion import quat
from motrixlab_envs_locomotion import rewards as R
from motrixlab_envs_locomotion.commands import DRAWS as COMMAND_DRAWS
from motrixlab_envs_locomotion.commands import command_bounds, commands_from_draws, count_down
from motrixlab_envs_locomotion.config import WalkCfg
from motrixlab_envs_locomotion.control import joint_targets
from motrixlab_envs_locomotion.episode_start import BASE_JITTER_DRAWS, clear_rows, initial_state
from motrixlab_envs_locomotion.height_scan import scan
from motrixlab_envs_locomotion.observation import NOISY_GROUPS, base_kinematics, obs_slices, observe

_STATE_FIELDS = ("pos", "rot", "lin_vel", "ang_vel", "joint_pos", "joint_vel")


class WalkEnv(NpEnv[WalkCfg]):
    """Velocity tracking on flat ground. Subclasses change the ground: ``ground_geoms``, ``spawn_positions``
    and ``base_height``."""

    #: Geoms the robot walks on; contacts with any of them count.
    ground_geoms: tuple[str, ...] = ("floor",)

    def __init__(self, cfg: WalkCfg, *, num_envs: int = 1, seed: int | None = None) -> None:
        self.robot = robot = type(cfg).robot  # before NpEnv reads state_queries()
        super().__init__(cfg, num_envs=num_envs, seed=seed)
        n = self.num_envs
        self.num_joints = nj = robot.num_joints
        self.gait_enabled = gait_on = cfg.gait.enabled
        hs = cfg.height_scan
        self._scan_points = hs.points() if hs.enabled else np.zeros((0, 2), np.float32)
        self.obs_slices = obs_slices(nj, phase=gait_on, scan=len(self._scan_points))
        self.obs_dim = max(s.stop for s in self.obs_slices.values())
        self.observation_space = box(self.obs_dim)
        self.action_space = box(nj, -1.0, 1.0)
        self.default_joint_pos = robot.pose()
        self.standing_torque = robot.gravity_torque()
        self._jitter_draws = BASE_JITTER_DRAWS + nj
        self._spawn = np.array([0.0, 0.0, robot.standing_height], np.float32)  # flat ground: at the origin
        self._spawn.flags.writeable = False  # handed out by spawn_positions: callers copy it, never change it
        self.dt = float(cfg.ctrl_dt)
        self._action_scale = np.float32(cfg.action_scale)  # float32 arithmetic, as numpy does on the (N, J) rows
        self._resolve_model()

        # task state, one row per env
        # (N, 3) view of component-major rows: numpy code reads a component as one contiguous row
        self.commands = np.zeros((3, n), np.float32).T
        self.command_steps_left = np.zeros(n, np.int64)
        self._due = np.empty(n, np.int64)  # rows whose command is resampled this step: _due[:k]
        self.actions = np.zeros((n, nj), np.float32)
        self.prev_actions = np.zeros((n, nj), np.float32)
        self.prev_joint_vel = np.zeros((n, nj), np.float32)
        self.air = R.FeetAirTime(n, len(robot.feet), self.dt)
        self.resample_steps = max(1, round(cfg.commands.resample_seconds / self.dt))
        self._command_bounds = command_bounds(cfg.commands)
        dr = cfg.randomization
        self.push_steps = round(dr.push_interval_seconds / self.dt) if dr.enabled else 0

        # per-env constants, pre-broadcast to (N, J) for the hot path
        def full(row: np.ndarray) -> np.ndarray:
            return np.tile(np.asarray(row, np.float32), (n, 1))

        self._default_q = full(self.default_joint_pos)
        self._kp, self._kd = full(self.kp), full(self.kd)  # PD gains of each env (randomised per episode)
        # per-joint constants of the reward pass (see rewards.terms)
        self._joints = np.stack([self.default_joint_pos, self.soft_low, self.soft_high, self.torque_limit])
        self._stand_targets = np.empty_like(self._default_q)
        self._update_stand_targets(slice(None))

        rc = cfg.reset
        self._reset_noise = np.repeat(
            np.array([rc.base_lin_vel_noise, rc.base_ang_vel_noise, rc.joint_pos_noise], np.float32),
            [3, 3, nj],
        )
        # what refresh() computed for the compute_* hooks
        self._obs = np.zeros((n, self.obs_dim), np.float32)
        self._reward = np.zeros(n, np.float32)
        self._terminated = np.zeros(n, bool)
        self._state_outside = 0  # out-of-limit qpos/qvel entries of this step's state (refresh(None))
        rw = cfg.rewards
        # with an alive bonus or the gait terms, the sum is clipped after them
        self._clip_late = gait_on or rw.alive_bonus != 0
        self._alive = np.float32(rw.alive_bonus * self.dt)
        self._reward_params = R.new_params(
            dt=self.dt,
            sigma=rw.tracking_sigma,
            air_target=rw.air_time_target,
            height_target=rw.base_height_target,
            cos_max_tilt=float(np.cos(cfg.max_tilt)),
            only_positive=rw.only_positive and not self._clip_late,
            termination_contacts=len(robot.termination_contacts),
            grounds=len(self.ground_geoms),
        )
        scales = [getattr(rw.scales, name) for name in R.TERMS]
        self._weights = np.array(scales, np.float32) * np.float32(self.dt)
        self._logged_terms = [(i, f"reward/{name}") for i, name in enumerate(R.TERMS) if scales[i] != 0.0]
        self._fallen = np.zeros(n, bool)
        self._height = np.zeros(n, np.float32)
        self._all_rows = np.arange(n)
        self.phase = np.zeros(n, np.float64)  # the gait clock, in cycles (gait.enabled)
        if gait_on:
            self._init_gait()
        # Kinematics of the step (observation.base_kinematics), component-major: rows are body-frame
        # linear velocity (3), angular velocity (3) and projected gravity (3), the observation's first
        # nine entries in order; ``lin_vel`` etc. are (N, 3) views.
        self._base = np.zeros((9, n), np.float32)
        self.lin_vel, self.ang_vel, self.gravity = self._base[0:3].T, self._base[3:6].T, self._base[6:9].T
        self.joint_pos = np.tile(self.default_joint_pos, (n, 1))
        self.joint_vel = np.zeros((n, nj), np.float32)
        noise = cfg.noise
        self._noise_std: np.ndarray | None = None
        if noise.enabled and noise.scale > 0:
            std = np.zeros(self.obs_slices["joint_vel"].stop, np.float32)
            for group in NOISY_GROUPS:
                std[self.obs_slices[group]] = getattr(noise, group) * noise.scale
            self._noise_std = std
        # uniform scan noise of std noise.height_scan: half-width sqrt(3) std
        self._scan_noise = float(np.sqrt(3.0) * noise.height_scan * noise.scale if noise.enabled else 0.0)
        self._no_draws = np.zeros((0, 0), np.float32)
        self._heightfield = self.heightfield()  # what the scan samples: fixed for the env's life

        # (N, J) joint targets sent to the PD actuators; the model's actuators are exactly the robot's
        # in this order, so the whole array goes in with one assignment (a write plan costs more).
        self.targets = self._stand_targets.copy()
        # No forward kinematics at reset: the task reads DoF state and contacts only, and the next step
        # starts with kinematics of its own (trajectories are bitwise the same); FK costs ~15 us per row.
        self._reset_plan = self.compile_write(self._reset_sources(), reset=True)
        self._reset_plan["joint_vel"][:] = 0.0  # constant columns of every reset, written once
        self._reset_plan["ctrl"][:] = self._stand_targets
        self._state_plan = self.compile_write(
            {k: v for k, v in self._reset_sources().items() if k in _STATE_FIELDS}, forward_kinematic=True
        )
        self._push_plan = self.compile_write({"vel": W.BodyLinearVelocity([robot.base])}) if self.push_steps else None

    # ---- model ------------------------------------------------------------------------------
    def _resolve_model(self) -> None:
        """Check the model has what the task needs and read the PD gains and limits from it."""
        m, r = self.model, self.robot
        missing = [
            name
            for kind, names in (("geom", (*self._contact_geoms(), *self.ground_geoms)), ("joint", r.joints))
            for name in names
            if getattr(m, f"get_{kind}")(name) is None
        ]
        actuators = [m.get_actuator(name) for name in r.actuators]
        missing += [name for name, a in zip(r.actuators, actuators, strict=True) if a is None]
        if missing:
            raise ConfigError(f"model_file {self.cfg.model_file!r} lacks {', '.join(missing)} (a {r.name} model)")
        if tuple(m.actuator_names) != r.actuators:
            raise ConfigError(
                f"model_file {self.cfg.model_file!r}: actuators must be exactly {', '.join(r.actuators)} in this order"
            )
        if any(a.typ != "position" or a.force_range is None for a in actuators):
            raise ConfigError(f"model_file {self.cfg.model_file!r}: actuators must be force-limited position actuators")
        if self.model.num_dof_pos != 7 + r.num_joints:
            raise ConfigError(f"model_file {self.cfg.model_file!r}: expected a floating base and {r.num_joints} joints")
        probe = self.data
        self.kp = np.array([a.get_kp_override(probe)[0] for a in actuators], np.float32)
        self.kd = np.array([a.get_kd_override(probe)[0] for a in actuators], np.float32)
        self.torque_limit = np.array([a.force_range[1] for a in actuators], np.float32)
        ctrl = np.array([a.ctrl_range for a in actuators], np.float32)
        self.target_low, self.target_high = ctrl[:, 0].copy(), ctrl[:, 1].copy()
        mid = (self.target_low + self.target_high) / 2
        half = (self.target_high - self.target_low) / 2 * self.cfg.rewards.soft_joint_limit
        self.soft_low, self.soft_high = mid - half, mid + half
        self.trunk_mass = float(m.get_link(r.base).mass)

    def _init_gait(self) -> None:
        gc, r = self.cfg.gait, self.robot
        self._phase_step = float(gc.frequency) * self.dt
        self._gait_params = G.new_params(
            stance_share=gc.stance_share,
            clearance=gc.clearance,
            foot_height=r.foot_height,
            grounds=len(self.ground_geoms),
            only_positive=self.cfg.rewards.only_positive,
        )
        self._gait_offsets = np.array(gc.offsets, np.float64)
        self._deviation = np.array([r.joints.index(name) for name in gc.deviation_joints], np.int64)
        scales = [getattr(gc.scales, name) for name in G.GAIT_TERMS]
        self._gait_weights = np.array(scales, np.float64) * self.dt
        self._logged_gait = [(i, f"reward/{name}") for i, name in enumerate(G.GAIT_TERMS) if scales[i] != 0.0]

    def _contact_geoms(self) -> tuple[str, ...]:
        """The robot's geoms whose ground contacts the task reads, in the contact query's order."""
        r = self.robot
        return (*r.feet, *r.termination_contacts, *r.penalised_contacts)

    def state_queries(self) -> Mapping[str, Any]:
        """Ground contacts of feet, the termination and the penalised geoms, for every ground geom."""
        pairs = [(b, g) for g in self.ground_geoms for b in self._contact_geoms()]
        queries: dict[str, Any] = {"contacts": Q.GeomPairCollision(pairs)}
        if self.cfg.gait.enabled:  # the feet's poses and velocities for the gait terms
            feet = list(self.robot.feet)
            queries |= {"feet_pos": Q.GeomPosition(feet), "feet_rot": Q.GeomRotation(feet)}
            queries["feet_vel"] = Q.GeomLinearVelocity(feet)
        return queries

    def _reset_sources(self) -> dict[str, Any]:
        r = self.robot
        sources: dict[str, Any] = {
            "pos": W.BodyPosition([r.base]),
            "rot": W.BodyRotation([r.base]),
            "lin_vel": W.BodyLinearVelocity([r.base]),
            "ang_vel": W.BodyAngularVelocity([r.base]),
            "joint_pos": W.BodyJointPosition(list(r.joints)),
            "joint_vel": W.BodyJointVelocity(list(r.joints)),
            "ctrl": W.ActuatorCtrls(list(r.actuators)),
        }
        if self.cfg.randomization.enabled:
            # A reset=True plan restores the model's values for overrides it does not write, so the
            # randomised values are part of the reset itself and redrawn for every new episode.
            sources |= {
                "kp": W.ActuatorKpOverride(list(r.actuators)),
                "kd": W.ActuatorDampingOverride(list(r.actuators)),
                "trunk_mass": W.LinkMassOverride([r.base]),
                "friction": W.GeomFrictionOverride([*r.feet, *self.ground_geoms]),
            }
        return sources

    # ---- scripted states -----------------------------------------------------------------------
    def set_state(
        self,
        ids: np.ndarray | None = None,
        *,
        base_pos: np.ndarray | None = None,
        base_quat: np.ndarray | None = None,
        lin_vel: np.ndarray | None = None,
        ang_vel: np.ndarray | None = None,
        joint_pos: np.ndarray | None = None,
        joint_vel: np.ndarray | None = None,
    ) -> np.ndarray:
        """Overwrite parts of the physical state of rows ``ids`` and return the fresh observation.

        For tests, demonstrations and scripted starts; velocities are in the world frame (angular
        velocity too), the quaternion is (x, y, z, w). Parts left as None keep their current value.
        """
        self._prepare()
        ids = np.arange(self.num_envs) if ids is None else np.asarray(ids, np.int64)
        qpos, qvel = self.state["qpos"][ids], self.state["qvel"][ids]
        plan = self._state_plan
        plan["pos"][ids, 0] = qpos[:, :3] if base_pos is None else base_pos
        rot = qpos[:, 3:7] if base_quat is None else np.asarray(base_quat, np.float32)
        plan["rot"][ids, 0] = rot
        plan["lin_vel"][ids, 0] = qvel[:, :3] if lin_vel is None else lin_vel
        plan["ang_vel"][ids, 0] = quat.rotate(rot, qvel[:, 3:6]) if ang_vel is None else ang_vel
        plan["joint_pos"][ids] = qpos[:, 7:] if joint_pos is None else joint_pos
        plan["joint_vel"][ids] = qvel[:, 6:] if joint_vel is None else joint_vel
        plan.execute(self.data, env_ids=ids)
        self._state.execute(self.data)
        self.refresh(self._all_rows)  # every row's observation is recomputed
        return self._obs

    # ---- hooks for other grounds ---------------------------------------------------------------
    def spawn_positions(self, ids: np.ndarray, yaw: np.ndarray) -> np.ndarray:
        """World positions of the trunk for new episodes of rows ``ids``: (k, 3), or one (3,) for all."""
        return self._spawn

    def base_height(self) -> np.ndarray:
        """Trunk height above the ground under it (N,). Flat ground is at z = 0, so this is the trunk's
        z: a view of the state, valid until the next query."""
        return self.state["qpos"][:, 2]

    def ground_height(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Ground height under world points ``(x, y)`` (any shape): 0 on flat ground."""
        return np.zeros(np.shape(x), np.float32)

    def heightfield(self) -> tuple[np.ndarray, float, float, float]:
        """The ground the height scan samples: heights ``[iy, ix]``, the (x, y) of sample (0, 0) and the
        spacing; 0 beyond it. Flat ground: a patch of zeros."""
        return np.zeros((2, 2)), 0.0, 0.0, 1.0

    def on_episode_end(self, ids: np.ndarray) -> None:
        """Called by ``reset_rows`` with the rows whose episode ends there, before new state is drawn:
        every reset row that has taken a step since its last reset (a finished episode inside ``step``,
        or a running one that ``reset()`` abandons). ``self.state`` holds their last state."""

    def deploy_description(self) -> dict[str, Any]:
        """What a controller outside MotrixSim needs to run this task's policy (``motrixlab.deploy``)."""
        from motrixlab_envs_locomotion.deployment import describe

        return describe(self)

    def camera_view(self, row: int = 0) -> dict[str, Any]:
        """Follows the trunk of env ``row`` from behind and to the side, further back for tall robots."""
        x, y, z = (float(v) for v in self.state["qpos"][row, :3])
        distance = max(1.6, 2.5 * self.robot.standing_height)
        return {"lookat": [x, y, z], "distance": distance, "elevation": -20.0, "azimuth": 135.0}

    # ---- NpEnv hooks --------------------------------------------------------------------------
    def apply_action(self, actions: np.ndarray) -> None:
        self.prev_actions = self.actions
        self.actions = actions
        # The joint velocities the last step ended with (reset rows included) become the previous ones;
        # this step's kinematics refill the other buffer: no copy.
        self.prev_joint_vel, self.joint_vel = self.joint_vel, self.prev_joint_vel
        joint_targets(actions, self._action_scale, self._stand_targets, self.target_low, self.target_high, self.targets)
        self.data.actuator_ctrls = self.targets
        if self.push_steps:
            self._push()

    def refresh(self, ids: np.ndarray | None) -> None:
        """After the physics (``ids`` None): kinematics, reward, termination, command resampling and
        observation of every row, in this order. After a reset of rows ``ids``: their kinematics and
        observation; the other rows keep theirs, which are still this step's."""
        if ids is None:
            self._state_outside = self._kinematics()
            self._reward = self._rewards()
            self._terminated = self._terminations()
            self._advance_commands()
            if self.gait_enabled:  # after the reward, which measures the phase the policy saw
                self.phase += self._phase_step
                np.remainder(self.phase, 1.0, out=self.phase)
            self._obs = self._observation()
        elif len(ids) == self.num_envs:  # reset() or every row ended at once: a new array
            self._kinematics()
            self._obs = self._observation()
        else:
            # Patch just the reset rows of this step's observation array; NpEnv has copied it into
            # the final observation.
            self._kinematics(ids)
            self._obs[ids] = self._observation(ids)

    def compute_obs(self) -> np.ndarray:
        return self._obs

    def compute_reward(self) -> np.ndarray:
        return self._reward

    def compute_terminated(self) -> np.ndarray:
        return self._terminated

    def reset_rows(self, ids: np.ndarray) -> None:
        ending = ids[self.episode_steps[ids] > 0]  # rows whose episode has taken a step (none at the first reset)
        if ending.size:
            self.on_episode_end(ending)
        k = len(ids)
        rng, plan = self.rng, self._reset_plan
        # one draw for all: heading, the jitter of the initial state, the command
        jitter = self._jitter_draws
        u = rng.random((k, 1 + jitter + COMMAND_DRAWS), np.float32)
        yaw = (u[:, 0] * 2.0 - 1.0) * np.float32(np.pi) if self.cfg.reset.random_yaw else np.zeros(k, np.float32)
        plan["pos"][ids, 0] = self.spawn_positions(ids, yaw)
        initial_state(
            ids,
            yaw,
            u[:, 1 : 1 + jitter],
            self._reset_noise,
            self.default_joint_pos,
            self.target_low,
            self.target_high,
            plan["rot"],
            plan["lin_vel"],
            plan["ang_vel"],
            plan["joint_pos"],
        )
        if self.cfg.randomization.enabled:
            self._randomize(ids)
        plan.execute(self.data, env_ids=ids)

        a = self.air
        clear_rows(
            ids,
            self.targets,
            self._stand_targets,
            self.actions,
            self.prev_actions,
            a.air_time,
            a.last_contact,
            self.command_steps_left,
            self.resample_steps,
        )
        self._commands_from(u[:, 1 + jitter :], ids)
        self.phase[ids] = 0.0

    # ---- randomisation ------------------------------------------------------------------------
    def _randomize(self, ids: np.ndarray) -> None:
        dr, rng, plan, k = self.cfg.randomization, self.rng, self._reset_plan, len(ids)
        self._kp[ids] = self.kp * rng.uniform(*dr.kp_scale, (k, self.num_joints))
        self._kd[ids] = self.kd * rng.uniform(*dr.kd_scale, (k, self.num_joints))
        plan["kp"][ids] = self._kp[ids]
        self._update_stand_targets(ids)
        plan["ctrl"][ids] = self._stand_targets[ids]
        plan["kd"][ids] = self._kd[ids]
        plan["trunk_mass"][ids, 0] = self.trunk_mass + rng.uniform(*dr.added_trunk_mass, k)
        friction = plan["friction"]
        friction[ids, :, 0] = rng.uniform(*dr.friction, (k, 1))  # feet and ground alike: contacts use the max
        friction[ids, :, 1] = 0.005
        friction[ids, :, 2] = 0.0001

    def _update_stand_targets(self, ids: np.ndarray | slice) -> None:
        """Joint targets of zero action for rows ``ids``: the standing pose plus the gravity feed-forward
        at each env's (possibly randomised) kp."""
        self._stand_targets[ids] = self._default_q[ids] + self.standing_torque / self._kp[ids]

    def _push(self) -> None:
        due = np.flatnonzero(self.episode_steps % self.push_steps == self.push_steps - 1)
        if due.size == 0:
            return
        v = self.state["qvel"][due, :3].copy()
        limit = self.cfg.randomization.push_velocity
        v[:, :2] += self.rng.uniform(-limit, limit, (due.size, 2))
        self._push_plan["vel"][due, 0] = v
        self._push_plan.execute(self.data, env_ids=due)

    # ---- per-step computation -------------------------------------------------------------------
    # Kinematics, rewards and observation are compiled passes over the rows (observation.py,
    # rewards.py); the arrays they fill are whole-batch buffers of this env, or fresh per step where
    # the caller may keep them (reward, termination, logs).
    def _kinematics(self, ids: np.ndarray | None = None) -> int:
        """Kinematics of rows ``ids`` (all rows when None); returns the number of qpos/qvel entries of
        those rows outside the divergence limit."""
        qpos, qvel = self.state["qpos"], self.state["qvel"]
        rows = self._all_rows if ids is None else ids
        return base_kinematics(qpos, qvel, rows, self._base, self.joint_pos, self.joint_vel, self.divergence_limit)

    def step_within_limits(self, obs: np.ndarray, reward: np.ndarray) -> bool:
        """Answered from the kinematics pass of ``refresh(None)``, which NpEnv runs on this step's state
        before the check: with every qpos/qvel entry within the limit, the validated finite actions and an
        all-finite config (checked by ``WalkCfg.validate``), observation and reward are finite too."""
        return self._state_outside == 0

    def torques(self) -> np.ndarray:
        """Joint torques of the PD law at the current state, clamped like the actuators' force range."""
        tau = (self.targets - self.joint_pos) * self._kp - self._kd * self.joint_vel
        return np.clip(tau, -self.torque_limit, self.torque_limit)

    def _rewards(self) -> np.ndarray:
        n, num_terms = self.num_envs, len(R.TERMS)
        out = np.empty((num_terms + 3, n), np.float32)  # one allocation: terms, errors, reward
        terms, errors, reward = out[:num_terms], out[num_terms : num_terms + 2], out[num_terms + 2]
        self._fallen = np.empty(n, bool)
        self._height = height = self.base_height()
        R.terms(
            self._base,
            self.joint_pos,
            self.joint_vel,
            self.prev_joint_vel,
            self.actions,
            self.prev_actions,
            self.commands,
            self.targets,
            self._kp,
            self._kd,
            self._joints,
            self.state["contacts"],
            height,
            self.air.air_time,
            self.air.last_contact,
            self._reward_params,
            self._weights,
            terms,
            reward,
            errors,
            self._fallen,
        )
        log = self.log
        log["lin_vel_error"], log["ang_vel_error"] = errors[0], errors[1]
        for i, key in self._logged_terms:
            log[key] = terms[i]
        if self._alive:
            reward += self._alive
            log["reward/alive"] = np.full(self.num_envs, self._alive, np.float32)
        if self.gait_enabled:
            self._gait_rewards(reward)  # and the clip
        elif self._clip_late and self.cfg.rewards.only_positive:
            np.maximum(reward, 0.0, out=reward)
        return reward

    def _gait_rewards(self, reward: np.ndarray) -> None:
        """Adds the gait terms to ``reward`` (the other terms' unclipped sum) and applies the clip."""
        s = self.state
        pos = s["feet_pos"].reshape(self.num_envs, -1, 3)
        out = np.empty((len(G.GAIT_TERMS), self.num_envs), np.float32)
        G.gait_terms(
            self.phase,
            self._gait_offsets,
            self.commands,
            s["contacts"],
            pos,
            s["feet_rot"].reshape(self.num_envs, -1, 4),
            s["feet_vel"].reshape(self.num_envs, -1, 3),
            self.ground_height(pos[..., 0], pos[..., 1]),
            self.joint_pos,
            self.default_joint_pos,
            self._deviation,
            self._gait_params,
            self._gait_weights,
            out,
            reward,
        )
        for i, key in self._logged_gait:
            self.log[key] = out[i]
        share = G.single_support(s["contacts"], len(self.ground_geoms), len(self.robot.feet), self.commands)
        if share is not None:
            self.log["single_support"] = share

    def _terminations(self) -> np.ndarray:
        fell = self._fallen  # computed with the rewards
        if self.cfg.min_base_height > 0:
            fell |= self._height < self.cfg.min_base_height
        self.log["fall"] = fell.astype(np.float32)
        return fell

    def _advance_commands(self) -> None:
        k = count_down(self.command_steps_left, self.resample_steps, self._due)
        if k:
            self._commands_from(self.rng.random((k, COMMAND_DRAWS), np.float32), self._due[:k])

    def _commands_from(self, draws: np.ndarray, ids: np.ndarray) -> None:
        """New commands for rows ``ids`` from uniform ``draws`` (k, COMMAND_DRAWS)."""
        c = self.cfg.commands
        commands_from_draws(draws, *self._command_bounds, c.min_speed, c.standing_share, ids, self.commands)

    def _observation(self, ids: np.ndarray | None = None) -> np.ndarray:
        """Observation rows ``ids`` (all rows when None) in ``observation.obs_layout`` order."""
        rows = self._all_rows if ids is None else ids
        obs = np.empty((len(rows), self.obs_dim), np.float32)
        observe(
            self._base, self.joint_pos, self.joint_vel, self.default_joint_pos, self.actions, self.commands, rows, obs
        )
        if self._noise_std is not None:
            width = self._noise_std.size
            obs[:, :width] += self.rng.standard_normal((len(rows), width), np.float32) * self._noise_std
        if self.gait_enabled:
            phase = self.obs_slices["phase"]
            obs[:, phase.start], obs[:, phase.start + 1] = G.clock(self.phase[rows])
        if len(self._scan_points):
            hs, part = self.cfg.height_scan, self.obs_slices["height_scan"]
            heights, x0, y0, res = self._heightfield
            offset = self.robot.standing_height
            draws = (
                self.rng.random((len(rows), part.stop - part.start), np.float32) if self._scan_noise else self._no_draws
            )
            qpos = self.state["qpos"]
            scan(
                qpos,
                rows,
                self._scan_points,
                heights,
                x0,
                y0,
                res,
                offset,
                hs.clip,
                draws,
                self._scan_noise,
                obs[:, part],
            )
        return obs
