"""End to end on the torch backend: cartpole is trained once per module, then evaluated, played,
exported and inspected through the CLI, and every way of pointing at a bad checkpoint is tried."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from motrixlab.video import vulkan_drivers
from motrixlab_testenv.cli import error_lines
from trainer_helpers import run_cli, set_args, train_cartpole

SEED = 0
BUDGET = 24_576  # env steps; the pinned config balances cartpole well within this
EVAL_KEYS = {
    "episodes",
    "mean_return",
    "std_return",
    "mean_length",
    "std_length",
    "success_rate",
    "checkpoint",
    "env_steps",
    "extra",
}


@pytest.fixture(scope="module")
def trained(module_runs: Path) -> Path:
    return train_cartpole(
        module_runs,
        *("--backend", "torch", "--seed", str(SEED), "--max-steps", str(BUDGET), "--no-progress"),
        *set_args(),
        *("--set", "rl.checkpoint_interval=8192"),
    )


def test_training_balances_the_pole(trained, capsys):
    code, out, err = run_cli(capsys, "eval", "cartpole", "--checkpoint", "latest", "--episodes", "20", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["episodes"] == 20
    assert result["mean_return"] >= 900, result
    assert result["mean_length"] == pytest.approx(result["mean_return"])  # +1 per step
    summary = json.loads((trained / "summary.json").read_text())
    assert result["env_steps"] == summary["env_steps"] >= BUDGET
    assert summary["finished"] is True and summary["backend"] == "torch"


def test_eval_json_schema_is_stable(trained, capsys):
    code, out, _ = run_cli(capsys, "eval", "cartpole", "--episodes", "3", "--json")
    assert code == 0
    result = json.loads(out)
    assert set(result) == EVAL_KEYS
    assert result["checkpoint"].endswith("best.ckpt")  # the default checkpoint
    assert isinstance(result["mean_return"], float) and isinstance(result["episodes"], int)
    assert result["success_rate"] is None  # cartpole reports no success
    assert result["extra"]["reward/alive"] == pytest.approx(1.0)


def test_eval_under_other_env_settings(trained, capsys):
    # episodes of 1 s (100 control steps) instead of the run's 10 s: a balancing policy lasts them all
    code, out, err = run_cli(
        capsys, "eval", "cartpole", "--episodes", "4", "--json", "--set", "env.max_episode_seconds=1.0"
    )
    assert code == 0, err
    assert json.loads(out)["mean_length"] == 100
    line = _one_error(capsys, "eval", "cartpole", "--set", "rl.num_envs=4")
    assert "evaluation takes only env.<field> overrides" in line
    line = _one_error(capsys, "play", "cartpole", "--set", "env.no_such_field=1")
    assert "no_such_field" in line


def test_eval_table_and_play_show_episode_stats(trained, capsys):
    code, out, _ = run_cli(capsys, "eval", "cartpole", "--episodes", "2")
    assert code == 0 and "return" in out and "length" in out and "best.ckpt" in out
    code, out, err = run_cli(capsys, "play", "cartpole", "--episodes", "2", "--checkpoint", "latest")
    assert code == 0, err
    assert "episode" in err and "latest.ckpt" in err  # the live table goes to stderr
    assert "2 episodes" in out and "return" in out  # the final summary to stdout


@pytest.mark.skipif(not vulkan_drivers(), reason="rendering needs a Vulkan driver (mesa-vulkan-drivers on CPU)")
def test_play_records_a_gif_of_the_episode(trained, capsys, tmp_path):
    from PIL import Image, ImageSequence

    gif = tmp_path / "cartpole.gif"
    code, out, err = run_cli(
        capsys, "play", "cartpole", "--episodes", "1", "--checkpoint", "latest", "--video", str(gif),
        "--set", "env.max_episode_seconds=1.0",
    )  # fmt: skip
    assert code == 0, err
    assert f"video: {gif}" in out.replace("\n", "")
    image = Image.open(gif)
    frames, ms = [], []
    for frame in ImageSequence.Iterator(image):
        frames.append(np.asarray(frame.convert("RGB"), np.int32))
        ms.append(frame.info["duration"])
    # 100 control steps of 10 ms at 25 frames per second: a frame every 4th step, 40 ms each (GIF
    # writers merge identical neighbours into one longer frame, so count the time)
    assert image.size == (320, 240) and sum(ms) == 25 * 40 and len(frames) > 5
    assert frames[0].std() > 10  # a drawn scene, not a blank first frame
    assert np.abs(frames[-1] - frames[0]).sum() > 0  # the cart moves


def test_play_video_errors_are_one_line_and_write_nothing(trained, capsys, tmp_path, monkeypatch):
    line = _one_error(capsys, "play", "cartpole", "--video", str(tmp_path / "out.mp4"))
    assert "--video" in line and "must end in .gif" in line
    line = _one_error(capsys, "play", "cartpole", "--video", str(tmp_path / "missing" / "out.gif"))
    assert "does not exist" in line
    monkeypatch.delenv("VK_DRIVER_FILES", raising=False)
    monkeypatch.delenv("VK_ADD_DRIVER_FILES", raising=False)
    monkeypatch.setenv("VK_ICD_FILENAMES", str(tmp_path / "no_such_icd.json"))
    line = _one_error(capsys, "play", "cartpole", "--video", str(tmp_path / "out.gif"))
    assert "no Vulkan driver" in line and "mesa-vulkan-drivers" in line
    assert list(tmp_path.iterdir()) == []


def test_run_directory_layout(trained):
    config = json.loads((trained / "config.json").read_text())
    assert trained.name.endswith("-skrl-torch") and trained.parent.name == "cartpole"
    assert {"env", "trainer", "backend", "seed", "env_cfg", "rl_cfg", "versions", "command"} <= set(config)
    assert config["seed"] == SEED and config["rl_cfg"]["seed"] == SEED
    assert config["rl_cfg"]["num_envs"] == 32 and config["env_cfg"]["max_episode_seconds"] > 0
    assert {"skrl", "torch", "motrixsim", "motrixlab-core"} <= set(config["versions"])
    names = sorted(p.name for p in (trained / "checkpoints").iterdir())
    assert {"latest.ckpt", "best.ckpt", "step-8192.ckpt", "step-16384.ckpt"} <= set(names)
    assert not [n for n in names if n.endswith(".tmp")]
    lines = [json.loads(line) for line in (trained / "metrics.jsonl").read_text().splitlines()]
    steps = [line["env_steps"] for line in lines]
    assert steps == sorted(steps) and steps[0] == 512 and steps[-1] >= BUDGET
    assert all("loss/policy" in line and "perf/env_steps_per_s" in line for line in lines)


def test_tensorboard_events_hold_the_expected_scalars(trained):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = list(trained.glob("events.out.tfevents.*"))
    assert len(events) == 1
    acc = EventAccumulator(str(trained))
    acc.Reload()
    tags = set(acc.Tags()["scalars"])
    expected = {
        "episode/return",
        "episode/length",
        "loss/policy",
        "loss/value",
        "policy/std",
        "train/learning_rate",
        "perf/env_steps_per_s",
        "env/reward/alive",
        "env/diverged",
    }
    assert expected <= tags, expected - tags
    returns = acc.Scalars("episode/return")
    assert max(e.step for e in acc.Scalars("loss/policy")) >= BUDGET  # steps count env steps
    assert returns[-1].value > returns[0].value  # it learned


@pytest.mark.parametrize("fmt", ["onnx", "torchscript"])
def test_export_matches_the_live_policy(trained, capsys, fmt, tmp_path):
    target = tmp_path / f"policy.{fmt}"
    code, out, err = run_cli(capsys, "export", "cartpole", "--format", fmt, "--output", str(target))
    assert code == 0, err
    assert target.is_file() and str(target) in out.replace("\n", "")
    obs = np.random.default_rng(0).normal(0, 0.3, (500, 4)).astype(np.float32)
    obs[:10] *= 100  # far outside the normaliser's range: its clip is part of the export
    live = _live_policy(trained)
    if fmt == "onnx":
        import onnxruntime as ort

        session = ort.InferenceSession(str(target), providers=["CPUExecutionProvider"])
        got = session.run(None, {"obs": obs})[0]
    else:
        import torch

        got = torch.jit.load(str(target))(torch.from_numpy(obs)).detach().numpy()
    want = live(obs)
    assert got.shape == (500, 1)
    np.testing.assert_allclose(got, want, atol=1e-5, rtol=0)
    assert np.abs(want).max() > 1e-3  # a real policy, not zeros


def test_export_default_path_is_inside_the_run(trained, capsys):
    code, _, err = run_cli(capsys, "export", "cartpole", "--format", "torchscript", "--checkpoint", "latest")
    assert code == 0, err
    assert (trained / "exported" / "latest.pt").is_file()
    code, _, err = run_cli(capsys, "export", "cartpole", "--format", "tflite")
    assert code == 1 and error_lines(err) == [
        "motrixlab: error: unknown export format 'tflite'; valid: onnx, torchscript"
    ]


def _live_policy(run_dir: Path):
    from motrixlab.cli.train import _load_run, _trainer, build_run

    run_dir, saved = _load_run("cartpole", str(run_dir))
    run = build_run("cartpole", run_dir=run_dir, saved=saved)
    backend, _ = _trainer(run.trainer).load_policy(run, run_dir / "checkpoints" / "best.ckpt")
    return backend.deterministic


# ---- bad checkpoints: one line, exit 1, nothing written -------------------------------------------------


def _one_error(capsys, *args: str) -> str:
    code, _, err = run_cli(capsys, *args)
    lines = error_lines(err)
    assert code == 1 and len(lines) == 1, err
    assert lines[0].startswith("motrixlab: error: ")
    return lines[0]


def test_truncated_checkpoint_is_a_clear_error(trained, capsys, tmp_path):
    broken = tmp_path / "broken.ckpt"
    data = (trained / "checkpoints" / "latest.ckpt").read_bytes()
    broken.write_bytes(data[: len(data) // 2])
    line = _one_error(capsys, "eval", "cartpole", "--checkpoint", str(broken))
    assert "is truncated" in line and str(broken) in line


def test_unknown_checkpoint_lists_what_exists(trained, capsys):
    line = _one_error(capsys, "eval", "cartpole", "--checkpoint", "step-3")
    assert "checkpoint 'step-3' not found" in line and "best.ckpt, latest.ckpt" in line and "step-8192.ckpt" in line


def test_checkpoint_of_another_backend_or_env_is_refused(trained, capsys, tmp_path):
    line = _one_error(capsys, "eval", "cartpole", "--backend", "jax")
    assert "trained with backend 'torch', not 'jax'" in line
    # a checkpoint file of this run handed to a test-slider run
    slider_runs = trained.parent.parent / "test-slider"
    fake_run = slider_runs / "20000101-000000-skrl-torch"
    fake_run.mkdir(parents=True)
    config = json.loads((trained / "config.json").read_text())
    config.update(env="test-slider", env_cfg={}, rl_cfg={})
    (fake_run / "config.json").write_text(json.dumps(config))
    line = _one_error(
        capsys,
        "eval",
        "test-slider",
        "--run",
        str(fake_run),
        "--checkpoint",
        str(trained / "checkpoints" / "latest.ckpt"),
    )
    assert "was trained on env 'cartpole', not 'test-slider'" in line
    shutil.rmtree(slider_runs)


def test_resume_problems_are_clear_and_touch_nothing(trained, capsys, tmp_path):
    line = _one_error(capsys, "train", "cartpole", "--resume", "19990101-000000-skrl-torch")
    assert "run '19990101-000000-skrl-torch' not found for 'cartpole'" in line
    line = _one_error(capsys, "train", "cartpole", "--resume", "latest")  # budget already reached
    assert "already has" in line and "--max-steps" in line
    # a corrupted latest checkpoint: refused before anything is written
    copy = tmp_path / trained.name
    shutil.copytree(trained, copy)
    latest = copy / "checkpoints" / "latest.ckpt"
    data = bytearray(latest.read_bytes())
    data[-10] ^= 0x55
    latest.write_bytes(bytes(data))
    before = {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    line = _one_error(capsys, "train", "cartpole", "--resume", str(copy), "--max-steps", str(2 * BUDGET))
    assert "corrupted" in line and str(latest) in line
    after = {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    assert after == before
