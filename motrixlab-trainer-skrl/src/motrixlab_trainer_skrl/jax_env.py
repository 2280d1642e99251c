"""``ABEnv`` as a skrl JAX environment (``skrl.envs.wrappers.jax.Wrapper``).

Arrays go to the JAX device once per step, in one ``device_put`` of NumPy copies (on CPU a device
array may alias an aligned NumPy buffer, and envs reuse theirs); reward and flags come shaped the way skrl
stores them (``(num_envs, 1)``), and ``info["final_obs"]`` as a device array. The NumPy arrays of
the last step stay available as :attr:`last`.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from skrl.envs.wrappers.jax import Wrapper

from motrixlab_trainer_skrl.env_wrapper import ABEnvWrapperMixin


class JaxEnv(ABEnvWrapperMixin, Wrapper):
    def __init__(self, env: Any, device: Any = None, seed: int | None = None) -> None:
        super().__init__(env, device if device is not None else jax.devices()[0], seed)

    def reset(self, *, seed: int | None = None) -> tuple[jax.Array, dict[str, Any]]:
        obs, info = self.env.reset(seed=self._take_seed(seed))
        return jnp.array(obs, jnp.float32), info

    def step(self, actions: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array, jax.Array, Any]:
        obs, reward, terminated, truncated, info = self.env.step(np.asarray(actions))
        self.last = (obs, reward, terminated, truncated, info)
        # one transfer for the five arrays (each jnp.array call costs more than its copy); the NumPy
        # copies are what the device arrays may alias, never the env's own buffers
        final_obs, obs_d, reward_d, terminated_d, truncated_d = jax.device_put(
            (
                np.array(info.get("final_obs", obs), np.float32),
                np.array(obs, np.float32),
                np.array(reward, np.float32).reshape(-1, 1),
                np.array(terminated, bool).reshape(-1, 1),
                np.array(truncated, bool).reshape(-1, 1),
            ),
            self.device,
        )
        return obs_d, reward_d, terminated_d, truncated_d, {**info, "final_obs": final_obs}
