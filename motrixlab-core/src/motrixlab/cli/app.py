"""The ``motrixlab`` application: command groups, ``--debug`` and one-line errors."""

from __future__ import annotations

import sys

import typer

from motrixlab.cli import bench, deploy, envs, plugins, runs, train
from motrixlab.errors import MotrixLabError
from motrixlab.training.world import PEER_LOST_EXIT, PeerLost

app = typer.Typer(
    name="motrixlab",
    help="Train robot policies with reinforcement learning on MotrixSim.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

for group in (envs, plugins, train, runs, bench, deploy):
    group.register(app)


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks for errors."),
) -> None:
    """Train robot policies with reinforcement learning on MotrixSim."""


def main(argv: list[str] | None = None) -> None:
    """Entry point: usage errors are typer's; MotrixLab errors become one line and exit 1."""
    args = sys.argv[1:] if argv is None else argv
    try:
        app(args=args, prog_name="motrixlab")
    except PeerLost:
        # another process of the run died first; the launcher reports it, in one line
        if "--debug" in args:
            raise
        raise SystemExit(PEER_LOST_EXIT) from None
    except MotrixLabError as exc:
        if "--debug" in args:
            raise
        print(f"motrixlab: error: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    except OSError as exc:  # the file system or the process's surroundings, not a bug: one line too
        if "--debug" in args:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"motrixlab: error: {where}{exc.strerror or exc}", file=sys.stderr)
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        print("motrixlab: interrupted", file=sys.stderr)
        raise SystemExit(130) from None
