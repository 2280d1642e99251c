"""Developer tasks: ``nox -s tests`` (the CI command), ``nox -s lint``, ``nox -s bench``."""

from __future__ import annotations

from pathlib import Path

import nox

nox.options.sessions = ["tests"]
nox.options.reuse_existing_virtualenvs = True

CONSTRAINTS = ("-c", "constraints.txt")
PACKAGES = (
    "./motrixlab-core[video,plot]",
    "./motrixlab-envs-basic",
    "./motrixlab-envs-locomotion",
    "./motrixlab-envs-manipulation",
    "./motrixlab-trainer-skrl[torch,jax,export]",
    "./motrixlab-trainer-rslrl[export]",
    "./motrixlab-deploy-mujoco[video]",
)
TEST_DIRS = (
    "motrixlab-core/tests",
    "motrixlab-envs-basic/tests",
    "motrixlab-envs-locomotion/tests",
    "motrixlab-envs-manipulation/tests",
    "motrixlab-trainer-skrl/tests",
    "motrixlab-trainer-rslrl/tests",
    "motrixlab-deploy-mujoco/tests",
    "tests",
)


def install_all(session: nox.Session) -> None:
    # torch first and pinned: anything that asks for an unpinned torch would pull a CUDA build.
    session.install(*CONSTRAINTS, "torch==2.13.0")
    session.install(*CONSTRAINTS, *PACKAGES, "./tests/plugins/motrixlab-testenv")


@nox.session(python="3.11")
def tests(session: nox.Session) -> None:
    """Install every package from its folder and run all package tests and tests/."""
    install_all(session)
    session.install(*CONSTRAINTS, "pytest>=8", "pytest-timeout")
    dirs = [d for d in TEST_DIRS if Path(d).is_dir()]
    session.run("pytest", *dirs, *session.posargs, env={"RUST_LOG": "error"})


@nox.session(python="3.11")
def lint(session: nox.Session) -> None:
    """Ruff lint and format check."""
    session.install("ruff>=0.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python="3.11")
def bench(session: nox.Session) -> None:
    """Env throughput and physics share for every installed env (``motrixlab bench``, 5 windows of 100
    steps at 1024 envs): a table, and one JSON file per env in ``benchmarks/results/`` (``-- --out DIR``).
    Exits non-zero if any env failed."""
    install_all(session)
    session.run("python", "benchmarks/bench_envs.py", *session.posargs, env={"RUST_LOG": "error"})
