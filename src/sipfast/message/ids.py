"""Fresh identifiers for new requests, dialogs and calls (RFC 3261 §8.1.1.4, §8.1.1.7, §19.3).

All come from ``secrets``: a branch or tag that can be guessed lets a third party
cancel or hijack transactions and dialogs.
"""

from __future__ import annotations

import secrets

__all__ = ["MAGIC_COOKIE", "new_branch", "new_call_id", "new_tag"]

MAGIC_COOKIE = "z9hG4bK"  # RFC 3261 §8.1.1.7: marks a branch as unique per transaction


def new_branch() -> str:
    """``z9hG4bK`` and 24 random token characters (144 bits)."""
    return MAGIC_COOKIE + secrets.token_urlsafe(18)


def new_tag() -> str:
    """A From/To tag: 16 random token characters (96 bits; §19.3 asks for at least 32)."""
    return secrets.token_urlsafe(12)


def new_call_id(host: str | None = None) -> str:
    """A Call-ID: 24 random characters, ``@host`` appended when given (§8.1.1.4)."""
    word = secrets.token_urlsafe(18)
    return word if host is None else f"{word}@{host}"
