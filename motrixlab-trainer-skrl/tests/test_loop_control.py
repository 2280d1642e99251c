"""The training loop's controls: ``on_update`` stops a run; the loop leaves signal handlers as it found them."""

from __future__ import annotations

import json
import signal

from motrixlab.cli.train import _trainer, build_run
from motrixlab_testenv.configs import CARTPOLE_FAST


def test_on_update_stops_the_run_and_signal_handlers_are_restored(runs):
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    run = build_run("cartpole", backend="torch", sets=list(CARTPOLE_FAST), max_steps=100 * 512, show_progress=False)
    seen = []

    def on_update(info) -> bool:
        seen.append(info.env_steps)
        assert {s: signal.getsignal(s) for s in before} != before  # the loop's own handlers while it trains
        return len(seen) == 2

    result = _trainer(run.trainer).train(run, on_update=on_update)
    assert seen == [512, 1024] and result.env_steps == 1024
    assert {s: signal.getsignal(s) for s in before} == before
    summary = json.loads((run.dir / "summary.json").read_text())
    assert summary["env_steps"] == 1024 and summary["finished"] is True
