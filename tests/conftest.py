"""Every test that takes `impl` runs once on the Cython twin ("c") and once on the
pure-Python twin ("py").

The "c" run is skipped when the extension is not built, unless
SIPFAST_REQUIRE_EXTENSIONS=1, which turns the skip into a failure (CI's wheel jobs).
`impl` is a namespace with parse, is_keepalive, StreamParser, Message, Request,
Response, Headers, URI, NameAddr, Via, CSeq, Auth and `name`.

Every asyncio test takes `run` and runs once on the stock event loop and once on uvloop.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import types
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import pytest
from _tls import contexts
from _twins import require_c_twin, twin

T = TypeVar("T")


@pytest.fixture(params=["c", "py"])
def impl(request: pytest.FixtureRequest) -> types.SimpleNamespace:
    if request.param == "c":
        require_c_twin()
    return twin(request.param)


@pytest.fixture(params=["asyncio", "uvloop"])
def run(request: pytest.FixtureRequest) -> Callable[[Coroutine[Any, Any, T]], T]:
    """`run(coroutine)` on a fresh event loop: the stock asyncio one, then uvloop.

    uvloop missing is a skip, or a failure under CI (where `.[test]` installs it).
    """
    factory: Callable[[], asyncio.AbstractEventLoop] | None = None
    if request.param == "uvloop":
        try:
            import uvloop
        except ImportError:
            if os.environ.get("CI"):
                pytest.fail("uvloop is not installed (pip install -e '.[test]')")
            pytest.skip("uvloop is not installed")
        factory = uvloop.new_event_loop

    def run(coroutine: Coroutine[Any, Any, T]) -> T:
        with asyncio.Runner(loop_factory=factory) as runner:
            return runner.run(coroutine)

    run.loop_name = request.param  # type: ignore[attr-defined]
    return run


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(server_ssl, client_ssl): a self-signed certificate for localhost, 127.0.0.1, ::1."""
    return contexts(tmp_path_factory.mktemp("tls"))
