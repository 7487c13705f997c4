"""Transactions over a lossy network complete or time out exactly as the timers say.

500 non-INVITE and 500 INVITE calls (half answered 486, half 200) run at once between
two `Endpoint`s over a `FakeNetwork` losing 10 %, 30 % (and 60 %, to be sure timeouts
happen) of datagrams.  The network decides the fate of each datagram from a hash of
the datagram and how many times it was sent before, so what must happen to each call
can be worked out on its own: `NonInviteOracle` and `InviteOracle` replay each call's
RFC 3261 / RFC 6026 behaviour (timers A, B, D, E, F, G, H, I, J, K, L, M and the UA
cores' 2xx retransmission and ACK) in a small event simulation of their own and say,
per call, when the TU hears the final response or the timeout, when each transaction
terminates and how many copies of each message went on the wire.  The transaction
layer must agree on every call.
"""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
from _transaction import ack_for_2xx, request, response

from sipfast.testing import Endpoint, FakeNetwork
from sipfast.transaction import TimerSettings, _build

T1, T2, T4, T1x64, TIMER_D = 0.5, 4.0, 5.0, 32.0, 32.0
LATENCY = 0.01
ANSWER_AFTER = 0.75  # the UAS rings at once and answers the INVITE this much later
UAC_ADDR, UAS_ADDR = ("192.0.2.1", 5060), ("192.0.2.2", 5060)
CALLS = 500


@dataclass
class Outcome:
    """What one call did, as the TUs and the wire saw it."""

    final: int | None = None  # status of the first final response the UAC TU got
    final_at: float | None = None
    timeout: str | None = None  # "B" or "F" at the UAC
    timeout_at: float | None = None
    client_end: float | None = None
    provisionals: int = 0  # 1xx passed to the UAC TU
    successes: int = 0  # 2xx passed to the UAC TU (retransmissions included)
    server_start: float | None = None
    server_end: float | None = None
    server_timeout_at: float | None = None  # timer H
    ack_at: float | None = None  # the UAS core got the ACK for its 2xx
    sent: Counter[str] = field(default_factory=Counter)

    def comparable(self) -> dict[str, Any]:
        def t(x: float | None) -> Any:
            return None if x is None else round(x, 6)

        return {
            "final": self.final, "final_at": t(self.final_at), "timeout": self.timeout,
            "timeout_at": t(self.timeout_at), "client_end": t(self.client_end),
            "provisionals": self.provisionals, "successes": self.successes,
            "server_start": t(self.server_start), "server_end": t(self.server_end),
            "server_timeout_at": t(self.server_timeout_at), "ack_at": t(self.ack_at),
            "sent": dict(self.sent),
        }


class Simulation:
    """Events of one call in time order; at one instant arrivals come before timers."""

    def __init__(self, network: FakeNetwork) -> None:
        self.network = network
        self.queue: list[tuple[float, int, int, str, str]] = []
        self.seq = 0
        self.occurrences: Counter[tuple[Any, Any, bytes]] = Counter()
        self.timers: dict[str, int] = {}  # running timer -> seq of its event
        self.sent: Counter[str] = Counter()

    def send(self, now: float, label: str, data: bytes, source: Any, destination: Any) -> None:
        key = (source, destination, data)
        fate = self.network.fate(source, destination, data, self.occurrences[key])
        self.occurrences[key] += 1
        self.sent[label] += 1
        for delay in fate.delays:
            self.seq += 1
            heapq.heappush(self.queue, (now + delay, 0, self.seq, "arrive", label))

    def start(self, name: str, deadline: float) -> None:
        self.seq += 1
        self.timers[name] = self.seq
        heapq.heappush(self.queue, (deadline, 1, self.seq, "timer", name))

    def cancel(self, *names: str) -> None:
        for name in names:
            self.timers.pop(name, None)

    def events(self) -> Any:
        while self.queue:
            when, _, seq, kind, what = heapq.heappop(self.queue)
            if kind == "timer":
                if self.timers.get(what) != seq:
                    continue  # cancelled or replaced
                del self.timers[what]
            yield when, kind, what


