"""What the torch and jax skrl env wrappers share, framework-free (``torch_env``, ``jax_env``)."""

from __future__ import annotations

from typing import Any

import numpy as np

#: The NumPy arrays of the last step: obs, reward, terminated, truncated, info.
StepArrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]


class ABEnvWrapperMixin:
    """Put before skrl's ``Wrapper`` in the bases: an ``ABEnv`` has no state space and no renderer.

    The wrapped ``ABEnv`` is :attr:`env`; :attr:`device` is the one the arrays go to (given, not guessed
    the way skrl's ``Wrapper`` does); the first ``reset`` without a seed uses the one given here.
    """

    def __init__(self, env: Any, device: Any, seed: int | None = None) -> None:
        super().__init__(env)  # skrl's Wrapper
        self.env = env
        self._arrays_device = device
        self._seed = seed
        self.last: StepArrays | None = None

    @property
    def device(self) -> Any:
        return self._arrays_device

    def _take_seed(self, seed: int | None) -> int | None:
        """The reset seed: the caller's, else the one given at construction, which is used only once."""
        seed, self._seed = (seed if seed is not None else self._seed), None
        return seed

    def state(self) -> None:
        return None

    def render(self, *args: Any, **kwargs: Any) -> None:
        return None

    def close(self) -> None:
        self.env.close()
