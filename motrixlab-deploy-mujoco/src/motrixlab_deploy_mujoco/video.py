"""A GIF of an episode, rendered offscreen by MuJoCo (``MUJOCO_GL=egl`` or ``osmesa`` on a headless machine)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from motrixlab.errors import MotrixLabError


class GifRecorder:
    """Frames at the control rate, a camera following the base body (or the model's free camera)."""

    def __init__(
        self, model: Any, description: dict[str, Any], path: Path, fps: int, size: tuple[int, int] = (320, 240)
    ) -> None:
        import mujoco

        try:
            from PIL import Image  # noqa: F401
        except ImportError:
            raise MotrixLabError("--video needs Pillow: pip install 'motrixlab-deploy-mujoco[video]'") from None
        try:
            self.renderer = mujoco.Renderer(model, height=size[1], width=size[0])
        except Exception as exc:  # no OpenGL context on this machine
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise MotrixLabError(
                f"--video: MuJoCo cannot render here ({first[:120]}); set MUJOCO_GL=egl or MUJOCO_GL=osmesa"
            ) from None
        self.camera = mujoco.MjvCamera()
        base = description.get("base_body")
        if base is not None:
            self.camera.type = mujoco.mjtCamera.mjCAMERA_TRACKING
            self.camera.trackbodyid = int(model.body(base).id)
            self.camera.distance, self.camera.elevation, self.camera.azimuth = 1.6, -20.0, 135.0
        else:
            self.camera.lookat[:] = model.stat.center
            self.camera.distance, self.camera.elevation, self.camera.azimuth = 3.0 * model.stat.extent, -10.0, 90.0
        self.path, self.fps, self.frames = Path(path), fps, []
        self.every = max(1, round(fps / 25))  # at most about 25 frames per second in the GIF

    def frame(self, data: Any) -> None:
        self._n = getattr(self, "_n", 0) + 1
        if (self._n - 1) % self.every:
            return
        self.renderer.update_scene(data, self.camera)
        self.frames.append(self.renderer.render().copy())

    def close(self, *, write: bool) -> Path | None:
        from PIL import Image

        self.renderer.close()
        if not write or not self.frames:
            return None
        images = [Image.fromarray(f) for f in self.frames]
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        duration = round(1000 * self.every / self.fps)
        images[0].save(tmp, format="GIF", save_all=True, append_images=images[1:], duration=duration, loop=0)
        tmp.replace(self.path)
        return self.path
