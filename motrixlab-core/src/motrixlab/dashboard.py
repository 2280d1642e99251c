"""The live training dashboard: a rich ``Live`` display of :class:`motrixlab.monitor.Figures`.

Redrawn by :class:`motrixlab.monitor.TrainingMonitor` from the training loop (no thread of its
own). Every row is one line cut to the terminal's width, so a narrow terminal shows less of each
row rather than wrapped fragments; rows that do not fit the terminal's height are cropped.
"""

from __future__ import annotations

from typing import IO, Any

from rich.console import Console, Group
from rich.live import Live
from rich.text import Text

from motrixlab.monitor import PHASES, TOP_TERMS, Figures, duration, num, signed
from motrixlab.sysload import human_bytes

SPARK = "▁▂▃▄▅▆▇█"
LABEL = 9  # width of the row labels


def sparkline(values: list[float], width: int) -> str:
    """The last ``width`` values as block characters (empty for fewer than two)."""
    values = values[-width:] if width > 0 else []
    if len(values) < 2:
        return ""
    lo, hi = min(values), max(values)
    if hi - lo < 1e-12:
        return SPARK[3] * len(values)
    return "".join(SPARK[min(7, int((v - lo) / (hi - lo) * 8))] for v in values)


def arrow(delta: float | None, scale: float | None) -> str:
    if delta is None:
        return " "
    if abs(delta) <= 0.01 * max(abs(scale or 0.0), 1e-9):
        return "→"
    return "↑" if delta > 0 else "↓"


def _ago(now: float, at: float | None) -> str:
    return f"{duration(now - at)} ago" if at is not None else ""


def _fit(items: list[str], width: int) -> str:
    """As many whole ``items`` as fit in ``width`` columns, two spaces apart."""
    out = ""
    for item in items:
        candidate = f"{out}  {item}" if out else item
        if len(candidate) > width:
            break
        out = candidate
    return out


class Dashboard:
    """Renders ``figures`` on ``stream`` (a terminal) in a rich ``Live`` that redraws only on :meth:`draw`."""

    def __init__(self, figures: Figures, stream: IO[str]) -> None:
        self.f = figures
        self.console = Console(file=stream, highlight=False)
        self.live = Live(
            console=self.console,
            auto_refresh=False,
            redirect_stdout=False,
            redirect_stderr=False,
            transient=False,
            vertical_overflow="crop",
        )

    def start(self) -> None:
        self.live.start()
        self.draw(self.f.elapsed)

    def stop(self) -> None:
        self.draw(None)
        self.live.stop()

    def draw(self, now: float | None) -> None:
        self.live.update(self.render(now), refresh=True)

    # ---- rendering ------------------------------------------------------------------------------
    def rows(self, now: float | None, width: int) -> list[tuple[str, str, str]]:
        """(label, text, style) of each row, texts already fitted to ``width`` where they are lists."""
        f = self.f
        room = max(10, width - LABEL - 1)
        rows: list[tuple[str, str, str]] = []
        rows.append(("", f"{f.label}  seed {f.seed}  {f.run_dir}", "bold"))
        tail = f" {100 * f.fraction:5.1f}%  {f.env_steps:,}/{f.total_steps:,} steps"
        bar_w = max(5, width - len(tail) - 2)
        filled = round(bar_w * f.fraction)
        rows.append(("", "━" * filled + "╺" * (bar_w - filled) + " " + tail, "cyan"))
        rate = f"{f.rate:,.0f} env-steps/s" if f.rate is not None else "- env-steps/s"
        rows.append(
            ("time", f"elapsed {duration(f.elapsed)}  eta {duration(f.eta)}  {rate}  {f.updates:,} updates", "")
        )
        split = f.split_fractions()
        if split:
            text = "  ".join(f"{k} {100 * split.get(k, 0.0):.0f}%" for k in PHASES)
        else:
            text = "act -  env -  record -  update -"
        rows.append(("step", text, ""))
        for name, values, value in (("return", f.returns, f.mean_return), ("length", f.lengths, f.mean_length)):
            delta = f.trend(values)
            text = f"{num(value):>9} {arrow(delta, value)} {signed(delta):>7} /10 updates"
            spark = sparkline(list(values), room - len(text) - 2)
            rows.append((name, f"{text}  {spark}" if spark else text, ""))
        for name, terms in (("rewards", f.rewards[:TOP_TERMS]), ("metrics", f.metrics[:TOP_TERMS])):
            items = [f"{k} {signed(v) if name == 'rewards' else num(v)}" for k, v in terms]
            rows.append((name, _fit(items, room) or "-", ""))
        if f.eval:
            shown = "  ".join(f"{k.split('/')[-1]} {num(v)}" for k, v in f.eval.items())
            text = f"{shown}  at {f.eval_steps:,} steps"
            if now is not None:
                text += f", {_ago(now, f.eval_at)}"
        else:
            text = "-"
        rows.append(("eval", text, ""))
        if f.checkpoint is not None:
            text = f"{f.checkpoint} at {f.checkpoint_steps:,} steps"
            if now is not None:
                text += f", {_ago(now, f.checkpoint_at)}"
        else:
            text = "-"
        if f.best_return is not None:
            text += f"  best {num(f.best_return)}"
        rows.append(("ckpt", text, ""))
        load = f.load
        if load is not None:
            cpu = f"cpu {load.cpu_percent:.0f}% of {load.cores} cores" if load.cpu_percent is not None else "cpu -"
            lavg = f"load {load.load1:.2f}" if load.load1 is not None else ""
            mem = f"mem {100 * load.mem_used:.0f}%" if load.mem_used is not None else ""
            text = "  ".join(p for p in (cpu, lavg, f"rss {human_bytes(load.rss_bytes)}", mem) if p)
        else:
            text = "-"
        rows.append(("system", text, "dim"))
        return rows

    def render(self, now: float | None) -> Any:
        width = max(20, self.console.width)
        lines = []
        for label, text, style in self.rows(now, width):
            line = Text(no_wrap=True, overflow="ellipsis")
            if label:
                line.append(f"{label:<{LABEL}}", style="bold")
            line.append(text, style=style)
            line.truncate(width, overflow="ellipsis")
            lines.append(line)
        return Group(*lines)