class NonInviteOracle:
    """OPTIONS; the UAS TU answers 200 at once.  Fig. 6 at the UAC, fig. 8 at the UAS."""

    def __init__(self, network: FakeNetwork, start: float, req: bytes, ok: bytes) -> None:
        self.sim = Simulation(network)
        self.start_at, self.req, self.ok = start, req, ok

    def run(self) -> Outcome:
        sim, out = self.sim, Outcome()
        client, server, interval_e = "Trying", None, T1
        sim.send(self.start_at, "request", self.req, UAC_ADDR, UAS_ADDR)
        sim.start("E", self.start_at + T1)
        sim.start("F", self.start_at + T1x64)
        for now, kind, what in sim.events():
            if (kind, what) == ("arrive", "request"):
                if server is None:
                    server, out.server_start = "Completed", now
                    sim.send(now, "response", self.ok, UAS_ADDR, UAC_ADDR)
                    sim.start("J", now + T1x64)
                elif server == "Completed":
                    sim.send(now, "response", self.ok, UAS_ADDR, UAC_ADDR)
                else:
                    raise AssertionError("a request after timer J would be a new transaction")
            elif (kind, what) == ("arrive", "response"):
                if client == "Trying":
                    client, out.final, out.final_at = "Completed", 200, now
                    sim.cancel("E", "F")
                    sim.start("K", now + T4)
            elif what == "E":
                interval_e = min(2 * interval_e, T2)
                sim.send(now, "request", self.req, UAC_ADDR, UAS_ADDR)
                sim.start("E", now + interval_e)
            elif what == "F":
                client, out.timeout, out.timeout_at, out.client_end = "Terminated", "F", now, now
                sim.cancel("E")
            elif what == "K":
                client, out.client_end = "Terminated", now
            elif what == "J":
                server, out.server_end = "Terminated", now
        out.sent = sim.sent
        return out


class InviteOracle:
    """INVITE; the UAS TU sends 180 at once and, ANSWER_AFTER later, 486 or 200 (which
    its core retransmits, T1 doubling to T2, until the ACK or 64*T1); the UAC core ACKs
    every 2xx.  Fig. 5 / RFC 6026 fig. 3 at the UAC, fig. 7 / RFC 6026 fig. 5 at the UAS."""

    def __init__(
        self, network: FakeNetwork, start: float, invite: bytes, ringing: bytes, final: bytes,
        ack: bytes, ack2xx: bytes, accept: bool,
    ) -> None:
        self.sim = Simulation(network)
        self.start_at, self.invite, self.ringing, self.final = start, invite, ringing, final
        self.ack, self.ack2xx, self.accept = ack, ack2xx, accept

    def run(self) -> Outcome:
        sim, out = self.sim, Outcome()
        final_label = "200" if self.accept else "486"
        client, server = "Calling", None
        interval_a, interval_g, interval_2xx = T1, T1, T1
        first_2xx = 0.0
        sim.send(self.start_at, "INVITE", self.invite, UAC_ADDR, UAS_ADDR)
        sim.start("A", self.start_at + T1)
        sim.start("B", self.start_at + T1x64)
        for now, kind, what in sim.events():
            if kind == "arrive" and what == "INVITE":
                if server is None:
                    server, out.server_start = "Proceeding", now
                    sim.send(now, "180", self.ringing, UAS_ADDR, UAC_ADDR)
                    sim.start("answer", now + ANSWER_AFTER)
                elif server == "Proceeding":
                    sim.send(now, "180", self.ringing, UAS_ADDR, UAC_ADDR)
                elif server == "Completed":
                    sim.send(now, "486", self.final, UAS_ADDR, UAC_ADDR)
                elif server == "Terminated":
                    raise AssertionError("an INVITE after the end would be a new transaction")
                # Accepted, Confirmed: absorbed
            elif kind == "arrive" and what == "ACK":
                if server == "Completed":
                    server = "Confirmed"
                    sim.cancel("G", "H")
                    sim.start("I", now + T4)
            elif kind == "arrive" and what == "ACK2xx":
                if out.ack_at is None:
                    out.ack_at = now
                    sim.cancel("retransmit 2xx")
            elif kind == "arrive" and what == "180":
                if client == "Calling":
                    client = "Proceeding"
                    sim.cancel("A", "B")
                    out.provisionals += 1
                elif client == "Proceeding":
                    out.provisionals += 1
            elif kind == "arrive" and what == "486":
                if client in ("Calling", "Proceeding"):
                    client, out.final, out.final_at = "Completed", 486, now
                    sim.cancel("A", "B")
                    sim.send(now, "ACK", self.ack, UAC_ADDR, UAS_ADDR)
                    sim.start("D", now + TIMER_D)
                elif client == "Completed":
                    sim.send(now, "ACK", self.ack, UAC_ADDR, UAS_ADDR)
            elif kind == "arrive" and what == "200":
                if client in ("Calling", "Proceeding"):
                    client, out.final, out.final_at = "Accepted", 200, now
                    sim.cancel("A", "B")
                    sim.start("M", now + T1x64)
                if client == "Accepted":
                    out.successes += 1
                    sim.send(now, "ACK2xx", self.ack2xx, UAC_ADDR, UAS_ADDR)
            elif what == "A":
                interval_a *= 2
                sim.send(now, "INVITE", self.invite, UAC_ADDR, UAS_ADDR)
                sim.start("A", now + interval_a)
            elif what == "B":
                client, out.timeout, out.timeout_at, out.client_end = "Terminated", "B", now, now
                sim.cancel("A")
            elif what in ("D", "M"):
                client, out.client_end = "Terminated", now
            elif what == "answer":
                sim.send(now, final_label, self.final, UAS_ADDR, UAC_ADDR)
                if self.accept:
                    server, first_2xx = "Accepted", now
                    sim.start("L", now + T1x64)
                    sim.start("retransmit 2xx", now + interval_2xx)
                else:
                    server = "Completed"
                    sim.start("G", now + interval_g)
                    sim.start("H", now + T1x64)
            elif what == "retransmit 2xx":
                if now - first_2xx < T1x64:
                    sim.send(now, "200", self.final, UAS_ADDR, UAC_ADDR)
                    interval_2xx = min(2 * interval_2xx, T2)
                    sim.start("retransmit 2xx", now + interval_2xx)
            elif what == "G":
                sim.send(now, "486", self.final, UAS_ADDR, UAC_ADDR)
                interval_g = min(2 * interval_g, T2)
                sim.start("G", now + interval_g)
            elif what == "H":
                server, out.server_end, out.server_timeout_at = "Terminated", now, now
                sim.cancel("G")
            elif what in ("I", "L"):
                server, out.server_end = "Terminated", now
        out.sent = sim.sent
        return out


