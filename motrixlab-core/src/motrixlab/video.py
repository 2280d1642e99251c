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
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from motrixlab.errors import ConfigError
from motrixlab.runs import atomic_write_bytes

INSTALL_HINT = "install a Vulkan driver (without a GPU: apt-get install mesa-vulkan-drivers libvulkan1)"
#: where the Vulkan loader looks for driver manifests, besides $XDG_CONFIG_DIRS and $XDG_DATA_DIRS
ICD_DIRS = (
    "/etc/vulkan/icd.d",
    "/usr/local/etc/vulkan/icd.d",
    "/usr/local/share/vulkan/icd.d",
    "/usr/share/vulkan/icd.d",
    "~/.local/share/vulkan/icd.d",
)
#: ``SystemCamera.set_view`` arguments of envs that do not say where to look (``camera_view``)
DEFAULT_VIEW: dict[str, Any] = {"lookat": (0.0, 0.0, 0.5), "distance": 3.0, "elevation": -15.0, "azimuth": 90.0}


def vulkan_drivers() -> list[str]:
    """The Vulkan driver manifests the loader would find: those VK_DRIVER_FILES (or the older
    VK_ICD_FILENAMES) names instead of the search path, plus VK_ADD_DRIVER_FILES."""

    def manifests(entries: list[str]) -> list[str]:
        out: list[str] = []
        for entry in entries:
            path = Path(entry).expanduser()
            if path.is_dir():
                out += sorted(glob.glob(str(path / "*.json")))
            elif path.is_file():
                out.append(str(path))
        return out

    def listed(name: str) -> list[str]:
        return [p for p in os.environ.get(name, "").split(os.pathsep) if p]

    named = listed("VK_DRIVER_FILES") or listed("VK_ICD_FILENAMES")
    if named:
        return manifests(named) + manifests(listed("VK_ADD_DRIVER_FILES"))
    xdg = [
        os.path.join(d, "vulkan", "icd.d")
        for var in ("XDG_CONFIG_DIRS", "XDG_DATA_DIRS")
        for d in os.environ.get(var, "").split(os.pathsep)
        if d
    ]
    return manifests([*ICD_DIRS, *xdg]) + manifests(listed("VK_ADD_DRIVER_FILES"))


def check_video_path(path: Path) -> Path:
    """A path ``--video`` may write, and what recording needs, checked before any work starts."""
    path = Path(path)
    if path.suffix.lower() != ".gif":
        raise ConfigError(f"--video: {str(path)!r} must end in .gif (the only format written)")
    if not path.parent.is_dir():
        raise ConfigError(f"--video: directory {str(path.parent)!r} does not exist")
    if path.is_dir():
        raise ConfigError(f"--video: {str(path)!r} is a directory")
    try:
        import PIL  # noqa: F401
    except ImportError:
        raise ConfigError("--video: writing GIFs needs Pillow (pip install 'motrixlab-core[video]')") from None
    if not vulkan_drivers():
        raise ConfigError(f"--video: no Vulkan driver found for the renderer; {INSTALL_HINT}")
    return path


class VideoRecorder:
    """Records row 0 of ``env`` (an env with a MotrixSim ``model`` and ``data``, such as ``NpEnv``),
    looking where ``env.camera_view(0)`` says: call :meth:`step` after every env step, then
    :meth:`close` (which writes the GIF atomically only with ``write=True``)."""

    def __init__(self, env: Any, path: Path, *, fps: int = 25, width: int = 320, height: int = 240) -> None:
        if not (hasattr(env, "model") and hasattr(env, "data")):
            raise ConfigError(f"--video: {type(env).__name__} has no MotrixSim model to render")
        self.env = env
        self.path = check_video_path(path)
        dt = float(env.cfg.ctrl_dt)
        self.every = max(1, round(1.0 / (fps * dt)))  # env steps per frame
        self.frame_ms = max(10, round(100 * self.every * dt) * 10)  # GIF stores durations in 1/100 s
        self.frames: list[Any] = []  # palette images: a quarter of the RGB frames' memory
        self._steps = 0
        os.environ.setdefault("WGPU_BACKEND", "vulkan")  # never the OpenGL fallback
        self._runtime_dir: str | None = None
        if not os.environ.get("XDG_RUNTIME_DIR"):  # else the renderer's window probing complains on stderr
            self._runtime_dir = tempfile.mkdtemp(prefix="motrixlab-render-")
            os.environ["XDG_RUNTIME_DIR"] = self._runtime_dir
        self._app: Any = None
        try:
            from motrixsim.render import RenderApp

            env.model.cameras.set_system_render_target("image", width, height)
            app = RenderApp(headless=True)
            app.__enter__()
            self._app = app
            self._app.launch(env.model)
            self._capture()  # the renderer's first frame is blank: the scene is not loaded yet
        except BaseException:
            self._shut_down()
            raise
        self.frames.clear()

    def _capture(self) -> None:
        from PIL import Image

        camera = self._app.system_camera
        view = getattr(self.env, "camera_view", None)
        camera.set_view(**(view(0) if view is not None else DEFAULT_VIEW))
        task = camera.capture()
        self._app.sync(self.env.data, wait=True)
        image = task.take_image()
        if image is not None:
            rgb = np.ascontiguousarray(np.asarray(image.pixels)[..., :3])
            self.frames.append(Image.fromarray(rgb).quantize(256))

    def step(self) -> None:
        if self._steps % self.every == 0:
            self._capture()
        self._steps += 1

    def _shut_down(self) -> None:
        try:
            if self._app is not None:
                self._app.__exit__(None, None, None)
                self._app = None
        finally:
            if self._runtime_dir is not None:
                os.environ.pop("XDG_RUNTIME_DIR", None)
                shutil.rmtree(self._runtime_dir, ignore_errors=True)
                self._runtime_dir = None

    def close(self, *, write: bool = True) -> Path:
        """Shut the renderer down; with ``write``, write the GIF (an error if no frame was drawn)."""
        self._shut_down()
        if not write:
            return self.path
        if not self.frames:
            raise RuntimeError("--video: the renderer returned no frames")
        first, *rest = self.frames
        buffer = io.BytesIO()
        first.save(buffer, format="GIF", save_all=True, append_images=rest, duration=self.frame_ms, loop=0)
        atomic_write_bytes(self.path, buffer.getvalue())
        return self.path
