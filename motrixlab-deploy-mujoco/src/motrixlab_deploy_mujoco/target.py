"""The ``mujoco`` deploy target: episodes of an exported policy in MuJoCo, measured like ``eval``."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from motrixlab.deploy import DeployOptions, DeployResult, DeployTarget, control_dt

from motrixlab_deploy_mujoco.artifact import load_artifact
from motrixlab_deploy_mujoco.commands import command_sequences
from motrixlab_deploy_mujoco.controller import Controller
from motrixlab_deploy_mujoco.episodes import run_episode, summarize
from motrixlab_deploy_mujoco.model import load_model


class MujocoTarget(DeployTarget):
    """Runs each episode at the artifact's physics step with its control law (see ``controller``)."""

    def deploy(self, artifact: Path, options: DeployOptions) -> DeployResult:
        if options.video is not None and not os.environ.get("DISPLAY"):
            os.environ.setdefault("MUJOCO_GL", "egl")  # headless: offscreen rendering (read when mujoco loads)
        import mujoco

        art = load_artifact(artifact)
        d = art.description
        model, layout = load_model(d, str(artifact))
        data = mujoco.MjData(model)
        ctrl = Controller(d, layout)
        dt = control_dt(d)
        seconds = options.seconds if options.seconds is not None else float(d["episode"]["max_seconds"])
        steps = max(1, round(seconds / dt))
        rng = np.random.default_rng(options.seed)
        commands = command_sequences(d, options.episodes, steps, rng, options.command)
        reward = d.get("reward")
        per_step = float(reward["per_step"]) if reward and reward.get("kind") == "alive" else None
        recorder = None
        if options.video is not None:
            from motrixlab_deploy_mujoco.video import GifRecorder

            recorder = GifRecorder(model, d, options.video, fps=round(1.0 / dt))
        episodes = []
        try:
            for e in range(options.episodes):
                on_frame = recorder.frame if recorder is not None and e == 0 else None
                ep = run_episode(
                    d, model, data, ctrl, art, None if commands is None else commands[e], steps, rng, on_frame
                )
                episodes.append(ep.to_json(dt, per_step))
            video = recorder.close(write=True) if recorder is not None else None
            recorder = None
        finally:
            if recorder is not None:
                recorder.close(write=False)
        reference = None
        if options.compare:
            from motrixlab_deploy_mujoco.reference import motrixsim_episodes

            ref_episodes = motrixsim_episodes(art, commands, options.episodes, steps, options.seed)
            reference = {"engine": "motrixsim", "metrics": summarize(ref_episodes, dt)}
        return DeployResult(
            target=self.spec.name,
            artifact=str(artifact),
            env=d["env"],
            episodes=options.episodes,
            seconds=steps * dt,
            seed=options.seed,
            metrics=summarize(episodes, dt),
            per_episode=episodes,
            reference=reference,
            video=None if video is None else str(video),
        )
