"""Curves of runs' ``metrics.jsonl`` as a PNG: several runs overlaid, or a mean with a min/max band.

Needs matplotlib, the core's extra ``plot`` (``pip install 'motrixlab-core[plot]'``); nothing
else in MotrixLab imports it. Figures are drawn without pyplot (no global state, no display).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from motrixlab.errors import MotrixLabError, UnknownNameError
from motrixlab.names import did_you_mean
from motrixlab.runinfo import AXES, EVAL_RETURN, RETURN, read_json, read_metrics

#: one panel per metric, PANEL_PX[0] x PANEL_PX[1] pixels each, stacked vertically
PANEL_PX = (960, 400)
DPI = 100
#: ``--x`` choices and the metrics.jsonl key each plots against
X_KEYS = {"steps": "env_steps", "time": "wall_seconds"}
INSTALL_HINT = "motrixlab plot needs matplotlib: pip install 'motrixlab-core[plot]'"
BAND_POINTS = 200


@dataclass
class Series:
    run_dir: Path
    label: str
    seed: object
    rows: list[dict[str, float]]

    def xy(self, x_key: str, metric: str) -> tuple[list[float], list[float]]:
        pts = [(r[x_key], r[metric]) for r in self.rows if x_key in r and metric in r]
        return [p[0] for p in pts], [p[1] for p in pts]


def require_matplotlib() -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise MotrixLabError(INSTALL_HINT) from None


def load(run_dirs: list[Path]) -> list[Series]:
    out = []
    for run_dir in run_dirs:
        config, _ = read_json(run_dir / "config.json")
        rows, _ = read_metrics(run_dir)
        seed = (config or {}).get("seed")
        env = (config or {}).get("env") or run_dir.parent.name
        out.append(Series(run_dir, f"{env}/{run_dir.name}", seed, rows))
    return out


def available(series: list[Series]) -> list[str]:
    names = {k for s in series for r in s.rows for k in r}
    return sorted(names - set(AXES))


def choose_metrics(series: list[Series], metrics: list[str]) -> list[str]:
    """``metrics`` checked against what the runs logged (an unknown one is an error listing them, with a
    did-you-mean); none given: the training return, and the evaluation return when logged."""
    have = available(series)
    if not have:
        where = ", ".join(str(s.run_dir) for s in series)
        raise MotrixLabError(f"no metrics logged yet in {where} (metrics.jsonl is empty or missing)")
    if not metrics:
        metrics = [m for m in (RETURN, EVAL_RETURN) if m in have] or have[:1]
    for m in metrics:
        if m not in have:
            raise UnknownNameError(f"unknown metric {m!r}{did_you_mean(m, have)}; available: {', '.join(have)}")
    return list(dict.fromkeys(metrics))


def plot(
    run_dirs: list[Path], out: Path, *, metrics: list[str] | None = None, x: str = "steps", band: bool = False
) -> Path:
    """Write the PNG of ``metrics`` of ``run_dirs`` to ``out``; ``band``: their mean with a min/max band
    (runs of one config with different seeds) instead of one line per run."""
    require_matplotlib()
    import numpy as np
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    if x not in X_KEYS:
        raise UnknownNameError(f"--x: must be one of {', '.join(X_KEYS)}, got {x!r}")
    x_key = X_KEYS[x]
    series = load(run_dirs)
    chosen = choose_metrics(series, metrics or [])
    if x_key == "wall_seconds" and not all(any(x_key in r for r in s.rows) for s in series):
        old = [s.label for s in series if not any(x_key in r for r in s.rows)]
        raise MotrixLabError(
            f"no wall time in the metrics of {', '.join(old)} (written before it was logged); use --x steps"
        )
    fig = Figure(figsize=(PANEL_PX[0] / DPI, PANEL_PX[1] * len(chosen) / DPI), dpi=DPI, layout="constrained")
    axes = fig.subplots(len(chosen), 1, squeeze=False)[:, 0]
    for ax, metric in zip(axes, chosen, strict=True):
        curves = [(s, *s.xy(x_key, metric)) for s in series]
        curves = [c for c in curves if c[1]]
        if band and len(curves) > 1:
            lo, hi = max(xs[0] for _, xs, _ in curves), min(xs[-1] for _, xs, _ in curves)
            if hi <= lo:
                raise MotrixLabError(f"the runs' {metric!r} curves do not overlap in {x}: nothing to average")
            grid = np.linspace(lo, hi, BAND_POINTS)
            stack = np.stack([np.interp(grid, xs, ys) for _, xs, ys in curves])
            seeds = ", ".join(_seed(s) for s, _, _ in curves)
            ax.fill_between(grid, stack.min(0), stack.max(0), alpha=0.25, label="min–max")
            ax.plot(grid, stack.mean(0), linewidth=1.8, label=f"mean of {len(curves)} runs (seeds {seeds})")
        else:
            for s, xs, ys in curves:
                ax.plot(xs, ys, linewidth=1.4, label=f"{s.label} (seed {_seed(s)})")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.set_title(metric, fontsize=11)
        ax.set_xlabel("env steps" if x_key == "env_steps" else "wall time (s)")
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8, loc="best")
    out = Path(out)
    if out.suffix.lower() != ".png":
        raise MotrixLabError(f"--out: {out} must end in .png")
    if not out.parent.is_dir():
        raise MotrixLabError(f"--out: the directory {out.parent} does not exist")
    fig.savefig(out, dpi=DPI, format="png")
    return out


def _seed(s: Series) -> str:
    return str(s.seed) if s.seed is not None else "?"
