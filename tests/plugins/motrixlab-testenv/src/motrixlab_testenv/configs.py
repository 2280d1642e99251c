"""Training configs the test suites pin, so that retuning an env's registered config cannot break them."""

from __future__ import annotations

#: A cartpole PPO config (``--set`` pairs) that balances within about 25k env steps on 2 cores.
CARTPOLE_FAST: tuple[str, ...] = (
    "rl.num_envs=32",
    "rl.rollouts=16",
    "rl.learning_epochs=4",
    "rl.mini_batches=2",
    "rl.learning_rate=3e-3",
    "rl.kl_threshold=0.02",
    "rl.activation=elu",
    "rl.gamma=0.98",
    "rl.init_log_std=-1.0",
    "rl.policy_hidden=32,32",
    "rl.value_hidden=32,32",
    "rl.lr_schedule=kl_adaptive",
    "rl.eval_interval=0",
)
