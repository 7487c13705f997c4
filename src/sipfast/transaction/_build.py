"""The two messages a transaction writes itself, made with the message builder:

- the ACK an INVITE client transaction sends for a 300-699 response (§17.1.1.3);
- the 100 (Trying) an INVITE server transaction sends when the TU is slow (§17.2.1).

Each is made by the twin the request was parsed by (a Cython request with the Cython
builder), so the transaction layer works the same over either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..message import RequestC, make_responseC, make_responsePy

if TYPE_CHECKING:
    from ..message import Request, Response

__all__ = ["ack", "trying"]


def ack(request: Request, response: Response) -> bytes:
    """The ACK for a 300-699 `response` to the INVITE `request` (§17.1.1.3).

    Same Request-URI, Call-ID, From and CSeq number as the request, CSeq method ACK,
    the request's top Via only, To from the response, the request's Route header
    fields, and its Max-Forwards (70 when it had none).
    """
    if not 300 <= response.status <= 699:
        raise ValueError(f"the transaction acknowledges 300-699 responses, not {response.status}")
    headers = request.headers
    fields: list[tuple[str, Any]] = [("Via", str(request.top_via))]
    fields.extend(("Route", value) for value in headers.getall("Route"))
    max_forwards = request.max_forwards
    fields.append(("Max-Forwards", "70" if max_forwards is None else str(max_forwards)))
    fields.append(("From", headers.get("From")))
    fields.append(("To", response.headers.get("To")))
    fields.append(("Call-ID", request.call_id))
    fields.append(("CSeq", f"{request.cseq.seq} ACK"))
    return bytes(request.__class__("ACK", request.uri, fields))


def trying(request: Request) -> bytes:
    """The 100 (Trying) for `request`, with its Timestamp copied (§8.2.6.1)."""
    make_response = make_responseC if request.__class__ is RequestC else make_responsePy
    assert make_response is not None
    timestamp = request.headers.get("Timestamp")
    extra = () if timestamp is None else (("Timestamp", timestamp),)
    return bytes(make_response(request, 100, headers=extra))
