"""sipfast: a fast, RFC-exact SIP (RFC 3261) engine for Python."""

from __future__ import annotations

from .errors import MessageTooLarge, ParseError, SipError, VersionNotSupported
from .message import (
    DEFAULT_LIMITS,
    IMPLEMENTATION,
    URI,
    Auth,
    CSeq,
    Headers,
    Keepalive,
    Limits,
    Message,
    NameAddr,
    Request,
    Response,
    StreamParser,
    Via,
    is_keepalive,
    make_response,
    new_branch,
    new_call_id,
    new_tag,
    parse,
)

__version__ = "0.1.0"

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
    "MessageTooLarge",
    "NameAddr",
    "ParseError",
    "Request",
    "Response",
    "SipError",
    "StreamParser",
    "VersionNotSupported",
    "Via",
    "__version__",
    "is_keepalive",
    "make_response",
    "new_branch",
    "new_call_id",
    "new_tag",
    "parse",
]
