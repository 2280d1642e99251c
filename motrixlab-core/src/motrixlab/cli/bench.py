"""``motrixlab bench``: env throughput under random (or mid-range) actions, and how much of it is physics."""

from __future__ import annotations

import time
from typing import Any

import typer

from motrixlab.cli.common import console, print_json
from motrixlab.errors import ConfigError

#: How ``bench`` picks actions: uniform over the action space, or its midpoint every step (for most
#: tasks "hold still", which keeps episodes running and shows the overhead without resets).
ACTIONS = ("random", "middle")

#: ``motrixlab bench ENV`` measures what the physics-share floors are stated in: the median of
#: ``DEFAULT_REPEAT`` timed windows of ``DEFAULT_STEPS`` env steps at ``DEFAULT_NUM_ENVS`` envs.
DEFAULT_NUM_ENVS = 1024
DEFAULT_STEPS = 100
DEFAULT_REPEAT = 5


def measure(
    env_name: str,
    num_envs: int,
    steps: int,
    seed: int = 0,
    overrides: dict[str, Any] | None = None,
    actions: str = "random",
    repeat: int = 1,
) -> dict[str, Any]:
    """Step ``env_name`` with ``actions`` (see ``ACTIONS``) for ``repeat`` timed windows of ``steps``
    steps; report env and raw physics throughput.

    The figures are medians over the windows (each window's are in ``windows``): the machine's speed
    drifts between seconds, and a single window's physics share moves with it. ``repeat`` defaults to
    one window here, for callers that time a long window of their own; the ``bench`` command
    defaults to ``DEFAULT_REPEAT`` windows of ``DEFAULT_STEPS`` steps.
    """
    import motrixsim as mx
    import numpy as np

    from motrixlab.factory import make

    if num_envs < 1 or steps < 1:
        raise ConfigError(f"--num-envs and --steps must be positive, got {num_envs} and {steps}")
    if repeat < 1:
        raise ConfigError(f"--repeat must be positive, got {repeat}")
    if actions not in ACTIONS:
        raise ConfigError(f"--actions: must be one of {', '.join(ACTIONS)}, got {actions!r}")
    env = make(env_name, num_envs=num_envs, seed=seed, overrides=overrides)
    rng = np.random.default_rng(seed)
    low, high = env.action_space.low, env.action_space.high
    shape = (num_envs, *env.action_space.shape)
    if actions == "random":
        batches = [rng.uniform(low, high, size=shape).astype(np.float32) for _ in range(min(steps, 64))]
    else:
        batches = [np.broadcast_to((low + high) / 2, shape).astype(np.float32)]
    env.reset(seed=seed)
    for i in range(min(10, steps)):  # warm-up: first steps touch fresh memory
        env.step(batches[i % len(batches)])
    resets = 0
    windows = []
    for w in range(repeat):
        env.physics_seconds = env.step_seconds = 0.0
        for i in range(w * steps, (w + 1) * steps):
            _, _, terminated, truncated, _ = env.step(batches[i % len(batches)])
            resets += int(np.count_nonzero(terminated | truncated))
        windows.append({"env_steps_per_s": num_envs * steps / env.step_seconds, "physics_share": env.physics_share})
    result = {
        "env": env_name,
        "num_envs": num_envs,
        "steps": steps,
        "actions": actions,
        "env_steps_per_s": float(np.median([w["env_steps_per_s"] for w in windows])),
        "physics_share": float(np.median([w["physics_share"] for w in windows])),
        "resets_per_step": resets / (steps * repeat),
        "sim_substeps": env.sim_substeps,
        "repeat": repeat,
        "windows": windows,
    }
    # Reference: bare step_n on the same model and batch with constant controls.
    data = mx.SceneData(env.model, batch=[num_envs])
    data.reset(env.model)
    env.model.step_n(data, env.sim_substeps)
    t0 = time.perf_counter()
    for _ in range(steps):
        env.model.step_n(data, env.sim_substeps)
    result["raw_steps_per_s"] = num_envs * steps / (time.perf_counter() - t0)
    env.close()
    return result


def bench(
    env: str = typer.Argument(..., help="Environment name."),
    num_envs: int = typer.Option(DEFAULT_NUM_ENVS, "--num-envs", "-n", help="Batch size."),
    steps: int = typer.Option(DEFAULT_STEPS, "--steps", "-k", help="Env steps (policy steps) per timed window."),
    seed: int = typer.Option(0, "--seed"),
    sets: list[str] = typer.Option([], "--set", help="env.<field>=<value> overrides."),
    actions: str = typer.Option("random", "--actions", help="random (uniform) or middle (midpoint of the range)."),
    repeat: int = typer.Option(
        DEFAULT_REPEAT, "--repeat", "-r", help="Timed windows of --steps steps; the medians are reported."
    ),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Measure env-steps/s, the physics share of the step, and bare physics throughput.

    By default: the median of 5 windows of 100 steps at 1024 envs, after 10 warm-up steps, the
    measurement the physics-share floors are stated in. Bare physics is timed over one window.
    """
    from motrixlab.overrides import parse_set_args

    overrides = parse_set_args(sets)
    if overrides["rl"]:
        raise ConfigError("bench takes only env.<field> overrides")
    result = measure(env, num_envs, steps, seed, overrides["env"], actions, repeat)
    if as_json:
        print_json(result)
        return
    spread = ""
    if repeat > 1:
        shares = [w["physics_share"] for w in result["windows"]]
        spread = f"; median of {repeat} windows, {min(shares):.3f}–{max(shares):.3f}"
    console.print(
        f"{env}: {result['env_steps_per_s']:,.0f} env-steps/s at {num_envs} envs, "
        f"physics share {result['physics_share']:.3f} ({actions} actions, "
        f"{result['resets_per_step']:.1f} resets per step{spread}), "
        f"raw step_n {result['raw_steps_per_s']:,.0f} steps/s"
    )


def register(app: typer.Typer) -> None:
    app.command("bench")(bench)
