"""Helpers shared by env packages: yaw quaternions and model file paths."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from motrixlab.assets import model_path
from motrixlab.quat import from_yaw


def test_from_yaw_is_a_float32_rotation_about_z_computed_at_the_angles_precision():
    for dtype in (np.float32, np.float64):
        yaw = np.linspace(-3.0, 3.0, 7, dtype=dtype)
        q = from_yaw(yaw)
        assert q.dtype == np.float32 and q.shape == (7, 4)
        assert (q[:, :2] == 0).all()
        np.testing.assert_array_equal(q[:, 2], np.sin(yaw * dtype(0.5)).astype(np.float32))
        np.testing.assert_array_equal(q[:, 3], np.cos(yaw * dtype(0.5)).astype(np.float32))
    assert from_yaw(np.zeros((2, 3), np.float32)).shape == (2, 3, 4)


def test_model_path_is_the_models_folder_beside_the_module():
    assert model_path("/pkg/envs/cartpole.py", "cartpole.xml") == str(Path("/pkg/envs/models/cartpole.xml"))
