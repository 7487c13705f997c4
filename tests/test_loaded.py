"""The compiled twin really loaded when it should, and the pure one when asked for."""

from __future__ import annotations

import importlib
import importlib.machinery
import os
import subprocess
import sys

import pytest

import sipfast
import sipfast.message as sm

NO_EXTENSIONS = bool(os.environ.get("SIPFAST_NO_EXTENSIONS"))
REQUIRE_EXTENSIONS = os.environ.get("SIPFAST_REQUIRE_EXTENSIONS") == "1"
PUBLIC = (
    "parse",
    "is_keepalive",
    "StreamParser",
    "Message",
    "Request",
    "Response",
    "Headers",
    "URI",
    "NameAddr",
    "Via",
    "CSeq",
    "Auth",
)


@pytest.mark.skipif(
    NO_EXTENSIONS or not REQUIRE_EXTENSIONS,
    reason="only meaningful with SIPFAST_REQUIRE_EXTENSIONS=1 and extensions enabled",
)
@pytest.mark.parametrize("module", ["_message_c", "_values_c", "_stream_c"])
def test_compiled_twin_is_loaded(module: str) -> None:
    assert sm.IMPLEMENTATION == "cython"
    assert sipfast.parse is sm.parse_c
    mod = importlib.import_module(f"sipfast.message.{module}")
    assert mod.__file__ is not None
    assert mod.__file__.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)), mod.__file__


def test_implementation_matches_what_is_built() -> None:
    expected = "cython" if (sm.parse_c is not None and not NO_EXTENSIONS) else "python"
    assert sm.IMPLEMENTATION == expected


def test_public_names_are_the_selected_twin() -> None:
    suffix = "C" if sm.IMPLEMENTATION == "cython" else "Py"
    for name in PUBLIC:
        assert getattr(sipfast, name) is getattr(sm, name + suffix), name
        assert getattr(sm, name) is getattr(sm, name + suffix), name
    assert sipfast.parse is (sm.parse_c if suffix == "C" else sm.parse_py)


def test_no_extensions_env_selects_the_python_twin() -> None:
    env = dict(os.environ, SIPFAST_NO_EXTENSIONS="1")
    code = (
        "import sipfast, sipfast.message as m;"
        "print(m.IMPLEMENTATION, sipfast.parse is m.parse_py, sipfast.URI is m.URIPy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["python", "True", "True"]


@pytest.mark.skipif(NO_EXTENSIONS, reason="extensions disabled in this run")
def test_without_no_extensions_env_the_build_decides() -> None:
    env = {k: v for k, v in os.environ.items() if k != "SIPFAST_NO_EXTENSIONS"}
    code = "import sipfast.message as m; print(m.IMPLEMENTATION, m.parse_c is not None)"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out in (["cython", "True"], ["python", "False"])
    if REQUIRE_EXTENSIONS:
        assert out == ["cython", "True"]


# A subprocess in which the compiled modules cannot be imported, as with a pure install.
_NOT_BUILT = """
import importlib.abc, sys
class NotBuilt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name in ("sipfast.message._message_c", "sipfast.message._values_c",
                    "sipfast.message._stream_c"):
            raise ImportError(f"No module named {name!r} (not built)")
sys.meta_path.insert(0, NotBuilt())
import sipfast, sipfast.message as m
print(m.IMPLEMENTATION, m.parse_c)
"""


@pytest.mark.parametrize("require", ["", "1"])
def test_a_missing_build_fails_the_import_only_when_required(require: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIPFAST_")}
    env["SIPFAST_REQUIRE_EXTENSIONS"] = require
    proc = subprocess.run(
        [sys.executable, "-c", _NOT_BUILT], env=env, capture_output=True, text=True, check=False
    )
    if require:
        assert proc.returncode != 0
        assert "ImportError: No module named 'sipfast.message._" in proc.stderr, proc.stderr
    else:
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.split() == ["python", "None"]
