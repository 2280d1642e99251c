"""The same artifact in MotrixSim, the engine it was trained in, on the same command sequences.

The registered env runs one row per episode with its own start states (drawn as in training); its
``commands`` array (N, 3) and the observation's command term are overwritten with the sequences
given before every policy call, so the tracking errors the env logs are measured against them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from motrixlab.deploy import OBS_TERMS, control_dt
from motrixlab.errors import MotrixLabError

from motrixlab_deploy_mujoco.artifact import Artifact


def _command_slice(description: dict[str, Any]) -> tuple[slice, float] | None:
    start = 0
    sizes = {"joints": len(description["joints"]), "actions": len(description["control"]["joints"])}
    for term in description["observation"]:
        width = sizes.get(str(OBS_TERMS[term["term"]][0]), OBS_TERMS[term["term"]][0])
        if term["term"] == "command":
            return slice(start, start + int(width)), float(term["scale"])
        start += int(width)
    return None


def motrixsim_episodes(
    art: Artifact, commands: np.ndarray | None, episodes: int, steps: int, seed: int
) -> list[dict[str, Any]]:
    """Per-episode records in the same schema as the MuJoCo episodes."""
    import motrixlab

    d = art.description
    dt = control_dt(d)
    env = motrixlab.make(d["env"], num_envs=episodes, seed=seed, overrides={"max_episode_seconds": max(steps * dt, dt)})
    reward = d.get("reward")
    per_step = float(reward["per_step"]) if reward and reward.get("kind") == "alive" else None
    try:
        where = _command_slice(d) if commands is not None else None
        if commands is not None and not isinstance(getattr(env, "commands", None), np.ndarray):
            raise MotrixLabError(f"env {d['env']!r} exposes no commands array to replay the command sequences on")
        obs, _ = env.reset(seed=seed)
        active = np.ones(episodes, bool)
        lengths = np.zeros(episodes, np.int64)
        fell = np.zeros(episodes, bool)
        lin_sum, ang_sum = np.zeros(episodes), np.zeros(episodes)
        for k in range(steps):
            if commands is not None:
                env.commands[:] = commands[:, k]
                if where is not None:
                    obs[:, where[0]] = commands[:, k] * where[1]
            obs, _, terminated, truncated, info = env.step(art(obs))
            log = info.get("log") or {}
            lengths += active
            if "lin_vel_error" in log:
                lin_sum += np.where(active, log["lin_vel_error"], 0.0)
                ang_sum += np.where(active, log["ang_vel_error"], 0.0)
            fell |= active & np.asarray(terminated, bool)
            active &= ~(np.asarray(terminated, bool) | np.asarray(truncated, bool))
            if not active.any():
                break
    finally:
        env.close()
    tracked = commands is not None
    return [
        {
            "length_steps": int(lengths[i]),
            "length_s": float(lengths[i] * dt),
            "fell": bool(fell[i]),
            "return": None if per_step is None else per_step * int(lengths[i]),
            "lin_vel_error": float(lin_sum[i] / lengths[i]) if tracked and lengths[i] else None,
            "ang_vel_error": float(ang_sum[i] / lengths[i]) if tracked and lengths[i] else None,
        }
        for i in range(episodes)
    ]
