"""sipmessage (Spacinov): Message.parse and its typed properties."""

from sipmessage import Message, Request

parse = Message.parse


def parse_and_read(data: bytes) -> tuple:
    msg = Message.parse(data)
    if isinstance(msg, Request):
        first, ruri = msg.method, msg.uri
    else:
        first, ruri = msg.code, None
    cseq = msg.cseq
    return (first, ruri, msg.via[0].parameters.get("branch"),
            msg.from_address.parameters.get("tag"), msg.to_address.parameters.get("tag"),
            msg.call_id, cseq.sequence, cseq.method)
