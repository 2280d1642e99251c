"""The training progress bar: env steps, env-steps/s, mean return and episode length."""

from __future__ import annotations

import time
from typing import Any


class TrainProgress:
    """A rich progress bar on stderr; a no-op when disabled. Refreshes itself at most 4 times a second."""

    def __init__(self, enabled: bool, total: int, start: int, label: str) -> None:
        self.enabled = enabled
        self._progress: Any = None
        self._task: Any = None
        self._last = 0.0
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed:,}/{task.total:,} steps"),
            TextColumn("{task.fields[rate]}"),
            TextColumn("return {task.fields[ret]}"),
            TextColumn("len {task.fields[length]}"),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            refresh_per_second=4,
        )
        self._task = self._progress.add_task(label, total=total, completed=start, rate="-", ret="-", length="-")
        self._progress.start()

    def update(
        self, steps: int, rate: float | None, ret: float | None, length: float | None, *, force: bool = False
    ) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        if not force and now - self._last < 0.25:
            return
        self._last = now
        self._progress.update(
            self._task,
            completed=steps,
            rate=f"{rate:,.0f} steps/s" if rate else "-",
            ret=f"{ret:.1f}" if ret is not None else "-",
            length=f"{length:.0f}" if length is not None else "-",
        )

    def close(self) -> None:
        if self.enabled and self._progress is not None:
            self._progress.stop()
            self._progress = None
