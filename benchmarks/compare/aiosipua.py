"""aiosipua: SipMessage.parse and its structured properties.

Building: ``bytes(msg)`` re-writes every header from aiosipua's name -> values dict, one
line per value (a comma list comes out as several lines); nothing is copied verbatim.
aiosipua has no proxy and no API to put a value above another, so ``forward`` edits the
value lists ``headers.get()`` hands out (they are aiosipua's own): the cheapest way
there is, and one that skips the CR/LF check its setters make.  ``respond`` is its
``Dialog.create_response`` (which copies no Record-Route), on a Dialog made for the
request in the timed part.
"""

from aiosipua.dialog import Dialog
from aiosipua.message import SipMessage, SipRequest

from . import (
    NEW_INVITE_BODY,
    NEW_INVITE_HEADERS,
    NEW_INVITE_URI,
    PROXY_RECORD_ROUTE,
    PROXY_VIA,
    REASONS,
)

parse = SipMessage.parse


def parse_and_read(data: bytes) -> tuple:
    msg = SipMessage.parse(data)
    if isinstance(msg, SipRequest):
        first, ruri = msg.method, msg.uri  # a str: aiosipua keeps it unparsed
    else:
        first, ruri = msg.status_code, None
    cseq = msg.cseq
    return (first, ruri, msg.via[0].branch, msg.from_addr.tag, msg.to_addr.tag,
            msg.call_id, cseq.seq, cseq.method)


def forward(msg: SipRequest) -> bytes:
    headers = msg.headers
    routes = headers.get("route")  # aiosipua splits comma lists into one value each
    if routes:
        del routes[0]
    headers.set_single("Max-Forwards", str(int(headers.get_first("max-forwards")) - 1))
    record_routes = headers.get("record-route")
    if record_routes:
        record_routes.insert(0, PROXY_RECORD_ROUTE)
    else:
        headers.append("Record-Route", PROXY_RECORD_ROUTE)
    headers.get("via").insert(0, PROXY_VIA)
    return bytes(msg)


def respond(msg: SipRequest, status: int, to_tag: str) -> bytes:
    dialog = Dialog(call_id=msg.call_id, local_tag=to_tag)
    return bytes(dialog.create_response(msg, status, REASONS[status]))


def build_invite() -> bytes:
    msg = SipRequest(method="INVITE", uri=NEW_INVITE_URI, body=NEW_INVITE_BODY)
    for name, value in NEW_INVITE_HEADERS:
        msg.headers.append(name, value)
    return bytes(msg)


def serialize(msg: SipMessage) -> bytes:
    return bytes(msg)
