"""The message core: parse, inspect (and, later, build) SIP messages.

Picks the Cython twin when it is built and not disabled by SIPFAST_NO_EXTENSIONS=1,
else the pure-Python twin.  Both twins are importable here under *C / *Py names so
that tests can run the same assertions on each.
"""

from __future__ import annotations

from .._compat import USE_EXTENSIONS
from . import _message_py, _stream_py, _values_py
from .keepalive import Keepalive
from .limits import DEFAULT_LIMITS, Limits

_NAMES = (
    "parse", "is_keepalive", "Message", "Request", "Response", "Headers",
    "URI", "NameAddr", "Via", "CSeq", "Auth", "StreamParser",
)

_py = {
    "parse": _message_py.parse, "is_keepalive": _message_py.is_keepalive,
    "Message": _message_py.Message, "Request": _message_py.Request,
    "Response": _message_py.Response, "Headers": _message_py.Headers,
    "URI": _values_py.URI, "NameAddr": _values_py.NameAddr, "Via": _values_py.Via,
    "CSeq": _values_py.CSeq, "Auth": _values_py.Auth,
    "StreamParser": _stream_py.StreamParser,
}

_c: dict[str, object] | None = None
try:
    from . import _message_c, _stream_c, _values_c
except ImportError:  # not built (pure install) or built without extensions
    if USE_EXTENSIONS and __debug__:
        import os

        if os.environ.get("SIPFAST_REQUIRE_EXTENSIONS"):
            raise
else:
    _c = {
        "parse": _message_c.parse, "is_keepalive": _message_c.is_keepalive,
        "Message": _message_c.Message, "Request": _message_c.Request,
        "Response": _message_c.Response, "Headers": _message_c.Headers,
        "URI": _values_c.URI, "NameAddr": _values_c.NameAddr, "Via": _values_c.Via,
        "CSeq": _values_c.CSeq, "Auth": _values_c.Auth,
        "StreamParser": _stream_c.StreamParser,
    }

IMPLEMENTATION = "cython" if (_c is not None and USE_EXTENSIONS) else "python"
_impl = _c if IMPLEMENTATION == "cython" else _py
assert _impl is not None

parse = _impl["parse"]
is_keepalive = _impl["is_keepalive"]
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

__all__ = [
    *_NAMES, "Keepalive", "Limits", "DEFAULT_LIMITS", "IMPLEMENTATION",
    "parse_py", "parse_c",
]
