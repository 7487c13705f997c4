"""sippy (B2BUA stack): parse as SipTransactionManager.handleIncoming does, read via getTId.

Building, the way sippy's own code does it (StatefulProxy.recvRequest, genResponse, the
SipRequest constructor), serialised with ``localStr()`` as its transaction manager sends:

- every message is re-written from its header objects: nothing is copied verbatim;
- ``respond`` (``genResponse``) copies Record-Route into every response, whatever the
  status and method;
- ``build_invite`` takes typed header objects (built here from the same strings) and
  adds ``Expires: 300`` and ``User-Agent: Sippy`` of its own: two lines more than the
  others write.
"""

from sippy.MsgBody import MsgBody
from sippy.SipCallId import SipCallId
from sippy.SipContact import SipContact
from sippy.SipFrom import SipFrom
from sippy.SipHeader import SipHeader
from sippy.SipMaxForwards import SipMaxForwards
from sippy.SipRecordRoute import SipRecordRoute
from sippy.SipRequest import SipRequest
from sippy.SipResponse import SipResponse
from sippy.SipTo import SipTo
from sippy.SipURL import SipURL
from sippy.SipVia import SipVia

from . import (
    NEW_INVITE_BODY,
    NEW_INVITE_HEADERS,
    NEW_INVITE_URI,
    PROXY_RECORD_ROUTE,
    PROXY_VIA,
    REASONS,
)


def parse(data: bytes) -> SipRequest | SipResponse:
    text = data.decode()
    if text.startswith("SIP/2.0 "):
        return SipResponse(text)
    return SipRequest(text)


def parse_and_read(data: bytes) -> tuple:
    msg = parse(data)
    if isinstance(msg, SipRequest):
        first, ruri = msg.getMethod(), msg.getRURI()
    else:
        first, ruri = msg.getSCode()[0], None
    # sippy's own transaction key: Call-ID, From tag, CSeq, CSeq method, branch, To tag.
    call_id, from_tag, seq, method, branch, to_tag = msg.getTId(True, True, True)
    return (first, ruri, branch, from_tag, to_tag, call_id, seq, method)


def forward(msg: SipRequest) -> bytes:
    routes = msg.getHFs("route")  # sippy splits comma lists into one header per value
    if routes:
        msg.removeHeader(routes[0])
    msg.getHFBody("max-forwards").incNum(incr=-1)
    record_route = SipHeader(name="record-route", body=SipRecordRoute(PROXY_RECORD_ROUTE))
    record_routes = msg.getHFs("record-route")
    if record_routes:
        msg.insertHeaderBefore(record_routes[0], record_route)
    else:
        msg.appendHeader(record_route)
    msg.insertHeaderBefore(msg.getHF("via"), SipHeader(name="via", body=SipVia(PROXY_VIA)))
    return msg.localStr().encode()


def respond(msg: SipRequest, status: int, to_tag: str) -> bytes:
    resp = msg.genResponse(status, REASONS[status])
    resp.getHFBody("to").setTag(to_tag)
    return resp.localStr().encode()


_INVITE = dict(NEW_INVITE_HEADERS)
_BODY = NEW_INVITE_BODY.decode()


def build_invite() -> bytes:
    seq, method = _INVITE["CSeq"].split()
    req = SipRequest(
        method=method, ruri=SipURL(NEW_INVITE_URI), to=SipTo(_INVITE["To"]),
        fr0m=SipFrom(_INVITE["From"]), via=SipVia(_INVITE["Via"]), cseq=int(seq),
        callid=SipCallId(_INVITE["Call-ID"]),
        maxforwards=SipMaxForwards(number=int(_INVITE["Max-Forwards"])),
        contact=SipContact(_INVITE["Contact"]),
        body=MsgBody(_BODY, mtype=_INVITE["Content-Type"]),
        target=("198.51.100.20", 5060),  # else the constructor resolves the URI's host
    )
    return req.localStr().encode()


def serialize(msg: SipRequest | SipResponse) -> bytes:
    return msg.localStr().encode()
