"""The ``motrixlab`` command line, run in-process through ``main()`` and, where exit codes and
tracebacks matter, as a real subprocess.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from motrixlab import ConfigError
from motrixlab.cli.app import main
from motrixlab_testenv.cli import error_lines


def subprocess_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    import os

    full_env = {**os.environ, "RUST_LOG": "error", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "motrixlab", *args], capture_output=True, text=True, env=full_env, timeout=120
    )


# ---- list / info / plugins ----------------------------------------------------------------------


def test_list_shows_the_installed_envs(cli):
    code, out, _ = cli("list")
    assert code == 0
    assert "test-slider" in out and "motrixlab-testenv" in out and "Cart-pole on a motor" in out


def test_list_json_and_domain_filter(cli):
    code, out, _ = cli("list", "--json")
    assert code == 0
    envs = {e["name"]: e for e in json.loads(out)}
    assert envs["test-slider"] == {
        "name": "test-slider",
        "domain": "test",
        "description": "Cart-pole on a motor, for MotrixLab's tests",
        "plugin": "testenv",
        "distribution": "motrixlab-testenv",
        "tags": [],
    }
    code, out, _ = cli("list", "--domain", "test", "--json")
    assert code == 0 and {e["domain"] for e in json.loads(out)} == {"test"}
    code, out, _ = cli("list", "--domain", "test")
    assert code == 0 and "test-slider" in out


def test_list_unknown_domain_suggests_one(cli):
    code, out, err = cli("list", "--domain", "tset")
    assert code == 1 and out == ""
    assert error_lines(err) == [
        err.strip().splitlines()[-1],
    ]
    assert err.startswith("motrixlab: error: unknown domain 'tset' (did you mean 'test'?); domains: ")


def test_list_with_no_plugins_tells_how_to_install_some(cli, monkeypatch):
    from importlib.metadata import entry_points

    every = ",".join(ep.name for ep in entry_points(group="motrixlab"))
    monkeypatch.setenv("MOTRIXLAB_DISABLE_PLUGINS", every)
    code, out, _ = cli("list")
    assert code == 0
    assert "No environments installed." in out and "pip install motrixlab-envs-basic" in out
    code, out, _ = cli("list", "--json")
    assert code == 0 and json.loads(out) == []


def test_info_json_describes_config_spaces_and_plugin(cli):
    code, out, _ = cli("info", "test-slider", "--json")
    assert code == 0
    info = json.loads(out)
    fields = {f["name"]: f for f in info["fields"]}
    assert fields["max_angle"] == {"name": "max_angle", "type": "float", "default": 0.5, "doc": ""}
    assert fields["reset_noise"]["default"] == 0.05
    assert fields["model_file"]["default"].endswith("slider.xml")
    assert info["observation_space"] == {"shape": [4], "dtype": "float32"}
    assert info["action_space"] == {"shape": [1], "dtype": "float32", "low": [-1.0], "high": [1.0]}
    assert (info["sim_substeps"], info["max_episode_steps"]) == (2, 50)
    assert (info["plugin"], info["distribution"], info["version"]) == ("testenv", "motrixlab-testenv", "0.1.0")
    assert (info["cfg_class"], info["env_class"]) == (
        "motrixlab_testenv.env:SliderCfg",
        "motrixlab_testenv.env:SliderEnv",
    )
    for backend in info["backends"]:
        assert set(backend) == {"backend", "installed", "rl_cfg", "notes"}
        assert all(isinstance(note, str) and "\n" not in note for note in backend["notes"])
    notes = {b["backend"]: b["notes"] for b in info["backends"]}
    assert notes.get("skrl/torch", []) == []  # skrl honours every PPOCfg field
    if "rslrl/torch" in notes:  # what rsl_rl does instead of a value normaliser is said, not hidden
        assert any(n.startswith("rl.value_normalization=true:") for n in notes["rslrl/torch"])


def test_info_text_shows_fields_and_spaces(cli, monkeypatch):
    monkeypatch.setenv("MOTRIXLAB_DISABLE_PLUGINS", "skrl,rslrl")
    code, out, _ = cli("info", "test-slider")
    assert code == 0
    assert "max_angle" in out and "reset_noise" in out and "Box(4,)" in out and "Box(1,)" in out
    assert "2 physics steps of 0.01 s per action; episodes of 50 steps" in out
    assert "pip install 'motrixlab-trainer-skrl[torch]'" in out  # brackets survive the console markup


def test_plugins_lists_name_distribution_version_and_registrations(cli):
    code, out, _ = cli("plugins", "--json")
    assert code == 0
    plugins = {p["name"]: p for p in json.loads(out)}
    assert plugins["testenv"] == {
        "name": "testenv",
        "module": "motrixlab_testenv.plugin",
        "distribution": "motrixlab-testenv",
        "version": "0.1.0",
        "disabled": False,
        "envs": ["test-slider", "test-refresh"],
        "rl_cfgs": [],
        "trainers": [],
        "deploy_targets": [],
        "errors": [],
    }
    code, out, _ = cli("plugins")
    assert code == 0 and "testenv" in out and "motrixlab-testenv" in out and "test-slider" in out


@pytest.mark.parametrize("command", [("info", "test-slidr"), ("bench", "test-slidr"), ("train", "test-slidr")])
def test_unknown_env_suggests_the_closest_name(cli, command):
    code, out, err = cli(*command)
    assert code == 1 and out == ""
    (line,) = error_lines(err)
    assert line.startswith("motrixlab: error: unknown environment 'test-slidr' (did you mean 'test-slider'?)")
    assert "installed: " in line and "test-slider" in line.split("installed: ")[1]


def test_train_without_a_trainer_gives_the_install_command(cli, monkeypatch):
    monkeypatch.setenv("MOTRIXLAB_DISABLE_PLUGINS", "skrl,rslrl")
    code, out, err = cli("train", "test-slider")
    assert code == 1 and out == ""
    (line,) = error_lines(err)
    assert line.startswith("motrixlab: error: no trainer backend is installed")
    assert "pip install 'motrixlab-trainer-skrl[torch]'" in line


# ---- bench --------------------------------------------------------------------------------------


def test_bench_defaults_are_the_floor_measurement():
    """``motrixlab bench ENV`` measures what the physics-share floors are stated in: the median of
    5 windows of 100 steps at 1024 envs."""
    import typer
    from motrixlab.cli.app import app

    command = typer.main.get_command(app).commands["bench"]
    defaults = {p.name: p.default for p in command.params}
    assert (defaults["num_envs"], defaults["steps"], defaults["repeat"]) == (1024, 100, 5)
    assert "5 windows of 100 steps at 1024 envs" in command.help


def test_bench_repeats_five_windows_by_default(cli):
    code, out, _ = cli("bench", "test-slider", "-n", "4", "-k", "3", "--json")
    assert code == 0
    result = json.loads(out)
    assert result["repeat"] == 5 and len(result["windows"]) == 5 and result["steps"] == 3


def test_bench_json_reports_throughput_and_physics_share(cli):
    code, out, _ = cli("bench", "test-slider", "--num-envs", "16", "--steps", "30", "--repeat", "1", "--json")
    assert code == 0
    result = json.loads(out)
    assert (result["env"], result["num_envs"], result["steps"], result["sim_substeps"]) == ("test-slider", 16, 30, 2)
    assert result["env_steps_per_s"] > 100
    assert result["raw_steps_per_s"] > 100
    assert 0.0 < result["physics_share"] <= 1.0
    assert result["actions"] == "random" and result["resets_per_step"] >= 0.0
    assert result["repeat"] == 1 and result["windows"] == [
        {"env_steps_per_s": result["env_steps_per_s"], "physics_share": result["physics_share"]}
    ]


def test_bench_repeat_reports_medians_of_its_windows(cli):
    code, out, _ = cli("bench", "test-slider", "-n", "8", "-k", "10", "--repeat", "3", "--json")
    assert code == 0
    result = json.loads(out)
    windows = result["windows"]
    assert result["repeat"] == 3 and len(windows) == 3
    assert all(w["env_steps_per_s"] > 0 and 0.0 < w["physics_share"] <= 1.0 for w in windows)
    assert result["physics_share"] == sorted(w["physics_share"] for w in windows)[1]
    assert result["env_steps_per_s"] == sorted(w["env_steps_per_s"] for w in windows)[1]
    code, out, _ = cli("bench", "test-slider", "-n", "8", "-k", "5", "-r", "2")
    assert code == 0 and "median of 2 windows" in out


def test_bench_text_and_overrides(cli):
    code, out, _ = cli("bench", "test-slider", "-n", "8", "-k", "5", "-r", "1", "--set", "env.ctrl_dt=0.04")
    assert code == 0
    assert out.startswith("test-slider: ") and "env-steps/s at 8 envs" in out and "physics share" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--num-envs", "0"), "--num-envs and --steps must be positive, got 0 and 5"),
        (("--actions", "zero"), "--actions: must be one of random, middle, got 'zero'"),
        (("--repeat", "0"), "--repeat must be positive, got 0"),
        (("--set", "rl.learning_rate=1"), "bench takes only env.<field> overrides"),
        (("--set", "env.max_angle=x"), "env.max_angle: expected float, got 'x'"),
        (("--set", "env.max_angel=1"), "unknown field 'env.max_angel' (did you mean 'max_angle'?)"),
        (("--set", "env.ctrl_dt=0.015"), "env.ctrl_dt: must be a whole multiple of sim_dt"),
        (("--set", "env.model_file=/nonexistent/m.xml"), "env.model_file: '/nonexistent/m.xml' does not exist"),
        (("--set", "max_angle=1"), "--set 'max_angle=1': expected env.<field>=<value>"),
    ],
)
def test_bench_user_errors_are_one_line(cli, args, message):
    code, out, err = cli("bench", "test-slider", "--steps", "5", *args)
    assert code == 1 and out == ""
    (line,) = error_lines(err)
    assert line.startswith(f"motrixlab: error: {message}")


def test_debug_reraises_the_error_for_a_traceback(cli):
    with pytest.raises(ConfigError, match=r"env\.max_angle: expected float"):
        main(["--debug", "bench", "test-slider", "--set", "env.max_angle=x"])


# ---- as a real process --------------------------------------------------------------------------


def test_a_user_error_exits_1_with_one_line_and_no_traceback():
    proc = subprocess_cli("bench", "test-slider", "--set", "env.max_angle=x")
    assert proc.returncode == 1 and proc.stdout == ""
    assert error_lines(proc.stderr) == [
        "motrixlab: error: env.max_angle: expected float, got 'x' (could not convert string to float: 'x')"
    ]


def test_debug_shows_the_traceback():
    proc = subprocess_cli("--debug", "bench", "test-slider", "--set", "env.max_angle=x")
    assert proc.returncode == 1
    assert "Traceback (most recent call last)" in proc.stderr
    assert "motrixlab.errors.ConfigError: env.max_angle: expected float" in proc.stderr


def test_usage_errors_come_from_the_parser():
    proc = subprocess_cli("bench")
    assert proc.returncode == 2 and "missing argument 'env'" in proc.stderr.lower()
    proc = subprocess_cli()
    assert "list" in proc.stdout + proc.stderr and "train" in proc.stdout + proc.stderr
