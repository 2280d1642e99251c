"""The run's world as torchrun describes it, the launcher's checks and its one line for a failed run,
and how a resumed run's env state is split over its ranks (no processes started here: see the
trainer packages' test_distributed.py for runs of two processes)."""

from __future__ import annotations

import signal
from types import SimpleNamespace

import numpy as np
import pytest
from motrixlab.cli.launch import _failure, check_layout
from motrixlab.errors import ConfigError
from motrixlab.training import world as world_mod
from motrixlab.training.loop import _mean_over_ranks, policy_digest
from motrixlab.training.trainer import _rank_env_state
from motrixlab.training.world import PEER_LOST_EXIT, RANK_SEED_STRIDE, World, is_peer_loss


def test_world_from_torchrun_environment():
    env = {"RANK": "3", "WORLD_SIZE": "4", "LOCAL_RANK": "1", "LOCAL_WORLD_SIZE": "2"}
    world = World.from_environ(env)
    assert (world.rank, world.size, world.local_rank, world.local_size) == (3, 4, 1, 2)
    assert world.distributed and not world.is_main
    assert world.seed(7) == 7 + 3 * RANK_SEED_STRIDE
    assert World.from_environ({}) == World() and not World().distributed and World().seed(7) == 7


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"RANK": "x", "WORLD_SIZE": "2"}, "RANK='x': must be an integer"),
        ({"RANK": "2", "WORLD_SIZE": "2"}, "need 0 <= RANK < WORLD_SIZE"),
        ({"LOCAL_RANK": "1", "LOCAL_WORLD_SIZE": "1"}, "need 0 <= LOCAL_RANK < LOCAL_WORLD_SIZE"),
    ],
)
def test_a_bad_world_is_one_line(env, words):
    with pytest.raises(ConfigError, match=words.replace("(", r"\(")):
        World.from_environ(env)


def test_threads_share_the_cores_among_the_processes_of_a_machine():
    cores = len(__import__("os").sched_getaffinity(0))
    assert World(size=2, local_size=2).threads({}) == max(1, cores // 2)
    assert World(size=8, local_size=1).threads({}) == cores
    assert World(size=2, local_size=2).threads({"MOTRIXLAB_THREADS": "3"}) == 3
    with pytest.raises(ConfigError, match="MOTRIXLAB_THREADS='0': must be a positive integer"):
        World().threads({"MOTRIXLAB_THREADS": "0"})


@pytest.mark.parametrize(
    ("layout", "words"),
    [
        ((0, 1, 0, None), "--nproc: must be 1 or more"),
        ((2, 0, 0, None), "--nnodes: must be 1 or more"),
        ((2, 2, 2, "h:1"), "--node-rank: must be in [0, 1] for --nnodes 2, got 2"),
        ((2, 2, 1, None), "--nnodes > 1 needs --rdzv-endpoint HOST:PORT"),
        ((2, 2, 1, "host"), "--rdzv-endpoint: expected HOST:PORT, got 'host'"),
        ((2, 2, 1, "host:99999"), "expected HOST:PORT"),
    ],
)
def test_the_launchers_options_are_checked(layout, words):
    with pytest.raises(ConfigError) as exc:
        check_layout(*layout)
    assert words in str(exc.value)
    check_layout(2, 2, 1, "127.0.0.1:29400")  # a valid layout passes


def _failed(**ranks: int) -> SimpleNamespace:
    """A launcher's failure report: rank -> exit status (negative: killed by that signal)."""
    failures = {
        int(r[1:]): SimpleNamespace(exitcode=code, local_rank=int(r[1:]), pid=100 + int(r[1:]))
        for r, code in ranks.items()
    }
    return SimpleNamespace(failures=failures)


def test_the_launcher_names_the_process_that_died_not_those_it_stopped():
    # rank 1 killed; the launcher then stopped rank 0 with SIGTERM
    code, line = _failure(_failed(r0=-signal.SIGTERM, r1=-signal.SIGKILL))
    assert code == 1 and line.startswith("rank 1 (local rank 1, pid 101) was killed by SIGKILL")
    # rank 0 lost its peer and exited with its own status: still the killed one is named
    code, line = _failure(_failed(r0=PEER_LOST_EXIT, r1=-signal.SIGKILL))
    assert "rank 1 " in line and "SIGKILL" in line
    # a process that failed with an error of its own printed it: the launcher adds nothing
    assert _failure(_failed(r0=1, r1=PEER_LOST_EXIT)) == (1, "")
    assert _failure(_failed(r0=130, r1=130)) == (130, "")
    code, line = _failure(_failed(r1=PEER_LOST_EXIT))
    assert code == 1 and "rank 1 lost contact" in line


def test_a_resumed_rank_takes_the_env_state_of_rank_r_mod_w():
    header = {"env_state": {"levels": [0]}, "env_states": [{"levels": [0]}, {"levels": [1]}, {"levels": [2]}]}
    assert _rank_env_state(header, World(rank=1, size=2))["env_state"] == {"levels": [1]}
    assert _rank_env_state(header, World(rank=4, size=5))["env_state"] == {"levels": [1]}
    assert _rank_env_state({"env_state": {"a": 1}}, World(rank=1, size=2))["env_state"] == {"a": 1}


def test_means_over_ranks_take_each_key_where_reported():
    assert _mean_over_ranks([{"a": 1.0, "b": 4.0}, {"a": 3.0}]) == {"a": 2.0, "b": 4.0}


class _Policy:
    def __init__(self, w: np.ndarray, mean: np.ndarray | None) -> None:
        self.w, self.mean = w, mean

    def mean_layers(self):
        return [(self.w, np.zeros(2, np.float32))]

    def normaliser_stats(self):
        return None if self.mean is None else (self.mean, np.ones(2, np.float32), 1e-8, 5.0)


def test_policy_digest_tells_apart_any_changed_bit():
    w = np.arange(4, dtype=np.float32).reshape(2, 2)
    base = policy_digest(_Policy(w, np.zeros(2, np.float32)))
    assert policy_digest(_Policy(w.copy(), np.zeros(2, np.float32))) == base
    nudged = w.copy()
    nudged[1, 1] = np.nextafter(nudged[1, 1], np.float32(10))
    assert policy_digest(_Policy(nudged, np.zeros(2, np.float32))) != base
    assert policy_digest(_Policy(w, np.full(2, 1e-7, np.float32))) != base
    assert policy_digest(_Policy(w, None)) != base


def test_peer_loss_is_told_from_other_errors(monkeypatch):
    gone = RuntimeError("[../gloo/transport/tcp/pair.cc:547] Connection closed by peer")
    assert not is_peer_loss(gone)  # one process: no peer to lose
    monkeypatch.setattr(world_mod, "_world", World(rank=0, size=2))
    assert is_peer_loss(RuntimeError("[../gloo/transport/tcp/pair.cc:547] Connection closed by peer"))
    assert not is_peer_loss(ConfigError("timeout: must be positive"))
    assert not is_peer_loss(RuntimeError("shape mismatch"))
