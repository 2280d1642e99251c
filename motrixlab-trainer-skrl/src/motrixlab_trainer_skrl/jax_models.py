"""skrl JAX (flax) models, the same architectures as :mod:`motrixlab_trainer_skrl.torch_models`."""

from __future__ import annotations

from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp
from motrixlab.training.learner import HIDDEN_GAIN, MEAN_GAIN, VALUE_GAIN
from skrl.models.jax import DeterministicMixin, GaussianMixin, Model

from motrixlab_trainer_skrl import skrl_private
from motrixlab_trainer_skrl.networks import GAUSSIAN, shared_trunk_hidden

ACTIVATIONS: dict[str, Any] = {"elu": nn.elu, "relu": nn.relu, "tanh": jnp.tanh, "silu": nn.silu}


def dense(features: int, gain: float, name: str) -> nn.Dense:
    return nn.Dense(features, kernel_init=nn.initializers.orthogonal(gain), bias_init=nn.initializers.zeros, name=name)


def policy_layer_names(num_hidden: int, *, shared: bool) -> list[str]:
    """The parameter names of the policy's mean layers, input to output (what export reads)."""
    if shared:
        return [f"trunk_{i}" for i in range(num_hidden)] + ["mean_head"]
    return [f"dense_{i}" for i in range(num_hidden + 1)]


def run_mlp(layers: list[nn.Dense], activation: Any, x: jax.Array, *, last_activation: bool = False) -> jax.Array:
    for i, layer in enumerate(layers):
        x = layer(x)
        if i < len(layers) - 1 or last_activation:
            x = activation(x)
    return x


def _psum(x: jax.Array) -> jax.Array:
    return jax.lax.psum(x, "i")


#: the sum over every process of the run (one device each); built once, so compiled once per shape
_all_sum = jax.pmap(_psum, axis_name="i")


def all_sum(x: jax.Array) -> jax.Array:
    """``x`` summed over every process of a run of many (jax.distributed)."""
    return _all_sum(x[None])[0]


class RunMean:
    """The gradient average of a run of many processes. skrl's own ``reduce_parameters`` builds a new
    ``pmap`` of a new lambda at every call, which jax compiles again each time (a second per mini-batch
    on a CPU); this one is compiled once."""

    def reduce_parameters(self, tree: Any) -> Any:
        from skrl import config

        leaves, treedef = jax.tree.flatten(tree)
        flat = jnp.concatenate([jnp.ravel(leaf) for leaf in leaves])
        flat = all_sum(flat) / config.jax.world_size
        out, offset = [], 0
        for leaf in leaves:
            out.append(flat[offset : offset + leaf.size].reshape(leaf.shape))
            offset += leaf.size
        return jax.tree.unflatten(treedef, out)


class Policy(RunMean, GaussianMixin, Model):
    # Declared as fields: flax rebuilds modules from their fields when it clones them.
    hidden: tuple[int, ...] = ()
    activation: str = "elu"
    init_log_std: float = 0.0

    def __init__(
        self,
        observation_space: Any,
        action_space: Any,
        device: Any = None,
        *,
        hidden: tuple[int, ...] = (),
        activation: str = "elu",
        init_log_std: float = 0.0,
        **kwargs: Any,
    ) -> None:
        Model.__init__(self, observation_space=observation_space, action_space=action_space, device=device, **kwargs)
        self.hidden = tuple(hidden)
        self.activation = activation
        self.init_log_std = float(init_log_std)
        GaussianMixin.__init__(self, **GAUSSIAN)

    def setup(self) -> None:
        sizes = [*self.hidden, self.num_actions]
        names = policy_layer_names(len(self.hidden), shared=False)
        self.layers = [
            dense(n, MEAN_GAIN if i == len(sizes) - 1 else HIDDEN_GAIN, name)
            for i, (n, name) in enumerate(zip(sizes, names, strict=True))
        ]
        self.log_std_parameter = self.param(
            "log_std_parameter", lambda _: jnp.full((self.num_actions,), self.init_log_std, jnp.float32)
        )

    def __call__(self, inputs: dict[str, Any], role: str = "") -> tuple[jax.Array, dict[str, Any]]:
        mean = run_mlp(self.layers, ACTIVATIONS[self.activation], inputs["observations"])
        return mean, {"log_std": self.log_std_parameter}


