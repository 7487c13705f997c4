"""Matching (RFC 3261 §17.1.3, §17.2.3 with the RFC 2543 fallback), CANCEL to its INVITE
(§9.2), merged requests (§8.2.2.2) and the transaction table, on both twins."""

from __future__ import annotations

from typing import Any

import pytest
from _transaction import ack_for_2xx, request, response

from sipfast.transaction import (
    InviteClientTransaction,
    InviteServerTransaction,
    NonInviteClientTransaction,
    NonInviteServerTransaction,
    TransactionTable,
    client_key,
    merge_key,
    server_key,
)

SRC = ("udp", "192.0.2.1", 5060)


def server(impl: Any, data: bytes) -> Any:
    msg = impl.parse(data)
    cls = InviteServerTransaction if msg.method == "INVITE" else NonInviteServerTransaction
    tx = cls(msg, SRC, reliable=False)
    tx.start(0.0)
    return tx


def client(impl: Any, data: bytes) -> Any:
    msg = impl.parse(data)
    cls = InviteClientTransaction if msg.method == "INVITE" else NonInviteClientTransaction
    tx = cls(msg, data, SRC, reliable=False)
    tx.start(0.0)
    return tx


# --- client side (§17.1.3) -----------------------------------------------------------------


def test_client_key_is_branch_and_cseq_method(impl: Any) -> None:
    assert client_key(impl.parse(request("INVITE"))) == ("z9hG4bK-tx1", "INVITE")
    assert client_key(impl.parse(response(180, method="INVITE"))) == ("z9hG4bK-tx1", "INVITE")


def test_response_matches_its_client_transaction(impl: Any) -> None:
    table = TransactionTable()
    invite = client(impl, request("INVITE"))
    cancel = client(impl, request("CANCEL", cseq_method="CANCEL"))  # same branch
    options = client(impl, request("OPTIONS", branch="z9hG4bK-tx2"))
    for tx in (invite, cancel, options):
        table.add(tx)
    assert table.match_response(impl.parse(response(180, method="INVITE"))) is invite
    assert table.match_response(impl.parse(response(200, method="CANCEL"))) is cancel
    assert table.match_response(
        impl.parse(response(200, method="OPTIONS", branch="z9hG4bK-tx2"))
    ) is options
    # the branch alone is not enough, nor the method alone
    assert table.match_response(impl.parse(response(200, method="OPTIONS"))) is None
    assert table.match_response(
        impl.parse(response(200, method="INVITE", branch="z9hG4bK-other"))
    ) is None
    assert table.match_response(impl.parse(response(200, method="INVITE", branch=None))) is None


def test_response_matching_ignores_sent_by_and_other_headers(impl: Any) -> None:
    table = TransactionTable()
    tx = client(impl, request("OPTIONS"))
    table.add(tx)
    other = response(200, sent_by="elsewhere.example.com", call_id="x", from_tag="y", seq=9)
    assert table.match_response(impl.parse(other)) is tx


def test_branch_comparison_is_exact(impl: Any) -> None:
    table = TransactionTable()
    table.add(client(impl, request("OPTIONS", branch="z9hG4bKabc")))
    assert table.match_response(impl.parse(response(200, branch="z9hG4bKABC"))) is None


# --- server side (§17.2.3) -----------------------------------------------------------------


def test_server_key(impl: Any) -> None:
    invite = impl.parse(request("INVITE", sent_by="Client.Example.COM:5070"))
    assert server_key(invite) == ("z9hG4bK-tx1", "client.example.com:5070", "INVITE")
    ack = impl.parse(request("ACK", sent_by="Client.Example.COM:5070", to_tag="t"))
    assert server_key(ack) == server_key(invite)


def test_retransmission_and_ack_match_the_invite_transaction(impl: Any) -> None:
    table = TransactionTable()
    tx = server(impl, request("INVITE"))
    table.add(tx)
    assert table.match_request(impl.parse(request("INVITE"))) is tx
    # the ACK for a non-2xx has the INVITE's branch (§17.1.1.3)
    assert table.match_request(impl.parse(request("ACK", to_tag="t-1"))) is tx
    # the ACK for a 2xx has a branch of its own: it matches nothing
    assert table.match_request(impl.parse(ack_for_2xx())) is None


