"""The two twins of the message core as namespaces, and the rule for when "c" must exist."""

from __future__ import annotations

import os
import types
from typing import Any

import pytest

import sipfast.message as sm

__all__ = [
    "C_BUILT",
    "REQUIRE_EXTENSIONS",
    "TWIN_NAMES",
    "require_c_twin",
    "twin",
    "twin_env",
]

TWIN_NAMES = (
    "parse",
    "is_keepalive",
    "make_response",
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

REQUIRE_EXTENSIONS = os.environ.get("SIPFAST_REQUIRE_EXTENSIONS") == "1"
C_BUILT = sm.parse_c is not None


def twin(name: str) -> types.SimpleNamespace:
    """The namespace of one twin: "c" (Cython) or "py" (pure Python)."""
    if name == "c":
        assert C_BUILT, "the Cython twin is not built"
        ns = {n: (sm.parse_c if n == "parse" else getattr(sm, n + "C")) for n in TWIN_NAMES}
    elif name == "py":
        ns = {n: (sm.parse_py if n == "parse" else getattr(sm, n + "Py")) for n in TWIN_NAMES}
    else:
        raise ValueError(name)
    missing = [n for n, v in ns.items() if v is None]
    assert not missing, f"twin {name!r} lacks {missing}"
    return types.SimpleNamespace(name=name, **ns)


def require_c_twin() -> None:
    """Skip (or, under SIPFAST_REQUIRE_EXTENSIONS=1, fail) when the C twin is not built."""
    if not C_BUILT:
        if REQUIRE_EXTENSIONS:
            pytest.fail("SIPFAST_REQUIRE_EXTENSIONS=1 but the Cython twin is not built")
        pytest.skip("Cython twin not built")


def twin_env(impl: Any) -> dict[str, str]:
    """The environment of a ``python -m sipfast`` subprocess that runs on `impl`'s twin."""
    env = dict(os.environ)
    env.pop("SIPFAST_NO_EXTENSIONS", None)
    if impl.name == "py":
        env["SIPFAST_NO_EXTENSIONS"] = "1"
        env.pop("SIPFAST_REQUIRE_EXTENSIONS", None)
    return env
