"""What ``motrixlab runs`` and ``motrixlab plot`` read from run directories, whatever state they are in.

Every reader here copes with damaged files (a truncated ``config.json``, a garbage line in
``metrics.jsonl``): it takes what it can and notes the rest in ``RunInfo.problems``; it never raises
for a file's contents.
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from motrixlab.errors import UnknownNameError
from motrixlab.names import did_you_mean
from motrixlab.runs import runs_root
from motrixlab.runstatus import read_status, run_status

#: a directory under ``runs/<env>/`` is a run when it holds any of these
RUN_FILES = ("config.json", "summary.json", "metrics.jsonl", "status.json")
#: keys of a metrics line that are axes, not metrics
AXES = ("env_steps", "wall_seconds")
RETURN = "episode/return"
EVAL_RETURN = "eval/return"


def read_json(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """(the JSON object in ``path``, None) or (None, what is wrong with it; None if it is missing)."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"{path.name}: {exc.strerror or exc}"
    try:
        data = json.loads(text)
    except ValueError:
        return None, f"{path.name}: not valid JSON (truncated?)"
    if not isinstance(data, dict):
        return None, f"{path.name}: not a JSON object"
    return data, None


def read_metrics(run_dir: Path) -> tuple[list[dict[str, float]], int]:
    """The lines of ``metrics.jsonl`` with a numeric ``env_steps``, numbers only, and how many lines were
    skipped as damaged."""
    try:
        text = (run_dir / "metrics.jsonl").read_text(errors="replace")
    except OSError:
        return [], 0
    rows, bad = [], 0
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            steps = float(data["env_steps"])
        except (ValueError, KeyError, TypeError):
            bad += 1
            continue
        if not isinstance(data, dict) or not math.isfinite(steps):
            bad += 1
            continue
        row = {k: float(v) for k, v in data.items() if _number(v)}
        rows.append(row)
    return rows, bad


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _last(rows: list[dict[str, float]], key: str) -> tuple[float | None, float | None]:
    """(last value of ``key``, its env_steps)."""
    for row in reversed(rows):
        if key in row:
            return row[key], row["env_steps"]
    return None, None


def last_metric(run_dir: Path, key: str) -> float | None:
    """The last value of ``key`` in ``run_dir``'s ``metrics.jsonl`` (None if no line has it)."""
    return _last(read_metrics(run_dir)[0], key)[0]


@dataclass
class RunInfo:
    """One run as ``motrixlab runs`` shows it; a figure is None when no file holds it."""

    path: str
    name: str
    env: str
    status: str
    trainer: str | None = None
    backend: str | None = None
    seed: int | None = None
    env_steps: int | None = None
    max_env_steps: int | None = None
    best_return: float | None = None
    last_return: float | None = None
    last_eval: float | None = None
    last_eval_steps: int | None = None
    wall_seconds: float | None = None
    started: float | None = None  # unix time
    updated: float | None = None  # unix time of the last write
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("started", "updated"):
            data[key] = _iso(data[key])
        return data

    @property
    def trainer_key(self) -> str:
        return f"{self.trainer or '?'}/{self.backend or '?'}"


def _iso(t: float | None) -> str | None:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(t)) if t is not None else None


def _stamp(name: str) -> float | None:
    """The start time in a run name ``YYYYmmdd-HHMMSS-...``."""
    try:
        return time.mktime(time.strptime(name[:15], "%Y%m%d-%H%M%S"))
    except ValueError:
        return None