# --- the system under test: two endpoints and their TUs -------------------------------------


class UserAgentClient(Endpoint):
    def __init__(self, *args: Any, ack2xx: dict[str, bytes], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outcomes: dict[str, Outcome] = {}
        self.ack2xx = ack2xx
        self.strays = 0

    def response_received(self, transaction: Any, response: Any) -> None:
        out = self.outcomes[transaction.request.call_id]
        status = response.status
        if status < 200:
            out.provisionals += 1
            return
        if out.final is None:
            out.final, out.final_at = status, self.clock.now
        if transaction.method == "INVITE" and status < 300:
            out.successes += 1
            self.send_stateless(self.ack2xx[transaction.request.call_id], UAS_ADDR)

    def stray_received(self, message: Any, source: Any) -> None:
        self.strays += 1

    def timed_out(self, transaction: Any, timer: str) -> None:
        out = self.outcomes[transaction.request.call_id]
        out.timeout, out.timeout_at = timer, self.clock.now

    def terminated(self, transaction: Any) -> None:
        self.outcomes[transaction.request.call_id].client_end = self.clock.now


class UserAgentServer(Endpoint):
    def __init__(self, *args: Any, outcomes: dict[str, Outcome], accept: set[str],
                 finals: dict[str, tuple[bytes, bytes]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outcomes, self.accept, self.finals = outcomes, accept, finals
        self.retransmitting: dict[str, Any] = {}
        self.new_requests: Counter[str] = Counter()

    def request_received(self, transaction: Any, request: Any) -> None:
        call_id = request.call_id
        out = self.outcomes[call_id]
        self.new_requests[call_id] += 1
        out.server_start = self.clock.now
        if request.method != "INVITE":
            self.send_response(transaction, self.finals[call_id][1])
            return
        ringing, final = self.finals[call_id]
        self.send_response(transaction, ringing)
        self.call_at(self.clock.now + ANSWER_AFTER, lambda: self.answer(transaction, final))

    def answer(self, transaction: Any, final: bytes) -> None:
        self.send_response(transaction, final)
        call_id = transaction.request.call_id
        if call_id in self.accept:  # §13.3.1.4: the UAS core retransmits its 2xx
            self.retransmit(transaction, final, self.clock.now, T1)

    def retransmit(self, transaction: Any, final: bytes, first: float, interval: float) -> None:
        call_id = transaction.request.call_id

        def again() -> None:
            if self.clock.now - first < T1x64:
                self.send_response(transaction, final)
                self.retransmit(transaction, final, first, min(2 * interval, T2))

        self.retransmitting[call_id] = self.call_at(self.clock.now + interval, again)

    def stray_received(self, message: Any, source: Any) -> None:
        assert message.is_request
        assert message.method == "ACK"
        if not message.top_via.branch.startswith("z9hG4bK-ack-"):
            return  # an ACK for a 486 after its transaction ended (timer H)
        out = self.outcomes[message.call_id]
        if out.ack_at is None:
            out.ack_at = self.clock.now
            self.cancel_call(self.retransmitting.pop(message.call_id))

    def timed_out(self, transaction: Any, timer: str) -> None:
        assert timer == "H"
        self.outcomes[transaction.request.call_id].server_timeout_at = self.clock.now

    def terminated(self, transaction: Any) -> None:
        self.outcomes[transaction.request.call_id].server_end = self.clock.now


def label(network: FakeNetwork, data: bytes) -> str:
    first_line = data.split(b"\r\n", 1)[0].decode()
    if first_line.startswith("SIP/2.0 "):
        return first_line.split()[1] if "INVITE" in data.decode() else "response"
    method = first_line.split()[0]
    if method == "ACK":
        return "ACK" if b"z9hG4bK-ack-" not in data else "ACK2xx"
    return "INVITE" if method == "INVITE" else "request"


@pytest.mark.parametrize("loss", [0.1, 0.3, 0.6])
def test_every_call_completes_or_times_out_as_the_timers_say(impl: Any, loss: float) -> None:
    timers = TimerSettings(t1=T1, t2=T2, t4=T4)
    network = FakeNetwork(seed=20240601, loss=loss, latency=LATENCY, record=True)
    ack2xx: dict[str, bytes] = {}
    finals: dict[str, tuple[bytes, bytes]] = {}
    accept: set[str] = set()
    uac = UserAgentClient(network, UAC_ADDR, timers=timers, parse=impl.parse, ack2xx=ack2xx)
    uas = UserAgentServer(network, UAS_ADDR, timers=timers, parse=impl.parse, outcomes=uac.outcomes,
              accept=accept, finals=finals)
    oracles: dict[str, Any] = {}
    for i in range(2 * CALLS):
        call_id = f"call-{i}@uac"
        branch = f"z9hG4bK-{i}"
        start = i * 0.003  # calls overlap; no two share an instant
        uac.outcomes[call_id] = Outcome()
        common = {"branch": branch, "call_id": call_id, "seq": i + 1}
        if i % 2 == 0:
            req = request("OPTIONS", **common)
            ok = response(200, method="OPTIONS", to_tag=f"t{i}", **common)
            finals[call_id] = (b"", ok)
            oracles[call_id] = NonInviteOracle(network, start, req, ok)
        else:
            req = request("INVITE", **common)
            accepted = i % 4 == 1
            status, reason = (200, "OK") if accepted else (486, "Busy Here")
            ringing = response(180, method="INVITE", to_tag=f"t{i}", **common)
            final = response(status, reason, method="INVITE", to_tag=f"t{i}", **common)
            ack2xx[call_id] = ack_for_2xx(branch=f"z9hG4bK-ack-{i}", to_tag=f"t{i}",
                                          call_id=call_id, seq=i + 1)
            ack = _build.ack(impl.parse(req), impl.parse(final)) if not accepted else b""
            if accepted:
                accept.add(call_id)
            finals[call_id] = (ringing, final)
            oracles[call_id] = InviteOracle(network, start, req, ringing, final, ack,
                                            ack2xx[call_id], accepted)
        uac.call_at(start, lambda req=req: uac.send_request(req, UAS_ADDR))
    network.run()

    # what the wire carried, per call and kind of message
    assert network.log is not None
    for datagram in network.log:
        text = datagram.data.decode()
        call_id = text.split("Call-ID: ", 1)[1].split("\r\n", 1)[0]
        uac.outcomes[call_id].sent[label(network, datagram.data)] += 1

    mismatches = []
    for call_id, oracle in oracles.items():
        expected = oracle.run().comparable()
        got = uac.outcomes[call_id].comparable()
        if got != expected:
            mismatches.append((call_id, expected, got))
    assert not mismatches, mismatches[:3]

    # every request reached the TU once; every transaction ended; every timer was used up
    assert set(uas.new_requests.values()) <= {1}
    assert len(uac.table) == len(uas.table) == 0
    assert len(uac.timer_heap) == len(uas.timer_heap) == 0
    outcomes = list(uac.outcomes.values())
    timeouts = Counter(o.timeout for o in outcomes if o.timeout)
    finals_seen = Counter(o.final for o in outcomes if o.final)
    assert sum(timeouts.values()) + sum(finals_seen.values()) == 2 * CALLS
    if loss == 0.6:  # the seeded run does exercise both timeouts
        assert timeouts["F"] > 0, timeouts
        assert timeouts["B"] > 0, timeouts
    assert finals_seen[486] > 0
    assert finals_seen[200] > 0

