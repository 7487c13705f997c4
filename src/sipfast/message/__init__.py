"""The message core: parse, inspect (and, later, build) SIP messages.

Picks the Cython twin when it is built and not disabled by SIPFAST_NO_EXTENSIONS=1,
else the pure-Python twin.  SIPFAST_REQUIRE_EXTENSIONS=1 turns a missing or broken
build into an ImportError here instead of a quiet fall-back (CI and the wheel tests).
Both twins are importable here under *C / *Py names so that tests can run the same
assertions on each.

Type checkers see one API whichever twin runs: the stubs of the Cython twin
(``_message_c.pyi``, ``_values_c.pyi``, ``_stream_c.pyi``), which the pure-Python twin
implements too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from .ids import new_branch, new_call_id, new_tag
from .keepalive import Keepalive
from .limits import DEFAULT_LIMITS, Limits

if TYPE_CHECKING:
    from collections.abc import Callable

    from ._message_c import (
        Headers,
        Message,
        Request,
        Response,
        is_keepalive,
        make_response,
        parse,
    )
    from ._stream_c import StreamParser
    from ._values_c import URI, Auth, CSeq, NameAddr, Via

    # The twins, each with the API above; the *C names are None when it is not built.
    parse_py = parse
    parse_c: Callable[..., Request | Response | Keepalive] | None
    is_keepalivePy = is_keepalive
    is_keepaliveC: Callable[..., bool] | None
    make_responsePy = make_response
    make_responseC: Callable[..., Response] | None
    MessagePy = Message
    MessageC: type[Message] | None
    RequestPy = Request
    RequestC: type[Request] | None
    ResponsePy = Response
    ResponseC: type[Response] | None
    HeadersPy = Headers
    HeadersC: type[Headers] | None
    URIPy = URI
    URIC: type[URI] | None
    NameAddrPy = NameAddr
    NameAddrC: type[NameAddr] | None
    ViaPy = Via
    ViaC: type[Via] | None
    CSeqPy = CSeq
    CSeqC: type[CSeq] | None
    AuthPy = Auth
    AuthC: type[Auth] | None
    StreamParserPy = StreamParser
    StreamParserC: type[StreamParser] | None
else:
    import os

    from .._compat import USE_EXTENSIONS
    from . import _message_py, _stream_py, _values_py

    _NAMES = (
        "parse", "is_keepalive", "make_response", "Message", "Request", "Response", "Headers",
        "URI", "NameAddr", "Via", "CSeq", "Auth", "StreamParser",
    )
    _py = {
        "parse": _message_py.parse, "is_keepalive": _message_py.is_keepalive,
        "make_response": _message_py.make_response,
        "Message": _message_py.Message, "Request": _message_py.Request,
        "Response": _message_py.Response, "Headers": _message_py.Headers,
        "URI": _values_py.URI, "NameAddr": _values_py.NameAddr, "Via": _values_py.Via,
        "CSeq": _values_py.CSeq, "Auth": _values_py.Auth,
        "StreamParser": _stream_py.StreamParser,
    }
    _c = None
    try:
        from . import _message_c, _stream_c, _values_c
    except ImportError:  # not built (pure install) or built without extensions
        if USE_EXTENSIONS and os.environ.get("SIPFAST_REQUIRE_EXTENSIONS"):
            raise
    else:
        _c = {
            "parse": _message_c.parse, "is_keepalive": _message_c.is_keepalive,
            "make_response": _message_c.make_response,
            "Message": _message_c.Message, "Request": _message_c.Request,
            "Response": _message_c.Response, "Headers": _message_c.Headers,
            "URI": _values_c.URI, "NameAddr": _values_c.NameAddr, "Via": _values_c.Via,
            "CSeq": _values_c.CSeq, "Auth": _values_c.Auth,
            "StreamParser": _stream_c.StreamParser,
        }
    _impl = _c if (_c is not None and USE_EXTENSIONS) else _py

    parse = _impl["parse"]
    is_keepalive = _impl["is_keepalive"]
    make_response = _impl["make_response"]
    Message = _impl["Message"]
    Request = _impl["Request"]
    Response = _impl["Response"]
    Headers = _impl["Headers"]
    URI = _impl["URI"]
    NameAddr = _impl["NameAddr"]
    Via = _impl["Via"]
    CSeq = _impl["CSeq"]
    Auth = _impl["Auth"]
    StreamParser = _impl["StreamParser"]

    # Both twins under fixed names, for tests and benchmarks (C ones are None if not built).
    for _name in _NAMES:
        globals()[_name + "Py"] = _py[_name]
        globals()[_name + "C"] = _c[_name] if _c is not None else None
    parse_py = _py["parse"]
    parse_c = _c["parse"] if _c is not None else None
    del _name

IMPLEMENTATION: Literal["cython", "python"] = "cython" if parse is parse_c else "python"

__all__ = [
    "DEFAULT_LIMITS",
    "IMPLEMENTATION",
    "URI",
    "Auth",
    "CSeq",
    "Headers",
    "Keepalive",
    "Limits",
    "Message",
    "NameAddr",
    "Request",
    "Response",
    "StreamParser",
    "Via",
    "is_keepalive",
    "make_response",
    "new_branch",
    "new_call_id",
    "new_tag",
    "parse",
    "parse_c",
    "parse_py",
]
