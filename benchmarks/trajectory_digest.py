"""SHA-256 of a seeded random-action rollout of every installed env: ``python benchmarks/trajectory_digest.py``.

A refactor that must not change the numbers compares these digests before and after. The digest
covers observations, rewards, terminated/truncated flags, final observations and every
``info["log"]`` entry of every step, in order.
"""

from __future__ import annotations

import argparse
import hashlib
import json

import numpy as np


def digest(name: str, *, num_envs: int, steps: int, seed: int) -> str:
    import motrixlab

    env = motrixlab.make(name, num_envs=num_envs, seed=seed)
    h = hashlib.sha256()

    def feed(value: object) -> None:
        h.update(np.ascontiguousarray(value).tobytes())

    try:
        obs, info = env.reset()
        feed(obs)
        rng = np.random.default_rng(seed + 1)
        low, high = env.action_space.low, env.action_space.high
        for _ in range(steps):
            actions = rng.uniform(low, high, (num_envs, *env.action_space.shape)).astype(np.float32)
            obs, reward, terminated, truncated, info = env.step(actions)
            for part in (obs, reward, terminated, truncated, info["final_obs"]):
                feed(part)
            for key in sorted(info["log"]):
                h.update(key.encode())
                feed(np.asarray(info["log"][key]))
    finally:
        env.close()
    return h.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("envs", nargs="*", help="env names (default: all installed)")
    parser.add_argument("--num-envs", type=int, default=64)
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.envs:
        names = args.envs
    else:
        from motrixlab.plugins import get_registry

        names = sorted(get_registry().envs)
    result = {name: digest(name, num_envs=args.num_envs, steps=args.steps, seed=args.seed) for name in names}
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
