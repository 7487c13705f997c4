"""RFC 5626 §3.5.1 CRLF keepalives: what the parsers report instead of a message."""

from __future__ import annotations

import enum

__all__ = ["Keepalive"]


class Keepalive(enum.Enum):
    """A double CRLF is a ping (answer it with a pong); a single CRLF is the pong."""

    PING = b"\r\n\r\n"
    PONG = b"\r\n"

    def __repr__(self) -> str:
        return f"Keepalive.{self.name}"
