"""The checkpoint file: a small JSON header, then the framework's own bytes, checked end to end.

Layout (all integers little-endian)::

    b"MXLCKPT1"               8-byte magic
    uint32 header_length
    header (UTF-8 JSON)       format, env, trainer, backend, env_steps, payload_bytes, payload_sha256,
                              env_state (a ``StatefulEnv``'s curriculum and the like), ...
    payload                   torch: ``torch.save`` of tensors and plain values (loads with weights_only=True)
                              jax:   ``flax.serialization.msgpack_serialize`` of the state pytree

The header is readable without torch or jax, so a checkpoint from another env or backend, or a file
cut short by a crash, is refused with one clear line before any framework touches it.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
from pathlib import Path
from typing import Any

from motrixlab.errors import MotrixLabError, storage_error
from motrixlab.runs import atomic_write_bytes

MAGIC = b"MXLCKPT1"
FORMAT_VERSION = 1
SUFFIX = ".ckpt"
_LEN = struct.Struct("<I")


class CheckpointError(MotrixLabError):
    """A checkpoint file is unreadable, truncated, corrupted, or belongs to another env/backend."""


def write_checkpoint(path: Path, header: dict[str, Any], payload: bytes) -> None:
    """Write atomically: a crash leaves either the old file or the complete new one."""
    head = dict(header)
    head.update(
        format=FORMAT_VERSION,
        payload_bytes=len(payload),
        payload_sha256=hashlib.sha256(payload).hexdigest(),
    )
    head_bytes = json.dumps(head, sort_keys=True).encode()
    atomic_write_bytes(path, MAGIC + _LEN.pack(len(head_bytes)) + head_bytes + payload)


def periodic_steps(path: Path) -> int | None:
    """The env steps in a periodic checkpoint's name (``step-<N>.ckpt``), or None for any other file."""
    name = path.name
    if not (name.startswith("step-") and name.endswith(SUFFIX)):
        return None
    digits = name[len("step-") : -len(SUFFIX)]
    return int(digits) if digits.isdigit() else None


def prune_periodic(directory: Path, keep: int, *, written: Path | None = None) -> list[Path]:
    """Delete all but the ``keep`` newest (most env steps) periodic checkpoints; 0 keeps all.

    ``written`` (the file just written) is never deleted, even when a resumed run wrote it below older
    files' step counts. ``latest``, ``best`` and other files are never touched. Returns what was deleted.
    """
    if keep <= 0:
        return []
    try:
        found = [(s, p) for p in directory.iterdir() if (s := periodic_steps(p)) is not None]
    except OSError as exc:
        raise storage_error("list", directory, exc) from None
    found.sort(key=lambda sp: sp[0], reverse=True)
    others = [p for _, p in found if written is None or p.name != written.name]
    doomed = others[keep - 1 :] if written is not None else others[keep:]
    for path in doomed:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise storage_error("delete old checkpoint", path, exc) from None
    return doomed


def read_header(path: Path) -> dict[str, Any]:
    """Only the header (cheap: for listings and compatibility checks)."""
    return _parse(path, verify=False)[0]


def read_checkpoint(path: Path) -> tuple[dict[str, Any], bytes]:
    """Header and verified payload, or a :class:`CheckpointError` naming what is wrong."""
    return _parse(path, verify=True)


#: A header is a few hundred bytes (a few KB with an env's state); a larger claim is damage.
MAX_HEADER_BYTES = 16 * 2**20


