"""Paths of the MJCF models shipped with this package."""

from __future__ import annotations

import functools

from motrixlab import assets

#: ``model_path(name)``: absolute path of this package's ``models/<name>`` (:func:`motrixlab.assets.model_path`)
model_path = functools.partial(assets.model_path, __file__)
