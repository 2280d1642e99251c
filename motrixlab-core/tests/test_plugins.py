"""Plugin discovery in-process: real module objects passed to ``discover(extra_plugins=...)``.

The installed entry points (the test plugin, and whatever else is installed) are discovered
alongside; assertions only concern the plugins each test adds.
"""

from __future__ import annotations

import subprocess
import sys
import types
from dataclasses import dataclass

import motrixlab
import pytest
from motrixlab import ConfigError, MotrixLabError, PluginError, UnknownNameError
from motrixlab.factory import make_rl_cfg
from motrixlab.imports import load_ref
from motrixlab.plugins import discover, get_registry, reset_registry
from motrixlab.rlcfg import PPOCfg

SLIDER_CFG = "motrixlab_testenv.env:SliderCfg"
SLIDER_ENV = "motrixlab_testenv.env:SliderEnv"


def plugin(name: str, **hooks) -> types.ModuleType:
    """A real module whose attributes are the given hook functions."""
    module = types.ModuleType(name)
    for attr, fn in hooks.items():
        setattr(module, attr, fn)
    return module


def env_hook(*names: str):
    @motrixlab.hookimpl
    def motrixlab_register_envs(register):
        for n in names:
            register(motrixlab.EnvSpec(name=n, cfg=SLIDER_CFG, env=SLIDER_ENV, domain="unit"))

    return motrixlab_register_envs


def run_discover(*plugins: tuple[str, object], strict: bool | None = False):
    warnings: list[str] = []
    registry = discover(plugins, strict=strict, warn=warnings.append)
    return registry, warnings


def mine(warnings: list[str], name: str) -> list[str]:
    return [w for w in warnings if w.startswith(f"plugin {name!r}:")]


def test_a_plugin_module_registers_its_envs():
    good = plugin("unit_good", motrixlab_register_envs=env_hook("unit-a", "unit-b"))
    reg, warnings = run_discover(("unit-good", good))
    assert mine(warnings, "unit-good") == []
    assert reg.envs["unit-a"].plugin == "unit-good"
    assert reg.envs["unit-a"].cfg == SLIDER_CFG
    assert reg.plugins["unit-good"].envs == ["unit-a", "unit-b"]
    # the installed test plugin is discovered through its entry point at the same time
    assert reg.envs["test-slider"].plugin == "testenv"
    assert reg.plugins["testenv"].distribution == "motrixlab-testenv"


def test_a_failing_hook_is_reported_once_and_the_others_still_load():
    @motrixlab.hookimpl
    def motrixlab_register_envs(register):
        register(motrixlab.EnvSpec(name="unit-partial", cfg=SLIDER_CFG, env=SLIDER_ENV))
        raise RuntimeError("hook exploded\nsecond line")

    reg, warnings = run_discover(
        ("unit-bad", plugin("unit_bad", motrixlab_register_envs=motrixlab_register_envs)),
        ("unit-good", plugin("unit_good", motrixlab_register_envs=env_hook("unit-ok"))),
    )
    assert mine(warnings, "unit-bad") == [
        "plugin 'unit-bad': motrixlab_register_envs failed: RuntimeError: hook exploded"
    ]
    assert "unit-ok" in reg.envs and "test-slider" in reg.envs


def test_a_misspelled_hook_is_reported_with_a_suggestion_and_the_plugin_is_skipped():
    @motrixlab.hookimpl
    def motrixlab_register_env(register):  # missing "s"
        register(motrixlab.EnvSpec(name="unit-typo", cfg=SLIDER_CFG, env=SLIDER_ENV))

    reg, warnings = run_discover(
        ("unit-typo", plugin("unit_typo", motrixlab_register_env=motrixlab_register_env)),
        ("unit-good", plugin("unit_good", motrixlab_register_envs=env_hook("unit-ok"))),
    )
    (msg,) = mine(warnings, "unit-typo")
    assert "unknown hook 'motrixlab_register_env' (did you mean 'motrixlab_register_envs'?)" in msg
    assert "unit-typo" not in reg.envs and "unit-ok" in reg.envs


