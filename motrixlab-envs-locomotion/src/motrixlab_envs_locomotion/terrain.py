"""Procedural terrain: a grid of tiles (difficulty level along x, terrain type along y) in one heightfield.

Generated with numpy from a seed when the env is built, written into the scene as an inline MJCF
``<hfield elevation=...>``. Every tile is 0 at its edges and never below 0, so tiles join without
cliffs and the flat floor plane at z = 0 continues the ground beyond the heightfield. Robots start
on the flat platform in the middle of a tile; on pyramids they walk down first, then back up.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numba import njit

TERRAIN_TYPES = ("rough", "slope", "stairs", "obstacles")


@dataclass(kw_only=True)
class TerrainCfg:
    """Difficulty grows linearly from level 0 (almost flat) to the last level (the ``max_*`` figures)."""

    seed: int = 0  # the terrain is a pure function of this config
    levels: int = 6  # difficulty rows along x
    types: tuple[str, ...] = TERRAIN_TYPES  # one column of tiles per type, along y
    tile_size: float = 8.0  # m, square tiles
    resolution: float = 0.1  # m between height samples
    platform: float = 2.0  # m, flat square in the tile centre where robots start
    max_roughness: float = 0.08  # m, peak height of random bumps (0.02 at level 0)
    max_slope: float = 0.4  # rise over run of the pyramid slopes (0.05 at level 0)
    max_step_height: float = 0.12  # m, stair riser (0.03 at level 0)
    step_width: float = 0.3  # m, stair tread
    max_obstacle_height: float = 0.12  # m, random blocks (0.03 at level 0)

    def validate(self) -> None:
        if self.levels < 1:
            raise ValueError(f"terrain.levels: must be >= 1, got {self.levels}")
        if not self.types:
            raise ValueError("terrain.types: at least one terrain type is needed")
        for t in self.types:
            if t not in TERRAIN_TYPES:
                raise ValueError(f"terrain.types: unknown type {t!r}; valid: {', '.join(TERRAIN_TYPES)}")
        if not 0 < self.resolution <= self.tile_size / 8:
            raise ValueError(f"terrain.resolution: must be in (0, tile_size/8], got {self.resolution}")
        if not 0 <= self.platform < self.tile_size:
            raise ValueError(f"terrain.platform: must be in [0, tile_size), got {self.platform}")
        for name in ("max_roughness", "max_slope", "max_step_height", "step_width", "max_obstacle_height"):
            if getattr(self, name) <= 0:
                raise ValueError(f"terrain.{name}: must be positive, got {getattr(self, name)}")


def _upsample(coarse: np.ndarray, n: int) -> np.ndarray:
    """Bilinear resampling of a (m, m) grid onto (n, n) covering the same square."""
    m = coarse.shape[0]
    pos = np.linspace(0.0, m - 1.0, n)
    i0 = np.minimum(pos.astype(int), m - 2)
    w = (pos - i0)[:, None]
    rows = coarse[i0] * (1 - w) + coarse[i0 + 1] * w
    return rows[:, i0] * (1 - w.T) + rows[:, i0 + 1] * w.T


def _edge_distance(n: int, res: float) -> np.ndarray:
    """Distance (m) of every sample of a tile to the nearest tile edge."""
    d = np.minimum(np.arange(n), np.arange(n)[::-1]) * res
    return np.minimum(d[:, None], d[None, :])


def tile_heights(kind: str, difficulty: float, n: int, cfg: TerrainCfg, rng: np.random.Generator) -> np.ndarray:
    """Heights (n, n) of one tile of ``kind`` at ``difficulty`` in [0, 1]; 0 on the border, >= 0 inside."""
    res = cfg.resolution
    edge = _edge_distance(n, res)
    ramp_end = max((cfg.tile_size - cfg.platform) / 2, res)
    inner = np.minimum(edge, ramp_end)  # distance travelled inward before the platform
    if kind == "rough":
        amp = 0.02 + (cfg.max_roughness - 0.02) * difficulty
        coarse = rng.uniform(0.0, amp, size=(max(2, n // 3), max(2, n // 3)))
        h = _upsample(coarse, n)
        h *= np.clip(edge / 0.5, 0.0, 1.0)  # fade to 0 over the last 0.5 m so tiles join
    elif kind == "slope":
        slope = 0.05 + (cfg.max_slope - 0.05) * difficulty
        h = slope * inner
    elif kind == "stairs":
        rise = 0.03 + (cfg.max_step_height - 0.03) * difficulty
        h = rise * np.floor(inner / cfg.step_width)
    elif kind == "obstacles":
        top = 0.03 + (cfg.max_obstacle_height - 0.03) * difficulty
        h = np.zeros((n, n))
        for _ in range(int(cfg.tile_size**2 / 3)):
            width, length = rng.integers(int(0.4 / res), int(1.0 / res) + 1, size=2)
            i, j = rng.integers(0, n - 1, size=2)
            h[i : i + width, j : j + length] = rng.uniform(0.02, top)
        half = int(cfg.platform / 2 / res)
        c = n // 2
        h[c - half : c + half + 1, c - half : c + half + 1] = 0.0
        h[edge < res / 2] = 0.0
    else:
        raise ValueError(f"unknown terrain type {kind!r}; valid: {', '.join(TERRAIN_TYPES)}")
    return h


@dataclass(frozen=True, kw_only=True)
class Terrain:
    """Heights ``heights[iy, ix]`` (m) on a regular grid centred on the world origin, row 0 at -y."""

    heights: np.ndarray
    resolution: float
    tile_size: float
    levels: int
    types: tuple[str, ...]

    @property
    def size(self) -> tuple[float, float]:
        """Extent (x, y) in metres."""
        ny, nx = self.heights.shape
        return (nx - 1) * self.resolution, (ny - 1) * self.resolution

    @property
    def origin(self) -> tuple[float, float]:
        """World (x, y) of sample ``heights[0, 0]``."""
        sx, sy = self.size
        return -sx / 2, -sy / 2

    def tile_centre(self, level: np.ndarray, column: np.ndarray) -> np.ndarray:
        """World (x, y) of the centre of tile (level, type column), (…, 2)."""
        sx, sy = self.size
        x = -sx / 2 + (np.asarray(level) + 0.5) * self.tile_size
        y = -sy / 2 + (np.asarray(column) + 0.5) * self.tile_size
        return np.stack((x, y), axis=-1).astype(np.float32)

    def height_at(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Bilinear ground height under world points; 0 (the floor plane) outside the heightfield."""
        x, y = np.broadcast_arrays(np.asarray(x, np.float64), np.asarray(y, np.float64))
        x0, y0 = self.origin
        out = np.empty(x.size, np.float64)
        ground_heights(self.heights, ((x - x0) / self.resolution).ravel(), ((y - y0) / self.resolution).ravel(), out)
        return out.reshape(x.shape).astype(np.float32)