def _parse(path: Path, *, verify: bool) -> tuple[dict[str, Any], bytes]:
    """Header (and, when ``verify``, the checked payload). Only what the header says is read, and only
    once the file's size confirms it: a damaged or hostile length field cannot make this read more."""
    try:
        with path.open("rb") as f:
            file_size = os.fstat(f.fileno()).st_size
            head = f.read(len(MAGIC) + _LEN.size)
            if not head.startswith(MAGIC):
                if len(head) < len(MAGIC) and MAGIC.startswith(head):
                    raise CheckpointError(f"checkpoint {str(path)!r} is truncated ({len(head)} bytes)")
                raise CheckpointError(f"{str(path)!r} is not a MotrixLab checkpoint (unknown file format)")
            start = len(MAGIC) + _LEN.size
            if len(head) < start:
                raise CheckpointError(f"checkpoint {str(path)!r} is truncated ({len(head)} bytes)")
            (head_len,) = _LEN.unpack_from(head, len(MAGIC))
            if file_size < start + head_len:
                raise CheckpointError(
                    f"checkpoint {str(path)!r} is truncated: {file_size} bytes, the header alone needs "
                    f"{start + head_len}"
                )
            if head_len > MAX_HEADER_BYTES:
                raise CheckpointError(f"checkpoint {str(path)!r} is corrupted: a header of {head_len} bytes")
            header_bytes = f.read(head_len)
            header, size, digest = _header_fields(path, header_bytes)
            have = file_size - start - head_len
            if have < size:
                raise CheckpointError(
                    f"checkpoint {str(path)!r} is truncated: {file_size} of {start + head_len + size} bytes"
                )
            if have > size:
                raise CheckpointError(f"checkpoint {str(path)!r} is corrupted: {have - size} unexpected trailing bytes")
            if not verify:
                return header, b""
            payload = f.read(size)
    except FileNotFoundError:
        raise CheckpointError(f"checkpoint {str(path)!r} does not exist") from None
    except IsADirectoryError:
        raise CheckpointError(f"checkpoint {str(path)!r} is a directory, not a file") from None
    except OSError as exc:
        raise CheckpointError(f"checkpoint {str(path)!r} cannot be read: {exc.strerror or exc}") from None
    if len(payload) != size:  # the file shrank while being read
        raise CheckpointError(f"checkpoint {str(path)!r} is truncated: {len(payload)} of {size} payload bytes")
    if hashlib.sha256(payload).hexdigest() != digest:
        raise CheckpointError(f"checkpoint {str(path)!r} is corrupted: payload checksum mismatch")
    return header, payload


def _header_fields(path: Path, header_bytes: bytes) -> tuple[dict[str, Any], int, str]:
    try:
        header = json.loads(header_bytes)
        if not isinstance(header, dict):
            raise ValueError("header is not an object")
        size = int(header["payload_bytes"])
        digest = str(header["payload_sha256"])
        if size < 0:
            raise ValueError(f"payload_bytes {size}")
    except (ValueError, KeyError, TypeError) as exc:
        raise CheckpointError(f"checkpoint {str(path)!r} is corrupted: unreadable header ({exc})") from None
    if header.get("format") != FORMAT_VERSION:
        raise CheckpointError(
            f"checkpoint {str(path)!r} has format {header.get('format')!r}; this version reads format {FORMAT_VERSION}"
        )
    return header, size, digest


def check_compatible(path: Path, header: dict[str, Any], *, env: str | None, trainer: str, backend: str) -> None:
    """Refuse a checkpoint written for another env (``None``: any env), trainer or backend."""
    if env is not None and header.get("env") != env:
        raise CheckpointError(f"checkpoint {str(path)!r} was trained on env {header.get('env')!r}, not {env!r}")
    if header.get("trainer") != trainer:
        raise CheckpointError(
            f"checkpoint {str(path)!r} was written by trainer {header.get('trainer')}/{header.get('backend')}, "
            f"not {trainer}/{backend}; pass the run it belongs to with --run"
        )
    if header.get("backend") != backend:
        raise CheckpointError(
            f"checkpoint {str(path)!r} was written by backend {header.get('trainer')}/{header.get('backend')}, "
            f"not {trainer}/{backend}; use --backend {header.get('backend')}"
        )


def env_state_fields(env: Any) -> dict[str, Any]:
    """The header fields that carry an env's own training state (none for a stateless env)."""
    from motrixlab.env import StatefulEnv

    return {"env_state": env.env_state()} if isinstance(env, StatefulEnv) else {}


def restore_env_state(env: Any, path: Path, header: dict[str, Any]) -> None:
    """Hand a resumed run's env the state saved with its checkpoint, or refuse it in one line."""
    from motrixlab.env import StatefulEnv

    state = header.get("env_state")
    if state is None or not isinstance(env, StatefulEnv):
        return
    if not isinstance(state, dict):
        raise CheckpointError(f"checkpoint {str(path)!r} is corrupted: env_state is not an object")
    try:
        env.load_env_state(state)
    except (ValueError, TypeError) as exc:
        raise CheckpointError(f"checkpoint {str(path)!r} has an env state this env cannot take: {exc}") from None
