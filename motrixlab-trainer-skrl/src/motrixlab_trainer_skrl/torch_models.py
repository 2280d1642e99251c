"""skrl torch models: Gaussian policy with a state-independent log-std, deterministic value, optional shared trunk."""

from __future__ import annotations

import itertools
from typing import Any

import torch
from motrixlab.training.learner import HIDDEN_GAIN, MEAN_GAIN, VALUE_GAIN
from skrl.models.torch import DeterministicMixin, GaussianMixin, Model
from torch import nn

from motrixlab_trainer_skrl.networks import GAUSSIAN, shared_trunk_hidden

ACTIVATIONS: dict[str, type[nn.Module]] = {"elu": nn.ELU, "relu": nn.ReLU, "tanh": nn.Tanh, "silu": nn.SiLU}


def mlp(sizes: list[int], activation: str, out_gain: float) -> nn.Sequential:
    """Linear layers with the activation between them; orthogonal init (hidden layers: ``HIDDEN_GAIN``)."""
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
        linear = nn.Linear(n_in, n_out)
        last = i == len(sizes) - 2
        nn.init.orthogonal_(linear.weight, gain=out_gain if last else HIDDEN_GAIN)
        nn.init.zeros_(linear.bias)
        layers.append(linear)
        if not last:
            layers.append(ACTIVATIONS[activation]())
    return nn.Sequential(*layers)


class Policy(GaussianMixin, Model):
    def __init__(
        self,
        observation_space: Any,
        action_space: Any,
        device: Any,
        *,
        hidden: tuple[int, ...],
        activation: str,
        init_log_std: float,
    ) -> None:
        Model.__init__(self, observation_space=observation_space, action_space=action_space, device=device)
        GaussianMixin.__init__(self, **GAUSSIAN)
        self.net = mlp([self.num_observations, *hidden, self.num_actions], activation, MEAN_GAIN)
        self.log_std_parameter = nn.Parameter(torch.full((self.num_actions,), float(init_log_std)))

    def compute(self, inputs: dict[str, Any], role: str = "") -> tuple[torch.Tensor, dict[str, Any]]:
        return self.net(inputs["observations"]), {"log_std": self.log_std_parameter}

    def mean_layers(self) -> nn.Sequential:
        return self.net


class Value(DeterministicMixin, Model):
    def __init__(
        self, observation_space: Any, action_space: Any, device: Any, *, hidden: tuple[int, ...], activation: str
    ) -> None:
        Model.__init__(self, observation_space=observation_space, action_space=action_space, device=device)
        DeterministicMixin.__init__(self, clip_actions=False)
        self.net = mlp([self.num_observations, *hidden, 1], activation, VALUE_GAIN)

    def compute(self, inputs: dict[str, Any], role: str = "") -> tuple[torch.Tensor, dict[str, Any]]:
        return self.net(inputs["observations"]), {}


class SharedPolicyValue(GaussianMixin, DeterministicMixin, Model):
    """One trunk, two heads. PPO asks for the policy and then the value of the same observations:
    the trunk output is reused when the value call gets the very tensor the policy call got."""

    def __init__(
        self,
        observation_space: Any,
        action_space: Any,
        device: Any,
        *,
        hidden: tuple[int, ...],
        activation: str,
        init_log_std: float,
    ) -> None:
        Model.__init__(self, observation_space=observation_space, action_space=action_space, device=device)
        GaussianMixin.__init__(self, **GAUSSIAN)
        DeterministicMixin.__init__(self, clip_actions=False)
        hidden = shared_trunk_hidden(hidden)
        trunk = mlp([self.num_observations, *hidden], activation, HIDDEN_GAIN)
        self.trunk = nn.Sequential(*trunk, ACTIVATIONS[activation]())
        self.mean_head = mlp([hidden[-1], self.num_actions], activation, MEAN_GAIN)
        self.value_head = mlp([hidden[-1], 1], activation, VALUE_GAIN)
        self.log_std_parameter = nn.Parameter(torch.full((self.num_actions,), float(init_log_std)))
        self._cache: tuple[torch.Tensor, torch.Tensor] | None = None

    def act(self, inputs: dict[str, Any], role: str = "") -> tuple[torch.Tensor, dict[str, Any]]:
        if role == "policy":
            return GaussianMixin.act(self, inputs, role=role)
        return DeterministicMixin.act(self, inputs, role=role)

    def compute(self, inputs: dict[str, Any], role: str = "") -> tuple[torch.Tensor, dict[str, Any]]:
        obs = inputs["observations"]
        if role == "policy":
            features = self.trunk(obs)
            self._cache = (obs, features)
            return self.mean_head(features), {"log_std": self.log_std_parameter}
        cached = self._cache
        self._cache = None
        features = cached[1] if cached is not None and cached[0] is obs else self.trunk(obs)
        return self.value_head(features), {}

    def mean_layers(self) -> nn.Sequential:
        return nn.Sequential(*self.trunk, *self.mean_head)
