"""ONNX and TorchScript export of a deterministic policy, observation normaliser included.

Every learner hands over plain NumPy parts (:meth:`Learner.policy_export_parts`), so a JAX policy
is rebuilt as the same torch MLP. Every file is checked against the live policy before it is
moved into place: a file that does not reproduce the policy to ``TOLERANCE`` is never written.
"""

from __future__ import annotations

import math
import os
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from motrixlab.errors import MotrixLabError

FORMATS = ("onnx", "torchscript")
TOLERANCE = 1e-5
INPUT_NAME = "obs"
OUTPUT_NAME = "actions"


class ExportError(MotrixLabError):
    """Export is impossible (missing package) or its output does not match the policy."""


#: the torch modules of ``PPOCfg.activation``'s names
ACTIVATIONS = {"elu": "ELU", "relu": "ReLU", "tanh": "Tanh", "silu": "SiLU"}


def _require(module: str, packages: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise ExportError(
            f"export needs {module!r}, which is not installed; install it with: pip install {packages}"
        ) from None


def build_module(parts: dict[str, Any]) -> Any:
    """``obs (B, O) float32 -> actions (B, A)``: normalise, clip, MLP, clip to the action bounds."""
    torch = _require("torch", "torch")
    from torch import nn

    class ExportedPolicy(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            layers: list[nn.Module] = []
            for i, (w, b) in enumerate(parts["layers"]):
                linear = nn.Linear(w.shape[1], w.shape[0])
                with torch.no_grad():
                    linear.weight.copy_(torch.tensor(np.asarray(w, np.float32)))
                    linear.bias.copy_(torch.tensor(np.asarray(b, np.float32)))
                layers.append(linear)
                if i < len(parts["layers"]) - 1:
                    layers.append(getattr(nn, ACTIVATIONS[parts["activation"]])())
            self.net = nn.Sequential(*layers)
            n_obs = parts["layers"][0][0].shape[1]
            normalise = parts["obs_mean"] is not None
            mean = parts["obs_mean"] if normalise else np.zeros(n_obs)
            std = parts["obs_std"] if normalise else np.ones(n_obs)
            self.register_buffer("obs_mean", torch.tensor(np.asarray(mean, np.float32)))
            self.register_buffer("obs_std", torch.tensor(np.asarray(std, np.float32)))
            self.obs_clip = float(parts["obs_clip"]) if normalise else float("inf")
            self.normalise = normalise
            self.clip_obs = normalise and math.isfinite(self.obs_clip)
            self.register_buffer("low", torch.tensor(np.asarray(parts["low"], np.float32)))
            self.register_buffer("high", torch.tensor(np.asarray(parts["high"], np.float32)))

        def forward(self, obs: torch.Tensor) -> torch.Tensor:
            x = obs
            if self.normalise:
                x = (x - self.obs_mean) / self.obs_std
                if self.clip_obs:
                    x = torch.clamp(x, -self.obs_clip, self.obs_clip)
            return torch.maximum(torch.minimum(self.net(x), self.high), self.low)

    return ExportedPolicy().eval()


def probe_observations(parts: dict[str, Any], n_obs: int, rows: int = 256, seed: int = 0) -> np.ndarray:
    """Inputs for the parity check: typical, wide and saturating observations."""
    rng = np.random.default_rng(seed)
    mean = np.asarray(parts["obs_mean"], np.float64) if parts["obs_mean"] is not None else np.zeros(n_obs)
    std = np.asarray(parts["obs_std"], np.float64) if parts["obs_std"] is not None else np.ones(n_obs)
    z = rng.standard_normal((rows, n_obs))
    z[rows // 2 :] *= 4.0  # some rows beyond the normaliser's clip
    return (mean + z * std).astype(np.float32)


def export_policy(
    parts: dict[str, Any],
    fmt: str,
    path: Path,
    live: Callable[[np.ndarray], np.ndarray],
    metadata: dict[str, str] | None = None,
) -> float:
    """Write ``path`` (atomically) and return the max abs difference to ``live`` on probe inputs.

    ``metadata`` goes into an ONNX file's ``metadata_props`` (the deploy description among them)."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; valid: {', '.join(FORMATS)}")
    torch = _require("torch", "torch")
    module = build_module(parts)
    n_obs = parts["layers"][0][0].shape[1]
    probe = probe_observations(parts, n_obs)
    expected = np.asarray(live(probe), np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if fmt == "onnx":
            _require("onnx", "onnx onnxruntime")
            ort = _require("onnxruntime", "onnx onnxruntime")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                # The TorchScript-based exporter needs no onnxscript and gives a plain, static graph.
                torch.onnx.export(
                    module,
                    (torch.from_numpy(probe[:1]),),
                    str(tmp),
                    dynamo=False,
                    input_names=[INPUT_NAME],
                    output_names=[OUTPUT_NAME],
                    dynamic_axes={INPUT_NAME: {0: "batch"}, OUTPUT_NAME: {0: "batch"}},
                    opset_version=17,
                )
            if metadata:
                _add_metadata(tmp, metadata)
            session = ort.InferenceSession(str(tmp), providers=["CPUExecutionProvider"])
            got = session.run([OUTPUT_NAME], {INPUT_NAME: probe})[0]
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                scripted = torch.jit.script(module)
                scripted.save(str(tmp))
                loaded = torch.jit.load(str(tmp))
            with torch.no_grad():
                got = loaded(torch.from_numpy(probe)).numpy()
        error = float(np.max(np.abs(np.asarray(got, np.float32) - expected)))
        if not error <= TOLERANCE:
            raise ExportError(
                f"exported {fmt} policy differs from the live policy by {error:.3g} (tolerance {TOLERANCE:g}); "
                f"nothing written"
            )
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return error


def _add_metadata(path: Path, metadata: dict[str, str]) -> None:
    onnx = _require("onnx", "onnx onnxruntime")
    model = onnx.load(str(path))
    for key, value in metadata.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(model, str(path))


def read_metadata(path: Path) -> dict[str, str]:
    """An ONNX file's ``metadata_props`` as a dict."""
    ort = _require("onnxruntime", "onnx onnxruntime")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return dict(session.get_modelmeta().custom_metadata_map)