def run_info(run_dir: Path) -> RunInfo:
    """Everything the files of ``run_dir`` say about it (see the module docstring for damaged files)."""
    config, config_problem = read_json(run_dir / "config.json")
    summary, summary_problem = read_json(run_dir / "summary.json")
    rows, bad = read_metrics(run_dir)
    problems = [p for p in (config_problem, summary_problem) if p]
    if bad:
        problems.append(f"metrics.jsonl: {bad} damaged line{'s' * (bad != 1)} skipped")
    config, summary = config or {}, summary or {}
    info = RunInfo(
        path=str(run_dir),
        name=run_dir.name,
        env=str(config.get("env") or summary.get("env") or run_dir.parent.name),
        status=run_status(run_dir, summary),
        problems=problems,
    )
    parts = run_dir.name.split("-")  # YYYYmmdd-HHMMSS-<trainer>-<backend>[-i]
    info.trainer = _str(config.get("trainer") or summary.get("trainer") or (parts[2] if len(parts) > 3 else None))
    info.backend = _str(config.get("backend") or summary.get("backend") or (parts[3] if len(parts) > 3 else None))
    rl_cfg = config.get("rl_cfg") if isinstance(config.get("rl_cfg"), dict) else {}
    info.seed = _int(config.get("seed", rl_cfg.get("seed")))
    info.max_env_steps = _int(rl_cfg.get("max_env_steps"))
    steps = [_int(summary.get("env_steps"))] + ([int(rows[-1]["env_steps"])] if rows else [])
    info.env_steps = max((s for s in steps if s is not None), default=None)
    info.best_return = _float(summary.get("best_return"))
    info.last_return = _float(summary.get("last_return"))
    if info.last_return is None:
        info.last_return = _last(rows, RETURN)[0]
    value, at = _last(rows, EVAL_RETURN)
    info.last_eval, info.last_eval_steps = value, (int(at) if at is not None else None)
    info.wall_seconds = _float(summary.get("wall_seconds"))
    wall = _last(rows, "wall_seconds")[0]
    if wall is not None and (info.wall_seconds is None or wall > info.wall_seconds):
        info.wall_seconds = wall  # a resumed run's summary counts only its last process
    status = read_status(run_dir) or {}
    info.started = _stamp(run_dir.name) or _parse_time(config.get("created")) or _parse_time(status.get("started"))
    mtimes = []
    for name in ("metrics.jsonl", "summary.json", "status.json", "config.json"):
        try:
            mtimes.append(os.stat(run_dir / name).st_mtime)
        except OSError:
            continue
    info.updated = max(mtimes) if mtimes else None
    if info.started is None:
        info.started = info.updated
    return info


def _parse_time(value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        return time.mktime(time.strptime(value[:19], "%Y-%m-%dT%H:%M:%S"))
    except ValueError:
        return None


def _str(v: Any) -> str | None:
    return v if isinstance(v, str) and v else None


def _int(v: Any) -> int | None:
    return int(v) if _number(v) else None


def _float(v: Any) -> float | None:
    return float(v) if _number(v) else None


def run_dirs(root: Path | None = None, env: str | None = None) -> list[Path]:
    """Every run directory under ``root`` (``$MOTRIXLAB_RUNS_DIR``), or of one env, in no order."""
    root = root or runs_root()
    if not root.is_dir():
        return []
    envs = [root / env] if env is not None else sorted(p for p in root.iterdir() if p.is_dir())
    out = []
    for env_dir in envs:
        if not env_dir.is_dir():
            continue
        for p in env_dir.iterdir():
            if p.is_dir() and any((p / f).is_file() for f in RUN_FILES):
                out.append(p)
    return out


def scan_runs(root: Path | None = None, env: str | None = None) -> list[RunInfo]:
    """Every run (of ``env``), newest first; an env with no runs is an error with a did-you-mean."""
    root = root or runs_root()
    if env is not None and not (root / env).is_dir():
        have = [p.name for p in root.iterdir() if p.is_dir()] if root.is_dir() else []
        raise UnknownNameError(
            f"no runs of {env!r} under {root}{did_you_mean(env, have)}; "
            f"envs with runs: {', '.join(sorted(have)) or '(none)'}"
        )
    infos = [run_info(p) for p in run_dirs(root, env)]
    infos.sort(key=lambda i: (i.started or 0.0, i.name), reverse=True)
    return infos


def resolve_run_refs(refs: list[str], last: int = 1, root: Path | None = None) -> list[Path]:
    """``plot``'s RUN arguments as run directories: an env name (its ``last`` latest runs), a run name
    (searched under every env) or a path to a run directory."""
    root = root or runs_root()
    out: list[Path] = []
    for ref in refs:
        path = Path(ref)
        if path.is_dir() and any((path / f).is_file() for f in RUN_FILES):
            out.append(path)
            continue
        if (root / ref).is_dir() and "/" not in ref:
            infos = scan_runs(root, ref)
            if not infos:
                raise UnknownNameError(f"no runs of {ref!r} under {root}; train one with: motrixlab train {ref}")
            out += [Path(i.path) for i in reversed(infos[:last])]  # oldest of the last N first
            continue
        named = [p for p in run_dirs(root) if p.name == ref]
        if named:
            out += named
            continue
        choices = [p.name for p in run_dirs(root)] + (
            [p.name for p in root.iterdir() if p.is_dir()] if root.is_dir() else []
        )
        raise UnknownNameError(
            f"no run {ref!r}: not an env with runs, a run name or a run directory{did_you_mean(ref, choices)}"
        )
    return out