def test_an_unmarked_hook_is_reported():
    def motrixlab_register_envs(register):  # no @motrixlab.hookimpl
        register(motrixlab.EnvSpec(name="unit-unmarked", cfg=SLIDER_CFG, env=SLIDER_ENV))

    reg, warnings = run_discover(("unit-plain", plugin("unit_plain", motrixlab_register_envs=motrixlab_register_envs)))
    (msg,) = mine(warnings, "unit-plain")
    assert "'motrixlab_register_envs' is not marked with @motrixlab.hookimpl" in msg
    assert "unit-unmarked" not in reg.envs


def test_a_hook_with_wrong_arguments_is_an_invalid_plugin():
    @motrixlab.hookimpl
    def motrixlab_register_envs(reg):
        pass

    _, warnings = run_discover(("unit-args", plugin("unit_args", motrixlab_register_envs=motrixlab_register_envs)))
    (msg,) = mine(warnings, "unit-args")
    assert msg.startswith("plugin 'unit-args': invalid plugin:") and "reg" in msg


def test_registering_the_wrong_kind_of_spec_is_reported():
    @motrixlab.hookimpl
    def motrixlab_register_envs(register):
        register("unit-not-a-spec")

    _, warnings = run_discover(("unit-kind", plugin("unit_kind", motrixlab_register_envs=motrixlab_register_envs)))
    (msg,) = mine(warnings, "unit-kind")
    assert "expects EnvSpec, got str" in msg


def test_a_malformed_reference_fails_when_the_spec_is_built():
    @motrixlab.hookimpl
    def motrixlab_register_envs(register):
        register(motrixlab.EnvSpec(name="unit-ref", cfg="motrixlab_testenv.env.SliderCfg", env=SLIDER_ENV))

    reg, warnings = run_discover(("unit-ref", plugin("unit_ref", motrixlab_register_envs=motrixlab_register_envs)))
    (msg,) = mine(warnings, "unit-ref")
    assert "invalid reference 'motrixlab_testenv.env.SliderCfg'" in msg
    assert "expected 'package.module:attribute'" in msg
    assert "unit-ref" not in reg.envs


def test_a_duplicate_env_name_names_both_plugins_and_keeps_the_first():
    reg, warnings = run_discover(
        ("unit-first", plugin("unit_first", motrixlab_register_envs=env_hook("unit-dup"))),
        ("unit-second", plugin("unit_second", motrixlab_register_envs=env_hook("unit-dup", "unit-other"))),
    )
    (msg,) = mine(warnings, "unit-second")
    assert "environment 'unit-dup' is registered by both 'unit-first' and 'unit-second'" in msg
    assert reg.envs["unit-dup"].plugin == "unit-first"
    assert reg.envs["unit-other"].plugin == "unit-second"  # the rest of the plugin still counts


def test_a_duplicate_of_an_installed_env_names_its_distribution():
    _, warnings = run_discover(("unit-clash", plugin("unit_clash", motrixlab_register_envs=env_hook("test-slider"))))
    (msg,) = mine(warnings, "unit-clash")
    assert "'motrixlab-testenv' and 'unit-clash'" in msg


def test_strict_mode_turns_the_first_plugin_error_into_one_exception(monkeypatch):
    bad = ("unit-typo", plugin("unit_typo", motrixlab_register_env=env_hook("x")))
    with pytest.raises(PluginError, match=r"plugin 'unit-typo': unknown hook .*MOTRIXLAB_STRICT_PLUGINS=1"):
        discover([bad], strict=True, warn=lambda m: None)
    monkeypatch.setenv("MOTRIXLAB_STRICT_PLUGINS", "1")
    with pytest.raises(PluginError):
        discover([bad], warn=lambda m: None)
    monkeypatch.setenv("MOTRIXLAB_STRICT_PLUGINS", "0")
    discover([bad], warn=lambda m: None)  # only warns


