"""sipfast.testing: the manual clock, the fake network, and endpoints driving whole
transactions (both sides) through it, on both twins."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from _transaction import request, response, response_to

from sipfast.testing import Endpoint, FakeNetwork, Fate, ManualClock
from sipfast.transaction import State, TimerSettings

UAC = ("192.0.2.1", 5060)
UAS = ("192.0.2.2", 5060)


# --- ManualClock ---------------------------------------------------------------------------


def test_manual_clock() -> None:
    clock = ManualClock(10.0)
    assert clock() == clock.now == 10.0
    assert clock.advance(0.5) == 10.5
    clock.set(11.0)
    assert clock() == 11.0
    with pytest.raises(ValueError, match="does not go back"):
        clock.advance(-1)
    with pytest.raises(ValueError, match="does not go back"):
        clock.set(10.0)
    assert repr(clock) == "ManualClock(now=11.0)"


# --- FakeNetwork -----------------------------------------------------------------------------


class Sink:
    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.got: list[tuple[float, bytes, object]] = []

    def datagram_received(self, data: bytes, source: object) -> None:
        self.got.append((self.clock.now, data, source))

    def next_deadline(self) -> float | None:
        return None

    def fire_timers(self, now: float) -> None:
        pass


def test_network_delivers_after_latency_in_order() -> None:
    net = FakeNetwork(latency=0.25)
    sink = Sink(net.clock)
    net.attach("b", sink)
    assert net.send(b"one", "a", "b")
    net.clock.advance(0.1)
    assert net.send(b"two", "a", "b")
    assert net.in_flight == 2
    net.run(until=0.3)
    assert sink.got == [(0.25, b"one", "a")]
    assert net.clock.now == 0.3
    net.run()
    assert sink.got[1] == (pytest.approx(0.35), b"two", "a")
    assert (net.sent, net.delivered, net.lost) == (2, 2, 0)


def test_network_unreachable_and_unattached() -> None:
    net = FakeNetwork()
    net.unreachable.add("nowhere")
    assert net.send(b"x", "a", "nowhere") is False
    assert net.send(b"x", "a", "nobody-attached") is True
    net.run()
    assert (net.sent, net.delivered, net.lost) == (1, 0, 1)
    with pytest.raises(ValueError, match="already attached"):
        net.attach("b", Sink(net.clock))
        net.attach("b", Sink(net.clock))


def test_fate_is_a_function_of_the_datagram_and_its_occurrence() -> None:
    a = FakeNetwork(seed=1, loss=0.3, duplicate=0.2, reorder=0.2)
    b = FakeNetwork(seed=1, loss=0.3, duplicate=0.2, reorder=0.2)
    c = FakeNetwork(seed=2, loss=0.3, duplicate=0.2, reorder=0.2)
    fates_a = [a.fate("s", "d", b"msg%d" % i, n) for i in range(200) for n in range(3)]
    fates_b = [b.fate("s", "d", b"msg%d" % i, n) for i in range(200) for n in range(3)]
    fates_c = [c.fate("s", "d", b"msg%d" % i, n) for i in range(200) for n in range(3)]
    assert fates_a == fates_b
    assert fates_a != fates_c
    # a retransmission (next occurrence) gets fresh draws
    assert [a.fate("s", "d", b"m", n) for n in range(50)] != [a.fate("s", "d", b"m", 0)] * 50


def test_send_uses_the_fate_of_each_occurrence() -> None:
    net = FakeNetwork(seed=5, loss=0.5, record=True)
    net.attach("b", Sink(net.clock))
    for _ in range(20):
        net.send(b"same", "a", "b")
    assert net.log is not None
    assert [d.fate for d in net.log] == [net.fate("a", "b", b"same", n) for n in range(20)]


@pytest.mark.parametrize("loss", [0.1, 0.3])
def test_loss_rate(loss: float) -> None:
    net = FakeNetwork(seed=3, loss=loss)
    n = 20000
    lost = sum(net.fate("a", "b", b"%d" % i, 0).lost for i in range(n))
    assert abs(lost / n - loss) < 0.015


def test_duplication_and_reordering() -> None:
    net = FakeNetwork(seed=9, duplicate=0.5, reorder=0.5, latency=0.01, reorder_delay=0.05,
                      duplicate_delay=0.02)
    sink = Sink(net.clock)
    net.attach("b", sink)
    fates = []
    for i in range(400):
        fates.append(net.fate("a", "b", b"%d" % i, 0))
        net.send(b"%d" % i, "a", "b")
        net.clock.advance(0.001)
    net.run()
    kinds = Counter(tuple(round(d, 9) for d in f.delays) for f in fates)
    assert set(kinds) == {(0.01,), (0.01, 0.03), (0.06,), (0.06, 0.08)}
    assert all(abs(count / 400 - 0.25) < 0.07 for count in kinds.values())
    assert len(sink.got) == sum(len(f.delays) for f in fates)
    order = [int(data) for _, data, _ in sink.got]
    assert order != sorted(order)  # overtaken
    assert Counter(order) == Counter({i: len(f.delays) for i, f in enumerate(fates)})


def test_network_refuses_bad_parameters() -> None:
    with pytest.raises(ValueError, match="loss"):
        FakeNetwork(loss=1.5)
    with pytest.raises(ValueError, match="delays"):
        FakeNetwork(latency=-1)
    assert FakeNetwork().fate("a", "b", b"x", 0) == Fate(False, (0.01,))


# --- Endpoints: whole transactions ------------------------------------------------------------


class Recorder(Endpoint):
    """A TU that writes down what reaches it and answers by a rule."""

    def __init__(self, *args: Any, answer: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.events: list[tuple[Any, ...]] = []
        self.answer = answer

    def request_received(self, transaction: Any, request: Any) -> None:
        self.events.append((self.clock.now, "request", request.method, transaction))
        if self.answer is not None:
            self.answer(self, transaction, request)

    def response_received(self, transaction: Any, response: Any) -> None:
        self.events.append((self.clock.now, "response", response.status, transaction))

    def stray_received(self, message: Any, source: Any) -> None:
        kind = message.method if message.is_request else message.status
        self.events.append((self.clock.now, "stray", kind, source))

    def timed_out(self, transaction: Any, timer: str) -> None:
        self.events.append((self.clock.now, "timeout", timer, transaction))

    def transport_failed(self, transaction: Any) -> None:
        self.events.append((self.clock.now, "transport failure", None, transaction))

    def terminated(self, transaction: Any) -> None:
        self.events.append((self.clock.now, "terminated", None, transaction))

    def brief(self) -> list[tuple[Any, ...]]:
        return [(pytest.approx(t), kind, what) for t, kind, what, _ in self.events]


def answer_with(status: int, reason: str) -> Any:
    def answer(endpoint: Endpoint, tx: Any, req: Any) -> None:
        if req.method == "ACK":
            return
        data = response_to(req, status, reason, to_tag="uas-tag")
        endpoint.send_response(tx, data)

    return answer


def pair(impl: Any, answer: Any, **net: Any) -> tuple[FakeNetwork, Recorder, Recorder]:
    network = FakeNetwork(**net)
    uac = Recorder(network, UAC, parse=impl.parse)
    uas = Recorder(network, UAS, parse=impl.parse, answer=answer)
    return network, uac, uas


def test_options_end_to_end(impl: Any) -> None:
    network, uac, uas = pair(impl, answer_with(200, "OK"))
    tx = uac.send_request(request("OPTIONS"), UAS)
    network.run()
    assert uac.brief() == [(0.02, "response", 200), (5.02, "terminated", None)]
    assert uas.brief() == [(0.01, "request", "OPTIONS"), (32.01, "terminated", None)]
    assert tx.state is State.TERMINATED
    assert len(uac.table) == len(uas.table) == 0
    assert len(uac.timer_heap) == len(uas.timer_heap) == 0


def test_options_over_a_reliable_transport(impl: Any) -> None:
    network = FakeNetwork()
    uac = Recorder(network, UAC, parse=impl.parse, reliable=True)
    uas = Recorder(network, UAS, parse=impl.parse, reliable=True, answer=answer_with(200, "OK"))
    uac.send_request(request("OPTIONS", transport="TCP"), UAS)
    network.run()
    assert uac.brief() == [(0.02, "response", 200), (0.02, "terminated", None)]
    assert uas.brief() == [
        (0.01, "request", "OPTIONS"), (0.01, "terminated", None),
    ]
    assert network.sent == 2


def test_no_answer_times_out_after_64_t1(impl: Any) -> None:
    network, uac, _ = pair(impl, None)
    network.detach(UAS)
    uac.send_request(request("OPTIONS"), UAS)
    network.run()
    assert uac.brief() == [(32.0, "timeout", "F"), (32.0, "terminated", None)]
    assert network.sent == 11  # 0, 0.5, 1.5, 3.5, 7.5, then every 4 s to 31.5


def test_invite_no_answer_times_out_with_timer_b(impl: Any) -> None:
    network, uac, _ = pair(impl, None, seed=0)
    network.detach(UAS)
    uac.send_request(request("INVITE"), UAS)
    network.run()
    assert uac.brief() == [(32.0, "timeout", "B"), (32.0, "terminated", None)]
    assert network.sent == 7  # 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5


def test_transport_failure_reaches_the_tu(impl: Any) -> None:
    network, uac, _ = pair(impl, None)
    network.unreachable.add(UAS)
    uac.send_request(request("OPTIONS"), UAS)
    assert uac.brief() == [(0.0, "transport failure", None), (0.0, "terminated", None)]
    assert len(uac.table) == 0
    assert len(uac.timer_heap) == 0


def test_server_transport_failure(impl: Any) -> None:
    network, uac, uas = pair(impl, answer_with(200, "OK"))
    network.unreachable.add(UAC)  # the responses can't go back
    uac.send_request(request("OPTIONS"), UAS)
    network.run()
    # the server transaction ends at the failure, so each retransmission of the
    # request makes a new one: 11 sends by timer E before timer F, 11 failures
    sends = [0.0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5]
    assert uas.brief() == [
        entry
        for t in sends
        for entry in (
            (t + 0.01, "request", "OPTIONS"), (t + 0.01, "transport failure", None),
            (t + 0.01, "terminated", None),
        )
    ]
    assert uac.brief() == [(32.0, "timeout", "F"), (32.0, "terminated", None)]


def test_invite_rejected_end_to_end(impl: Any) -> None:
    def answer(endpoint: Endpoint, tx: Any, req: Any) -> None:
        endpoint.call_at(
            endpoint.clock.now + 1.0,
            lambda: endpoint.send_response(tx, response_to(req, 486, "Busy Here", to_tag="b")),
        )

    network, uac, uas = pair(impl, answer, record=True)
    uac.send_request(request("INVITE"), UAS)
    network.run()
    # no 1xx from the TU within 200 ms: the transaction sent 100 Trying at 0.21
    assert uac.brief() == [
        (0.22, "response", 100),
        (1.02, "response", 486),
        (33.02, "terminated", None),  # timer D: 32 s
    ]
    assert uas.brief() == [
        (0.01, "request", "INVITE"),
        (6.03, "terminated", None),  # the ACK at 1.03, then timer I: T4 = 5 s
    ]
    assert network.log is not None
    sent = [impl.parse(d.data) for d in network.log]
    kinds = [m.method if m.is_request else m.status for m in sent]
    assert kinds == ["INVITE", 100, 486, "ACK"]


def test_invite_accepted_end_to_end_ack_for_2xx_is_stray(impl: Any) -> None:
    def answer(endpoint: Endpoint, tx: Any, req: Any) -> None:
        endpoint.send_response(tx, response_to(req, 200, "OK", to_tag="a"))

    network, uac, uas = pair(impl, answer)
    tx = uac.send_request(request("INVITE"), UAS)
    network.run(until=1.0)
    assert tx.state is State.ACCEPTED
    ack = request("ACK", branch="z9hG4bK-new", to_tag="a", uri="sip:bob@192.0.2.2")
    uac.send_stateless(ack, UAS)
    network.run()
    assert uac.brief() == [(0.02, "response", 200), (32.02, "terminated", None)]
    assert uas.brief() == [
        (0.01, "request", "INVITE"),
        (1.01, "stray", "ACK"),
        (32.01, "terminated", None),  # timer L
    ]


def test_cancel_end_to_end(impl: Any) -> None:
    """UAC: INVITE, then CANCEL after the 180; UAS: 200 to the CANCEL, 487 to the INVITE."""

    def answer(endpoint: Endpoint, tx: Any, req: Any) -> None:
        if req.method == "INVITE":
            endpoint.send_response(tx, response_to(req, 180, "Ringing", to_tag="r"))
        elif req.method == "CANCEL":
            invite_tx = endpoint.table.match_cancel(req)
            assert invite_tx is not None
            endpoint.send_response(tx, response_to(req, 200, "OK", to_tag="r"))
            endpoint.send_response(
                invite_tx, response_to(invite_tx.request, 487, "Request Terminated",
                                           to_tag="r")
            )

    network, uac, uas = pair(impl, answer)
    invite = uac.send_request(request("INVITE"), UAS)
    network.run(until=1.0)
    assert invite.state is State.PROCEEDING
    cancel = uac.send_request(request("CANCEL", cseq_method="CANCEL"), UAS)
    assert cancel.key == ("z9hG4bK-tx1", "CANCEL")
    network.run()
    got = [(kind, what) for _, kind, what, tx in uac.events if kind == "response"]
    assert got == [("response", 180), ("response", 200), ("response", 487)]
    assert [(kind, what) for _, kind, what, _ in uas.events] == [
        ("request", "INVITE"), ("request", "CANCEL"),
        ("terminated", None),  # INVITE: ACK, then timer I
        ("terminated", None),  # CANCEL: timer J
    ]


def test_merged_request_gets_482(impl: Any) -> None:
    """Two copies of one request forked upstream reach the UAS over two paths."""
    answers: list[int] = []

    def answer(endpoint: Endpoint, tx: Any, req: Any) -> None:
        merged = endpoint.table.find_merged(req)
        status, reason = (482, "Loop Detected") if merged is not None else (200, "OK")
        answers.append(status)
        endpoint.send_response(tx, response_to(req, status, reason, to_tag="m"))

    network, uac, _uas = pair(impl, answer)
    via_p1 = request("MESSAGE", branch="z9hG4bK-p1", sent_by="proxy1.example.com")
    via_p2 = request("MESSAGE", branch="z9hG4bK-p2", sent_by="proxy2.example.com")
    uac.send_request(via_p1, UAS)
    uac.send_request(via_p2, UAS)
    network.run()
    assert answers == [200, 482]
    statuses = [what for _, kind, what, _ in uac.events if kind == "response"]
    assert statuses == [200, 482]


def test_retransmissions_are_absorbed_with_duplication_and_reordering(impl: Any) -> None:
    network, uac, uas = pair(
        impl, answer_with(200, "OK"), seed=11, duplicate=0.4, reorder=0.4, loss=0.1,
        reorder_delay=0.7,
    )
    n = 200
    for i in range(n):
        uac.send_request(request("OPTIONS", branch=f"z9hG4bK-{i}", call_id=f"c{i}"), UAS)
    network.run()
    finals = Counter(tx.request.call_id for _, kind, _, tx in uac.events if kind == "response")
    requests = Counter(tx.request.call_id for _, kind, _, tx in uas.events if kind == "request")
    timeouts = [tx for _, kind, _, tx in uac.events if kind == "timeout"]
    assert not timeouts
    assert finals == Counter({f"c{i}": 1 for i in range(n)})  # each final once to the TU
    assert requests == Counter({f"c{i}": 1 for i in range(n)})  # each request once to the TU
    assert len(uac.table) == len(uas.table) == 0
    assert network.sent > 2 * n  # there were retransmissions


def test_malformed_datagrams_are_counted_and_dropped(impl: Any) -> None:
    network, uac, uas = pair(impl, None)
    uac.send_stateless(b"NOT SIP AT ALL\r\n\r\n", UAS)
    uac.send_stateless(b"\r\n\r\n", UAS)  # a keepalive: ignored
    network.run()
    assert uas.malformed == 1
    assert uas.events == []


def test_stray_response(impl: Any) -> None:
    network, uac, _ = pair(impl, None)
    network.attach(("192.0.2.3", 5060), Sink(network.clock))
    network.send(response(200), ("192.0.2.3", 5060), UAC)
    network.run()
    assert uac.brief() == [(0.01, "stray", 200)]


def test_tu_timers(impl: Any) -> None:
    network, uac, _ = pair(impl, None)
    fired: list[float] = []
    uac.call_at(2.0, lambda: fired.append(network.clock.now))
    cancelled = uac.call_at(1.0, lambda: fired.append(-1.0))
    assert uac.cancel_call(cancelled)
    network.run()
    assert fired == [2.0]


def test_timer_settings_reach_the_transactions(impl: Any) -> None:
    network = FakeNetwork()
    timers = TimerSettings(t1=0.1, t2=0.4, t4=1.0)
    uac = Recorder(network, UAC, parse=impl.parse, timers=timers)
    uac.send_request(request("OPTIONS"), UAS)
    network.run()
    assert uac.brief() == [(6.4, "timeout", "F"), (6.4, "terminated", None)]
