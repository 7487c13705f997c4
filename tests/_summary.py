"""Render whatever a twin gives back (message, keepalive, error) as plain comparable data.

Every accessor is evaluated on its own; one that raises ParseError is recorded as
("error", type, reason, offset, status_code, line, column) instead of its value, so two
twins can be compared accessor by accessor.  Any other exception propagates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sipfast import Keepalive, ParseError

__all__ = ["error_summary", "message_summary", "summary", "value_summary"]

MESSAGE_ACCESSORS = (
    "call_id",
    "cseq",
    "via",
    "top_via",
    "from_",
    "to",
    "contact",
    "contact_star",
    "route",
    "record_route",
    "max_forwards",
    "content_length",
    "content_type",
    "content_type_params",
    "expires",
    "authorization",
    "proxy_authorization",
    "www_authenticate",
    "proxy_authenticate",
    "require",
    "proxy_require",
    "supported",
    "unsupported",
    "allow",
    "accept",
    "is_request",
    "body",
    "version",
)


def error_summary(err: ParseError, with_message: bool = True) -> tuple[Any, ...]:
    message = None
    if with_message and err.message is not None:
        message = message_summary(err.message)
    return (
        "error",
        type(err).__name__,
        err.reason,
        err.offset,
        err.status_code,
        err.line,
        err.column,
        message,
    )


def attempt(get: Callable[[], Any]) -> Any:
    try:
        return value_summary(get())
    except ParseError as err:
        return error_summary(err, with_message=False)


def value_summary(value: Any) -> Any:
    """Plain data for a value object (by duck type), a list of them, or a plain value."""
    if value is None or isinstance(value, (bool, int, str, bytes)):
        return value
    if isinstance(value, (list, tuple)):
        return [value_summary(v) for v in value]
    if isinstance(value, dict):
        return [(k, value_summary(v)) for k, v in value.items()]
    if isinstance(value, Keepalive):
        return ("keepalive", value.name)
    kind = type(value).__name__
    if kind == "URI":
        fields = ("scheme", "user", "password", "host", "port", "params", "headers", "opaque")
    elif kind == "NameAddr":
        fields = ("display_name", "uri", "params", "tag")
    elif kind == "Via":
        fields = (
            "protocol",
            "transport",
            "host",
            "port",
            "sent_by",
            "branch",
            "received",
            "rport",
            "maddr",
            "ttl",
            "params",
        )
    elif kind == "CSeq":
        fields = ("seq", "method")
    elif kind == "Auth":
        fields = ("scheme", "params")
    else:
        raise TypeError(f"no summary for {kind}: {value!r}")
    out: dict[str, Any] = {"type": kind, "str": str(value), "repr": repr(value)}
    for name in fields:
        out[name] = attempt(lambda name=name: getattr(value, name))
    return out


def message_summary(msg: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": type(msg).__name__, "repr": repr(msg)}
    if msg.is_request:
        out["method"] = msg.method
        out["uri"] = attempt(lambda: msg.uri)
    else:
        out["status"] = msg.status
        out["reason"] = msg.reason
    out["headers"] = attempt(lambda: msg.headers.items())  # noqa: PLW0108 -- reads msg.headers inside
    out["bytes"] = attempt(lambda: bytes(msg))
    for name in MESSAGE_ACCESSORS:
        out[name] = attempt(lambda name=name: getattr(msg, name))
    return out


def summary(parse: Callable[[bytes], Any], data: bytes) -> Any:
    try:
        result = parse(data)
    except ParseError as err:
        return error_summary(err)
    if isinstance(result, Keepalive):
        return ("keepalive", result.name)
    return ("ok", message_summary(result))


def results_summary(results: list[Any]) -> list[Any]:
    """A StreamParser.feed() result list as plain data."""
    return [
        ("keepalive", r.name) if isinstance(r, Keepalive) else ("ok", message_summary(r))
        for r in results
    ]