def test_disabling_an_installed_plugin_by_entry_point_name(monkeypatch):
    monkeypatch.setenv("MOTRIXLAB_DISABLE_PLUGINS", " nonexistent , testenv")
    reg, _ = run_discover()
    assert "test-slider" not in reg.envs
    assert reg.plugins["testenv"].disabled and reg.plugins["testenv"].envs == []
    assert "motrixlab-testenv" == reg.plugins["testenv"].distribution


# ---- RL configs and trainers --------------------------------------------------------------------


@dataclass(kw_only=True)
class AnyBackendPPO(PPOCfg):
    learning_rate: float = 1e-3


@dataclass(kw_only=True)
class JaxPPO(PPOCfg):
    learning_rate: float = 5e-4


@dataclass(kw_only=True)
class TrainerDefaultPPO(PPOCfg):
    rollouts: int = 32


class NotAnRLCfg:
    pass


@pytest.fixture
def cfg_module(monkeypatch):
    """The RL config classes above, importable as ``unit_rl_cfgs:<name>``."""
    module = types.ModuleType("unit_rl_cfgs")
    for cls in (AnyBackendPPO, JaxPPO, TrainerDefaultPPO, NotAnRLCfg):
        setattr(module, cls.__name__, cls)
    module.Broken = None
    monkeypatch.setitem(sys.modules, "unit_rl_cfgs", module)
    return module


def trainers_hook(requires_jax: tuple[str, ...] = ()):
    @motrixlab.hookimpl
    def motrixlab_register_trainers(register):
        for backend, requires in (("torch", ()), ("jax", requires_jax)):
            register(
                motrixlab.TrainerSpec(
                    trainer="unit",
                    backend=backend,
                    entry="unit_rl_cfgs:NotAnRLCfg",
                    requires=requires,
                    install_hint=f"pip install 'unit-trainer[{backend}]'",
                    default_cfg="unit_rl_cfgs:TrainerDefaultPPO",
                )
            )

    return motrixlab_register_trainers


@motrixlab.hookimpl
def rl_cfgs_hook(register):
    register(motrixlab.RLCfgSpec(env="unit-rl", cfg="unit_rl_cfgs:AnyBackendPPO", trainer="unit", backend=None))
    register(motrixlab.RLCfgSpec(env="unit-rl", cfg="unit_rl_cfgs:JaxPPO", trainer="unit", backend="jax"))
    register(motrixlab.RLCfgSpec(env="unit-rl-typo", cfg="unit_rl_cfgs:JaxPPO", trainer="unit"))
    # framework-neutral configs (trainer=None) serve every trainer without one of its own
    register(motrixlab.RLCfgSpec(env="unit-neutral", cfg="unit_rl_cfgs:AnyBackendPPO"))
    register(motrixlab.RLCfgSpec(env="unit-neutral", cfg="unit_rl_cfgs:JaxPPO", backend="jax"))
    register(motrixlab.RLCfgSpec(env="unit-rl", cfg="unit_rl_cfgs:TrainerDefaultPPO"))


def rl_registry(requires_jax: tuple[str, ...] = ()):
    module = plugin(
        "unit_rl",
        motrixlab_register_envs=env_hook("unit-rl", "unit-rl-bare", "unit-neutral"),
        motrixlab_register_trainers=trainers_hook(requires_jax),
        motrixlab_register_rl_cfgs=rl_cfgs_hook,
    )
    return run_discover(("unit-rl", module))


