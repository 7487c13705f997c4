"""Client transactions: every transition of RFC 3261 fig. 5 (with RFC 6026 fig. 3) and
fig. 6, with exact timer deadlines, on unreliable and reliable transports, on both
message-core twins."""

from __future__ import annotations

from typing import Any

import pytest
from _transaction import request, response

from sipfast.transaction import (
    TERMINATED,
    TRANSPORT_FAILURE,
    CancelTimer,
    InviteClientTransaction,
    NonInviteClientTransaction,
    PassToTU,
    Send,
    StartTimer,
    State,
    Timeout,
    TimerSettings,
)

DEST = ("udp", "192.0.2.10", 5060)
INVITE = request("INVITE")
OPTIONS = request("OPTIONS")


def inv_response(impl: Any, status: int, **kw: Any) -> Any:
    return impl.parse(response(status, method="INVITE", **kw))


def opt_response(impl: Any, status: int, **kw: Any) -> Any:
    return impl.parse(response(status, method="OPTIONS", **kw))


def invite_client(impl: Any, *, reliable: bool = False, now: float = 0.0, **timers: Any) -> Any:
    tx = InviteClientTransaction(
        impl.parse(INVITE), INVITE, DEST, reliable=reliable, timers=TimerSettings(**timers)
    )
    return tx, tx.start(now)


def non_invite_client(
    impl: Any, *, reliable: bool = False, now: float = 0.0, **timers: Any
) -> Any:
    tx = NonInviteClientTransaction(
        impl.parse(OPTIONS), OPTIONS, DEST, reliable=reliable, timers=TimerSettings(**timers)
    )
    return tx, tx.start(now)


# --- INVITE client: Calling ------------------------------------------------------------


def test_invite_client_starts_in_calling_with_timers_a_and_b(impl: Any) -> None:
    tx, actions = invite_client(impl, now=10.0)
    assert tx.state is State.CALLING
    assert tx.key == ("z9hG4bK-tx1", "INVITE")
    assert actions == [Send(INVITE, DEST), StartTimer("A", 10.5), StartTimer("B", 42.0)]
    assert (tx.timer_a, tx.timer_b) == (10.5, 42.0)


def test_invite_client_timer_a_doubles_without_cap(impl: Any) -> None:
    # §17.1.1.2: T1, 2*T1, 4*T1, ... (T2 does not cap timer A)
    tx, _ = invite_client(impl)
    fired_at, deadlines = [], []
    now = 0.5
    while now < 32.0:
        actions = tx.timer_fired("A", now)
        assert actions[0] == Send(INVITE, DEST)
        assert actions[1].name == "A"
        fired_at.append(now)
        deadlines.append(actions[1].deadline)
        now = actions[1].deadline
    assert fired_at == [0.5, 1.5, 3.5, 7.5, 15.5, 31.5]
    assert deadlines == [1.5, 3.5, 7.5, 15.5, 31.5, 63.5]
    # 7 transmissions before timer B (32 s) at the default T1
    assert tx.state is State.CALLING


def test_invite_client_timer_a_follows_t1(impl: Any) -> None:
    tx, actions = invite_client(impl, t1=0.1, t2=4.0)
    assert actions[1:] == [StartTimer("A", 0.1), StartTimer("B", pytest.approx(6.4))]
    assert tx.timer_fired("A", 0.1)[1] == StartTimer("A", pytest.approx(0.3))


def test_invite_client_timer_b_informs_tu_of_timeout(impl: Any) -> None:
    tx, _ = invite_client(impl)
    tx.timer_fired("A", 0.5)
    actions = tx.timer_fired("B", 32.0)
    assert actions == [CancelTimer("A"), Timeout("B"), TERMINATED]
    assert tx.state is State.TERMINATED
    assert (tx.timer_a, tx.timer_b) == (None, None)


def test_invite_client_transport_error_in_calling(impl: Any) -> None:
    tx, _ = invite_client(impl)
    assert tx.transport_error(0.1) == [
        CancelTimer("A"), CancelTimer("B"), TRANSPORT_FAILURE, TERMINATED,
    ]
    assert tx.state is State.TERMINATED


