"""TCP/TLS framing: the pure-Python twin of _stream_c.pyx.

Messages on a stream are framed by Content-Length (mandatory there, RFC 3261 §18.3).
Between messages, CRLF CRLF is a keepalive ping and a lone CRLF its pong (RFC 5626
§3.5.1).  A framing error can't be recovered from: the connection must be closed, so
every later feed() raises the same error.
"""

from __future__ import annotations

from typing import Any

from ..errors import MessageTooLarge, ParseError
from ._message_py import Request, Response, _parse
from .keepalive import Keepalive
from .limits import Limits, limits_or_default

__all__ = ["StreamParser"]


def _parse_stream(data: bytes, end: int, limits: Limits) -> tuple[Request | Response, int]:
    return _parse(data, 0, end, limits, True)


class StreamParser:
    """Feed it what a stream delivers; it hands back each complete message.

    The Cython twin is this class with the Cython parser plugged into ``_parse_stream``.
    """

    _parse_stream = staticmethod(_parse_stream)

    __slots__ = ("_buf", "_error", "_limits", "_need", "_scanned")

    def __init__(self, limits: Limits | None = None) -> None:
        self._buf = bytearray()
        self._limits = limits_or_default(limits)
        self._need = 0  # octets the current message needs, once its head is parsed
        self._scanned = 0  # how far the search for the empty line got
        self._error: ParseError | None = None

    @property
    def pending(self) -> int:
        """Octets buffered that are not yet part of a returned message."""
        return len(self._buf)

    def feed(self, chunk: Any) -> list[Request | Response | Keepalive]:
        if self._error is not None:
            raise self._error
        self._buf += chunk
        out: list[Request | Response | Keepalive] = []
        try:
            while self._next(out):
                pass
        except ParseError as e:
            self._error = e
            if not out:
                raise
            # the messages before the fault are handed back first, as they would be
            # had the stream come in smaller pieces; the next feed raises
        return out

    @property
    def error(self) -> ParseError | None:
        """The fault that stopped this stream (every later feed raises it), or None."""
        return self._error

    def _next(self, out: list[Any]) -> bool:
        buf = self._buf
        n = len(buf)
        if n == 0:
            return False
        if self._need == 0:
            if buf[0] == 13 or buf[0] == 10:
                return self._keepalive(out)
            head = self._find_head_end()
            if head < 0:
                return False
            msg, self._need = self._parse_stream(bytes(buf[:head]), head, self._limits)
            if self._need == head:  # no body: the message is parsed and checked
                del buf[:head]
                self._need = self._scanned = 0
                out.append(msg)
                return True
        if n < self._need:
            return False
        data = bytes(buf[: self._need])
        del buf[: self._need]
        self._need = self._scanned = 0
        out.append(self._parse_stream(data, len(data), self._limits)[0])
        return True

    def _keepalive(self, out: list[Any]) -> bool:
        buf = self._buf
        if buf[:4] == b"\r\n\r\n":
            del buf[:4]
            out.append(Keepalive.PING)
            return True
        if buf[:2] == b"\r\n":
            if len(buf) == 2 or (len(buf) == 3 and buf[2] == 13):
                # wait: the rest of a ping may follow; a lone CRLF is a pong only once
                # something else comes after it
                return False
            del buf[:2]
            out.append(Keepalive.PONG)
            return True
        if buf[0] == 13 and len(buf) == 1:
            return False
        raise ParseError.at(bytes(buf[:64]), 0, "stray line end between messages")

    def _find_head_end(self) -> int:
        """Offset after the empty line that ends the header section, or -1."""
        buf = self._buf
        n = len(buf)
        pos = max(self._scanned, 0)
        limits = self._limits
        if pos == 0:
            # The usual case at once: the whole section there, CRLF line ends only (so the
            # first CRLF CRLF ends it; buf[0] is not a line end), shorter than a line.
            blank = buf.find(b"\r\n\r\n")
            if (0 <= blank and blank + 4 <= limits.max_line_length
                    and buf.count(b"\n", 0, blank + 4) == buf.count(b"\r\n", 0, blank + 4)):
                return blank + 4
        while True:
            nl = buf.find(b"\n", pos)
            if nl < 0:
                if n - pos > limits.max_line_length:
                    raise MessageTooLarge.at(bytes(buf[: pos + limits.max_line_length + 1]),
                                             pos + limits.max_line_length, "line too long", 513)
                if n > limits.max_size:
                    raise MessageTooLarge.at(bytes(buf[:n]), limits.max_size,
                                             "message too large", 513)
                self._scanned = pos
                return -1
            if nl - pos > limits.max_line_length + 1:
                raise MessageTooLarge.at(bytes(buf[: nl + 1]), pos + limits.max_line_length,
                                         "line too long", 513)
            if pos > 0 and (nl == pos or (nl == pos + 1 and buf[pos] == 13)):
                return nl + 1
            pos = nl + 1