def test_rl_config_resolution_order(cfg_module):
    reg, _ = rl_registry()
    torch, jax = reg.trainer("unit", "torch"), reg.trainer("unit", "jax")
    assert reg.rl_cfg_spec("unit-rl", "unit", "jax").cfg == "unit_rl_cfgs:JaxPPO"  # backend-specific
    assert reg.rl_cfg_spec("unit-rl", "unit", "torch").cfg == "unit_rl_cfgs:AnyBackendPPO"  # backend=None
    assert reg.rl_cfg_spec("unit-rl-bare", "unit", "torch") is None  # -> the trainer's default
    # a trainer's own config wins over a neutral one; a neutral one serves any trainer, by backend first
    assert reg.rl_cfg_spec("unit-rl", "other", "torch").cfg == "unit_rl_cfgs:TrainerDefaultPPO"
    assert reg.rl_cfg_spec("unit-neutral", "unit", "torch").cfg == "unit_rl_cfgs:AnyBackendPPO"
    assert reg.rl_cfg_spec("unit-neutral", "other", "jax").cfg == "unit_rl_cfgs:JaxPPO"
    assert type(make_rl_cfg("unit-rl", jax, registry=reg)) is JaxPPO
    assert type(make_rl_cfg("unit-rl", torch, registry=reg)) is AnyBackendPPO
    default = make_rl_cfg("unit-rl-bare", torch, registry=reg)
    assert type(default) is TrainerDefaultPPO and default.rollouts == 32
    # CLI overrides apply last, parsed by field type
    cfg = make_rl_cfg("unit-rl", jax, {"learning_rate": "2e-4", "policy_hidden": "32,32"}, registry=reg)
    assert cfg.learning_rate == 2e-4 and cfg.policy_hidden == (32, 32)


def test_rl_config_errors(cfg_module):
    reg, _ = rl_registry()
    torch = reg.trainer("unit", "torch")
    with pytest.raises(ConfigError, match=r"rl\.mini_batches: num_envs\*rollouts \(\d+\) must be divisible"):
        make_rl_cfg("unit-rl", torch, {"mini_batches": 7}, registry=reg)
    with pytest.raises(ConfigError, match=r"unknown field 'rl.learning_rat' \(did you mean 'learning_rate'\?\)"):
        make_rl_cfg("unit-rl", torch, {"learning_rat": 1.0}, registry=reg)
    no_default = motrixlab.TrainerSpec(trainer="unit", backend="bare", entry="unit_rl_cfgs:NotAnRLCfg")
    with pytest.raises(ConfigError, match="no RL config for 'unit-rl-bare' with trainer 'unit/bare'"):
        make_rl_cfg("unit-rl-bare", no_default, registry=reg)
    wrong = motrixlab.TrainerSpec(trainer="unit", backend="x", entry="a:b", default_cfg="unit_rl_cfgs:NotAnRLCfg")
    with pytest.raises(PluginError, match="is not a RLCfg subclass"):
        make_rl_cfg("unit-rl-bare", wrong, registry=reg)


def test_an_rl_config_for_an_unknown_env_is_reported(cfg_module):
    _, warnings = rl_registry()
    (msg,) = mine(warnings, "unit-rl")
    assert "RL config 'unit_rl_cfgs:JaxPPO' is for unknown environment 'unit-rl-typo'" in msg
    assert "did you mean 'unit-rl'" in msg


def test_a_trainer_with_missing_imports_gives_an_install_hint(cfg_module):
    reg, _ = rl_registry(requires_jax=("unit_not_installed_framework",))
    with pytest.raises(MotrixLabError) as err:
        reg.trainer("unit", "jax")
    assert str(err.value) == (
        "backend 'unit/jax' needs unit_not_installed_framework, which is not installed; "
        "install it with: pip install 'unit-trainer[jax]'"
    )
    assert reg.trainer("unit", None).backend == "torch"  # no backend asked: the usable one
    with pytest.raises(UnknownNameError, match=r"unknown backend 'troch' \(did you mean 'torch'\?\)"):
        reg.trainer("unit", "troch")


