"""``--set env.a.b=value`` overrides, parsed by the dataclass field's declared type."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterable, Mapping
from typing import Any

from motrixlab.errors import ConfigError
from motrixlab.names import did_you_mean, one_of

SECTIONS = ("env", "rl")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_NONE = {"none", "null"}


def parse_set_args(items: Iterable[str]) -> dict[str, dict[str, str]]:
    """``["env.x=1", "rl.y=2"]`` → ``{"env": {"x": "1"}, "rl": {"y": "2"}}``."""
    out: dict[str, dict[str, str]] = {s: {} for s in SECTIONS}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        section, dot, path = key.partition(".")
        if not sep or not dot or not path:
            raise ConfigError(f"--set {item!r}: expected env.<field>=<value> or rl.<field>=<value>")
        if section not in SECTIONS:
            raise ConfigError(f"--set {item!r}: unknown section {section!r}; valid sections: env, rl")
        out[section][path] = value.strip()
    return out


def apply_overrides(cfg: Any, overrides: Mapping[str, Any], *, section: str = "env") -> Any:
    """Return a copy of dataclass ``cfg`` with dotted-path overrides applied.

    String values are parsed by the field type; other values are checked against it.
    """
    for path, value in overrides.items():
        cfg = _set_path(cfg, path.split("."), value, f"{section}.{path}")
    return cfg


def _set_path(obj: Any, parts: list[str], value: Any, full: str) -> Any:
    name = parts[0]
    fields = {f.name: f for f in dataclasses.fields(obj) if f.init}
    if name not in fields:
        raise ConfigError(f"unknown field {full!r}{did_you_mean(name, fields)}; valid fields: {one_of(fields)}")
    hints = typing.get_type_hints(type(obj))
    current = getattr(obj, name)
    if len(parts) > 1:
        if not dataclasses.is_dataclass(current):
            raise ConfigError(f"{full!r}: {name!r} is not a group of fields (it holds {current!r})")
        new = _set_path(current, parts[1:], value, full)
    else:
        if dataclasses.is_dataclass(current):
            sub = [f.name for f in dataclasses.fields(current)]
            raise ConfigError(f"{full!r} is a group of fields; set one of: {', '.join(f'{full}.{s}' for s in sub)}")
        new = coerce(value, hints.get(name, type(current)), full)
    return dataclasses.replace(obj, **{name: new})


def type_name(tp: Any) -> str:
    if tp is type(None):
        return "None"
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return " | ".join(type_name(a) for a in typing.get_args(tp))
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return f"tuple of {type_name(args[0])}"
        return "tuple of (" + ", ".join(type_name(a) for a in args) + ")"
    if origin is typing.Literal:
        return " | ".join(repr(a) for a in typing.get_args(tp))
    return getattr(tp, "__name__", str(tp))


def coerce(value: Any, tp: Any, full: str) -> Any:
    """Convert ``value`` (usually a CLI string) to type ``tp`` or raise a ConfigError."""
    try:
        return _coerce(value, tp)
    except (ValueError, TypeError) as exc:
        detail = f" ({exc})" if str(exc) else ""
        raise ConfigError(f"{full}: expected {type_name(tp)}, got {value!r}{detail}") from None


def _coerce(value: Any, tp: Any) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        if type(None) in args and (value is None or (isinstance(value, str) and value.strip().lower() in _NONE)):
            return None
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(value, arg)
            except (ValueError, TypeError):
                continue
        raise ValueError("")
    if origin is typing.Literal:
        for arg in args:
            if value == arg or (isinstance(value, str) and str(arg) == value):
                return arg
        raise ValueError("")
    if origin is tuple or tp is tuple:
        items = _split(value)
        if not args:
            return tuple(items)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_coerce(v, args[0]) for v in items)
        if len(items) != len(args):
            raise ValueError(f"{len(args)} values needed, got {len(items)}")
        return tuple(_coerce(v, a) for v, a in zip(items, args, strict=True))
    if tp is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise ValueError("")
    if tp is int:
        if isinstance(value, bool):
            raise TypeError("")
        if isinstance(value, int):
            return value
        if isinstance(value, str):
            text = value.strip().replace("_", "")
            try:
                return int(text)
            except ValueError:
                as_float = float(text)  # accept 1e6
                if as_float.is_integer():
                    return int(as_float)
                raise
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise TypeError("")
    if tp is float:
        if isinstance(value, bool):
            raise TypeError("")
        if isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, str):
            return float(value.strip())
        raise TypeError("")
    if tp is str:
        if isinstance(value, str):
            return value
        raise TypeError("")
    if isinstance(tp, type) and isinstance(value, tp):
        return value
    raise TypeError(f"unsupported field type {type_name(tp)}")


def _split(value: Any) -> list[Any]:
    if isinstance(value, (tuple, list)):
        return list(value)
    if not isinstance(value, str):
        raise TypeError("")
    text = value.strip()
    if text[:1] in "([" and text[-1:] in ")]":
        text = text[1:-1]
    return [p.strip() for p in text.split(",") if p.strip()]
