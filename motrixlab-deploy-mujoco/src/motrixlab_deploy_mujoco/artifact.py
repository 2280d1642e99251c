"""An exported policy file: its ONNX network and the deploy description in its metadata."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from motrixlab.deploy import METADATA_KEY, DeployUnavailable, decode


@dataclass
class Artifact:
    """The policy (``obs (B, O) -> actions (B, A)``, float32) and its description."""

    path: Path
    description: dict[str, Any]
    session: Any

    def __call__(self, obs: np.ndarray) -> np.ndarray:
        return self.session.run(None, {self._input: np.ascontiguousarray(obs, np.float32)})[0]

    @property
    def _input(self) -> str:
        return self.session.get_inputs()[0].name


def load_artifact(path: Path) -> Artifact:
    """Open ``path``; one-line errors for a file that is not ONNX, has no description, or does not fit it."""
    import onnxruntime as ort

    path = Path(path)
    try:
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own exception types for unreadable files
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise DeployUnavailable(f"{str(path)!r} is not an ONNX model onnxruntime can load: {first[:160]}") from None
    description = decode(session.get_modelmeta().custom_metadata_map.get(METADATA_KEY), str(path))
    shape = session.get_inputs()[0].shape
    if len(shape) != 2 or shape[1] != description["obs_dim"]:
        raise DeployUnavailable(
            f"{str(path)!r}: the network takes observations of shape {shape}, "
            f"the description says {description['obs_dim']}"
        )
    return Artifact(path=path, description=description, session=session)