def test_no_usable_backend_lists_every_install_hint(cfg_module):
    @motrixlab.hookimpl
    def motrixlab_register_trainers(register):
        for backend in ("torch", "jax"):
            register(
                motrixlab.TrainerSpec(
                    trainer="unit-missing",
                    backend=backend,
                    entry="unit_rl_cfgs:NotAnRLCfg",
                    requires=("unit_not_installed_framework",),
                    install_hint=f"pip install 'unit-trainer[{backend}]'",
                )
            )

    missing = plugin("unit_missing", motrixlab_register_trainers=motrixlab_register_trainers)
    reg, _ = run_discover(("unit-missing", missing))
    with pytest.raises(MotrixLabError, match=r"pip install 'unit-trainer\[torch\]'.*pip install 'unit-trainer\[jax\]'"):
        reg.trainer("unit-missing", None)


def test_no_trainer_installed_gives_the_install_command(monkeypatch):
    monkeypatch.setenv("MOTRIXLAB_DISABLE_PLUGINS", "skrl,rslrl")
    reg, _ = run_discover()
    assert not reg.trainers
    with pytest.raises(UnknownNameError, match=r"pip install 'motrixlab-trainer-skrl\[torch\]'"):
        reg.trainer("skrl", None)


# ---- lazy references ----------------------------------------------------------------------------


def test_load_ref_imports_on_use(cfg_module):
    assert load_ref("unit_rl_cfgs:JaxPPO") is JaxPPO
    assert load_ref("motrixlab.rlcfg:PPOCfg.validate") is PPOCfg.validate  # dotted attributes


@pytest.mark.parametrize(
    ("ref", "pattern"),
    [
        ("unit_no_such_module:Cfg", r"cannot import module 'unit_no_such_module' from 'unit_no_such_module:Cfg'"),
        ("unit_rl_cfgs:Missing", r"module 'unit_rl_cfgs' has no attribute 'Missing'"),
        ("unit_rl_cfgs:JaxPPO.nope", r"module 'unit_rl_cfgs' has no attribute 'JaxPPO.nope'"),
        ("unit_rl_cfgs.JaxPPO", r"invalid reference 'unit_rl_cfgs.JaxPPO'; expected 'package.module:attribute'"),
        ("unit_rl_cfgs:", r"invalid reference"),
        (":JaxPPO", r"invalid reference"),
        ("unit rl:JaxPPO", r"invalid reference"),
        ("unit_rl_cfgs:Jax-PPO", r"invalid reference"),
    ],
)
def test_load_ref_errors_say_what_was_wrong(cfg_module, ref, pattern):
    with pytest.raises(PluginError, match=pattern) as err:
        load_ref(ref, "env 'x' cfg")
    assert str(err.value).startswith("env 'x' cfg: ")


def test_load_ref_reports_a_module_that_fails_on_import(tmp_path, monkeypatch):
    (tmp_path / "unit_explodes.py").write_text("raise RuntimeError('kaboom at import')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PluginError, match=r"cannot import module 'unit_explodes'.*RuntimeError: kaboom at import"):
        load_ref("unit_explodes:Cfg", "env 'x' cfg")


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"name": "bad name", "cfg": SLIDER_CFG, "env": SLIDER_ENV}, "environment name 'bad name'"),
        ({"name": "", "cfg": SLIDER_CFG, "env": SLIDER_ENV}, "environment name ''"),
        ({"name": "ok", "cfg": "x", "env": SLIDER_ENV}, r"env 'ok' cfg: invalid reference 'x'"),
    ],
)
def test_env_spec_validates_its_fields(kwargs, pattern):
    with pytest.raises((ValueError, PluginError), match=pattern):
        motrixlab.EnvSpec(**kwargs)


# ---- when discovery runs ------------------------------------------------------------------------


def test_importing_motrixlab_discovers_nothing():
    code = (
        "import sys, motrixlab\n"
        "heavy = ('motrixlab.plugins', 'motrixlab_', 'motrixsim', 'numpy', 'gymnasium', 'typer', 'rich')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_registry_is_discovered_once_and_can_be_reset(fresh_registry):
    first = get_registry()
    assert get_registry() is first
    reset_registry()
    assert get_registry() is not first
