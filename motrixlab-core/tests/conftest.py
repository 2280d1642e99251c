"""Shared fixtures: the ``test-slider`` env (a motor-driven cart-pole on real MotrixSim physics)."""

from __future__ import annotations

import os

os.environ.setdefault("RUST_LOG", "error")

import pytest
from motrixlab.plugins import reset_registry
from motrixlab_testenv.cli import run_main
from motrixlab_testenv.env import SliderCfg, SliderEnv


@pytest.fixture
def slider():
    """``slider(num_envs, seed, **cfg_fields)`` builds a SliderEnv, closed after the test."""
    made: list[SliderEnv] = []

    def factory(num_envs: int = 4, seed: int | None = 0, **cfg) -> SliderEnv:
        env = SliderEnv(SliderCfg(**cfg), num_envs=num_envs, seed=seed)
        made.append(env)
        return env

    yield factory
    for env in made:
        env.close()


@pytest.fixture
def fresh_registry(monkeypatch):
    """Rediscover plugins for this test (and after it), with no plugin env vars set."""
    monkeypatch.delenv("MOTRIXLAB_DISABLE_PLUGINS", raising=False)
    monkeypatch.delenv("MOTRIXLAB_STRICT_PLUGINS", raising=False)
    reset_registry()
    yield
    reset_registry()


@pytest.fixture
def cli(capsys, fresh_registry, monkeypatch):
    """``cli(*args) -> (exit_code, stdout, stderr)``; plugins are rediscovered for every test."""
    monkeypatch.setenv("COLUMNS", "200")

    def run(*args: str) -> tuple[int, str, str]:
        return run_main(capsys, *args)

    return run
