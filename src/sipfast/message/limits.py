"""Bounds every parser entry point enforces, whatever the input."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_LIMITS", "Limits", "limits_or_default"]


@dataclass(frozen=True, slots=True)
class Limits:
    """Parser limits.

    max_size: octets in one message, header section and body together (a UDP
        datagram can't exceed 65535).  Over it: 513 for the header section, 413
        when Content-Length announces a body that would not fit.
    max_headers: header fields (lines, not comma-separated values).  Over it: 513.
    max_line_length: octets in one physical line, start line included.  Over it: 513.
    """

    max_size: int = 65535
    max_headers: int = 256
    max_line_length: int = 8192

    def __post_init__(self) -> None:
        for name in ("max_size", "max_headers", "max_line_length"):
            value = getattr(self, name)
            if not isinstance(value, int) or not 0 < value < 2**31:
                raise ValueError(f"{name} must be an int in 1..2**31-1, not {value!r}")


DEFAULT_LIMITS = Limits()


def limits_or_default(limits: object) -> Limits:
    """What a parser entry point was given for ``limits``: None means the defaults."""
    if limits is None:
        return DEFAULT_LIMITS
    if not isinstance(limits, Limits):
        raise TypeError(f"limits are a sipfast.Limits, not {type(limits).__name__}")
    return limits
