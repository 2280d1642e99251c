"""Episodes as animated GIFs, drawn by MotrixSim's headless renderer.

The renderer runs on Vulkan; on a machine without a GPU, Mesa's CPU driver (lavapipe) works:
``apt-get install mesa-vulkan-drivers libvulkan1``. Without any Vulkan driver the renderer falls
back to OpenGL and can hang, so recording refuses to start instead. Frames are slow on a CPU
(a few per second at 320 x 240): this is for looking at a policy, not for observations.
"""

from __future__ import annotations

import glob
import io
import os
from pathlib import Path
from typing import Any

import numpy as np

from motrixlab.errors import ConfigError
from motrixlab.runs import atomic_write_bytes

ICD_DIRS = ("/usr/share/vulkan/icd.d", "/etc/vulkan/icd.d", "/usr/local/share/vulkan/icd.d")
INSTALL_HINT = "install a Vulkan driver (without a GPU: apt-get install mesa-vulkan-drivers libvulkan1)"


def vulkan_drivers() -> list[str]:
    """The Vulkan driver manifests the loader would find (those named by VK_ICD_FILENAMES or
    VK_DRIVER_FILES first)."""
    named = os.environ.get("VK_DRIVER_FILES") or os.environ.get("VK_ICD_FILENAMES")
    if named:
        return [p for p in named.split(os.pathsep) if Path(p).is_file()]
    return sorted(f for d in ICD_DIRS for f in glob.glob(os.path.join(d, "*.json")))


def check_video_path(path: Path) -> Path:
    """A path ``--video`` may write, checked before any work starts."""
    path = Path(path)
    if path.suffix.lower() != ".gif":
        raise ConfigError(f"--video: {str(path)!r} must end in .gif (the only format written)")
    if not path.parent.is_dir():
        raise ConfigError(f"--video: directory {str(path.parent)!r} does not exist")
    if not vulkan_drivers():
        raise ConfigError(f"--video: no Vulkan driver found for the renderer; {INSTALL_HINT}")
    return path


class VideoRecorder:
    """Records row 0 of ``env`` (an env with a MotrixSim ``model`` and ``data``, such as ``NpEnv``):
    call :meth:`step` after every env step; :meth:`close` writes the GIF atomically."""

    def __init__(self, env: Any, path: Path, *, fps: int = 25, width: int = 320, height: int = 240) -> None:
        if not (hasattr(env, "model") and hasattr(env, "data")):
            raise ConfigError(f"--video: {type(env).__name__} has no MotrixSim model to render")
        try:
            from PIL import Image  # noqa: F401
        except ImportError:
            raise ConfigError("--video: writing GIFs needs Pillow (pip install 'motrixlab-core[video]')") from None
        self.env = env
        self.path = check_video_path(path)
        dt = float(env.cfg.ctrl_dt)
        self.every = max(1, round(1.0 / (fps * dt)))  # env steps per frame
        self.frame_ms = round(1000 * self.every * dt)
        self.frames: list[np.ndarray] = []
        self._steps = 0
        drivers = vulkan_drivers()
        lavapipe = [d for d in drivers if "lvp_icd" in os.path.basename(d)]
        if lavapipe and len(drivers) > 1 and not os.environ.get("VK_ICD_FILENAMES"):
            os.environ["VK_ICD_FILENAMES"] = lavapipe[0]  # the other manifests may be GPUs this machine lacks
        os.environ.setdefault("WGPU_BACKEND", "vulkan")  # never the OpenGL fallback
        from motrixsim.render import RenderApp

        env.model.cameras.set_system_render_target("image", width, height)
        self._app = RenderApp(headless=True)
        self._app.__enter__()
        self._app.launch(env.model)
        self._capture()  # the renderer's first frame is blank: the scene is not loaded yet
        self.frames.clear()

    def _capture(self) -> None:
        camera = self._app.system_camera
        camera.set_view(**_view(self.env))
        task = camera.capture()
        self._app.sync(self.env.data, wait=True)
        image = task.take_image()
        if image is not None:
            self.frames.append(np.asarray(image.pixels)[..., :3].copy())

    def step(self) -> None:
        if self._steps % self.every == 0:
            self._capture()
        self._steps += 1

    def close(self) -> Path | None:
        """Shut the renderer down and write the GIF (nothing when no frame was captured)."""
        self._app.__exit__(None, None, None)
        if not self.frames:
            return None
        from PIL import Image

        images = [Image.fromarray(f) for f in self.frames]
        buffer = io.BytesIO()
        images[0].save(buffer, format="GIF", save_all=True, append_images=images[1:], duration=self.frame_ms, loop=0)
        atomic_write_bytes(self.path, buffer.getvalue())
        return self.path


def _view(env: Any) -> dict[str, Any]:
    view = getattr(env, "camera_view", None)
    if view is not None:
        return dict(view(0))
    return {"lookat": [0.0, 0.0, 0.5], "distance": 3.0, "elevation": -15.0, "azimuth": 90.0}
