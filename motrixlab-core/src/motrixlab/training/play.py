"""``motrixlab play``: one env row, episodes one after another, live stats in the terminal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from motrixlab.training.evaluation import Episodes, run_episodes


def play_episodes(
    env: Any,
    policy: Callable[[np.ndarray], np.ndarray],
    episodes: int,
    *,
    seed: int,
    title: str,
    recorder: Any = None,
) -> Episodes:
    """Like evaluation with one row, plus a live table: finished episodes and the running one; a
    ``motrixlab.video.VideoRecorder`` sees every step."""
    from rich.console import Console
    from rich.live import Live
    from rich.table import Table

    rows: list[tuple[int, float, int, float | None]] = []
    current = {"return": 0.0, "length": 0}

    def table() -> Table:
        t = Table(title=title)
        t.add_column("episode", justify="right")
        t.add_column("return", justify="right")
        t.add_column("length", justify="right")
        t.add_column("success", justify="right")
        for i, r, n, s in rows[-15:]:
            t.add_row(str(i), f"{r:.2f}", str(n), "-" if s is None else ("yes" if s else "no"))
        if len(rows) < episodes:
            t.add_row(f"{len(rows) + 1}…", f"{current['return']:.2f}", str(current["length"]), "", style="dim")
        return t

    console = Console(stderr=True)
    with Live(table(), console=console, refresh_per_second=8, transient=False) as live:

        def on_step(returns: np.ndarray, lengths: np.ndarray) -> None:
            if recorder is not None:
                recorder.step()
            current["return"], current["length"] = float(returns[0]), int(lengths[0])
            if current["length"] % 10 == 0:
                live.update(table())

        def on_episode(index: int, ret: float, length: int, success: float | None) -> None:
            rows.append((index, ret, length, success))
            current["return"], current["length"] = 0.0, 0
            live.update(table())

        return run_episodes(env, policy, episodes, seed=seed, on_episode=on_episode, on_step=on_step)