def test_invite_client_1xx_in_calling_goes_to_proceeding(impl: Any) -> None:
    tx, _ = invite_client(impl)
    ringing = inv_response(impl, 180)
    actions = tx.receive_response(ringing, 0.2)
    assert actions == [CancelTimer("A"), CancelTimer("B"), PassToTU(ringing)]
    assert tx.state is State.PROCEEDING
    # in Proceeding the INVITE is no longer retransmitted and timer B no longer applies
    assert tx.timer_fired("A", 0.5) == []
    assert tx.timer_fired("B", 32.0) == []
    assert tx.state is State.PROCEEDING


def test_invite_client_100_also_stops_retransmissions(impl: Any) -> None:
    tx, _ = invite_client(impl)
    trying = inv_response(impl, 100, to_tag=None)
    assert tx.receive_response(trying, 0.2) == [
        CancelTimer("A"), CancelTimer("B"), PassToTU(trying),
    ]


def test_invite_client_1xx_in_proceeding_goes_to_tu(impl: Any) -> None:
    tx, _ = invite_client(impl)
    tx.receive_response(inv_response(impl, 100, to_tag=None), 0.1)
    ringing = inv_response(impl, 180)
    assert tx.receive_response(ringing, 1.0) == [PassToTU(ringing)]
    assert tx.receive_response(ringing, 2.0) == [PassToTU(ringing)]
    assert tx.state is State.PROCEEDING


@pytest.mark.parametrize("via_proceeding", [False, True])
def test_invite_client_2xx_goes_to_accepted_with_timer_m(impl: Any, via_proceeding: bool) -> None:
    tx, _ = invite_client(impl)
    if via_proceeding:
        tx.receive_response(inv_response(impl, 180), 0.2)
    ok = inv_response(impl, 200)
    actions = tx.receive_response(ok, 3.0)
    cancels = [] if via_proceeding else [CancelTimer("A"), CancelTimer("B")]
    assert actions == [*cancels, StartTimer("M", 35.0), PassToTU(ok)]
    assert tx.state is State.ACCEPTED
    assert tx.timer_m == 35.0
    assert tx.ack is None  # the TU acknowledges a 2xx, not the transaction


def test_invite_client_accepted_passes_every_2xx_and_ignores_the_rest(impl: Any) -> None:
    tx, _ = invite_client(impl)
    tx.receive_response(inv_response(impl, 200), 1.0)
    again = inv_response(impl, 200)
    other_fork = inv_response(impl, 200, to_tag="fork-2")
    assert tx.receive_response(again, 1.5) == [PassToTU(again)]
    assert tx.receive_response(other_fork, 2.0) == [PassToTU(other_fork)]
    assert tx.receive_response(inv_response(impl, 180), 2.1) == []
    assert tx.receive_response(inv_response(impl, 486), 2.2) == []
    assert tx.transport_error(2.3) == []  # nothing is sent in Accepted
    assert tx.state is State.ACCEPTED


def test_invite_client_timer_m_terminates(impl: Any) -> None:
    tx, _ = invite_client(impl)
    tx.receive_response(inv_response(impl, 200), 1.0)
    assert tx.timer_fired("M", 33.0) == [TERMINATED]
    assert tx.state is State.TERMINATED
    assert tx.receive_response(inv_response(impl, 200), 34.0) == []


@pytest.mark.parametrize("via_proceeding", [False, True])
def test_invite_client_300_699_sends_ack_and_goes_to_completed(
    impl: Any, via_proceeding: bool
) -> None:
    tx, _ = invite_client(impl)
    if via_proceeding:
        tx.receive_response(inv_response(impl, 180), 0.2)
    busy = inv_response(impl, 486, to_tag="busy-tag")
    actions = tx.receive_response(busy, 2.0)
    cancels = [] if via_proceeding else [CancelTimer("A"), CancelTimer("B")]
    assert tx.ack is not None
    assert actions == [*cancels, Send(tx.ack, DEST), StartTimer("D", 34.0), PassToTU(busy)]
    assert tx.state is State.COMPLETED
    ack = impl.parse(tx.ack)
    assert ack.method == "ACK"
    assert ack.to.tag == "busy-tag"
    assert ack.top_via.branch == "z9hG4bK-tx1"


