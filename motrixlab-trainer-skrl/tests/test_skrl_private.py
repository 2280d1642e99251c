"""The skrl internals the trainer relies on (``skrl_private.RELIED_ON``) exist on the installed skrl's objects,
and no other module of the trainer touches them."""

from __future__ import annotations

import ast
import functools
import importlib
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from gymnasium import spaces
from motrixlab.rlcfg import PPOCfg
from motrixlab_trainer_skrl import skrl_private
from motrixlab_trainer_skrl.skrl_private import RELIED_ON, Relied

SRC = Path(skrl_private.__file__).parent
OBS = spaces.Box(-np.inf, np.inf, (3,), np.float32)
ACT = spaces.Box(-1.0, 1.0, (2,), np.float32)


@functools.cache
def _backend(framework: str, shared: bool = False) -> Any:
    module = importlib.import_module(f"motrixlab_trainer_skrl.{framework}_agent")
    cls = module.TorchBackend if framework == "torch" else module.JaxBackend
    cfg = PPOCfg(num_envs=4, rollouts=2, mini_batches=1, policy_hidden=(8,), value_hidden=(8,), shared_trunk=shared)
    return cls(cfg, OBS, ACT, 4, training=True)


def _jax_memory() -> Any:
    from skrl.memories.jax import RandomMemory

    memory = RandomMemory(memory_size=2, num_envs=4)
    memory.create_tensor("observations", size=3, dtype=np.float32)
    return memory


def _skrl_config(framework: str) -> Any:
    from skrl import config

    return getattr(config, framework)


#: a real object of each owner, built the way the trainer builds it
INSTANCES = {
    skrl_private.TORCH_PPO: lambda: _backend("torch").agent,
    skrl_private.JAX_PPO: lambda: _backend("jax").agent,
    skrl_private.JAX_GAUSSIAN: lambda: _backend("jax", shared=True).policy,
    skrl_private.JAX_DETERMINISTIC: lambda: _backend("jax").agent.value,
    skrl_private.JAX_MEMORY: _jax_memory,
    skrl_private.JAX_CONFIG: lambda: _skrl_config("jax"),
    skrl_private.TORCH_CONFIG: lambda: _skrl_config("torch"),
}


def _resolve(owner: str) -> Any:
    module, _, name = owner.partition(":")
    return functools.reduce(getattr, name.split("."), importlib.import_module(module))


def _framework(owner: str) -> str:
    return "torch" if ".torch" in owner else "jax"


@pytest.mark.parametrize("relied", RELIED_ON, ids=lambda r: f"{r.owner}.{r.name}")
def test_skrl_has_what_the_trainer_relies_on(relied: Relied):
    pytest.importorskip(_framework(relied.owner))
    import skrl

    owner = _resolve(relied.owner)
    obj = INSTANCES[relied.owner]()
    if isinstance(owner, type):
        assert isinstance(obj, owner), f"{relied.owner}: the test built a {type(obj).__name__}"
    assert hasattr(obj, relied.name), (
        f"skrl {skrl.__version__}: {relied.owner} has no attribute {relied.name!r}, which "
        f"motrixlab_trainer_skrl.skrl_private relies on ({relied.why})"
    )


def test_deterministic_mixin_sets_only_what_is_set_by_hand():
    """The shared-trunk jax model sets DeterministicMixin's attributes itself: there must be no others."""
    pytest.importorskip("jax")
    value = INSTANCES[skrl_private.JAX_DETERMINISTIC]()
    declared = {r.name for r in RELIED_ON if r.owner == skrl_private.JAX_DETERMINISTIC}
    assert {name for name in vars(value) if name.startswith("_d_")} == declared


def test_every_owner_has_an_instance_to_check():
    assert {r.owner for r in RELIED_ON} <= set(INSTANCES)


def _underscore_attributes(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and re.fullmatch(r"_[a-z]\w*", node.attr)
    }


def test_the_adapter_declares_every_private_attribute_it_touches():
    declared = {r.name for r in RELIED_ON}
    touched = _underscore_attributes(SRC / "skrl_private.py")
    assert touched <= declared, f"not in RELIED_ON: {sorted(touched - declared)}"


def test_no_other_module_touches_skrl_internals():
    private = {r.name for r in RELIED_ON if r.name.startswith("_")}
    for path in sorted(SRC.glob("*.py")):
        if path.name == "skrl_private.py":
            continue
        text = path.read_text()
        found = sorted(name for name in private if re.search(rf"\.{name}\b|[\"']{name}[\"']", text))
        assert not found, f"{path.name} uses skrl's {found}: go through skrl_private"
