"""What both sipfast twins share: reading the fields through the public accessors, and the
build operations through the builder API (docs/api.md, "Building and editing")."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from . import NEW_INVITE_BODY, NEW_INVITE_HEADERS, NEW_INVITE_URI, PROXY_RECORD_ROUTE, PROXY_VIA


def parse_and_read_with(parse: Callable[[bytes], Any]) -> Callable[[bytes], tuple]:
    def parse_and_read(data: bytes) -> tuple:
        msg = parse(data)
        if msg.is_request:
            first, ruri = msg.method, msg.uri
        else:
            first, ruri = msg.status, None
        cseq = msg.cseq
        return (first, ruri, msg.top_via.branch, msg.from_.tag, msg.to.tag,
                msg.call_id, cseq.seq, cseq.method)

    return parse_and_read


def build_with(make_response: Callable[..., Any], request: type) -> SimpleNamespace:
    """forward, respond, build_invite and serialize over one twin's builder.

    The edits are recorded on the message and written in one pass by ``bytes(msg)``:
    untouched lines are copied, only the new and changed ones are written.  The response
    copies the request's lines (with its Record-Route for 1xx/2xx to INVITE) and takes
    the default reason phrase; the new INVITE is checked like a parsed one.
    """

    def forward(msg: Any) -> bytes:
        msg.pop_route()
        msg.decrement_max_forwards()
        msg.push_record_route(PROXY_RECORD_ROUTE)
        msg.push_via(PROXY_VIA)
        return bytes(msg)

    def respond(msg: Any, status: int, to_tag: str) -> bytes:
        return bytes(make_response(msg, status, to_tag=to_tag))

    def build_invite() -> bytes:
        return bytes(request("INVITE", NEW_INVITE_URI, headers=NEW_INVITE_HEADERS,
                             body=NEW_INVITE_BODY))

    return SimpleNamespace(forward=forward, respond=respond, build_invite=build_invite,
                           serialize=bytes)
