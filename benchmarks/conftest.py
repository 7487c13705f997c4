"""Collect bench_*.py as test modules and provide the `adapter` fixture.

The benchmarks also run as plain tests (each body once): ``pytest benchmarks --benchmark-disable``.
"""

from __future__ import annotations

import functools
from types import ModuleType

import pytest

from benchmarks import compare
from benchmarks.corpus import CORPUS


def pytest_collect_file(file_path, parent):
    # pytest only collects test_*.py by default (and pyproject keeps its patterns).
    if (file_path.suffix == ".py" and file_path.name.startswith("bench_")
            and not parent.session.isinitpath(file_path)):
        return pytest.Module.from_parent(parent, path=file_path)
    return None


@functools.cache
def usable(name: str) -> tuple[ModuleType | None, str]:
    """(adapter, "") or (None, why it can't be benchmarked on the whole corpus)."""
    try:
        module = compare.load(name)
    except ImportError as exc:
        return None, f"{name} unavailable: {exc}"
    for message, data in CORPUS.items():
        try:
            module.parse_and_read(data)
        except Exception as exc:  # noqa: BLE001 -- a library that fails on the corpus is reported, not timed
            return None, f"{name} cannot parse or read {message}.sip: {exc!r}"
    return module, ""


@pytest.fixture(params=compare.NAMES)
def adapter(request: pytest.FixtureRequest) -> ModuleType:
    module, reason = usable(request.param)
    if module is None:
        pytest.skip(reason)
    return module


def pytest_terminal_summary(terminalreporter) -> None:
    """Print what bench_memory.py measured (it records it as a user property)."""
    lines = [value for reports in terminalreporter.stats.values() for report in reports
             for name, value in getattr(report, "user_properties", ())
             if name == "retained memory" and report.when == "call"]
    if lines:
        terminalreporter.section("retained memory")
        for line in lines:
            terminalreporter.write_line(line)
