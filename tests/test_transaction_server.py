"""Server transactions: every transition of RFC 3261 fig. 7 (as RFC 6026 fig. 5
corrects it) and fig. 8, with exact timer deadlines, on unreliable and reliable
transports, on both message-core twins."""

from __future__ import annotations

from typing import Any

import pytest
from _transaction import request, response

from sipfast.transaction import (
    TERMINATED,
    TRANSPORT_FAILURE,
    CancelTimer,
    InviteServerTransaction,
    NonInviteServerTransaction,
    PassToTU,
    Send,
    StartTimer,
    State,
    Timeout,
    TimerSettings,
)

SOURCE = ("udp", "192.0.2.20", 5060)
INVITE = request("INVITE", extra=("Timestamp: 54.3",))
OPTIONS = request("OPTIONS")
ACK = request("ACK", to_tag="t-1", cseq_method="ACK")


def resp(impl: Any, status: int, method: str = "INVITE", **kw: Any) -> tuple[Any, bytes]:
    data = response(status, method=method, **kw)
    return impl.parse(data), data


def invite_server(impl: Any, *, reliable: bool = False, now: float = 0.0, **timers: Any) -> Any:
    timers.setdefault("trying", None)
    tx = InviteServerTransaction(
        impl.parse(INVITE), SOURCE, reliable=reliable, timers=TimerSettings(**timers)
    )
    return tx, tx.start(now)


def non_invite_server(impl: Any, *, reliable: bool = False, now: float = 0.0) -> Any:
    tx = NonInviteServerTransaction(impl.parse(OPTIONS), SOURCE, reliable=reliable)
    return tx, tx.start(now)


def completed(impl: Any, *, reliable: bool = False, now: float = 1.0) -> Any:
    tx, _ = invite_server(impl, reliable=reliable)
    busy, data = resp(impl, 486)
    tx.send_response(busy, data, now=now)
    return tx, data


def accepted(impl: Any, now: float = 1.0) -> Any:
    tx, _ = invite_server(impl)
    ok, data = resp(impl, 200)
    tx.send_response(ok, data, now=now)
    return tx, data


# --- INVITE server: Proceeding --------------------------------------------------------


def test_invite_server_passes_invite_to_tu_in_proceeding(impl: Any) -> None:
    tx, actions = invite_server(impl)
    assert tx.state is State.PROCEEDING
    assert tx.key == ("z9hG4bK-tx1", "client.example.com:5060", "INVITE")
    assert actions == [PassToTU(tx.request)]


def test_invite_server_sends_100_when_tu_is_silent_for_200_ms(impl: Any) -> None:
    tx, actions = invite_server(impl, now=3.0, trying=0.2)
    assert actions == [StartTimer("Trying", 3.2), PassToTU(tx.request)]
    (send,) = tx.timer_fired("Trying", 3.2)
    trying = impl.parse(send.data)
    assert send.destination == SOURCE
    assert (trying.status, trying.reason) == (100, "Trying")
    assert trying.to.tag is None  # §17.2.1: no tag in a 100 the transaction makes
    assert trying.headers.get("Timestamp") == "54.3"  # §8.2.6.1
    assert trying.top_via.branch == "z9hG4bK-tx1"
    assert tx.last_response == send.data
    # an INVITE retransmission now gets the 100 again
    assert tx.receive_request(impl.parse(INVITE), 3.5) == [Send(send.data, SOURCE)]


def test_invite_server_no_100_when_tu_answers_in_time(impl: Any) -> None:
    tx, _ = invite_server(impl, trying=0.2)
    ringing, data = resp(impl, 180)
    assert tx.send_response(ringing, data, now=0.1) == [CancelTimer("Trying"), Send(data, SOURCE)]
    assert tx.timer_fired("Trying", 0.2) == []  # stale


def test_invite_server_100_at_once_or_never(impl: Any) -> None:
    tx, actions = invite_server(impl, trying=0)
    assert len(actions) == 2
    assert impl.parse(actions[0].data).status == 100
    assert actions[1] == PassToTU(tx.request)
    tx, actions = invite_server(impl, trying=None)
    assert actions == [PassToTU(tx.request)]


def test_invite_server_retransmission_before_any_response_is_absorbed(impl: Any) -> None:
    tx, _ = invite_server(impl)
    assert tx.receive_request(impl.parse(INVITE), 0.1) == []