@pytest.mark.parametrize("status", [300, 404, 500, 603, 699])
def test_invite_client_every_300_699_class_is_acknowledged(impl: Any, status: int) -> None:
    tx, _ = invite_client(impl)
    actions = tx.receive_response(inv_response(impl, status), 1.0)
    assert Send(tx.ack, DEST) in actions
    assert tx.state is State.COMPLETED


def test_invite_client_completed_acks_retransmissions_without_tu(impl: Any) -> None:
    tx, _ = invite_client(impl)
    busy = inv_response(impl, 486)
    tx.receive_response(busy, 1.0)
    ack = tx.ack
    for t in (1.5, 2.5, 4.5):
        assert tx.receive_response(inv_response(impl, 486), t) == [Send(ack, DEST)]
    assert tx.receive_response(inv_response(impl, 180), 5.0) == []
    assert tx.receive_response(inv_response(impl, 200), 5.0) == []
    assert tx.state is State.COMPLETED


def test_invite_client_timer_d_terminates(impl: Any) -> None:
    tx, _ = invite_client(impl)
    tx.receive_response(inv_response(impl, 486), 1.0)
    assert tx.timer_d == 33.0
    assert tx.timer_fired("D", 33.0) == [TERMINATED]
    assert tx.state is State.TERMINATED


def test_invite_client_timer_d_is_at_least_64_t1(impl: Any) -> None:
    tx, _ = invite_client(impl, t1=1.0)
    actions = tx.receive_response(inv_response(impl, 486), 1.0)
    assert StartTimer("D", 65.0) in actions
    tx, _ = invite_client(impl, d=40.0)
    assert StartTimer("D", 41.0) in tx.receive_response(inv_response(impl, 486), 1.0)


def test_invite_client_transport_error_in_completed(impl: Any) -> None:
    tx, _ = invite_client(impl)
    tx.receive_response(inv_response(impl, 486), 1.0)
    assert tx.transport_error(1.1) == [CancelTimer("D"), TRANSPORT_FAILURE, TERMINATED]


def test_invite_client_transport_error_in_proceeding(impl: Any) -> None:
    # §17.1.4: inform the TU, go to Terminated (the connection the final would use is gone)
    tx, _ = invite_client(impl)
    tx.receive_response(inv_response(impl, 180), 0.1)
    assert tx.transport_error(0.2) == [TRANSPORT_FAILURE, TERMINATED]


def test_invite_client_reliable_no_timer_a_and_d_zero(impl: Any) -> None:
    tx, actions = invite_client(impl, reliable=True, now=1.0)
    assert actions == [Send(INVITE, DEST), StartTimer("B", 33.0)]
    busy = inv_response(impl, 486)
    actions = tx.receive_response(busy, 2.0)
    assert actions == [CancelTimer("B"), Send(tx.ack, DEST), PassToTU(busy), TERMINATED]
    assert tx.state is State.TERMINATED


def test_invite_client_reliable_accepted_still_waits_timer_m(impl: Any) -> None:
    # forked 2xx can arrive over other connections: M is 64*T1 on any transport
    tx, _ = invite_client(impl, reliable=True)
    ok = inv_response(impl, 200)
    assert tx.receive_response(ok, 2.0) == [CancelTimer("B"), StartTimer("M", 34.0), PassToTU(ok)]


def test_invite_client_reliable_timeout(impl: Any) -> None:
    tx, _ = invite_client(impl, reliable=True)
    assert tx.timer_fired("B", 32.0) == [Timeout("B"), TERMINATED]


def test_invite_client_stale_and_unknown_timers(impl: Any) -> None:
    tx, _ = invite_client(impl)
    tx.receive_response(inv_response(impl, 200), 1.0)
    for name in ("A", "B", "D"):
        assert tx.timer_fired(name, 2.0) == []
    with pytest.raises(ValueError, match="no timer 'E'"):
        tx.timer_fired("E", 2.0)


