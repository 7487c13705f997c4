"""One version string: ``sipfast.__version__`` (pyproject.toml reads it from there), the
installed distribution's metadata, and ``sipfast --version``."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys

import pytest

import sipfast


def test_version_is_a_release_number() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+((a|b|rc)\d+)?(\.dev\d+)?", sipfast.__version__)


def test_installed_metadata_has_the_package_version() -> None:
    try:
        installed = importlib.metadata.version("sipfast")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("sipfast is imported from a source tree it was never installed from")
    assert installed == sipfast.__version__, "installed metadata is stale: pip install again"


def test_command_line_shows_the_package_version() -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "sipfast", "--version"],
        capture_output=True, text=True, check=True,
    ).stdout
    assert shown == f"sipfast {sipfast.__version__} (message core: {sipfast.IMPLEMENTATION})\n"
