"""The messages the transaction layer writes itself (transaction/_build.py): the ACK for
a 300-699 response (§17.1.1.3) and the 100 (Trying) (§17.2.1, §8.2.6.1), on both twins."""

from __future__ import annotations

from typing import Any

import pytest
from _transaction import request, response
from _twins import C_BUILT, twin

from sipfast.transaction import _build


def test_ack_for_a_non_2xx(impl: Any) -> None:
    invite = impl.parse(
        request(
            "INVITE",
            uri="sips:bob@example.com;transport=tcp",
            routes=("<sip:p1.example.com;lr>",),
            seq=5,
            max_forwards=None,
            extra=("Contact: <sip:a@b>",),
        )
    )
    busy = impl.parse(response(486, method="INVITE", seq=5, to_tag="zz"))
    ack = impl.parse(_build.ack(invite, busy))
    assert ack.method == "ACK"
    assert str(ack.uri) == "sips:bob@example.com;transport=tcp"
    assert [str(v) for v in ack.via] == [str(invite.top_via)]
    assert ack.headers.getall("Route") == ["<sip:p1.example.com;lr>"]
    assert ack.max_forwards == 70
    assert ack.headers.get("From") == invite.headers.get("From")
    assert ack.headers.get("To") == busy.headers.get("To")
    assert ack.call_id == invite.call_id
    assert (ack.cseq.seq, ack.cseq.method) == (5, "ACK")
    assert ack.content_length == 0
    assert "Contact" not in ack.headers


def test_ack_has_only_the_top_via(impl: Any) -> None:
    data = request("INVITE").replace(
        b"Via: SIP/2.0/UDP client.example.com:5060;branch=z9hG4bK-tx1\r\n",
        b"Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bK-p, SIP/2.0/UDP a.example.com"
        b";branch=z9hG4bK-a\r\nVia: SIP/2.0/UDP b.example.com;branch=z9hG4bK-b\r\n",
    )
    invite = impl.parse(data)
    busy = impl.parse(response(500, method="INVITE", branch="z9hG4bK-p"))
    ack = impl.parse(_build.ack(invite, busy))
    assert [v.branch for v in ack.via] == ["z9hG4bK-p"]


def test_ack_only_for_300_699(impl: Any) -> None:
    invite = impl.parse(request("INVITE"))
    for status in (180, 200):
        with pytest.raises(ValueError, match="300-699"):
            _build.ack(invite, impl.parse(response(status, method="INVITE")))


def test_trying_copies_the_request_and_its_timestamp(impl: Any) -> None:
    data = request("INVITE", extra=("Timestamp: 12 0.5",)).replace(
        b"Via: SIP/2.0/UDP client.example.com:5060;branch=z9hG4bK-tx1\r\n",
        b"Via: SIP/2.0/UDP p.example.com;branch=z9hG4bK-p;received=192.0.2.9\r\n"
        b"Via: SIP/2.0/UDP client.example.com:5060;branch=z9hG4bK-tx1\r\n",
    )
    invite = impl.parse(data)
    trying = impl.parse(_build.trying(invite))
    assert (trying.status, trying.reason) == (100, "Trying")
    assert trying.headers.getall("Via") == invite.headers.getall("Via")
    assert trying.headers.get("From") == invite.headers.get("From")
    assert trying.headers.get("To") == invite.headers.get("To")  # no tag on a 100
    assert trying.call_id == invite.call_id
    assert trying.headers.get("CSeq") == "1 INVITE"
    assert trying.headers.get("Timestamp") == "12 0.5"


def test_trying_without_timestamp(impl: Any) -> None:
    trying = impl.parse(_build.trying(impl.parse(request("INVITE"))))
    assert "Timestamp" not in trying.headers
    assert trying.to.tag is None


def test_made_by_the_twin_that_parsed_the_request(impl: Any) -> None:
    """Both messages come out of the request's own twin (a Cython request is never
    handed to the Python builder, or the other way round), byte-identical."""
    invite = impl.parse(request("INVITE", extra=("Timestamp: 1",)))
    busy = impl.parse(response(486, method="INVITE"))
    other = twin("py" if impl.name == "c" else "c") if C_BUILT else None
    if other is not None:
        assert _build.trying(invite) == _build.trying(other.parse(bytes(invite)))
        assert _build.ack(invite, busy) == _build.ack(
            other.parse(bytes(invite)), other.parse(bytes(busy))
        )
    assert isinstance(impl.parse(_build.ack(invite, busy)), impl.Request)
