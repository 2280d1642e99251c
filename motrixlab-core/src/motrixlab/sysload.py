"""CPU and memory load of this process and the machine, from ``os`` and ``/proc`` (no psutil needed).

A sample costs a few tens of microseconds (two small ``/proc`` reads); on a system without
``/proc`` the memory figures are None.
"""

from __future__ import annotations

import os
import resource
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Load:
    cpu_percent: float | None  # this process since the previous sample, 100 = one core busy
    cores: int
    load1: float | None  # the machine's 1-minute load average
    rss_bytes: int | None  # this process's resident memory
    mem_used: float | None  # fraction of the machine's memory in use (total - available)


class LoadMeter:
    """Samples :class:`Load`; the CPU share is measured between two calls."""

    def __init__(self) -> None:
        self._last = (time.monotonic(), _cpu_seconds())
        self.cores = os.cpu_count() or 1

    def sample(self) -> Load:
        now, cpu = time.monotonic(), _cpu_seconds()
        wall = now - self._last[0]
        percent = 100.0 * (cpu - self._last[1]) / wall if wall > 0.05 else None
        if wall > 0.05:
            self._last = (now, cpu)
        try:
            load1: float | None = os.getloadavg()[0]
        except OSError:
            load1 = None
        return Load(percent, self.cores, load1, _rss_bytes(), _mem_used())


def _cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system


def _rss_bytes() -> int | None:
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux: the peak, not the current
        return peak * 1024 if peak else None


def _mem_used() -> float | None:
    try:
        with open("/proc/meminfo", "rb") as f:
            fields = {}
            for line in f:
                key, _, rest = line.partition(b":")
                if key in (b"MemTotal", b"MemAvailable"):
                    fields[key] = int(rest.split()[0])
                    if len(fields) == 2:
                        break
        total, available = fields[b"MemTotal"], fields[b"MemAvailable"]
    except (OSError, ValueError, KeyError, IndexError):
        return None
    return (total - available) / total if total else None


def human_bytes(n: int | None) -> str:
    if n is None:
        return "-"
    value, unit = float(n), "B"
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            break
        value /= 1024
    return f"{value:.0f} {unit}" if unit in ("B", "KB") else f"{value:.1f} {unit}"
