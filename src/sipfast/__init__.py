"""sipfast: a fast, RFC-exact SIP (RFC 3261) engine for Python."""

from __future__ import annotations

from .errors import MessageTooLarge, ParseError, SipError, VersionNotSupported
from .message import (
    CSeq, DEFAULT_LIMITS, IMPLEMENTATION, URI, Auth, Headers, Keepalive, Limits, Message,
    NameAddr, Request, Response, StreamParser, Via, is_keepalive, parse,
)

__version__ = "0.1.0"

__all__ = [
    "parse", "is_keepalive", "StreamParser", "Message", "Request", "Response", "Headers",
    "URI", "NameAddr", "Via", "CSeq", "Auth", "Keepalive", "Limits", "DEFAULT_LIMITS",
    "ParseError", "MessageTooLarge", "VersionNotSupported", "SipError",
    "IMPLEMENTATION", "__version__",
]
