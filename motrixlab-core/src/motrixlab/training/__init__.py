"""What every loop-driven trainer shares, written once: the training loop, checkpoints, metrics,
evaluation, play and export.

A trainer package supplies a :class:`motrixlab.training.learner.Learner` (its library's PPO agent
behind a narrow seam) and subclasses :class:`motrixlab.training.trainer.LoopTrainer`; run
directories, checkpoint files, TensorBoard tags, the dashboard and signal handling are then the
same for every trainer. Nothing here imports a framework at module import; ``export`` imports torch
when it runs.
"""
