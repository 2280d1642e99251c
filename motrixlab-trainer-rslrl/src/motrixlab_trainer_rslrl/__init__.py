"""PPO for MotrixLab through rsl_rl on PyTorch: ``motrixlab train ENV --trainer rslrl``."""
