"""sippy (B2BUA stack): parse as SipTransactionManager.handleIncoming does, read via getTId."""

from sippy.SipRequest import SipRequest
from sippy.SipResponse import SipResponse


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
