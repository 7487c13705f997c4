"""One adapter module per SIP parser, all with the same two functions.

``parse(data: bytes)`` parses one datagram the way the library's own receive path does
and returns its message object.

``parse_and_read(data: bytes) -> tuple`` parses, then reads what every SIP stack reads
from every message (to match it to a transaction and a dialog), through that library's
idiomatic accessors::

    (method or status code, Request-URI (None for responses), top Via branch,
     From tag, To tag, Call-ID, CSeq number, CSeq method)

Values are the library's own types (its URI object, or str where it keeps a string);
test_adapters.py normalises them before comparing.

Importing an adapter raises ImportError, with the reason, when its library is missing.

Adapters of libraries that can build and edit messages also have the four functions
bench_build.py times (an adapter without them is skipped there, with the reason):

``forward(msg) -> bytes``
    what a record-routing proxy does to a request it forwards (RFC 3261 §16.4-16.6):
    remove the first Route value (its own), decrement Max-Forwards, add PROXY_RECORD_ROUTE
    as the topmost Record-Route, add PROXY_VIA as the topmost Via; then serialise.
``respond(msg, status, to_tag) -> bytes``
    the response to a request (§8.2.6: Via, From, To with the tag, Call-ID, CSeq; for a
    2xx / 1xx to INVITE also Record-Route), with the default reason phrase, serialised.
``build_invite() -> bytes``
    a new INVITE to NEW_INVITE_URI with NEW_INVITE_HEADERS and NEW_INVITE_BODY, serialised.
``serialize(msg) -> bytes``
    the octets of a parsed, unmodified message.

Each library does these its own way; each adapter's docstring says where it does more or
less than sipfast.
"""

from __future__ import annotations

import importlib
from importlib import metadata
from types import ModuleType

#: benchmark id -> (adapter module, distribution whose version is reported)
ADAPTERS: dict[str, tuple[str, str]] = {
    "sipfast-cython": ("sipfast_c", "sipfast"),
    "sipfast-python": ("sipfast_py", "sipfast"),
    "sippy": ("sippy", "sippy"),
    "sipmessage": ("sipmessage", "sipmessage"),
    "opensip": ("opensip", "opensip"),
    "aiosipua": ("aiosipua", "aiosipua"),
}
NAMES = tuple(ADAPTERS)

# --- what bench_build.py asks every adapter to build ------------------------------------

#: The second proxy on the path (the corpus INVITE already went through 203.0.113.1).
PROXY_VIA = "SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bK-proxy2-1a7f3c9e2d1b"
PROXY_RECORD_ROUTE = "<sip:198.51.100.1;lr>"
#: The Route value naming that proxy, which it removes (§16.4); bench_build.py adds it to
#: the corpus INVITE, which carries none.
PROXY_ROUTE = "<sip:198.51.100.1;lr>"
TO_TAG = "9fxced76sl"
REASONS = {100: "Trying", 180: "Ringing", 200: "OK"}

NEW_INVITE_URI = "sip:bob@198.51.100.20:5060"
NEW_INVITE_HEADERS: tuple[tuple[str, str], ...] = (
    ("Via", "SIP/2.0/UDP 192.0.2.15:50638;rport;branch=z9hG4bK-524287-1---a7f3c9e2d1b08f64"),
    ("Max-Forwards", "70"),
    ("From", '"Alice Liddell" <sip:alice@example.com>;tag=8c3b1f2a'),
    ("To", "<sip:bob@example.com>"),
    ("Call-ID", "5f3a2b1c0e94d8f7@192.0.2.15"),
    ("CSeq", "1 INVITE"),
    ("Contact", "<sip:alice@192.0.2.15:50638;transport=UDP>"),
    ("Content-Type", "application/sdp"),
)
NEW_INVITE_BODY = (
    b"v=0\r\n"
    b"o=Z 1712345678901 1 IN IP4 192.0.2.15\r\n"
    b"s=Z\r\n"
    b"c=IN IP4 192.0.2.15\r\n"
    b"t=0 0\r\n"
    b"m=audio 8000 RTP/AVP 106 9 0 8 101\r\n"
    b"a=rtpmap:106 opus/48000/2\r\n"
    b"a=rtpmap:101 telephone-event/8000\r\n"
    b"a=fmtp:101 0-16\r\n"
    b"a=sendrecv\r\n"
)


def load(name: str) -> ModuleType:
    """The adapter module for `name`; ImportError (with the reason) if unavailable."""
    return importlib.import_module(f"{__name__}.{ADAPTERS[name][0]}")


def version(name: str) -> str:
    try:
        return metadata.version(ADAPTERS[name][1])
    except metadata.PackageNotFoundError:
        return "not installed"
