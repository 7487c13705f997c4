"""aiosipua: SipMessage.parse and its structured properties."""

from aiosipua.message import SipMessage, SipRequest

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
