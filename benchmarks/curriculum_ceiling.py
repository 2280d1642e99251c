"""Where a terrain curriculum settles for a policy that tracks every command exactly, on flat ground:
``python benchmarks/curriculum_ceiling.py go1-walk-stairs go1-walk-rough [--set commands.ang_vel_yaw=[-1,1]]``.

The level rule (``rough.next_levels``, what ``rough.RoughEnv`` applies) promotes an env that ends its
episode more than half a tile from where it started and demotes one that covered less than half the
distance it was told to walk. Random
commands that turn make even a perfect walker end some episodes near where it started, so the mean
level has a ceiling set by the commands alone. This draws commands with the env's own sampler and
timer, integrates them exactly (heading included) and runs the level rule for many episodes; a
learning floor on the mean level above this ceiling cannot be met by any policy.
"""

from __future__ import annotations

import argparse

import numpy as np


def ceiling(name: str, overrides: dict[str, str], *, envs: int, episodes: int, seed: int) -> dict[str, float]:
    import motrixlab
    from motrixlab_envs_locomotion.commands import DRAWS, command_bounds, commands_from_draws
    from motrixlab_envs_locomotion.rough import next_levels

    cfg = motrixlab.make_env_cfg(motrixlab.get_registry().env(name), overrides)
    rng = np.random.default_rng(seed)
    c, t = cfg.commands, cfg.terrain
    low, high = command_bounds(c)
    steps = round(cfg.max_episode_seconds / cfg.ctrl_dt)
    period = max(1, round(c.resample_seconds / cfg.ctrl_dt))
    rows = np.arange(envs)
    levels = rng.integers(cfg.initial_min_level, cfg.initial_max_level + 1, envs)
    commands = np.zeros((envs, 3))
    ups, downs, means = [], [], []
    for _ in range(episodes):
        pos, walked = np.zeros((envs, 2)), np.zeros(envs)
        yaw = rng.uniform(-np.pi, np.pi, envs)
        for k in range(steps):
            if k % period == 0:  # a new episode draws at once, then on the timer
                commands_from_draws(rng.random((envs, DRAWS)), low, high, c.min_speed, c.standing_share, rows, commands)
            yaw += commands[:, 2] * cfg.ctrl_dt
            cos, sin = np.cos(yaw), np.sin(yaw)
            pos[:, 0] += (commands[:, 0] * cos - commands[:, 1] * sin) * cfg.ctrl_dt
            pos[:, 1] += (commands[:, 0] * sin + commands[:, 1] * cos) * cfg.ctrl_dt
            walked += np.hypot(commands[:, 0], commands[:, 1]) * cfg.ctrl_dt
        distance = np.hypot(pos[:, 0], pos[:, 1])
        levels, up, down = next_levels(levels, distance, walked, t, cfg.graduates, rng)
        ups.append(up.mean())
        downs.append(down.mean())
        means.append(levels.mean())
    settled = float(np.mean(means[episodes // 2 :]))
    reached = [i for i, m in enumerate(means) if m >= 0.6 * (t.levels - 1)]
    return {
        # each of these episodes is max_episode_seconds / ctrl_dt env steps per env
        "episodes_to_60": float(reached[0] + 1) if reached else float("nan"),
        "promoted": float(np.mean(ups)),
        "demoted": float(np.mean(downs)),
        "mean_level": settled,
        "share_of_top": settled / max(t.levels - 1, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("envs", nargs="+", help="terrain tasks with a level curriculum")
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help="env config override")
    parser.add_argument("--num-envs", type=int, default=4096)
    parser.add_argument("--episodes", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    overrides = dict(item.split("=", 1) for item in args.set)
    columns = ("promoted", "demoted", "mean_level", "share_of_top", "episodes_to_60")
    print("| env | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for name in args.envs:
        r = ceiling(name, overrides, envs=args.num_envs, episodes=args.episodes, seed=args.seed)
        cells = (f"{r['promoted']:.3f}", f"{r['demoted']:.3f}", f"{r['mean_level']:.2f}", f"{r['share_of_top']:.0%}")
        print(f"| `{name}` | " + " | ".join(cells) + f" | {r['episodes_to_60']:.0f} |")


if __name__ == "__main__":
    main()
