"""A torch learner's state as checkpoint bytes, read back without running code from the file.

Both torch trainers store their networks, optimizer and generators through these two functions, so a
checkpoint from anywhere is loaded with ``weights_only=True`` and refused in one line when it holds
anything but tensors and plain values. torch is imported by the call, never by this module.
"""

from __future__ import annotations

import io
import pickle
from typing import Any

_UNPICKLER = "WeightsUnpickler error:"


def dump_state(state: dict[str, Any]) -> bytes:
    """``state`` (state dicts, tensors, plain values) as ``torch.save`` bytes."""
    import torch

    buffer = io.BytesIO()
    torch.save(state, buffer)
    return buffer.getvalue()


def load_state(payload: bytes, device: Any) -> dict[str, Any]:
    """The dictionary ``dump_state`` wrote, with its tensors on ``device``; ``ValueError`` naming why a
    payload is refused (objects other than tensors and plain values, or not a dictionary)."""
    import torch

    try:
        state = torch.load(io.BytesIO(payload), map_location=device, weights_only=True)
    except pickle.UnpicklingError as exc:
        # torch's message suggests weights_only=False: never for a file that may come from anyone
        why = next((ln for ln in str(exc).splitlines() if _UNPICKLER in ln), "")
        why = why.split(_UNPICKLER, 1)[-1].strip().split(". ")[0]
        raise ValueError(
            "payload refused: it holds objects other than tensors and plain values" + (f" ({why})" if why else "")
        ) from None
    if not isinstance(state, dict):
        raise ValueError("payload is not a state dictionary")
    return state
