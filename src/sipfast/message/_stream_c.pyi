"""Typing for the compiled module _stream_c (TCP/TLS framing).

Both twins have this API (``_stream_py`` is the pure-Python one).
"""

from ..errors import ParseError
from ._message_c import Request, Response
from .keepalive import Keepalive
from .limits import Limits

__all__ = ["StreamParser"]

class StreamParser:
    """Feed it what a stream delivers; it hands back each complete message."""

    def __init__(self, limits: Limits | None = None) -> None: ...
    @property
    def pending(self) -> int:
        """Octets buffered that are not yet part of a returned message."""

    def feed(
        self, chunk: bytes | bytearray | memoryview
    ) -> list[Request | Response | Keepalive]:
        """The messages complete so far.  At a fault, the messages before it come back
        first and the next feed raises the ParseError."""
    @property
    def error(self) -> ParseError | None:
        """The fault that stopped this stream (every later feed raises it), or None."""
