"""Where an env package's model files are: a ``models`` folder next to its modules."""

from __future__ import annotations

from pathlib import Path


def model_path(module_file: str, name: str) -> str:
    """Absolute path of ``models/<name>`` beside ``module_file`` (a module's ``__file__``), as a string (what
    ``EnvCfg.model_file`` holds): ``model_path(__file__, "cartpole.xml")``."""
    return str(Path(module_file).with_name("models") / name)
