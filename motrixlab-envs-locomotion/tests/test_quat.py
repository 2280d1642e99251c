"""Quaternion helpers (x, y, z, w) against rotation matrices built independently."""

from __future__ import annotations

import numpy as np
import pytest
from motrixlab_envs_locomotion import quat


def matrix(axis, angle):
    """Rodrigues' formula."""
    axis = np.asarray(axis, float) / np.linalg.norm(axis)
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + np.sin(angle) * k + (1 - np.cos(angle)) * k @ k


@pytest.fixture
def samples():
    rng = np.random.default_rng(3)
    axes = rng.normal(size=(32, 3))
    axes /= np.linalg.norm(axes, axis=1, keepdims=True)
    angles = rng.uniform(-np.pi, np.pi, 32)
    vecs = rng.normal(size=(32, 3)).astype(np.float32)
    return axes, angles, vecs


def test_rotate_and_inverse_match_rotation_matrices(samples):
    axes, angles, vecs = samples
    q = quat.from_axis_angle(axes, angles)
    mats = np.stack([matrix(a, t) for a, t in zip(axes, angles, strict=True)])
    assert quat.rotate(q, vecs) == pytest.approx(np.einsum("nij,nj->ni", mats, vecs), abs=1e-5)
    assert quat.rotate_inverse(q, vecs) == pytest.approx(np.einsum("nji,nj->ni", mats, vecs), abs=1e-5)
    assert quat.rotate_inverse(q, quat.rotate(q, vecs)) == pytest.approx(vecs, abs=1e-5)


def test_projected_gravity(samples):
    axes, angles, _ = samples
    q = quat.from_axis_angle(axes, angles)
    down = np.tile([0.0, 0.0, -1.0], (32, 1)).astype(np.float32)
    assert quat.projected_gravity(q) == pytest.approx(quat.rotate_inverse(q, down), abs=1e-5)
    # level trunk: straight down; rolled about +x by 0.3 rad (left side up): partly along the body -y
    roll = quat.from_axis_angle(np.array([[1.0, 0, 0]]), [0.3])
    assert quat.projected_gravity(roll)[0] == pytest.approx([0.0, -np.sin(0.3), -np.cos(0.3)], abs=1e-6)
    pitch = quat.from_axis_angle(np.array([[0, 1.0, 0]]), [0.4])
    assert quat.projected_gravity(pitch)[0] == pytest.approx([np.sin(0.4), 0.0, -np.cos(0.4)], abs=1e-6)


def test_multiply_composes_rotations(samples):
    axes, angles, vecs = samples
    a = quat.from_axis_angle(axes, angles)
    b = quat.from_axis_angle(axes[::-1], angles[::-1])
    assert quat.rotate(quat.multiply(a, b), vecs) == pytest.approx(quat.rotate(a, quat.rotate(b, vecs)), abs=1e-5)


def test_yaw_round_trip():
    yaws = np.linspace(-3.0, 3.0, 13)
    q = quat.from_yaw(yaws)
    assert quat.yaw(q) == pytest.approx(yaws, abs=1e-6)
    # heading of a yawed and pitched trunk is still the yaw
    pitched = quat.multiply(q, quat.from_axis_angle(np.tile([0, 1.0, 0], (13, 1)), np.full(13, 0.3)))
    assert quat.yaw(pitched) == pytest.approx(yaws, abs=1e-5)
    assert quat.rotate(q, np.tile([1.0, 0, 0], (13, 1)))[:, :2] == pytest.approx(
        np.c_[np.cos(yaws), np.sin(yaws)], abs=1e-6
    )