def test_server_matching_needs_branch_sent_by_and_method(impl: Any) -> None:
    table = TransactionTable()
    tx = server(impl, request("OPTIONS"))
    table.add(tx)
    assert table.match_request(impl.parse(request("OPTIONS"))) is tx
    # sent-by hosts compare case-insensitively
    def match(**kw: Any) -> Any:
        return table.match_request(impl.parse(request(kw.pop("method", "OPTIONS"), **kw)))

    assert match(sent_by="CLIENT.example.com:5060") is tx
    assert match(branch="z9hG4bK-tx2") is None
    assert match(sent_by="other.example.com") is None
    assert match(sent_by="client.example.com:5070") is None
    assert match(method="INFO") is None
    # other fields play no part with an RFC 3261 branch
    assert table.match_request(impl.parse(request("OPTIONS", call_id="x", seq=5))) is tx


def test_cancel_does_not_match_the_invite_but_finds_it(impl: Any) -> None:
    table = TransactionTable()
    invite = server(impl, request("INVITE"))
    table.add(invite)
    cancel = impl.parse(request("CANCEL", cseq_method="CANCEL"))
    assert table.match_request(cancel) is None
    assert table.match_cancel(cancel) is invite
    cancel_tx = server(impl, request("CANCEL", cseq_method="CANCEL"))
    table.add(cancel_tx)
    assert table.match_request(cancel) is cancel_tx
    assert table.match_cancel(cancel) is invite
    # a CANCEL for another INVITE, or from another client, finds nothing
    assert table.match_cancel(impl.parse(request("CANCEL", branch="z9hG4bK-no"))) is None
    assert table.match_cancel(impl.parse(request("CANCEL", sent_by="evil.example.com"))) is None
    with pytest.raises(ValueError, match="CANCEL"):
        table.match_cancel(impl.parse(request("INVITE")))


# --- RFC 2543 fallback ---------------------------------------------------------------------


@pytest.mark.parametrize("branch", [None, "1234-not-a-cookie"])
def test_rfc2543_invite_retransmission_and_ack(impl: Any, branch: str | None) -> None:
    table = TransactionTable()
    invite = server(impl, request("INVITE", branch=branch))
    assert len(invite.key) == 6
    table.add(invite)
    assert table.match_request(impl.parse(request("INVITE", branch=branch))) is invite
    # any of Request-URI, From tag, Call-ID, CSeq, top Via, To tag differing: no match
    for changed in (
        {"uri": "sip:carol@example.com"},
        {"from_tag": "f-2"},
        {"call_id": "call-2@client.example.com"},
        {"seq": 2},
        {"sent_by": "client.example.com:5070"},
        {"to_tag": "t-9"},
    ):
        other = request("INVITE", branch=branch, **changed)  # type: ignore[arg-type]
        assert table.match_request(impl.parse(other)) is None, changed
    # the ACK matches when its To tag is that of the response the transaction sent
    busy = response(486, method="INVITE", branch=branch, to_tag="srv-tag")
    invite.send_response(impl.parse(busy), busy, now=1.0)
    assert invite.to_tag == "srv-tag"
    ack = impl.parse(request("ACK", branch=branch, to_tag="srv-tag"))
    assert table.match_request(ack) is invite
    assert table.match_request(impl.parse(request("ACK", branch=branch, to_tag="other"))) is None
    wrong_seq = request("ACK", branch=branch, seq=2, to_tag="srv-tag")
    assert table.match_request(impl.parse(wrong_seq)) is None


def test_rfc2543_non_invite_and_cancel(impl: Any) -> None:
    table = TransactionTable()
    options = server(impl, request("OPTIONS", branch=None))
    invite = server(impl, request("INVITE", branch=None, seq=7))
    table.add(options)
    table.add(invite)
    assert table.match_request(impl.parse(request("OPTIONS", branch=None))) is options
    assert table.match_request(impl.parse(request("OPTIONS", branch=None, to_tag="x"))) is None
    cancel = impl.parse(request("CANCEL", branch=None, seq=7))
    assert table.match_request(cancel) is None
    assert table.match_cancel(cancel) is invite
    assert table.match_cancel(impl.parse(request("CANCEL", branch=None, seq=7, to_tag="x"))) is None
    assert table.match_cancel(impl.parse(request("CANCEL", branch=None, seq=8))) is None


def test_rfc2543_and_rfc3261_keys_never_collide(impl: Any) -> None:
    table = TransactionTable()
    modern = server(impl, request("OPTIONS"))
    legacy = server(impl, request("OPTIONS", branch=None))
    table.add(modern)
    table.add(legacy)
    assert table.match_request(impl.parse(request("OPTIONS"))) is modern
    assert table.match_request(impl.parse(request("OPTIONS", branch=None))) is legacy


