"""PPO through skrl on PyTorch and JAX; frameworks are imported only when a backend runs."""
