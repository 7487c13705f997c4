"""The messages the transaction layer writes itself (transaction/_build.py): the ACK for
a 300-699 response (§17.1.1.3) and responses (§8.2.6), on both twins."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from _transaction import request, response

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


def test_response_copies_the_request(impl: Any) -> None:
    data = request("INVITE", extra=("Timestamp: 12 0.5",)).replace(
        b"Via: SIP/2.0/UDP client.example.com:5060;branch=z9hG4bK-tx1\r\n",
        b"Via: SIP/2.0/UDP p.example.com;branch=z9hG4bK-p;received=192.0.2.9\r\n"
        b"Via: SIP/2.0/UDP client.example.com:5060;branch=z9hG4bK-tx1\r\n",
    )
    invite = impl.parse(data)
    trying = impl.parse(_build.response(invite, 100, "Trying"))
    assert (trying.status, trying.reason) == (100, "Trying")
    assert trying.headers.getall("Via") == invite.headers.getall("Via")
    assert trying.headers.get("From") == invite.headers.get("From")
    assert trying.call_id == invite.call_id
    assert trying.headers.get("CSeq") == "1 INVITE"
    assert trying.headers.get("Timestamp") == "12 0.5"
    busy = impl.parse(_build.response(invite, 486, "Busy Here", to_tag="abc"))
    assert busy.to.tag == "abc"
    assert "Timestamp" not in busy.headers  # §8.2.6.1 is about the 100 only
    plain = impl.parse(_build.response(invite, 180, "Ringing"))
    assert plain.to.tag is None


def test_response_keeps_an_existing_to_tag(impl: Any) -> None:
    in_dialog = impl.parse(request("BYE", to_tag="dialog-tag"))
    ok = impl.parse(_build.response(in_dialog, 200, "OK", to_tag="new"))
    assert ok.to.tag == "dialog-tag"


def test_response_refuses_bad_status_reason_and_tag(impl: Any) -> None:
    req = impl.parse(request("OPTIONS"))
    for status in (99, 700, "200"):
        with pytest.raises(ValueError, match="status"):
            _build.response(req, status, "OK")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        _build.response(req, 200, "OK\r\nX-Injected: 1")
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        _build.response(req, 200, "O\0K")
    for tag in ("", "a b", "a;b", "a\r\n"):
        with pytest.raises(ValueError, match="token"):
            _build.response(req, 200, "OK", to_tag=tag)


def fake_message(**headers: Any) -> Any:
    """A parsed-message stand-in whose header values can hold what a parser never gives."""
    values = {k.replace("_", "-"): v for k, v in headers.items()}

    class FakeHeaders:
        def get(self, name: str) -> Any:
            return values.get(name)

        def getall(self, name: str) -> list[str]:
            v = values.get(name)
            return [] if v is None else [v]

    return SimpleNamespace(
        headers=FakeHeaders(),
        uri=values.get("uri", "sip:bob@example.com"),
        top_via=values.get("Via", "SIP/2.0/UDP h;branch=z9hG4bK-1"),
        max_forwards=70,
        call_id=values.get("Call-ID", "c"),
        cseq=SimpleNamespace(seq=1, method="INVITE"),
        to=SimpleNamespace(tag=None),
        status=values.get("status", 486),
    )


@pytest.mark.parametrize(
    "field", ["uri", "Via", "Route", "From", "Call-ID"]
)
@pytest.mark.parametrize("bad", ["\r\nX: 1", "\nX: 1", "a\0b"])
def test_ack_refuses_injection_from_the_request(field: str, bad: str) -> None:
    fields = {"From": "<sip:a@b>;tag=1", "Route": "<sip:r;lr>", field: "x" + bad}
    invite = fake_message(**fields)
    resp = fake_message(To="<sip:b@c>;tag=2")
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        _build.ack(invite, resp)


def test_ack_refuses_injection_from_the_response() -> None:
    invite = fake_message(From="<sip:a@b>;tag=1")
    resp = fake_message(To="<sip:b@c>;tag=2\r\nX: 1")
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        _build.ack(invite, resp)


@pytest.mark.parametrize("field", ["Via", "From", "To", "Call-ID", "CSeq"])
def test_response_refuses_injection(field: str) -> None:
    fields = {"Via": "SIP/2.0/UDP h", "From": "<sip:a@b>", "To": "<sip:b@c>", "CSeq": "1 INVITE"}
    fields[field] = fields.get(field, "x") + "\r\nX: 1"
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        _build.response(fake_message(**fields), 100, "Trying")


def test_missing_header_is_an_error() -> None:
    with pytest.raises(ValueError, match="From is missing"):
        _build.response(fake_message(Via="SIP/2.0/UDP h", To="<sip:b@c>"), 200, "OK")


def test_a_client_transaction_drops_a_response_it_cannot_acknowledge() -> None:
    from sipfast.transaction import InviteClientTransaction

    invite = fake_message(From="<sip:a@b>;tag=1")
    invite.method = "INVITE"
    invite.top_via = SimpleNamespace(branch="z9hG4bK-1", __str__=lambda: "x")
    tx = InviteClientTransaction(invite, b"INVITE ...", "dest", reliable=False)
    tx.start(0.0)
    bad = fake_message(To="<sip:b@c>;tag=2\0")
    assert tx.receive_response(bad, 1.0) == []
    assert tx.state.value == "Calling"
