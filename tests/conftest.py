"""Cross-package tests: every installed MotrixLab package together, as a user installs them."""

from __future__ import annotations

import os

os.environ.setdefault("RUST_LOG", "error")
