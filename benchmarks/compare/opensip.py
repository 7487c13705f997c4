"""opensip: parse_message, then its header parsers on the raw header strings (as its UA does)."""

from opensip.headers import NameAddr, parse_via_list
from opensip.message import SIPRequest, parse_message

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
