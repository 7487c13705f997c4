"""What both sipfast twins share: reading the fields through the public accessors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def parse_and_read_with(parse: Callable[[bytes], Any]) -> Callable[[bytes], tuple]:
    def parse_and_read(data: bytes) -> tuple:
        msg = parse(data)
        if msg.is_request:
            first, ruri = msg.method, msg.uri
        else:
            first, ruri = msg.status, None
        cseq = msg.cseq
        return (first, ruri, msg.top_via.branch, msg.from_.tag, msg.to.tag,
                msg.call_id, cseq.seq, cseq.method)

    return parse_and_read
