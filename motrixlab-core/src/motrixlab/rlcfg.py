"""RL configs: framework-neutral, translated by each trainer into its own library's config."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(kw_only=True)
class RLCfg:
    """What every trainer understands. ``max_env_steps`` counts steps summed over all envs."""

    seed: int = 42
    num_envs: int = 256
    max_env_steps: int = 1_000_000
    checkpoint_interval: int = 100_000  # env steps between periodic checkpoints; 0 = latest/best only
    # periodic ``step-*.ckpt`` files kept, the oldest deleted once a new one is written (``latest`` and
    # ``best`` never); 0 = keep all. Five: a few stages of a run to go back to, while a long run (or a
    # small interval) cannot fill the disk with checkpoints nobody looks at.
    keep_checkpoints: int = 5
    eval_episodes: int = 20
    # env steps between deterministic evaluations during training (eval_episodes each, on an env of
    # their own); when on, ``best`` is the best evaluated policy rather than the best training return
    # of the stochastic one. 0 = off.
    eval_interval: int = 0

    def validate(self) -> None:
        for name in ("num_envs", "max_env_steps", "eval_episodes"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name}: must be positive, got {getattr(self, name)!r}")
        for name in ("checkpoint_interval", "keep_checkpoints", "eval_interval"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name}: must be >= 0, got {getattr(self, name)!r}")


@dataclass(kw_only=True)
class PPOCfg(RLCfg):
    """Proximal Policy Optimisation, the way robot-learning codebases usually tune it."""

    # networks
    policy_hidden: tuple[int, ...] = (64, 64)
    value_hidden: tuple[int, ...] = (64, 64)
    activation: str = "elu"  # elu | relu | tanh | silu
    shared_trunk: bool = False  # one trunk for policy and value (uses policy_hidden)
    init_log_std: float = 0.0
    # rollout and optimisation
    rollouts: int = 16  # steps per env between updates
    learning_epochs: int = 5
    mini_batches: int = 4
    gamma: float = 0.99
    gae_lambda: float = 0.95
    learning_rate: float = 3e-4
    lr_schedule: str = "kl_adaptive"  # kl_adaptive | constant
    kl_threshold: float = 0.01  # target KL of the adaptive schedule
    ratio_clip: float = 0.2
    value_clip: float = 0.2
    clip_value_loss: bool = True
    value_loss_scale: float = 1.0
    entropy_loss_scale: float = 0.0
    grad_norm_clip: float = 1.0
    # normalisation and targets
    observation_normalization: bool = True
    value_normalization: bool = True
    reward_scale: float = 1.0
    time_limit_bootstrap: bool = True

    def validate(self) -> None:
        super().validate()
        if self.activation not in {"elu", "relu", "tanh", "silu"}:
            raise ValueError(f"activation: must be one of elu, relu, tanh, silu, got {self.activation!r}")
        if self.lr_schedule not in {"kl_adaptive", "constant"}:
            raise ValueError(f"lr_schedule: must be 'kl_adaptive' or 'constant', got {self.lr_schedule!r}")
        for name in ("rollouts", "learning_epochs", "mini_batches"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name}: must be positive, got {getattr(self, name)!r}")
        if not 0 < self.gamma <= 1:
            raise ValueError(f"gamma: must be in (0, 1], got {self.gamma!r}")
        if not 0 <= self.gae_lambda <= 1:
            raise ValueError(f"gae_lambda: must be in [0, 1], got {self.gae_lambda!r}")
        if self.learning_rate <= 0:
            raise ValueError(f"learning_rate: must be positive, got {self.learning_rate!r}")
        if (self.num_envs * self.rollouts) % self.mini_batches:
            raise ValueError(
                f"mini_batches: num_envs*rollouts ({self.num_envs * self.rollouts}) "
                f"must be divisible by mini_batches ({self.mini_batches})"
            )
