"""Where a training step's time goes: the policy's action, the env step, recording, the PPO update.

    python benchmarks/step_costs.py cartpole --num-envs 64 128 256 512
    python benchmarks/step_costs.py go1-walk --num-envs 1024 --updates 3 --trainer rslrl

Drives a trainer's learner (default skrl on torch) the way the training loop does (``act``, the env
step, ``record``, which runs the update every ``rl.rollouts`` steps), with the env's registered PPO
config at each ``--num-envs``, and times each part per env step.
"training" is the rate of the whole loop, "without update" the rate of the rollout alone; ``bench``
is ``motrixlab bench`` at the same size (random actions). The CPU may be shared: figures are noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("RUST_LOG", "error")


def measure(
    env_name: str,
    num_envs: int,
    updates: int,
    sets: list[str] | None = None,
    trainer: str = "skrl",
    backend_name: str = "torch",
) -> dict[str, float]:
    import motrixlab
    from motrixlab import make_rl_cfg
    from motrixlab.cli.bench import measure as bench
    from motrixlab.cli.train import _trainer
    from motrixlab.overrides import parse_set_args
    from motrixlab.plugins import get_registry

    overrides = parse_set_args(sets or [])
    if overrides["env"]:
        raise SystemExit("step_costs.py takes only rl.<field> overrides (the env runs its registered config)")
    if "num_envs" in overrides["rl"]:
        raise SystemExit("step_costs.py: give batch sizes with --num-envs, not --set rl.num_envs")
    reg = get_registry()
    spec = reg.trainer(trainer, backend_name)
    impl = _trainer(spec)  # a motrixlab.training LoopTrainer
    cfg = impl.ppo_cfg(make_rl_cfg(env_name, spec, {**overrides["rl"], "num_envs": num_envs}, registry=reg))
    env = motrixlab.make(env_name, num_envs=num_envs, seed=0)
    backend = impl.learner_class()(cfg, env.observation_space, env.action_space, num_envs, training=True)
    wrapped = backend.wrap(env)
    obs, _ = wrapped.reset(seed=0)
    warmup = 2 * cfg.rollouts  # the first updates pay for lazy initialisation
    total = warmup + updates * cfg.rollouts
    spent = {"act": 0.0, "env": 0.0, "record": 0.0, "update": 0.0}
    plain_steps = 0
    for t in range(total):
        t0 = time.perf_counter()
        actions = backend.act(obs, t, total)
        t1 = time.perf_counter()
        next_obs, reward, terminated, truncated, info = wrapped.step(actions)
        t2 = time.perf_counter()
        updated = backend.record(
            obs=obs,
            actions=actions,
            reward=reward,
            final_obs=info["final_obs"],
            terminated=terminated,
            truncated=truncated,
            timestep=t,
            timesteps=total,
        )
        t3 = time.perf_counter()
        obs = next_obs
        if t >= warmup:
            spent["act"] += t1 - t0
            spent["env"] += t2 - t1
            spent["update" if updated else "record"] += t3 - t2
            plain_steps += not updated
    env.close()
    steps = total - warmup
    # an update step also records its transition: move that share back to "record"
    per_record = spent["record"] / max(plain_steps, 1)
    spent["update"] -= per_record * (steps - plain_steps)
    spent["record"] += per_record * (steps - plain_steps)
    rollout = spent["act"] + spent["env"] + spent["record"]
    return {
        "num_envs": num_envs,
        **{f"{k}_ms": v / steps * 1e3 for k, v in spent.items()},
        "training_env_steps_per_s": num_envs * steps / (rollout + spent["update"]),
        "without_update_env_steps_per_s": num_envs * steps / rollout,
        "bench_env_steps_per_s": float(bench(env_name, num_envs, 1000)["env_steps_per_s"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("env")
    parser.add_argument("--num-envs", nargs="+", type=int, default=[64])
    parser.add_argument("--updates", type=int, default=40)
    parser.add_argument("--set", dest="sets", action="append", default=[], help="rl.<field>=<value> overrides")
    parser.add_argument("--trainer", default="skrl")
    parser.add_argument("--backend", default="torch")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = [measure(args.env, n, args.updates, args.sets, args.trainer, args.backend) for n in args.num_envs]
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    for r in rows:
        print(
            f"{args.env} {args.trainer}/{args.backend} x{r['num_envs']}: per env step (ms) "
            f"act {r['act_ms']:.3f}, env {r['env_ms']:.3f}, "
            f"record {r['record_ms']:.3f}, update {r['update_ms']:.3f}; training "
            f"{r['training_env_steps_per_s']:,.0f} env-steps/s, without update "
            f"{r['without_update_env_steps_per_s']:,.0f}, bench {r['bench_env_steps_per_s']:,.0f} "
            f"({r['training_env_steps_per_s'] / r['bench_env_steps_per_s']:.0%})"
        )


if __name__ == "__main__":
    main()
