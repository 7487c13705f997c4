"""What a message shows through its accessors, to compare an edited or built message with
``parse(bytes(msg))`` (docs/api.md, "Building and editing": every accessor reads the
edited message as ``parse(bytes(msg))`` would).

`view(msg)` reads every accessor an edit can change, plus the ones it must not change;
an accessor that raises is recorded as (exception name, reason), so a message whose
header is malformed still compares.
"""

from __future__ import annotations

from typing import Any

__all__ = ["view"]


def _text(value: Any) -> Any:
    if isinstance(value, list):
        return [_text(v) for v in value]
    if value is None or isinstance(value, (int, bytes, str)):
        return value
    return str(value)


def _read(msg: Any, get: Any) -> Any:
    try:
        return _text(get(msg))
    except ValueError as exc:  # ParseError is a ValueError
        return (type(exc).__name__, getattr(exc, "reason", str(exc)))


def _attr(name: str) -> Any:
    return lambda msg: getattr(msg, name)


_START_LINE = {
    True: {"method": _attr("method"), "uri": _attr("uri")},
    False: {"status": _attr("status"), "reason": _attr("reason")},
}
_COMMON = {
    **{name: _attr(name) for name in (
        "version", "via", "top_via", "route", "record_route", "max_forwards", "body",
        "content_length", "call_id", "cseq", "from_", "to", "contact")},
    "branches": lambda m: [v.branch for v in m.via],
    "sent_by": lambda m: [v.sent_by for v in m.via],
    "route_uris": lambda m: [str(r.uri) for r in m.route],
    "record_route_uris": lambda m: [str(r.uri) for r in m.record_route],
    "from_tag": lambda m: m.from_ and m.from_.tag,
    "to_tag": lambda m: m.to and m.to.tag,
    "headers.items()": lambda m: m.headers.items(),
    "len(headers)": lambda m: len(m.headers),
    **{f"headers.getall({name!r})": (lambda m, n=name: m.headers.getall(n)) for name in (
        "Via", "v", "Route", "Record-Route", "Max-Forwards", "Content-Length", "l",
        "Subject", "s", "X-Custom")},
    **{f"headers.get({name!r})": (lambda m, n=name: m.headers.get(n)) for name in (
        "Via", "Max-Forwards", "Content-Length", "Subject", "x-custom")},
}


def view(msg: Any) -> dict[str, Any]:
    """The message as its accessors show it, in plain comparable values."""
    getters = {"is_request": _attr("is_request"), **_START_LINE[msg.is_request], **_COMMON}
    return {name: _read(msg, get) for name, get in getters.items()}
