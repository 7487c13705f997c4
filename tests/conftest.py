"""Every test that takes `impl` runs once on the Cython twin ("c") and once on the
pure-Python twin ("py").

The "c" run is skipped when the extension is not built, unless
SIPFAST_REQUIRE_EXTENSIONS=1, which turns the skip into a failure (CI's wheel jobs).
`impl` is a namespace with parse, is_keepalive, StreamParser, Message, Request,
Response, Headers, URI, NameAddr, Via, CSeq, Auth and `name`.
"""

from __future__ import annotations

import types

import pytest
from _twins import require_c_twin, twin


@pytest.fixture(params=["c", "py"])
def impl(request: pytest.FixtureRequest) -> types.SimpleNamespace:
    if request.param == "c":
        require_c_twin()
    return twin(request.param)
