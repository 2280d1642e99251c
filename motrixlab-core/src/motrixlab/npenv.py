"""``NpEnv``: the batched MotrixSim base class that env authors subclass.

It owns everything that is the same for every task: model loading, the batched ``SceneData``,
control decimation, state reads through one compiled query plan, auto-reset of finished rows,
truncation, seeding, action validation and containment of rows whose physics diverged.
A subclass writes five methods and may override a sixth, each vectorised over the batch::

    apply_action(actions)      # (N, A) float32 in the action space -> actuator controls
    refresh(ids)               # optional: bring the task's own state up to date with self.state
    compute_obs() -> (N, O)    # reads: from self.state[...] views and what refresh computed
    compute_reward() -> (N,)
    compute_terminated() -> (N,) bool
    reset_rows(ids)            # write initial state (and task variables) for rows ``ids``

and may add named fields to the state query by overriding ``state_queries()``, and answer the
divergence check's fast path from its own passes by overriding ``step_within_limits()``.
When each of them is called, on which rows, and how current ``self.state`` is at that point is
written down once, in the ``NpEnv`` class docstring.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Generic

import motrixsim as mx
import numpy as np
from gymnasium import spaces
from motrixsim import query as Q

from motrixlab.envcfg import CfgT, validated
from motrixlab.errors import ConfigError, ModelLoadError

Info = dict[str, Any]

__all__ = ["ModelLoadError", "NpEnv", "box", "is_engine_panic", "load_model"]


def is_engine_panic(exc: BaseException) -> bool:
    """MotrixSim panics arrive as ``pyo3_runtime.PanicException`` (a BaseException, not importable)."""
    return type(exc).__name__ == "PanicException"


def load_model(path: str | Path) -> mx.SceneModel:
    """Load an MJCF/URDF file with one clear error line on failure."""
    path = Path(path)
    if not path.is_file():
        raise ModelLoadError(f"model file {str(path)!r} does not exist")
    try:
        return mx.load_model(str(path))
    except BaseException as exc:
        if not (isinstance(exc, (RuntimeError, ValueError, OSError)) or is_engine_panic(exc)):
            raise
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ModelLoadError(f"model file {str(path)!r} could not be loaded: {first}") from None


def box(dim: int, low: float = -np.inf, high: float = np.inf) -> spaces.Box:
    """A float32 ``Box`` of shape ``(dim,)`` with scalar bounds."""
    return spaces.Box(low=low, high=high, shape=(dim,), dtype=np.float32)


class NpEnv(Generic[CfgT]):
    """Batched task on one MotrixSim model; the module docstring lists what a subclass overrides.

    The order of calls. Every hook works on the whole batch at once; ``ids`` is a sorted integer
    array of row indices. NpEnv reads the simulation into ``self.state`` only where marked *read*
    below; in between ``self.state`` does not change (state a hook writes through a write plan
    shows there at the next read).

    ``reset(seed=None)`` starts a new episode in every row (running episodes are abandoned):

    1. ``self.rng`` is reseeded when ``seed`` is given.
    2. ``reset_rows(ids)``, ``ids`` every row. ``self.state`` holds what was read last (nothing yet
       at the first reset); ``episode_steps[ids]`` is the length of the abandoned episodes (0 at
       the first reset).
    3. ``episode_steps[ids] = 0``; *read* the state of rows ``ids``.
    4. ``refresh(ids)``.
    5. ``compute_obs()``: the observation returned. ``info["log"]`` is empty: what the hooks wrote
       to ``self.log`` during ``reset`` is dropped.

    ``step(actions)``:

    1. Actions of the wrong shape, of a non-float dtype or with non-finite values raise
       ``ValueError`` before anything changes; the rest are clipped to the action space (float32).
       ``self.log`` is a new empty dict, ``info["log"]``; every hook below may add entries.
    2. ``apply_action(actions)``. ``self.state`` is the state read at the end of the previous step
       (or by ``reset``), the one the physics is about to advance: for a row reset in that step,
       the state its new episode starts from. ``episode_steps`` counts the steps the episode has
       taken so far (0 before its first).
    3. ``sim_substeps`` physics steps of every row; *read* the state of every row. If MotrixSim
       panics, the state is read all the same and the rows with an out-of-limit state or a
       non-finite control (every row if none has) are marked diverged; ``log["engine_panics"]``.
    4. ``episode_steps += 1`` (it now counts this step).
    5. ``refresh(None)``: every row, on the state just read.
    6. ``compute_obs()``, ``compute_reward()``, ``compute_terminated()``, in this order, once each.
       They read the state and what ``refresh`` left; none may rely on another having run first.
    7. Divergence check, unless a panic marked rows already: when ``step_within_limits(obs,
       reward)`` is False, rows with a non-finite or out-of-limit (``divergence_limit``) qpos/qvel
       entry, or a non-finite observation or reward, are diverged. Their observation and reward are
       set to 0 in place (in the arrays the hooks returned) and they count as terminated;
       ``log["diverged"]`` is their number (0.0 on a sound step).
    8. ``truncated = episode_steps >= max_episode_steps`` except where terminated: an episode
       lasts at most ``max_episode_steps`` steps.
    9. The rows that ended (terminated or truncated), if any: ``info["final_obs"]`` becomes a copy
       of the observation, so its rows ``ended`` hold their episodes' last observation and the
       others this step's; then ``reset_rows(ended)`` sees the finished episodes' last state (this
       step's, a diverged row's included) and their lengths in ``episode_steps[ended]``;
       ``episode_steps[ended] = 0``; *read* the state of rows ``ended``; ``refresh(ended)``;
       ``compute_obs()`` again, for the observation returned, whose rows ``ended`` start the new
       episodes. Reward and terminated are not computed again: they are this step's. When no row
       ended, ``info["final_obs"]`` is the observation itself.

    So ``refresh(ids)`` may update the array ``compute_obs`` returned before the reset in place
    (NpEnv has copied it), but must leave the step's reward and terminated arrays, and the arrays
    in ``self.log``, alone. Rows outside ``ids`` keep this step's state; a task may recompute
    them too where that leaves their values unchanged. A ``self.log`` entry that is a view of
    ``self.state`` is copied before the rows are reset, so ``info["log"]`` holds this step's values.
    """

    #: A row whose |qpos| or |qvel| exceeds this counts as diverged and is reset; well below
    #: the magnitudes at which the engine's solver panics.
    divergence_limit: float = 1e5

    observation_space: spaces.Box
    action_space: spaces.Box

    def __init__(self, cfg: CfgT, *, num_envs: int = 1, seed: int | None = None) -> None:
        if not isinstance(num_envs, (int, np.integer)) or isinstance(num_envs, bool) or num_envs < 1:
            raise ConfigError(f"num_envs: must be a positive integer, got {num_envs!r}")
        self.cfg = validated(cfg, f"{type(cfg).__name__}.")
        self.num_envs = int(num_envs)
        self.model = load_model(cfg.model_file)
        self.model.options.timestep = float(cfg.sim_dt)
        self.data = mx.SceneData(self.model, batch=[self.num_envs])
        self.rng = np.random.default_rng(seed)
        self.sim_substeps = cfg.sim_substeps
        self.max_episode_steps = cfg.max_episode_steps
        self.episode_steps = np.zeros(self.num_envs, np.int32)
        self.log: dict[str, Any] = {}
        self.physics_seconds = 0.0  # wall time inside MotrixSim step calls
        self.step_seconds = 0.0  # wall time inside step()
        self._state: Any = None
        self._ready = False

    # ---- to override ------------------------------------------------------------------------
    def state_queries(self) -> Mapping[str, Any]:
        """Extra named query sources read once per step into ``self.state``."""
        return {}

    def apply_action(self, actions: np.ndarray) -> None:
        raise NotImplementedError

    def refresh(self, ids: np.ndarray | None) -> None:
        """Bring the task's own state up to date with ``self.state``. Default: nothing.

        ``ids`` None: every row, once per step, after the physics and before ``compute_obs``,
        ``compute_reward``, ``compute_terminated`` and ``step_within_limits``; a task may compute
        its observation, reward terms, terminations and command updates here and have those hooks
        return them. ``ids`` an array: after ``reset_rows(ids)`` and the read of those rows' state,
        before ``compute_obs`` is called again; only rows ``ids`` need updating. The class
        docstring has the whole order.
        """

    def compute_obs(self) -> np.ndarray:
        raise NotImplementedError

    def compute_reward(self) -> np.ndarray:
        raise NotImplementedError

    def compute_terminated(self) -> np.ndarray:
        raise NotImplementedError

    def reset_rows(self, ids: np.ndarray) -> None:
        raise NotImplementedError

    # ---- helpers for subclasses --------------------------------------------------------------
    @property
    def state(self) -> Any:
        """The compiled query plan: ``self.state["qpos"]`` etc. are zero-copy (N, ...) views."""
        self._prepare()
        return self._state

    def compile_write(self, sources: Mapping[str, Any], *, reset: bool = False, forward_kinematic: bool = False) -> Any:
        """Compile and allocate a write plan for this batch."""
        plan = self.model.compile_write(dict(sources), reset=reset, forward_kinematic=forward_kinematic)
        return plan.allocate(self.data)

    def camera_view(self, row: int = 0) -> dict[str, Any]:
        """Where a video of env ``row`` looks (``motrixlab play --video``): the arguments of MotrixSim's
        ``SystemCamera.set_view``. Tasks whose robot travels follow it."""
        from motrixlab.video import DEFAULT_VIEW

        return dict(DEFAULT_VIEW)

    @property
    def physics_share(self) -> float:
        """Fraction of ``step()`` wall time spent in MotrixSim's step calls (1.0 = no overhead)."""
        return self.physics_seconds / self.step_seconds if self.step_seconds > 0 else 0.0

    # ---- the protocol -------------------------------------------------------------------------
    def reset(self, *, seed: int | None = None) -> tuple[np.ndarray, Info]:
        """Start a new episode in every row (see the class docstring)."""
        if seed is not None:
            self.rng = np.random.default_rng(seed)
        self._prepare()
        self._reset_ids(np.arange(self.num_envs))
        self.log = {}
        return self.compute_obs(), {"log": self.log}

    def step(self, actions: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Info]:
        """One policy step of every row, with auto-reset of the rows that ended (see the class docstring)."""
        if not self._ready:
            raise RuntimeError(f"{type(self).__name__}.step() called before reset()")
        start = time.perf_counter()
        actions = self._check_actions(actions)
        self.log = {}
        self.apply_action(actions)
        bad = self._physics()
        self.episode_steps += 1
        self.refresh(None)
        obs = self.compute_obs()
        reward = self.compute_reward()
        terminated = self.compute_terminated()
        if bad is None and not self.step_within_limits(obs, reward):
            bad = self._diverged_rows(obs, reward)
        n_bad = 0 if bad is None else int(np.count_nonzero(bad))
        self.log["diverged"] = float(n_bad)
        if n_bad:
            obs[bad] = 0.0
            reward[bad] = 0.0
            terminated = terminated | bad
        truncated = self.episode_steps >= self.max_episode_steps
        truncated &= ~terminated
        ended = np.flatnonzero(terminated | truncated)
        final_obs = obs
        if ended.size:
            final_obs = obs.copy()
            self._detach_log()
            self._reset_ids(ended)
            obs = self.compute_obs()
        self.step_seconds += time.perf_counter() - start
        return obs, reward, terminated, truncated, {"final_obs": final_obs, "log": self.log}

    def close(self) -> None:
        self._state = None
        self._ready = False

    # ---- internals ----------------------------------------------------------------------------
    def _prepare(self) -> None:
        if self._state is not None:
            return
        sources = {"qpos": Q.DofPosition(), "qvel": Q.DofVelocity(), **self.state_queries()}
        self._state = self.model.compile_query(sources).allocate(self.data)
        self._act_shape = (self.num_envs, *self.action_space.shape)
        self._act_low = self.action_space.low.astype(np.float32)
        self._act_high = self.action_space.high.astype(np.float32)
        self._ready = True

    def _check_actions(self, actions: Any) -> np.ndarray:
        a = np.asarray(actions)
        if a.shape != self._act_shape:
            raise ValueError(f"actions: expected shape {self._act_shape}, got {a.shape}")
        if a.dtype.kind != "f":
            raise ValueError(f"actions: expected a float array (float32), got dtype {a.dtype}")
        # The sum is finite unless an element is not (or the float32 sum overflows): one cheap
        # reduction on the hot path, the element-wise check only when it fails.
        with np.errstate(over="ignore", invalid="ignore"):
            suspect = not np.isfinite(a.sum())
        if suspect and not np.isfinite(a).all():
            rows = np.flatnonzero(~np.isfinite(a).all(axis=1))
            raise ValueError(f"actions: non-finite values in rows {rows[:8].tolist()}")
        clipped = np.maximum(a, self._act_low, dtype=np.float32)  # ufuncs: cheaper than np.clip's wrapper
        return np.minimum(clipped, self._act_high, out=clipped)

    def _physics(self) -> np.ndarray | None:
        """Step the physics; on an engine panic return the rows to reset, else None."""
        t0 = time.perf_counter()
        try:
            self.model.step_n(self.data, self.sim_substeps)
        except BaseException as exc:
            if not is_engine_panic(exc):
                raise
            self.physics_seconds += time.perf_counter() - t0
            self._state.execute(self.data)
            bad = self._bad_state_rows()
            with np.errstate(invalid="ignore"):  # a NaN control (e.g. on a position actuator) panics too
                bad |= ~np.isfinite(self.data.actuator_ctrls).all(axis=1)
            if not bad.any():  # cannot tell which row broke the solver: restart them all
                bad[:] = True
            self.log["engine_panics"] = 1.0
            return bad
        self.physics_seconds += time.perf_counter() - t0
        self._state.execute(self.data)
        return None

    def step_within_limits(self, obs: np.ndarray, reward: np.ndarray) -> bool:
        """Whether this step is sound: every entry of the state just read finite and below
        ``divergence_limit``, observation and reward finite. Only when it is not are rows examined.

        The default reduces the whole query buffer (qpos and qvel are in it; the task's other fields
        only make the test stricter), memory the engine's threads have just written, then sums the
        observation and reward. A task whose own pass over the state already reads every qpos/qvel
        entry, and whose observation and reward are bounded functions of a bounded state, may answer
        from that pass instead: ``refresh(None)`` has run on this step's state before this check.
        """
        limit, buffer = self.divergence_limit, self._state.buffer
        with np.errstate(over="ignore", invalid="ignore"):
            # no temporaries; a NaN anywhere fails (NaN < x is False), and so does an inf or a float32
            # overflow of a sum (a false alarm that only costs the row-by-row look)
            return bool(
                buffer.max() < limit and -buffer.min() < limit and np.isfinite(obs.sum()) and np.isfinite(reward.sum())
            )

    def _bad_state_rows(self) -> np.ndarray:
        limit = self.divergence_limit
        qpos, qvel = self._state["qpos"], self._state["qvel"]
        with np.errstate(invalid="ignore"):
            ok = (np.abs(qpos) < limit).all(axis=1) & (np.abs(qvel) < limit).all(axis=1)
        return ~ok

    def _diverged_rows(self, obs: np.ndarray, reward: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return self._bad_state_rows() | ~np.isfinite(obs).all(axis=1) | ~np.isfinite(reward)

    def _detach_log(self) -> None:
        """Copy the log entries that are views of the state buffer: the read after a reset would change
        their rows of the episodes that ended to the new episodes' state."""
        buffer = self._state.buffer
        for key, value in self.log.items():
            if isinstance(value, np.ndarray) and np.may_share_memory(value, buffer):
                self.log[key] = value.copy()

    def _reset_ids(self, ids: np.ndarray) -> None:
        self.reset_rows(ids)
        self.episode_steps[ids] = 0
        self._state.execute(self.data, env_ids=ids)
        self.refresh(ids)
