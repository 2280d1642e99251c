"""Velocity tracking on procedurally generated terrain with a level curriculum (``go1-walk-rough``).

The terrain (see ``terrain.py``) is generated from its config when the env is built and added to
the robot's MJCF as a heightfield; all envs share it, each starting on its own tile. An env that
walked off its tile by the end of an episode moves one level up; one that covered less than half
of the distance it was commanded moves one level down; envs beyond the last level restart on a
random level, so the hardest levels keep being visited without forgetting the easier ones
(``graduates="random"``), or stay on the last one (``"top"``).
The levels are env state a resumed run keeps (``env_state``/``load_env_state``).
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from motrixlab.envcfg import validated

from motrixlab_envs_locomotion import quat
from motrixlab_envs_locomotion.config import G1RoughCfg, Go1RoughCfg
from motrixlab_envs_locomotion.terrain import Terrain, TerrainCfg, generate, scene_xml
from motrixlab_envs_locomotion.walk import WalkEnv


def next_levels(
    levels: np.ndarray,
    walked: np.ndarray,
    commanded: np.ndarray,
    terrain: Terrain | TerrainCfg,
    graduates: str,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The curriculum's rule for episodes that ended on ``levels`` having ended ``walked`` m from their start
    after being told to cover ``commanded`` m: the new levels, and which episodes were promoted and demoted."""
    up = walked > terrain.tile_size / 2
    down = (walked < 0.5 * commanded) & ~up
    levels = levels + up.astype(int) - down.astype(int)
    beyond = levels >= terrain.levels
    if graduates == "top":
        levels[beyond] = terrain.levels - 1
    else:
        levels[beyond] = rng.integers(0, terrain.levels, int(beyond.sum()))
    return np.maximum(levels, 0), up, down


