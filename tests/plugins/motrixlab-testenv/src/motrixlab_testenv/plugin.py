"""Registers ``test-slider`` and ``test-refresh`` for the core test suite."""

from __future__ import annotations

import motrixlab


@motrixlab.hookimpl
def motrixlab_register_envs(register):
    register(
        motrixlab.EnvSpec(
            name="test-slider",
            cfg="motrixlab_testenv.env:SliderCfg",
            env="motrixlab_testenv.env:SliderEnv",
            domain="test",
            description="Cart-pole on a motor, for MotrixLab's tests",
        )
    )
    register(
        motrixlab.EnvSpec(
            name="test-refresh",
            cfg="motrixlab_testenv.env:SliderCfg",
            env="motrixlab_testenv.lean:LeanEnv",
            domain="test",
            description="Cart-pole with task state computed in refresh, for MotrixLab's tests",
        )
    )
