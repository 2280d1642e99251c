"""Bounded reward shaping: ``tolerance`` maps a distance from a target band into [0, 1].

Inside ``bounds`` the reward is 1; outside it decays with ``sigmoid`` so that it equals
``value_at_margin`` at distance ``margin`` from the band. With per-step rewards in [0, 1], a
perfect 1000-step episode scores about 1000.
"""

from __future__ import annotations

import numpy as np

SIGMOIDS = ("gaussian", "hyperbolic", "long_tail", "reciprocal", "cosine", "linear", "quadratic")


def _shape(x: np.ndarray, value_at_1: float, sigmoid: str) -> np.ndarray:
    """A function of the normalised distance x >= 0 with f(0) = 1 and f(1) = value_at_1."""
    if sigmoid in ("cosine", "linear", "quadratic"):
        if not 0 <= value_at_1 < 1:
            raise ValueError(f"value_at_margin must be in [0, 1) for {sigmoid!r}, got {value_at_1}")
    elif not 0 < value_at_1 < 1:
        raise ValueError(f"value_at_margin must be in (0, 1) for {sigmoid!r}, got {value_at_1}")
    if sigmoid == "gaussian":
        return np.exp(np.log(value_at_1) * x * x)
    if sigmoid == "hyperbolic":
        a = np.arccosh(1 / value_at_1)
        return 1 / np.cosh(a * x)
    if sigmoid == "long_tail":
        a = np.sqrt(1 / value_at_1 - 1)
        return 1 / (a * a * x * x + 1)
    if sigmoid == "reciprocal":
        a = 1 / value_at_1 - 1
        return 1 / (a * np.abs(x) + 1)
    if sigmoid == "cosine":
        a = np.arccos(2 * value_at_1 - 1) / np.pi
        ax = a * x
        return np.where(np.abs(ax) < 1, (1 + np.cos(np.pi * ax)) / 2, 0.0)
    if sigmoid == "linear":
        ax = (1 - value_at_1) * x
        return np.where(np.abs(ax) < 1, 1 - ax, 0.0)
    if sigmoid == "quadratic":
        ax = np.sqrt(1 - value_at_1) * x
        return np.where(np.abs(ax) < 1, 1 - ax * ax, 0.0)
    raise ValueError(f"unknown sigmoid {sigmoid!r}; valid: {', '.join(SIGMOIDS)}")


def tolerance(
    x: np.ndarray | float,
    bounds: tuple[float, float] = (0.0, 0.0),
    margin: float = 0.0,
    sigmoid: str = "gaussian",
    value_at_margin: float = 0.1,
) -> np.ndarray:
    """1 where ``bounds[0] <= x <= bounds[1]``, decaying outside over ``margin`` (float32)."""
    lower, upper = bounds
    if lower > upper:
        raise ValueError(f"bounds: lower {lower} exceeds upper {upper}")
    if margin < 0:
        raise ValueError(f"margin: must be >= 0, got {margin}")
    x = np.asarray(x, dtype=np.float32)
    inside = (lower <= x) & (x <= upper)
    if margin == 0:
        return inside.astype(np.float32)
    distance = np.where(x < lower, lower - x, x - upper) / margin
    return np.where(inside, 1.0, _shape(distance, value_at_margin, sigmoid)).astype(np.float32)
