"""Paths of the MJCF models shipped with this package."""

from __future__ import annotations

from pathlib import Path

MODELS = Path(__file__).with_name("models")


def model_path(name: str) -> str:
    """Absolute path of ``models/<name>`` as a string (what ``EnvCfg.model_file`` holds)."""
    return str(MODELS / name)
