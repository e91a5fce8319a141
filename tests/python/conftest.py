"""Shared pytest set-up: finds the build (LMSIM_BUILD or ./build) and the lmsim module."""
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("LMSIM_BUILD", ROOT / "build")).resolve()
sys.path.insert(0, str(BUILD / "python"))


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def build_dir():
    return BUILD


@pytest.fixture(scope="session")
def lmsim_bin():
    exe = BUILD / "lmsim"
    if not exe.exists():
        pytest.fail(f"{exe} is missing: build first (ci/test does)")
    return exe


@pytest.fixture
def run_lmsim(lmsim_bin):
    """Runs the CLI; returns CompletedProcess with text output."""

    def run(*args, timeout=120, cwd=None):
        return subprocess.run([str(lmsim_bin), *map(str, args)], capture_output=True, text=True,
                              timeout=timeout, cwd=cwd)

    return run


@pytest.fixture
def write_scenario(tmp_path):
    """Writes YAML text to a file in tmp_path and returns its path."""

    def write(text, name="s.yaml"):
        p = tmp_path / name
        p.write_text(text)
        return p

    return write