def test_invite_server_provisional_responses_and_retransmissions(impl: Any) -> None:
    tx, _ = invite_server(impl)
    r180, d180 = resp(impl, 180)
    r183, d183 = resp(impl, 183)
    assert tx.send_response(r180, d180, now=0.1) == [Send(d180, SOURCE)]
    assert tx.receive_request(impl.parse(INVITE), 0.5) == [Send(d180, SOURCE)]
    assert tx.send_response(r183, d183, now=0.6) == [Send(d183, SOURCE)]
    # "the most recent provisional response"
    assert tx.receive_request(impl.parse(INVITE), 1.5) == [Send(d183, SOURCE)]
    assert tx.state is State.PROCEEDING


def test_invite_server_transport_error_in_proceeding_informs_tu(impl: Any) -> None:
    tx, _ = invite_server(impl)
    assert tx.transport_error(0.1) == [TRANSPORT_FAILURE]
    assert tx.state is State.PROCEEDING  # RFC 6026 fig. 5: the TU decides


def test_invite_server_2xx_goes_to_accepted_with_timer_l(impl: Any) -> None:
    tx, _ = invite_server(impl, trying=0.2)
    ok, data = resp(impl, 200)
    assert tx.send_response(ok, data, now=0.1) == [
        CancelTimer("Trying"), Send(data, SOURCE), StartTimer("L", 32.1),
    ]
    assert tx.state is State.ACCEPTED
    assert tx.timer_l == 32.1


def test_invite_server_300_699_goes_to_completed_with_g_and_h(impl: Any) -> None:
    tx, _ = invite_server(impl)
    busy, data = resp(impl, 486)
    assert tx.send_response(busy, data, now=2.0) == [
        Send(data, SOURCE), StartTimer("G", 2.5), StartTimer("H", 34.0),
    ]
    assert tx.state is State.COMPLETED


# --- INVITE server: Completed, Confirmed -------------------------------------------------


def test_invite_server_timer_g_doubles_up_to_t2(impl: Any) -> None:
    tx, data = completed(impl, now=0.0)
    fired_at = []
    now = 0.5
    while now < 32.0:
        actions = tx.timer_fired("G", now)
        assert actions[0] == Send(data, SOURCE)
        fired_at.append(now)
        now = actions[1].deadline
    assert fired_at == [0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5]


def test_invite_server_completed_resends_final_on_invite(impl: Any) -> None:
    tx, data = completed(impl)
    assert tx.receive_request(impl.parse(INVITE), 1.2) == [Send(data, SOURCE)]
    assert tx.state is State.COMPLETED


def test_invite_server_transport_error_in_completed_informs_tu(impl: Any) -> None:
    tx, _ = completed(impl)
    assert tx.transport_error(1.1) == [TRANSPORT_FAILURE]
    assert tx.state is State.COMPLETED  # timer H still ends it


def test_invite_server_timer_h_is_a_transaction_failure(impl: Any) -> None:
    tx, _ = completed(impl)
    tx.timer_fired("G", 1.5)
    assert tx.timer_fired("H", 33.0) == [CancelTimer("G"), Timeout("H"), TERMINATED]
    assert tx.state is State.TERMINATED


def test_invite_server_ack_goes_to_confirmed_with_timer_i(impl: Any) -> None:
    tx, _data = completed(impl)
    assert tx.receive_request(impl.parse(ACK), 1.3) == [
        CancelTimer("G"), CancelTimer("H"), StartTimer("I", 6.3),
    ]
    assert tx.state is State.CONFIRMED
    # Confirmed absorbs ACKs and INVITEs; timer G no longer matters
    assert tx.receive_request(impl.parse(ACK), 1.4) == []
    assert tx.receive_request(impl.parse(INVITE), 1.5) == []
    assert tx.timer_fired("G", 1.5) == []
    assert tx.timer_fired("H", 33.0) == []
    assert tx.transport_error(1.6) == []
    assert tx.timer_fired("I", 6.3) == [TERMINATED]
    assert tx.state is State.TERMINATED


def test_invite_server_tu_responses_after_final_are_discarded(impl: Any) -> None:
    tx, _ = completed(impl)
    for status in (180, 200, 500):
        r, d = resp(impl, status)
        assert tx.send_response(r, d, now=1.5) == []
    assert tx.state is State.COMPLETED


# --- INVITE server: Accepted (RFC 6026) --------------------------------------------------


def test_invite_server_accepted_absorbs_invite(impl: Any) -> None:
    tx, _ = accepted(impl)
    assert tx.receive_request(impl.parse(INVITE), 1.5) == []


def test_invite_server_accepted_passes_ack_to_tu(impl: Any) -> None:
    tx, _ = accepted(impl)
    ack = impl.parse(ACK)
    assert tx.receive_request(ack, 1.5) == [PassToTU(ack)]
    assert tx.receive_request(ack, 1.6) == [PassToTU(ack)]
    assert tx.state is State.ACCEPTED


