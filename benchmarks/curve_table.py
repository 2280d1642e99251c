"""A run's training curve as a Markdown table: ``python benchmarks/curve_table.py RUN [--every M]``.

The curve tables of ``docs/benchmarks/`` come from here: each row averages the metrics of the updates
logged within ``--window`` env steps of a mark (one update's figures are a few dozen episodes and
noisy), with the wall time of the update nearest the mark. A mark with no update near it is left
out. ``RUN`` is a run directory or its ``metrics.jsonl``; damaged lines are skipped and counted on
stderr, as ``motrixlab runs`` counts them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

DEFAULT_METRICS = ("episode/length", "episode/return")


def read_rows(run: Path) -> list[dict[str, float]]:
    """The numeric rows of the run's ``metrics.jsonl``, read as ``motrixlab runs`` and ``plot`` read them."""
    from motrixlab.runinfo import read_metrics

    path = run / "metrics.jsonl" if run.is_dir() else run
    if path.name != "metrics.jsonl":
        raise SystemExit(f"curve_table: {path} is not a run's metrics.jsonl; give a run directory or its metrics.jsonl")
    if not path.is_file():
        raise SystemExit(f"curve_table: {path} does not exist; the run has written no metrics yet")
    rows, bad = read_metrics(path.parent)
    if bad:
        print(f"curve_table: {bad} damaged line{'s' * (bad != 1)} of {path} skipped", file=sys.stderr)
    if not rows:
        raise SystemExit(f"curve_table: {path} holds no metrics rows with env_steps")
    return rows


def curve(
    rows: Sequence[dict[str, float]], marks: Iterable[float], metrics: Sequence[str], window: float
) -> list[tuple[float, float | None, list[float | None]]]:
    """(mark, wall seconds or None, the mean of each metric or None) for each mark with updates near it."""
    out = []
    for mark in marks:
        near = [r for r in rows if abs(r["env_steps"] - mark) <= window]
        if not near:
            continue
        nearest = min(near, key=lambda r: abs(r["env_steps"] - mark))
        means: list[float | None] = []
        for key in metrics:
            values = [r[key] for r in near if key in r]
            means.append(sum(values) / len(values) if values else None)
        out.append((mark, nearest.get("wall_seconds"), means))
    return out


def markdown(table: list[tuple[float, float | None, list[float | None]]], metrics: Sequence[str]) -> str:
    lines = [
        "| env steps | wall | " + " | ".join(metrics) + " |",
        "|---" * (len(metrics) + 2) + "|",
    ]
    for mark, wall, means in table:
        when = f"{wall / 60:.0f} min" if wall is not None else ""
        cells = ["" if m is None else f"{m:.3g}" for m in means]
        lines.append(f"| {mark / 1e6:g}M | {when} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="a run directory or its metrics.jsonl")
    parser.add_argument("--every", type=float, default=2.0, help="a row every this many million env steps")
    parser.add_argument("--window", type=float, default=0.25, help="million env steps either side of a mark")
    parser.add_argument("--metric", action="append", help=f"a metrics.jsonl key (repeatable; {DEFAULT_METRICS})")
    args = parser.parse_args(argv)
    if not args.every > 0 or not args.window >= 0:
        parser.error("--every must be > 0 and --window >= 0 (million env steps)")
    if not args.run.exists():
        parser.error(f"{args.run} does not exist; give a run directory or its metrics.jsonl")
    rows = read_rows(args.run)
    last = max(r["env_steps"] for r in rows)
    marks = [k * args.every * 1e6 for k in range(1, int(last // (args.every * 1e6)) + 1)]
    metrics = args.metric or list(DEFAULT_METRICS)
    print(markdown(curve(rows, marks, metrics, args.window * 1e6), metrics))


if __name__ == "__main__":
    main()
