"""Throwaway virtual environments for tests that install plugins with a real ``pip install``.

A fresh venv sees the running interpreter's site-packages through a ``.pth`` file (so MotrixLab,
MotrixSim, pip and setuptools need no reinstall), but its own site-packages start empty: what a
test installs there, and only that, is what changes between ``motrixlab list`` calls.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import textwrap
import venv
from dataclasses import dataclass
from pathlib import Path

#: Lets plugin projects built by tests declare ``package-data`` for their model files.
SETUPTOOLS_PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "{dist}"
version = "{version}"
requires-python = ">=3.11"
dependencies = ["motrixlab-core"]

[project.entry-points.motrixlab]
{entry} = "{module}.plugin"

[tool.setuptools.packages.find]
where = ["src"]

[tool.setuptools.package-data]
{module} = ["*.xml"]
"""


@dataclass
class FreshVenv:
    path: Path

    @property
    def python(self) -> Path:
        return self.path / "bin" / "python"

    @property
    def site_packages(self) -> Path:
        out = subprocess.run(
            [str(self.python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        )
        return Path(out.stdout.strip())

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MOTRIXLAB_", "PYTHON", "VIRTUAL_ENV"))}
        env.update({"RUST_LOG": "error", "SETUPTOOLS_USE_DISTUTILS": "stdlib", "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
        env.update(extra or {})
        return env

    def run(self, *args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
        """``python *args`` inside the venv; never raises on a non-zero exit."""
        return subprocess.run(
            [str(self.python), *args],
            capture_output=True,
            text=True,
            env=self.env(env),
            timeout=timeout,
            cwd=self.path,
        )

    def cli(self, *args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
        """``motrixlab *args`` inside the venv."""
        return self.run("-m", "motrixlab", *args, env=env, timeout=timeout)

    def pip(self, *args: str) -> subprocess.CompletedProcess:
        proc = self.run("-m", "pip", *args, timeout=300)
        if proc.returncode != 0:
            raise RuntimeError(f"pip {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
        return proc

    def install(self, *projects: Path) -> None:
        """A real, offline ``pip install`` of local project folders (their build backend must be importable)."""
        self.pip("install", "--no-deps", "--no-build-isolation", "--no-index", *map(str, projects))

    def uninstall(self, *dists: str) -> None:
        self.pip("uninstall", "-y", *dists)


def create(path: Path) -> FreshVenv:
    """A new venv at ``path`` layered over the current interpreter's site-packages."""
    venv.create(path, with_pip=False, symlinks=True)
    fresh = FreshVenv(Path(path))
    parent = sysconfig.get_paths()["purelib"]
    # ``site.addsitedir`` (not a bare path line) so the parent's own .pth files, such as editable
    # installs, are honoured too.
    (fresh.site_packages / "_parent_site.pth").write_text(f"import site; site.addsitedir({parent!r})\n")
    probe = fresh.run("-c", "import setuptools, pip, motrixlab")
    if probe.returncode != 0:
        raise RuntimeError(
            f"fresh venv at {path} cannot import setuptools, pip and motrixlab from {parent} "
            f"(interpreter {sys.executable}):\n{probe.stderr}"
        )
    return fresh


def write_project(
    root: Path, *, dist: str, entry: str, module: str, files: dict[str, str], version: str = "0.1.0"
) -> Path:
    """A setuptools plugin project: ``files`` maps paths inside the package to their (dedented) text."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(
        SETUPTOOLS_PYPROJECT.format(dist=dist, version=version, entry=entry, module=module)
    )
    pkg = root / "src" / module
    pkg.mkdir(parents=True, exist_ok=True)
    (pkg / "__init__.py").write_text("")
    for name, text in files.items():
        (pkg / name).write_text(textwrap.dedent(text))
    return root