def test_invite_server_accepted_sends_tu_2xx_retransmissions(impl: Any) -> None:
    tx, data = accepted(impl)
    ok = impl.parse(data)
    assert tx.send_response(ok, data, now=1.5) == [Send(data, SOURCE)]
    other, other_data = resp(impl, 200, to_tag="fork-2")
    assert tx.send_response(other, other_data, now=2.0) == [Send(other_data, SOURCE)]
    r486, d486 = resp(impl, 486)
    assert tx.send_response(r486, d486, now=2.0) == []
    r180, d180 = resp(impl, 180)
    assert tx.send_response(r180, d180, now=2.0) == []
    assert tx.state is State.ACCEPTED


def test_invite_server_accepted_transport_error_informs_tu(impl: Any) -> None:
    tx, _ = accepted(impl)
    assert tx.transport_error(1.5) == [TRANSPORT_FAILURE]
    assert tx.state is State.ACCEPTED


def test_invite_server_timer_l_terminates(impl: Any) -> None:
    tx, _ = accepted(impl, now=1.0)
    assert tx.timer_fired("L", 33.0) == [TERMINATED]
    assert tx.state is State.TERMINATED
    assert tx.receive_request(impl.parse(ACK), 34.0) == []


# --- INVITE server: reliable transports ----------------------------------------------------


def test_invite_server_reliable_no_timer_g_and_i_zero(impl: Any) -> None:
    tx, _ = invite_server(impl, reliable=True)
    busy, data = resp(impl, 486, transport="TCP")
    assert tx.send_response(busy, data, now=1.0) == [Send(data, SOURCE), StartTimer("H", 33.0)]
    assert tx.receive_request(impl.parse(ACK), 1.1) == [CancelTimer("H"), TERMINATED]
    assert tx.state is State.TERMINATED


def test_invite_server_reliable_timer_h(impl: Any) -> None:
    tx, _ = completed(impl, reliable=True)
    assert tx.timer_fired("H", 33.0) == [Timeout("H"), TERMINATED]


def test_invite_server_reliable_accepted(impl: Any) -> None:
    tx, _ = invite_server(impl, reliable=True)
    ok, data = resp(impl, 200)
    assert tx.send_response(ok, data, now=1.0) == [Send(data, SOURCE), StartTimer("L", 33.0)]


def test_invite_server_default_data_is_the_responses_octets(impl: Any) -> None:
    tx, _ = invite_server(impl)
    ringing, data = resp(impl, 180)
    assert tx.send_response(ringing, now=0.1) == [Send(data, SOURCE)]


def test_invite_server_refuses_other_methods_and_unknown_timers(impl: Any) -> None:
    with pytest.raises(ValueError, match="INVITE"):
        InviteServerTransaction(impl.parse(OPTIONS), SOURCE, reliable=False)
    tx, _ = invite_server(impl)
    with pytest.raises(ValueError, match="no timer 'J'"):
        tx.timer_fired("J", 1.0)
    with pytest.raises(RuntimeError, match="already started"):
        tx.start(1.0)


# --- non-INVITE server ---------------------------------------------------------------------


def test_non_invite_server_trying(impl: Any) -> None:
    tx, actions = non_invite_server(impl)
    assert tx.state is State.TRYING
    assert tx.key == ("z9hG4bK-tx1", "client.example.com:5060", "OPTIONS")
    assert actions == [PassToTU(tx.request)]
    # retransmissions in Trying are discarded; no transport error is possible yet
    assert tx.receive_request(impl.parse(OPTIONS), 0.5) == []
    assert tx.transport_error(0.6) == []
    assert tx.state is State.TRYING


def test_non_invite_server_1xx_goes_to_proceeding(impl: Any) -> None:
    tx, _ = non_invite_server(impl)
    trying, d100 = resp(impl, 100, "OPTIONS", to_tag=None)
    assert tx.send_response(trying, d100, now=0.1) == [Send(d100, SOURCE)]
    assert tx.state is State.PROCEEDING
    r180, d180 = resp(impl, 180, "OPTIONS")
    assert tx.send_response(r180, d180, now=0.2) == [Send(d180, SOURCE)]
    assert tx.state is State.PROCEEDING
    assert tx.receive_request(impl.parse(OPTIONS), 0.5) == [Send(d180, SOURCE)]


