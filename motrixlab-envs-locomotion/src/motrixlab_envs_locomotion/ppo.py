"""Tuned PPO settings for the walking tasks (framework-neutral; the trainer maps them to its library)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from motrixlab import PPOCfg


@dataclass(kw_only=True)
class Go1WalkPPO(PPOCfg):
    """1024 envs x 24 steps per update; a 0.25 rad initial exploration std on the joint targets."""

    num_envs: int = 1024
    max_env_steps: int = 50_000_000
    checkpoint_interval: int = 5_000_000
    eval_episodes: int = 50
    policy_hidden: tuple[int, ...] = (256, 128, 64)
    value_hidden: tuple[int, ...] = (256, 128, 64)
    activation: str = "elu"
    init_log_std: float = math.log(0.5)  # x action_scale 0.5 rad
    rollouts: int = 24
    learning_epochs: int = 5
    mini_batches: int = 4
    gamma: float = 0.99
    gae_lambda: float = 0.95
    learning_rate: float = 1e-3
    lr_schedule: str = "kl_adaptive"
    kl_threshold: float = 0.01
    ratio_clip: float = 0.2
    value_clip: float = 0.2
    entropy_loss_scale: float = 0.005
    value_loss_scale: float = 1.0
    grad_norm_clip: float = 1.0


@dataclass(kw_only=True)
class Go1RoughPPO(Go1WalkPPO):
    """Bigger networks for the harder terrain, and a longer budget."""

    max_env_steps: int = 150_000_000
    policy_hidden: tuple[int, ...] = (512, 256, 128)
    value_hidden: tuple[int, ...] = (512, 256, 128)


@dataclass(kw_only=True)
class Go2WalkPPO(Go1WalkPPO):
    """The Go1 settings: a robot of the same build, a little heavier and softer (kp 25)."""


@dataclass(kw_only=True)
class AnymalCWalkPPO(Go1WalkPPO):
    """The Go1 settings with a smaller initial exploration (0.5 x 0.4 = 0.2 rad) for the heavier, longer legs."""

    init_log_std: float = math.log(0.4)


@dataclass(kw_only=True)
class Go1StairsPPO(Go1RoughPPO):
    """The rough-terrain settings with the stairs task's 100M-step budget and the flat task's 256-128-64
    networks: on two CPU cores the 512-256-128 update takes half of each iteration, the smaller one a
    third, so the curriculum gets 1.6 times the episodes per hour."""

    max_env_steps: int = 100_000_000
    policy_hidden: tuple[int, ...] = (256, 128, 64)
    value_hidden: tuple[int, ...] = (256, 128, 64)


@dataclass(kw_only=True)
class AnymalCNavigatePPO(AnymalCWalkPPO):
    """The walking settings; start it from a walking run with ``--init-from``."""


@dataclass(kw_only=True)
class G1WalkPPO(Go1WalkPPO):
    """The Go1 settings for the humanoid: 1024 envs x 24 steps per update and 256-128-64 networks (on a few
    CPU cores the update dominates the step: small networks learn more per second), a 0.8 x 0.25 = 0.2 rad
    initial exploration std, a lower learning rate and entropy bonus, and a 100M-step budget."""

    max_env_steps: int = 100_000_000
    init_log_std: float = math.log(0.8)  # x action_scale 0.25 rad
    learning_rate: float = 5e-4
    entropy_loss_scale: float = 0.002


@dataclass(kw_only=True)
class G1RoughPPO(G1WalkPPO):
    """The flat settings, 256-128-64 networks included (as for stairs: on two CPU cores the curriculum
    gets more episodes per hour than with 512-256-128), and a longer budget."""

    max_env_steps: int = 200_000_000
