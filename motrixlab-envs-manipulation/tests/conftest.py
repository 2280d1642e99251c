"""Fixtures for the manipulation tests; ``panda_dh`` (next to this file) holds the DH reference chain."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("RUST_LOG", "error")
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def models():
    import motrixlab_envs_manipulation

    return Path(motrixlab_envs_manipulation.__file__).with_name("models")