@pytest.mark.parametrize("status", [200, 404, 699])
@pytest.mark.parametrize("via_proceeding", [False, True])
def test_non_invite_server_final_goes_to_completed_with_timer_j(
    impl: Any, status: int, via_proceeding: bool
) -> None:
    tx, _ = non_invite_server(impl)
    if via_proceeding:
        r, d = resp(impl, 100, "OPTIONS")
        tx.send_response(r, d, now=0.1)
    final, data = resp(impl, status, "OPTIONS")
    assert tx.send_response(final, data, now=1.0) == [Send(data, SOURCE), StartTimer("J", 33.0)]
    assert tx.state is State.COMPLETED
    assert tx.receive_request(impl.parse(OPTIONS), 1.5) == [Send(data, SOURCE)]
    later, later_data = resp(impl, 500, "OPTIONS")
    assert tx.send_response(later, later_data, now=1.6) == []  # §17.2.2: discarded
    assert tx.timer_fired("J", 33.0) == [TERMINATED]
    assert tx.state is State.TERMINATED


def test_non_invite_server_transport_errors(impl: Any) -> None:
    tx, _ = non_invite_server(impl)
    r, d = resp(impl, 100, "OPTIONS")
    tx.send_response(r, d, now=0.1)
    assert tx.transport_error(0.2) == [TRANSPORT_FAILURE, TERMINATED]
    tx, _ = non_invite_server(impl)
    r, d = resp(impl, 200, "OPTIONS")
    tx.send_response(r, d, now=0.1)
    assert tx.transport_error(0.2) == [CancelTimer("J"), TRANSPORT_FAILURE, TERMINATED]


def test_non_invite_server_reliable_j_is_zero(impl: Any) -> None:
    tx, _ = non_invite_server(impl, reliable=True)
    ok, data = resp(impl, 200, "OPTIONS", transport="TCP")
    assert tx.send_response(ok, data, now=1.0) == [Send(data, SOURCE), TERMINATED]
    assert tx.state is State.TERMINATED


def test_non_invite_server_refuses_invite_ack_and_unknown_timers(impl: Any) -> None:
    for data in (INVITE, ACK):
        with pytest.raises(ValueError, match="can't take"):
            NonInviteServerTransaction(impl.parse(data), SOURCE, reliable=False)
    tx, _ = non_invite_server(impl)
    with pytest.raises(ValueError, match="no timer 'G'"):
        tx.timer_fired("G", 1.0)
    assert tx.timer_fired("J", 1.0) == []  # not running


def test_cancel_has_its_own_non_invite_server_transaction(impl: Any) -> None:
    cancel = request("CANCEL", cseq_method="CANCEL")
    tx = NonInviteServerTransaction(impl.parse(cancel), SOURCE, reliable=False)
    assert tx.key == ("z9hG4bK-tx1", "client.example.com:5060", "CANCEL")


def test_nothing_happens_after_terminated(impl: Any) -> None:
    """Every event on a terminated transaction of each kind yields no action."""
    from sipfast.transaction import InviteClientTransaction, NonInviteClientTransaction

    invite, options = impl.parse(INVITE), impl.parse(OPTIONS)
    ok_inv, ok_inv_data = resp(impl, 200)
    busy, busy_data = resp(impl, 486)
    ok_opt, ok_opt_data = resp(impl, 200, "OPTIONS")

    ist = InviteServerTransaction(invite, SOURCE, reliable=True)
    ist.start(0.0)
    ist.send_response(busy, busy_data, now=0.1)
    ist.receive_request(impl.parse(ACK), 0.2)  # reliable: Confirmed ends at once
    nist = NonInviteServerTransaction(options, SOURCE, reliable=True)
    nist.start(0.0)
    nist.send_response(ok_opt, ok_opt_data, now=0.1)
    ict = InviteClientTransaction(invite, INVITE, SOURCE, reliable=True)
    ict.start(0.0)
    ict.receive_response(busy, 0.1)
    nict = NonInviteClientTransaction(options, OPTIONS, SOURCE, reliable=True)
    nict.start(0.0)
    nict.receive_response(ok_opt, 0.1)
    for tx in (ist, nist, ict, nict):
        assert tx.state is State.TERMINATED
        assert tx.transport_error(1.0) == []
    for tx, request_ in ((ist, invite), (ist, impl.parse(ACK)), (nist, options)):
        assert tx.receive_request(request_, 1.0) == []
    for tx, response_, data in ((ist, ok_inv, ok_inv_data), (nist, ok_opt, ok_opt_data)):
        assert tx.send_response(response_, data, now=1.0) == []
    for tx, response_ in ((ict, busy), (ict, ok_inv), (nict, ok_opt)):
        assert tx.receive_response(response_, 1.0) == []
    for tx, names in ((ist, "GHIL"), (nist, "J"), (ict, "ABDM"), (nict, "EFK")):
        for name in names:
            assert tx.timer_fired(name, 100.0) == []
    assert ist.timer_fired("Trying", 100.0) == []
