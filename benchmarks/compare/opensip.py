"""opensip: parse_message, then its header parsers on the raw header strings (as its UA does).

Building: ``encode()`` re-writes every header from opensip's (name, value) list, nothing
is copied verbatim.  opensip has no proxy and no API to put a header above another, so
``forward`` edits the list (``headers._items``) in place: the cheapest way there is, a
lower bound for opensip.  ``headers.set`` (used for Max-Forwards) moves the field to the
end.  ``respond`` is its UserAgent._make_response without the User-Agent line (which
copies Record-Route into every response).  No header is checked for CR or LF.
"""

from opensip.headers import NameAddr, parse_address_list, parse_via_list
from opensip.message import Headers, SIPRequest, SIPResponse, parse_message

from . import (
    NEW_INVITE_BODY,
    NEW_INVITE_HEADERS,
    NEW_INVITE_URI,
    PROXY_RECORD_ROUTE,
    PROXY_VIA,
    REASONS,
)

parse = parse_message


def parse_and_read(data: bytes) -> tuple:
    msg = parse_message(data)
    if isinstance(msg, SIPRequest):
        first, ruri = msg.method, msg.request_uri  # a str: opensip keeps it unparsed
    else:
        first, ruri = msg.status_code, None
    headers = msg.headers
    # The first Via field may carry several comma-separated values: split before parsing.
    top_via = parse_via_list(headers["Via"])[0]
    seq, method = msg.cseq
    return (first, ruri, top_via.params.get("branch"),
            NameAddr.parse(headers["From"]).params.get("tag"),
            NameAddr.parse(headers["To"]).params.get("tag"),
            msg.call_id, seq, method)


def _index(items: list, name: str) -> int:
    for i, (key, _) in enumerate(items):
        if key == name:
            return i
    return -1


def forward(msg: SIPRequest) -> bytes:
    headers = msg.headers
    headers.set("Max-Forwards", str(int(headers["Max-Forwards"]) - 1))  # a new list
    items = headers._items  # no public insert (see the docstring)
    i = _index(items, "Route")
    if i >= 0:
        rest = parse_address_list(items[i][1])[1:]  # the first value of a comma list
        if rest:
            items[i] = ("Route", ", ".join(str(addr) for addr in rest))
        else:
            del items[i]
    i = _index(items, "Record-Route")
    items.insert(i if i >= 0 else len(items), ("Record-Route", PROXY_RECORD_ROUTE))
    items.insert(_index(items, "Via"), ("Via", PROXY_VIA))
    return msg.encode()


def respond(msg: SIPRequest, status: int, to_tag: str) -> bytes:
    request = msg.headers
    h = Headers()
    for via in request.get_all("Via"):
        h.add("Via", via)
    h.add("From", request["From"])
    to = request["To"]
    h.add("To", to if ";tag=" in to else f"{to};tag={to_tag}")
    h.add("Call-ID", request["Call-ID"])
    h.add("CSeq", request["CSeq"])
    for record_route in request.get_all("Record-Route"):
        h.add("Record-Route", record_route)
    return SIPResponse(status_code=status, reason=REASONS[status], headers=h).encode()


def build_invite() -> bytes:
    return SIPRequest(method="INVITE", request_uri=NEW_INVITE_URI,
                      headers=Headers(NEW_INVITE_HEADERS), body=NEW_INVITE_BODY).encode()


def serialize(msg: SIPRequest | SIPResponse) -> bytes:
    return msg.encode()