@njit(cache=True)
def ground_heights(heights, fx, fy, out):
    """``out[i]``: the height at fractional sample (``fx[i]``, ``fy[i]``) of ``heights[iy, ix]``, bilinear; 0
    (the floor plane) outside. The one lookup that rewards, spawn heights and the height scan share, so the
    policy sees the ground they are scored on. A loop over arrays, not a per-point function: compiled
    that way the scan runs in two thirds of the time."""
    ny, nx = heights.shape
    for i in range(fx.shape[0]):
        x, y = fx[i], fy[i]
        ground = 0.0
        if 0.0 <= x <= nx - 1 and 0.0 <= y <= ny - 1:
            x = min(x, nx - 1 - 1e-9)
            y = min(y, ny - 1 - 1e-9)
            ix, iy = int(x), int(y)
            ax, ay = x - ix, y - iy
            top = heights[iy, ix] * (1.0 - ax) + heights[iy, ix + 1] * ax
            bottom = heights[iy + 1, ix] * (1.0 - ax) + heights[iy + 1, ix + 1] * ax
            ground = top * (1.0 - ay) + bottom * ay
        out[i] = ground


def generate(cfg: TerrainCfg) -> Terrain:
    """The whole terrain for ``cfg``; the same config always gives the same heights."""
    cfg.validate()
    rng = np.random.default_rng(cfg.seed)
    n = round(cfg.tile_size / cfg.resolution) + 1
    step = n - 1
    heights = np.zeros((len(cfg.types) * step + 1, cfg.levels * step + 1))
    for level in range(cfg.levels):
        difficulty = level / max(cfg.levels - 1, 1)
        for col, kind in enumerate(cfg.types):
            tile = tile_heights(kind, difficulty, n, cfg, rng)
            # tiles share their border samples, which are 0 on both sides
            heights[col * step : col * step + n, level * step : level * step + n] = tile.T
    return Terrain(
        heights=heights.astype(np.float32),
        resolution=float(cfg.resolution),
        tile_size=step * float(cfg.resolution),
        levels=cfg.levels,
        types=tuple(cfg.types),
    )


def scene_xml(robot_model: str | Path, terrain: Terrain, *, name: str = "terrain") -> str:
    """The robot's MJCF with ``terrain`` added as a heightfield geom named ``name``."""
    root = ET.parse(robot_model).getroot()
    h = terrain.heights
    low, high = float(h.min()), float(h.max())
    span = max(high - low, 1e-3)
    normalised = (h - low) / span
    if high - low < 1e-3:  # MotrixSim rescales elevations to [0, 1]; keep the range non-degenerate
        normalised[0, 0] = 1.0
    sx, sy = terrain.size
    asset = root.find("asset")
    if asset is None:
        asset = ET.Element("asset")
        root.insert(list(root).index(root.find("worldbody")), asset)
    rows = normalised[::-1]  # MJCF elevation text starts at the +y edge
    ET.SubElement(
        asset,
        "hfield",
        name=name,
        nrow=str(h.shape[0]),
        ncol=str(h.shape[1]),
        size=f"{sx / 2:.6g} {sy / 2:.6g} {span:.6g} 0.5",
        elevation=" ".join(f"{v:.4g}" for v in rows.ravel()),
    )
    worldbody = root.find("worldbody")
    geom = ET.Element(
        "geom",
        name=name,
        type="hfield",
        hfield=name,
        pos=f"0 0 {low:.6g}",
        contype="1",
        conaffinity="1",
        friction="1.0 0.005 0.0001",
        rgba="0.5 0.55 0.5 1",
    )
    worldbody.insert(1, geom)
    return ET.tostring(root, encoding="unicode")