def test_invite_client_ack_copies_the_request_fields(impl: Any) -> None:
    data = request(
        "INVITE",
        uri="sip:bob@192.0.2.4;transport=udp",
        routes=("<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>, <sip:p3.example.com;lr>"),
        max_forwards=42,
        seq=77,
        extra=("Contact: <sip:alice@client.example.com>", "Subject: not copied"),
    )
    tx = InviteClientTransaction(impl.parse(data), data, DEST, reliable=False)
    tx.start(0.0)
    busy = impl.parse(response(603, "Decline", method="INVITE", seq=77, to_tag="x9"))
    tx.receive_response(busy, 1.0)
    assert tx.ack == (
        b"ACK sip:bob@192.0.2.4;transport=udp SIP/2.0\r\n"
        b"Via: SIP/2.0/UDP client.example.com:5060;branch=z9hG4bK-tx1\r\n"
        b"Route: <sip:p1.example.com;lr>\r\n"
        b"Route: <sip:p2.example.com;lr>, <sip:p3.example.com;lr>\r\n"
        b"Max-Forwards: 42\r\n"
        b"From: Alice <sip:alice@example.com>;tag=f-1\r\n"
        b"To: Bob <sip:bob@example.com>;tag=x9\r\n"
        b"Call-ID: call-1@client.example.com\r\n"
        b"CSeq: 77 ACK\r\n"
        b"Content-Length: 0\r\n"
        b"\r\n"
    )


def test_invite_client_refuses_bad_requests(impl: Any) -> None:
    with pytest.raises(ValueError, match="INVITE"):
        InviteClientTransaction(impl.parse(OPTIONS), OPTIONS, DEST, reliable=False)
    legacy = request("INVITE", branch="1234")
    with pytest.raises(ValueError, match="z9hG4bK"):
        InviteClientTransaction(impl.parse(legacy), legacy, DEST, reliable=False)
    no_branch = request("INVITE", branch=None)
    with pytest.raises(ValueError, match="z9hG4bK"):
        InviteClientTransaction(impl.parse(no_branch), no_branch, DEST, reliable=False)


def test_client_start_only_once(impl: Any) -> None:
    tx, _ = invite_client(impl)
    with pytest.raises(RuntimeError, match="already started"):
        tx.start(1.0)
    tx, _ = non_invite_client(impl)
    with pytest.raises(RuntimeError, match="already started"):
        tx.start(1.0)


# --- non-INVITE client ------------------------------------------------------------------


def test_non_invite_client_starts_in_trying_with_timers_e_and_f(impl: Any) -> None:
    tx, actions = non_invite_client(impl, now=5.0)
    assert tx.state is State.TRYING
    assert tx.key == ("z9hG4bK-tx1", "OPTIONS")
    assert actions == [Send(OPTIONS, DEST), StartTimer("E", 5.5), StartTimer("F", 37.0)]


def test_non_invite_client_timer_e_doubles_up_to_t2(impl: Any) -> None:
    tx, _ = non_invite_client(impl)
    fired_at = []
    now = 0.5
    while now < 32.0:
        actions = tx.timer_fired("E", now)
        assert actions[0] == Send(OPTIONS, DEST)
        fired_at.append(now)
        now = actions[1].deadline
    # intervals 0.5, 1, 2, 4, 4, 4, ...: 11 transmissions before timer F
    assert fired_at == [0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5]
    assert now == 35.5


def test_non_invite_client_timer_e_with_small_t2(impl: Any) -> None:
    tx, _ = non_invite_client(impl, t1=0.5, t2=1.0)
    deadlines = []
    now = 0.5
    for _ in range(4):
        now = tx.timer_fired("E", now)[1].deadline
        deadlines.append(now)
    assert deadlines == [1.5, 2.5, 3.5, 4.5]


def test_non_invite_client_1xx_goes_to_proceeding_and_e_becomes_t2(impl: Any) -> None:
    tx, _ = non_invite_client(impl)
    tx.timer_fired("E", 0.5)  # next E at 1.5
    trying = opt_response(impl, 100, to_tag=None)
    assert tx.receive_response(trying, 0.7) == [PassToTU(trying)]
    assert tx.state is State.PROCEEDING
    assert tx.timer_e == 1.5  # a 1xx does not restart timer E
    assert tx.timer_fired("E", 1.5) == [Send(OPTIONS, DEST), StartTimer("E", 5.5)]
    assert tx.timer_fired("E", 5.5) == [Send(OPTIONS, DEST), StartTimer("E", 9.5)]
    ringing = opt_response(impl, 180)
    assert tx.receive_response(ringing, 6.0) == [PassToTU(ringing)]
    assert tx.state is State.PROCEEDING