class RoughEnv(WalkEnv):
    ground_geoms = ("floor", "terrain")

    def __init__(self, cfg: Go1RoughCfg | G1RoughCfg, *, num_envs: int = 1, seed: int | None = None) -> None:
        validated(cfg, f"{type(cfg).__name__}.")  # before the terrain is generated from it
        self.terrain: Terrain = generate(cfg.terrain)
        with tempfile.TemporaryDirectory(prefix="motrixlab-terrain-") as tmp:
            scene = Path(tmp) / f"{type(cfg).robot.name}_terrain.xml"
            scene.write_text(scene_xml(cfg.model_file, self.terrain))
            super().__init__(dataclasses.replace(cfg, model_file=str(scene)), num_envs=num_envs, seed=seed)
        self.cfg = cfg  # keep the user's config (the generated scene file is gone)
        n = self.num_envs
        self.levels = self.rng.integers(cfg.initial_min_level, cfg.initial_max_level + 1, n)
        self.columns = np.arange(n) % len(self.terrain.types)
        self.origins = np.zeros((n, 2), np.float32)
        self.commanded_distance = np.zeros(n, np.float32)
        self._level_mean = float(self.levels.mean())

    def deploy_description(self) -> dict[str, Any]:
        from motrixlab.deploy import DeployUnavailable

        raise DeployUnavailable("rough terrain and its spawn points are generated for each run, not in a model file")

    def spawn_positions(self, ids: np.ndarray, yaw: np.ndarray) -> np.ndarray:
        """Centre of the env's tile, jittered inside the platform; high enough to clear the ground under the feet."""
        k = len(ids)
        jitter = max(self.cfg.terrain.platform / 2 - 0.4, 0.0)
        xy = self.terrain.tile_centre(self.levels[ids], self.columns[ids])
        xy += self.rng.uniform(-jitter, jitter, (k, 2)).astype(np.float32)
        self.origins[ids] = xy
        nf = len(self.robot.feet)
        feet = np.zeros((k, nf, 3), np.float32)
        feet[:, :, :2] = np.array(self.robot.feet_xy, np.float32)
        feet = quat.rotate(np.repeat(quat.from_yaw(yaw), nf, axis=0), feet.reshape(-1, 3)).reshape(k, nf, 3)
        feet_xy = feet[:, :, :2] + xy[:, None, :]
        ground = self.terrain.height_at(feet_xy[..., 0], feet_xy[..., 1]).max(axis=1)
        return np.concatenate((xy, (ground + self.robot.standing_height + 0.01)[:, None]), axis=1)

    def base_height(self) -> np.ndarray:
        qpos = self.state["qpos"]
        return qpos[:, 2] - self.terrain.height_at(qpos[:, 0], qpos[:, 1])

    def ground_height(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return self.terrain.height_at(x, y)

    def heightfield(self) -> tuple[np.ndarray, float, float, float]:
        t = self.terrain
        return t.heights, *t.origin, t.resolution

    def on_episode_end(self, ids: np.ndarray) -> None:
        if not self.cfg.curriculum:
            return
        walked = np.linalg.norm(self.state["qpos"][ids, :2] - self.origins[ids], axis=1)
        old = self.levels[ids]
        self.levels[ids], up, _ = next_levels(
            old, walked, self.commanded_distance[ids], self.terrain, self.cfg.graduates, self.rng
        )
        on_top = old == self.terrain.levels - 1
        if on_top.any():
            # The mean level settles below (levels - 1) / 2 however good the policy is (graduates
            # restart on random levels); the share of episodes on the hardest level that walk off it
            # keeps measuring progress.
            self.log["terrain_top_passed"] = float(up[on_top].mean())
        self.commanded_distance[ids] = 0.0
        self._level_mean = float(self.levels.mean())

    def env_state(self) -> dict[str, Any]:
        return {"terrain_levels": self.levels.tolist()}

    def load_env_state(self, state: Mapping[str, Any]) -> None:
        """Restore the curriculum; a run resumed with another ``num_envs`` draws from the saved levels."""
        if "terrain_levels" not in state:
            return
        levels = np.asarray(state["terrain_levels"])
        top = self.terrain.levels
        integers = levels.ndim == 1 and levels.size > 0 and levels.dtype.kind in "iu"
        if not integers or levels.min() < 0 or levels.max() >= top:
            raise ValueError(f"terrain_levels must be a non-empty list of integers in [0, {top - 1}]")
        if levels.size != self.num_envs:
            levels = self.rng.choice(levels, self.num_envs)
        self.levels = levels.astype(self.levels.dtype)
        self._level_mean = float(self.levels.mean())

    def _advance_commands(self) -> None:
        cmd = self.commands
        self.commanded_distance += np.sqrt(cmd[:, 0] * cmd[:, 0] + cmd[:, 1] * cmd[:, 1]) * self.dt
        self.log["terrain_level"] = self._level_mean
        super()._advance_commands()


class StairsEnv(RoughEnv):
    """``go1-walk-stairs``: ``RoughEnv`` on pyramid stairs, logging how high each episode climbed.

    Per episode it keeps the lowest ground under the trunk so far and the largest rise above it; at the
    end of episodes it logs ``stairs_climbed`` (m, their mean) and ``stair_top_reached`` (the share that
    climbed a whole flight of their tile's pyramid from the bottom: 90 % of its height)."""

    def __init__(self, cfg: Go1RoughCfg, *, num_envs: int = 1, seed: int | None = None) -> None:
        super().__init__(cfg, num_envs=num_envs, seed=seed)
        self.lowest = np.zeros(self.num_envs, np.float32)
        self.climbed = np.zeros(self.num_envs, np.float32)

    def flight_height(self, levels: np.ndarray) -> np.ndarray:
        """Height (m) of the pyramid on tiles of ``levels``: risers times the steps up to the platform."""
        t = self.cfg.terrain
        rise = 0.03 + (t.max_step_height - 0.03) * levels / max(t.levels - 1, 1)
        steps = np.floor(max((t.tile_size - t.platform) / 2, t.resolution) / t.step_width)
        return (rise * steps).astype(np.float32)

    def spawn_positions(self, ids: np.ndarray, yaw: np.ndarray) -> np.ndarray:
        pos = super().spawn_positions(ids, yaw)
        self.lowest[ids] = self.terrain.height_at(pos[:, 0], pos[:, 1])
        self.climbed[ids] = 0.0
        return pos

    def base_height(self) -> np.ndarray:
        qpos = self.state["qpos"]
        ground = self.terrain.height_at(qpos[:, 0], qpos[:, 1])
        np.minimum(self.lowest, ground, out=self.lowest)
        np.maximum(self.climbed, ground - self.lowest, out=self.climbed)
        return qpos[:, 2] - ground

    def on_episode_end(self, ids: np.ndarray) -> None:
        climbed = self.climbed[ids]
        self.log["stairs_climbed"] = float(climbed.mean())
        self.log["stair_top_reached"] = float((climbed >= 0.9 * self.flight_height(self.levels[ids])).mean())
        super().on_episode_end(ids)