class Value(RunMean, DeterministicMixin, Model):
    hidden: tuple[int, ...] = ()
    activation: str = "elu"

    def __init__(
        self,
        observation_space: Any,
        action_space: Any,
        device: Any = None,
        *,
        hidden: tuple[int, ...] = (),
        activation: str = "elu",
        **kwargs: Any,
    ) -> None:
        Model.__init__(self, observation_space=observation_space, action_space=action_space, device=device, **kwargs)
        self.hidden = tuple(hidden)
        self.activation = activation
        DeterministicMixin.__init__(self, clip_actions=False)

    def setup(self) -> None:
        sizes = [*self.hidden, 1]
        self.layers = [
            dense(n, VALUE_GAIN if i == len(sizes) - 1 else HIDDEN_GAIN, f"dense_{i}") for i, n in enumerate(sizes)
        ]

    def __call__(self, inputs: dict[str, Any], role: str = "") -> tuple[jax.Array, dict[str, Any]]:
        return run_mlp(self.layers, ACTIVATIONS[self.activation], inputs["observations"]), {}


class SharedPolicyValue(RunMean, GaussianMixin, DeterministicMixin, Model):
    """One trunk and two heads in one set of parameters; ``role`` picks the head.

    skrl's JAX PPO steps the policy loss and the value loss with two optimizers; with one model they
    both update the shared trunk (each head only receives gradients from its own loss)."""

    hidden: tuple[int, ...] = ()
    activation: str = "elu"
    init_log_std: float = 0.0

    def __init__(
        self,
        observation_space: Any,
        action_space: Any,
        device: Any = None,
        *,
        hidden: tuple[int, ...] = (),
        activation: str = "elu",
        init_log_std: float = 0.0,
        **kwargs: Any,
    ) -> None:
        Model.__init__(self, observation_space=observation_space, action_space=action_space, device=device, **kwargs)
        self.hidden = shared_trunk_hidden(hidden)
        self.activation = activation
        self.init_log_std = float(init_log_std)
        # Each mixin's __init__ ends by freezing the flax module, so only one of them can run:
        # set what DeterministicMixin.__init__ would (no action clipping) by hand first.
        skrl_private.init_deterministic_mixin_off(self)
        GaussianMixin.__init__(self, **GAUSSIAN)

    def setup(self) -> None:
        *trunk, mean_head = policy_layer_names(len(self.hidden), shared=True)
        self.trunk = [dense(n, HIDDEN_GAIN, name) for n, name in zip(self.hidden, trunk, strict=True)]
        self.mean_head = dense(self.num_actions, MEAN_GAIN, mean_head)
        self.value_head = dense(1, VALUE_GAIN, "value_head")
        self.log_std_parameter = self.param(
            "log_std_parameter", lambda _: jnp.full((self.num_actions,), self.init_log_std, jnp.float32)
        )

    def act(self, inputs: dict[str, Any], *, role: str = "", params: Any = None) -> tuple[jax.Array, dict[str, Any]]:
        if role == "policy":
            return GaussianMixin.act(self, inputs, role=role, params=params)
        return DeterministicMixin.act(self, inputs, role=role, params=params)

    def __call__(self, inputs: dict[str, Any], role: str = "") -> tuple[jax.Array, dict[str, Any]]:
        features = run_mlp(self.trunk, ACTIVATIONS[self.activation], inputs["observations"], last_activation=True)
        if self.is_initializing():  # create both heads whatever role initialises the parameters
            self.value_head(features)
            return self.mean_head(features), {"log_std": self.log_std_parameter}
        if role == "policy":
            return self.mean_head(features), {"log_std": self.log_std_parameter}
        return self.value_head(features), {}