# --- merged requests (§8.2.2.2) --------------------------------------------------------------


def test_merged_request_is_detected(impl: Any) -> None:
    table = TransactionTable()
    first = server(impl, request("INVITE", branch="z9hG4bK-path1", sent_by="proxy1.example.com"))
    table.add(first)
    # the same request forked by an upstream proxy, arriving over another path
    merged = impl.parse(request("INVITE", branch="z9hG4bK-path2", sent_by="proxy2.example.com"))
    assert table.match_request(merged) is None
    assert table.find_merged(merged) is first
    # the UAS core answers it 482 through a server transaction of its own
    second = server(impl, request("INVITE", branch="z9hG4bK-path2", sent_by="proxy2.example.com"))
    table.add(second)
    # its retransmissions match that transaction (callers look there first) ...
    assert table.match_request(merged) is second
    # ... and it still is the request merged with the first
    assert table.find_merged(merged) is first
    third = impl.parse(request("INVITE", branch="z9hG4bK-path3", sent_by="proxy3.example.com"))
    assert table.find_merged(third) is first
    # removing the second leaves the first as the one merged with
    table.remove(second)
    assert table.find_merged(third) is first
    table.remove(first)
    assert table.find_merged(third) is None


def test_not_merged(impl: Any) -> None:
    table = TransactionTable()
    first = server(impl, request("INVITE", branch="z9hG4bK-path1"))
    table.add(first)
    # a retransmission is not merged
    assert table.find_merged(impl.parse(request("INVITE", branch="z9hG4bK-path1"))) is None
    # a request with a To tag is in a dialog: never merged
    assert table.find_merged(impl.parse(request("INVITE", branch="z9hG4bK-2", to_tag="t"))) is None
    # any of From tag, Call-ID, CSeq number or method differing: another request
    for changed in ({"from_tag": "f-2"}, {"call_id": "c2"}, {"seq": 2}):
        other = request("INVITE", branch="z9hG4bK-2", **changed)  # type: ignore[arg-type]
        assert table.find_merged(impl.parse(other)) is None, changed
    cancel = impl.parse(request("CANCEL", branch="z9hG4bK-2"))
    assert table.find_merged(cancel) is None
    ack = impl.parse(request("ACK", branch="z9hG4bK-2"))
    assert table.find_merged(ack) is None


def test_merge_key(impl: Any) -> None:
    msg = impl.parse(request("INVITE", seq=42))
    assert merge_key(msg) == ("f-1", "call-1@client.example.com", 42, "INVITE")


# --- the table -----------------------------------------------------------------------------


def test_table_add_remove_len(impl: Any) -> None:
    table = TransactionTable()
    c = client(impl, request("OPTIONS"))
    s = server(impl, request("OPTIONS"))
    table.add(c)
    table.add(s)
    assert (len(table), table.client_count, table.server_count) == (2, 1, 1)
    assert set(table) == {c, s}
    with pytest.raises(ValueError, match="client transaction"):
        table.add(client(impl, request("OPTIONS")))
    with pytest.raises(ValueError, match="server transaction"):
        table.add(server(impl, request("OPTIONS")))
    table.remove(c)
    table.remove(c)  # twice is harmless
    assert table.match_response(impl.parse(response(200))) is None
    assert len(table) == 1
    # removing a transaction that is not the one under its key leaves the other
    twin = server(impl, request("OPTIONS"))
    table.remove(twin)
    assert table.match_request(impl.parse(request("OPTIONS"))) is s
    table.remove(s)
    assert len(table) == 0


def test_table_with_many_transactions(impl: Any) -> None:
    n = 2000 if impl.name == "py" else 20000
    table = TransactionTable()
    clients = []
    for i in range(n):
        tx = client(impl, request("OPTIONS", branch=f"z9hG4bK-{i}", call_id=f"c{i}"))
        clients.append(tx)
        table.add(tx)
        table.add(server(impl, request("OPTIONS", branch=f"z9hG4bK-{i}", call_id=f"c{i}")))
    assert len(table) == 2 * n
    for i in (0, n // 2, n - 1):
        resp = impl.parse(response(200, branch=f"z9hG4bK-{i}"))
        assert table.match_response(resp) is clients[i]
        req = impl.parse(request("OPTIONS", branch=f"z9hG4bK-{i}"))
        match = table.match_request(req)
        assert match is not None
        assert match.request.call_id == f"c{i}"
