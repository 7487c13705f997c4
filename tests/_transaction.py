"""Requests and responses for the transaction tests, written out by hand (not by the
transaction layer's own `_build`, which is under test too); `response_to` is the builder's."""

from __future__ import annotations

from typing import Any

import sipfast.message as sm

__all__ = ["ack_for_2xx", "request", "response", "response_to"]


def response_to(
    request: Any, status: int, reason: str | None = None, *, to_tag: str | None = None
) -> bytes:
    """The octets of a response to the parsed `request`, made by the builder of its twin."""
    make = sm.make_responseC if request.__class__ is sm.RequestC else sm.make_responsePy
    assert make is not None
    return bytes(make(request, status, reason, to_tag=to_tag))


def request(
    method: str = "OPTIONS",
    *,
    branch: str | None = "z9hG4bK-tx1",
    sent_by: str = "client.example.com:5060",
    transport: str = "UDP",
    uri: str = "sip:bob@example.com",
    from_tag: str | None = "f-1",
    to_tag: str | None = None,
    call_id: str = "call-1@client.example.com",
    seq: int = 1,
    cseq_method: str | None = None,
    routes: tuple[str, ...] = (),
    extra: tuple[str, ...] = (),
    max_forwards: int | None = 70,
) -> bytes:
    via = f"SIP/2.0/{transport} {sent_by}" + (f";branch={branch}" if branch is not None else "")
    lines = [f"{method} {uri} SIP/2.0", f"Via: {via}"]
    lines += [f"Route: {route}" for route in routes]
    if max_forwards is not None:
        lines.append(f"Max-Forwards: {max_forwards}")
    lines.append("To: Bob <sip:bob@example.com>" + (f";tag={to_tag}" if to_tag else ""))
    lines.append("From: Alice <sip:alice@example.com>" + (f";tag={from_tag}" if from_tag else ""))
    lines.append(f"Call-ID: {call_id}")
    lines.append(f"CSeq: {seq} {cseq_method or method}")
    lines += list(extra)
    lines.append("Content-Length: 0")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def response(
    status: int,
    reason: str = "",
    *,
    method: str = "OPTIONS",
    branch: str | None = "z9hG4bK-tx1",
    sent_by: str = "client.example.com:5060",
    transport: str = "UDP",
    from_tag: str | None = "f-1",
    to_tag: str | None = "t-1",
    call_id: str = "call-1@client.example.com",
    seq: int = 1,
) -> bytes:
    reason = reason or {100: "Trying", 180: "Ringing", 200: "OK", 486: "Busy Here"}.get(
        status, "Whatever"
    )
    via = f"SIP/2.0/{transport} {sent_by}" + (f";branch={branch}" if branch is not None else "")
    lines = [
        f"SIP/2.0 {status} {reason}",
        f"Via: {via}",
        "To: Bob <sip:bob@example.com>" + (f";tag={to_tag}" if to_tag else ""),
        "From: Alice <sip:alice@example.com>" + (f";tag={from_tag}" if from_tag else ""),
        f"Call-ID: {call_id}",
        f"CSeq: {seq} {method}",
        "Content-Length: 0",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def ack_for_2xx(
    *,
    branch: str = "z9hG4bK-ack2xx",
    sent_by: str = "client.example.com:5060",
    to_tag: str = "t-1",
    call_id: str = "call-1@client.example.com",
    seq: int = 1,
) -> bytes:
    """The UAC core's ACK for a 2xx: a transaction of its own, with a new branch."""
    return request(
        "ACK", branch=branch, sent_by=sent_by, to_tag=to_tag, call_id=call_id, seq=seq,
        uri="sip:bob@192.0.2.4",
    )
