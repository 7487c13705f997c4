"""The few messages the transaction layer writes itself, until the message builder lands.

- the ACK an INVITE client transaction sends for a 300-699 response (§17.1.1.3);
- the 100 (Trying) an INVITE server transaction sends when the TU is slow (§17.2.1),
  through `response`, which the test fakes also use to answer requests.

Everything is copied from header values of parsed messages (``headers.get`` /
``getall`` give them as written, folds made single spaces); a value holding CR, LF or
NUL is refused, so no header can be injected.  To be replaced by the message builder.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..message import Request, Response

__all__ = ["ack", "response"]

_TOKEN_CHARS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~"
)


def _checked(value: str | None, what: str) -> str:
    if value is None:
        raise ValueError(f"{what} is missing")
    if "\r" in value or "\n" in value or "\0" in value:
        raise ValueError(f"{what} contains CR, LF or NUL: {value!r}")
    return value


def ack(request: Request, response: Response) -> bytes:
    """The ACK for a 300-699 `response` to the INVITE `request` (§17.1.1.3).

    Same Request-URI, Call-ID, From and CSeq number as the request, CSeq method ACK,
    the request's top Via only, To from the response, the request's Route header
    fields, and its Max-Forwards (70 when it had none).
    """
    if not 300 <= response.status <= 699:
        raise ValueError(f"the transaction acknowledges 300-699 responses, not {response.status}")
    lines = [
        f"ACK {_checked(str(request.uri), 'Request-URI')} SIP/2.0",
        f"Via: {_checked(str(request.top_via), 'top Via')}",
    ]
    lines.extend(f"Route: {_checked(value, 'Route')}" for value in request.headers.getall("Route"))
    max_forwards = request.max_forwards
    lines.append(f"Max-Forwards: {70 if max_forwards is None else max_forwards}")
    lines.append(f"From: {_checked(request.headers.get('From'), 'From')}")
    lines.append(f"To: {_checked(response.headers.get('To'), 'To of the response')}")
    lines.append(f"Call-ID: {_checked(request.call_id, 'Call-ID')}")
    lines.append(f"CSeq: {request.cseq.seq} ACK")
    lines.append("Content-Length: 0\r\n\r\n")
    return "\r\n".join(lines).encode("utf-8", "surrogateescape")


def response(request: Request, status: int, reason: str, *, to_tag: str | None = None) -> bytes:
    """A response to `request` as §8.2.6 makes it: its Via fields in order, From, To,
    Call-ID and CSeq copied; `to_tag` added to To when the request's To has no tag (a
    transaction's own 100 (Trying) passes none); Timestamp copied into a 100 (§8.2.6.1).
    """
    if not isinstance(status, int) or not 100 <= status <= 699:
        raise ValueError(f"status must be an int in 100..699, not {status!r}")
    lines = [f"SIP/2.0 {status} {_checked(reason, 'reason phrase')}"]
    headers = request.headers
    lines.extend(f"Via: {_checked(value, 'Via')}" for value in headers.getall("Via"))
    lines.append(f"From: {_checked(headers.get('From'), 'From')}")
    to = _checked(headers.get("To"), "To")
    if to_tag is not None and request.to.tag is None:
        if not to_tag or not _TOKEN_CHARS.issuperset(to_tag):
            raise ValueError(f"a To tag is a token, not {to_tag!r}")
        to = f"{to};tag={to_tag}"
    lines.append(f"To: {to}")
    lines.append(f"Call-ID: {_checked(request.call_id, 'Call-ID')}")
    lines.append(f"CSeq: {_checked(headers.get('CSeq'), 'CSeq')}")
    if status == 100:
        timestamp = headers.get("Timestamp")
        if timestamp is not None:
            lines.append(f"Timestamp: {_checked(timestamp, 'Timestamp')}")
    lines.append("Content-Length: 0\r\n\r\n")
    return "\r\n".join(lines).encode("utf-8", "surrogateescape")
