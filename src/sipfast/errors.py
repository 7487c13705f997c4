"""Exceptions shared by both twins of the message core (and everything above it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .message._message_c import Request, Response

__all__ = [
    "MessageTooLarge",
    "ParseError",
    "SipError",
    "TransactionTimeout",
    "TransportError",
    "VersionNotSupported",
]


class SipError(Exception):
    """Base class of every error sipfast raises on purpose."""


class ParseError(SipError, ValueError):
    """Input that is not a SIP message we can deliver.

    ``reason`` says what is wrong, ``offset`` is the byte offset in the input where it
    was found, ``status_code`` is what a server answers to such a request (400, 413,
    505, 513, ...; responses are dropped, never answered).  ``line`` is the text of
    the input line holding ``offset`` and ``column`` the caret position in it.

    ``message`` is the request or response as far as it could be parsed when the
    fault lies in a header value or in a rule checked after parsing (a missing
    Call-ID, a CSeq/method mismatch, SIP/7.0): a server needs its Via, From, To,
    Call-ID and CSeq to build the error response.  It is None when the message
    could not be framed.
    """

    status_code: int = 400

    def __init__(
        self,
        reason: str,
        offset: int = 0,
        status_code: int | None = None,
        line: str = "",
        column: int = 0,
        message: Any = None,
    ) -> None:
        super().__init__(reason, offset)
        self.reason = reason
        self.offset = offset
        if status_code is not None:
            self.status_code = status_code
        self.line = line
        self.column = column
        self.message: Request | Response | None = message

    @classmethod
    def at(
        cls,
        data: bytes,
        offset: int,
        reason: str,
        status_code: int | None = None,
        message: Any = None,
    ) -> ParseError:
        """Build the error for ``data``, cutting out the line that holds ``offset``."""
        offset = max(0, min(offset, len(data)))
        start = data.rfind(b"\n", 0, offset) + 1
        end = start
        n = len(data)
        while end < n and data[end] not in (10, 13):
            end += 1
        if end - start > 200:  # keep the caret in view on a very long line
            lo = max(start, offset - 100)
            start, end = lo, min(end, lo + 200)
        line = data[start:end].decode("utf-8", "replace")
        column = len(data[start:offset].decode("utf-8", "replace"))
        return cls(reason, offset, status_code, line, column, message)

    def __str__(self) -> str:
        return f"{self.reason} (at offset {self.offset}; answer {self.status_code})"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.reason!r}, offset={self.offset}, "
            f"status_code={self.status_code})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            type(self),
            (self.reason, self.offset, self.status_code, self.line, self.column),
        )


class MessageTooLarge(ParseError):
    """Over a limit: 513 for the message or its header section, 413 for the body."""

    status_code = 513


class VersionNotSupported(ParseError):
    """A well-formed SIP-Version other than SIP/2.0 (RFC 3261 §8.2.4 → 505)."""

    status_code = 505


class TransactionTimeout(SipError, TimeoutError):
    """A client transaction gave up: timer B or F fired (§17.1.1.2, §17.1.2.2).

    The TU treats it as a 408 (Request Timeout) (§8.1.3.1).
    """


class TransportError(SipError, ConnectionError):
    """The transport could not deliver a request (§17.1.4): the TU treats it as a 503."""