@pytest.mark.parametrize("in_proceeding", [False, True])
def test_non_invite_client_timer_f_times_out(impl: Any, in_proceeding: bool) -> None:
    tx, _ = non_invite_client(impl)
    if in_proceeding:
        tx.receive_response(opt_response(impl, 100), 0.1)
    assert tx.timer_fired("F", 32.0) == [CancelTimer("E"), Timeout("F"), TERMINATED]
    assert tx.state is State.TERMINATED


@pytest.mark.parametrize("in_proceeding", [False, True])
def test_non_invite_client_transport_error(impl: Any, in_proceeding: bool) -> None:
    tx, _ = non_invite_client(impl)
    if in_proceeding:
        tx.receive_response(opt_response(impl, 100), 0.1)
    assert tx.transport_error(0.2) == [
        CancelTimer("E"), CancelTimer("F"), TRANSPORT_FAILURE, TERMINATED,
    ]


@pytest.mark.parametrize("status", [200, 302, 404, 503, 699])
@pytest.mark.parametrize("in_proceeding", [False, True])
def test_non_invite_client_final_goes_to_completed_with_timer_k(
    impl: Any, status: int, in_proceeding: bool
) -> None:
    tx, _ = non_invite_client(impl)
    if in_proceeding:
        tx.receive_response(opt_response(impl, 100), 0.1)
    final = opt_response(impl, status)
    assert tx.receive_response(final, 2.0) == [
        CancelTimer("E"), CancelTimer("F"), StartTimer("K", 7.0), PassToTU(final),
    ]
    assert tx.state is State.COMPLETED
    # Completed absorbs retransmissions; nothing goes to the TU
    assert tx.receive_response(opt_response(impl, status), 3.0) == []
    assert tx.receive_response(opt_response(impl, 100), 3.0) == []
    assert tx.transport_error(3.5) == []
    assert tx.timer_fired("E", 4.0) == []
    assert tx.timer_fired("F", 32.0) == []
    assert tx.timer_fired("K", 7.0) == [TERMINATED]
    assert tx.state is State.TERMINATED


def test_non_invite_client_timer_k_follows_t4(impl: Any) -> None:
    tx, _ = non_invite_client(impl, t4=2.5)
    assert StartTimer("K", 3.5) in tx.receive_response(opt_response(impl, 200), 1.0)


def test_non_invite_client_reliable(impl: Any) -> None:
    tx, actions = non_invite_client(impl, reliable=True)
    assert actions == [Send(OPTIONS, DEST), StartTimer("F", 32.0)]
    ok = opt_response(impl, 200)
    assert tx.receive_response(ok, 1.0) == [CancelTimer("F"), PassToTU(ok), TERMINATED]
    tx, _ = non_invite_client(impl, reliable=True)
    assert tx.timer_fired("F", 32.0) == [Timeout("F"), TERMINATED]


def test_non_invite_client_refuses_invite_and_ack(impl: Any) -> None:
    for method in ("INVITE", "ACK"):
        data = request(method)
        with pytest.raises(ValueError, match=method):
            NonInviteClientTransaction(impl.parse(data), data, DEST, reliable=False)


def test_non_invite_client_unknown_timer(impl: Any) -> None:
    tx, _ = non_invite_client(impl)
    with pytest.raises(ValueError, match="no timer 'A'"):
        tx.timer_fired("A", 1.0)


def test_every_started_timer_is_fired_or_cancelled_before_terminated(impl: Any) -> None:
    # walk each client machine through its paths and check the bookkeeping
    def check(actions_seq: list[list[Any]], fired: list[str]) -> None:
        running: set[str] = set()
        for actions in actions_seq:
            for action in actions:
                if isinstance(action, StartTimer):
                    running.add(action.name)
                elif isinstance(action, CancelTimer):
                    assert action.name in running, action
                    running.discard(action.name)
        assert running <= set(fired), running

    tx, a0 = invite_client(impl)
    seq = [a0, tx.receive_response(inv_response(impl, 180), 0.1),
           tx.receive_response(inv_response(impl, 486), 1.0)]
    check(seq, ["D"])
    tx, a0 = non_invite_client(impl)
    seq = [a0, tx.timer_fired("E", 0.5), tx.receive_response(opt_response(impl, 200), 0.6)]
    check(seq, ["K"])
