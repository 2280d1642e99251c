"""Lazy ``"module:attr"`` references, as used by every spec."""

from __future__ import annotations

import importlib
from typing import Any

from motrixlab.errors import PluginError


def check_ref(ref: str, what: str) -> str:
    """Validate the *shape* of a reference without importing anything."""
    module, sep, attr = ref.partition(":")
    if not sep or not module or not attr or any(not p.isidentifier() for p in module.split(".") + attr.split(".")):
        raise PluginError(f"{what}: invalid reference {ref!r}; expected 'package.module:attribute'")
    return ref


def load_ref(ref: str, what: str = "reference") -> Any:
    """Import ``module`` and return ``attr`` (dotted attributes allowed)."""
    check_ref(ref, what)
    module_name, _, attr = ref.partition(":")
    try:
        obj: Any = importlib.import_module(module_name)
    except Exception as exc:  # a module that fails while importing is as unusable as a missing one
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        if not isinstance(exc, ImportError):
            detail = f"{type(exc).__name__}: {detail}"
        raise PluginError(f"{what}: cannot import module {module_name!r} from {ref!r}: {detail}") from exc
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise PluginError(f"{what}: module {module_name!r} has no attribute {attr!r} (from {ref!r})") from None
    return obj
