"""``--set section.field=value`` overrides, parsed by each dataclass field's declared type."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pytest
from motrixlab import ConfigError, EnvCfg, MotrixLabError
from motrixlab.overrides import apply_overrides, parse_set_args


@dataclass(kw_only=True)
class Noise:
    scale: float = 0.0
    enabled: bool = False


@dataclass(kw_only=True)
class Domain:
    noise: Noise = field(default_factory=Noise)
    friction: tuple[float, float] = (0.5, 1.5)


@dataclass(kw_only=True)
class Reward:
    alive: float = 1.0
    terms: tuple[str, ...] = ("alive", "upright")


@dataclass(kw_only=True)
class TaskCfg(EnvCfg):
    model_file: str = "task.xml"
    obstacles: int = 3
    use_vision: bool = False
    target: tuple[float, float] = (0.0, 1.0)
    hidden: tuple[int, ...] = (64, 64)
    label: str = "default"
    limit: float | None = None
    seed_offset: int | None = 0
    mode: Literal["fast", "slow"] = "fast"
    reward: Reward = field(default_factory=Reward)
    domain: Domain = field(default_factory=Domain)


def override(**values):
    return apply_overrides(TaskCfg(), values, section="env")


def test_parse_set_args_splits_sections_and_paths():
    parsed = parse_set_args(["env.obstacles=5", "rl.learning_rate = 1e-3", "env.reward.alive=2", "env.label=a=b"])
    assert parsed == {
        "env": {"obstacles": "5", "reward.alive": "2", "label": "a=b"},
        "rl": {"learning_rate": "1e-3"},
    }
    assert parse_set_args([]) == {"env": {}, "rl": {}}


@pytest.mark.parametrize(
    ("item", "pattern"),
    [
        ("env.obstacles", r"--set 'env.obstacles': expected env.<field>=<value> or rl.<field>=<value>"),
        ("obstacles=5", r"expected env.<field>=<value>"),
        ("env.=5", r"expected env.<field>=<value>"),
        ("envv.obstacles=5", r"unknown section 'envv'; valid sections: env, rl"),
    ],
)
def test_parse_set_args_errors(item, pattern):
    with pytest.raises(ConfigError, match=pattern):
        parse_set_args([item])


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        ("obstacles", "5", 5),
        ("obstacles", "1e3", 1000),
        ("obstacles", "1_000", 1000),
        ("obstacles", " -2 ", -2),
        ("use_vision", "true", True),
        ("use_vision", "Yes", True),
        ("use_vision", "1", True),
        ("use_vision", "off", False),
        ("sim_dt", "5e-3", 0.005),
        ("sim_dt", "1", 1.0),
        ("target", "0.5,2", (0.5, 2.0)),
        ("target", "(0.5, 2)", (0.5, 2.0)),
        ("target", "[1, -1]", (1.0, -1.0)),
        ("hidden", "32,32,16", (32, 32, 16)),
        ("hidden", "128", (128,)),
        ("label", "none", "none"),  # a str field keeps the text
        ("limit", "none", None),
        ("limit", "Null", None),
        ("limit", "2.5", 2.5),
        ("seed_offset", "7", 7),
        ("mode", "slow", "slow"),
        ("model_file", "/tmp/x.xml", "/tmp/x.xml"),
    ],
)
def test_values_are_parsed_by_field_type(path, text, expected):
    cfg = override(**{path: text})
    value = getattr(cfg, path)
    assert value == expected and type(value) is type(expected)


def test_nested_fields_with_dots():
    cfg = apply_overrides(
        TaskCfg(),
        {"reward.alive": "0.5", "domain.noise.enabled": "true", "domain.noise.scale": "0.1", "domain.friction": "1,2"},
    )
    assert cfg.reward.alive == 0.5 and cfg.reward.terms == ("alive", "upright")
    assert cfg.domain.noise == Noise(scale=0.1, enabled=True)
    assert cfg.domain.friction == (1.0, 2.0)


def test_the_original_config_is_not_modified():
    base = TaskCfg()
    cfg = apply_overrides(base, {"obstacles": "9", "domain.noise.scale": "2"})
    assert (base.obstacles, base.domain.noise.scale) == (3, 0.0)
    assert (cfg.obstacles, cfg.domain.noise.scale) == (9, 2.0)


def test_python_values_are_checked_against_the_type():
    cfg = override(obstacles=4.0, sim_dt=1, use_vision=True, target=[1, 2], limit=None)
    assert (cfg.obstacles, cfg.sim_dt, cfg.use_vision, cfg.target, cfg.limit) == (4, 1.0, True, (1.0, 2.0), None)
    with pytest.raises(ConfigError, match=r"env.obstacles: expected int, got True"):
        override(obstacles=True)
    with pytest.raises(ConfigError, match=r"env.label: expected str, got 3"):
        override(label=3)


@pytest.mark.parametrize(
    ("path", "text", "message"),
    [
        ("obstacles", "many", "env.obstacles: expected int, got 'many'"),
        ("obstacles", "2.5", "env.obstacles: expected int, got '2.5'"),
        ("use_vision", "maybe", "env.use_vision: expected bool, got 'maybe'"),
        ("sim_dt", "fast", "env.sim_dt: expected float, got 'fast'"),
        ("target", "1,2,3", "env.target: expected tuple of (float, float), got '1,2,3' (2 values needed, got 3)"),
        ("hidden", "32,x", "env.hidden: expected tuple of int, got '32,x'"),
        ("limit", "big", "env.limit: expected float | None, got 'big'"),
        ("mode", "medium", "env.mode: expected 'fast' | 'slow', got 'medium'"),
        ("reward.alive", "lots", "env.reward.alive: expected float, got 'lots'"),
    ],
)
def test_type_errors_say_the_expected_type(path, text, message):
    with pytest.raises(ConfigError) as err:
        override(**{path: text})
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)


def test_unknown_fields_list_the_valid_ones_with_a_suggestion():
    with pytest.raises(ConfigError) as err:
        override(obstacels="1")
    msg = str(err.value)
    assert msg.startswith("unknown field 'env.obstacels' (did you mean 'obstacles'?); valid fields: ")
    for name in ("ctrl_dt", "domain", "hidden", "max_episode_seconds", "obstacles", "reward", "sim_dt"):
        assert name in msg.split("valid fields: ")[1]
    with pytest.raises(
        ConfigError, match=r"unknown field 'env.reward.alvie' \(did you mean 'alive'\?\); valid fields: alive, terms"
    ):
        override(**{"reward.alvie": "1"})
    with pytest.raises(ConfigError, match=r"unknown field 'env.zzz'; valid fields"):  # nothing close: no suggestion
        override(zzz="1")


def test_groups_and_leaves_are_not_confused():
    with pytest.raises(
        ConfigError, match=r"'env.reward' is a group of fields; set one of: env.reward.alive, env.reward.terms"
    ):
        override(reward="1")
    with pytest.raises(
        ConfigError, match=r"'env.obstacles.count': 'obstacles' is not a group of fields \(it holds 3\)"
    ):
        override(**{"obstacles.count": "1"})


def test_config_errors_are_value_errors_and_motrixlab_errors():
    with pytest.raises(ValueError):
        override(obstacles="x")
    assert issubclass(ConfigError, MotrixLabError)
