"""TransactionLayer end to end on loopback: two layers (or a layer and a raw socket) over
UDP, TCP and TLS, `sipfast.ua.AutoAnswer` and `sipfast.ua.send_request` above them, on
both message-core twins and both event loops.

Timers are small (T1 = 10 ms, T2 = 40 ms, T4 = 50 ms: timer F is 640 ms) so that what
takes 32 s on the wire takes well under a second here; every wait is bounded.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import pytest
from _net import free_port, need, until
from _transaction import request, response

from sipfast.errors import TransactionTimeout, TransportError
from sipfast.message import new_branch, new_call_id
from sipfast.transaction import (
    ServerTransactionHandle,
    State,
    TimerSettings,
    TransactionLayer,
    TransactionUser,
)
from sipfast.transport import Address, TransportLayer
from sipfast.ua import ALLOW, AutoAnswer, send_request

TIMERS = TimerSettings(t1=0.01, t2=0.04, t4=0.05)
TIMEOUT = 1.5
SDP = (
    b"v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    b"m=audio 5004 RTP/AVP 0\r\n"
)

TRANSPORTS = ["UDP", "TCP", "TLS"]

# --- fixtures, peers, layers ----------------------------------------------------------------


class UdpPeer(asyncio.DatagramProtocol):
    """A bare UDP socket on the loop standing in for a UA: what it receives is queued."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[bytes] = asyncio.Queue()
        self.socket: Any = None

    @classmethod
    async def open(cls) -> UdpPeer:
        loop = asyncio.get_running_loop()
        _, peer = await loop.create_datagram_endpoint(cls, local_addr=("127.0.0.1", 0))
        return peer

    def connection_made(self, transport: Any) -> None:
        self.socket = transport

    def datagram_received(self, data: bytes, addr: Any) -> None:
        self.queue.put_nowait(data)

    @property
    def address(self) -> Address:
        host, port = self.socket.get_extra_info("sockname")[:2]
        return Address("UDP", host, port)

    def send(self, data: bytes, to: Address) -> None:
        self.socket.sendto(data, (to.host, to.port))

    async def receive(self, within: float = TIMEOUT) -> bytes:
        return await asyncio.wait_for(self.queue.get(), within)

    def drain(self) -> list[bytes]:
        out = []
        while not self.queue.empty():
            out.append(self.queue.get_nowait())
        return out

    def close(self) -> None:
        self.socket.close()


def transaction_layer(
    impl: Any, tls: Any, tu: TransactionUser | None = None, timers: TimerSettings = TIMERS
) -> TransactionLayer:
    server_ssl, client_ssl = tls
    transport = TransportLayer(core=impl, server_ssl=server_ssl, client_ssl=client_ssl)
    return TransactionLayer(transport, tu, timers=timers)


async def two_layers(
    impl: Any, tls: Any, transport: str, tu: TransactionUser, host: str = "127.0.0.1",
    timers: TimerSettings = TIMERS,
) -> tuple[TransactionLayer, TransactionLayer, Address]:
    """(near, far, where far listens): `tu` on far, nobody on near."""
    near = transaction_layer(impl, tls, timers=timers)
    far = transaction_layer(impl, tls, timers=timers)
    if isinstance(tu, AutoAnswer):
        tu.attach(far)
    else:
        far.tu = tu
    await near.transport.listen(Address(transport, host, 0))
    bound = await far.transport.listen(Address(transport, host, 0))
    return near, far, bound


def uri_of(bound: Address) -> str:
    params = "" if bound.transport == "UDP" else f";transport={bound.transport.lower()}"
    return f"sip:bob@{bound.hostport}{params}"


def new_request(
    impl: Any, method: str, local: Address, uri: str, *, branch: str | None = None,
    call_id: str | None = None, seq: int = 1, to: str = "<sip:bob@example.com>",
    body: bytes = b"", extra: tuple[tuple[str, str], ...] = (),
) -> Any:
    """A request as a UAC core makes it, Via naming `local`."""
    branch = branch or new_branch()
    fields = [
        ("Via", f"SIP/2.0/{local.transport} {local.hostport};branch={branch};rport"),
        ("Max-Forwards", "70"),
        ("From", "Alice <sip:alice@example.com>;tag=f-1"),
        ("To", to),
        ("Call-ID", call_id or new_call_id()),
        ("CSeq", f"{seq} {method}"),
        *extra,
    ]
    return impl.Request(method, uri, fields, body)


class Recorder(AutoAnswer):
    """AutoAnswer that also keeps the ACKs for 2xx it is handed."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.acks: list[tuple[Any, Any]] = []
        self.acked = asyncio.Event()

    def ack_received(self, ack: Any, transaction: ServerTransactionHandle | None) -> None:
        self.acks.append((ack, transaction))
        super().ack_received(ack, transaction)
        self.acked.set()


# --- UAC and UAS over every transport -------------------------------------------------------


@pytest.mark.parametrize(
    ("transport", "host"),
    [("UDP", "127.0.0.1"), ("TCP", "127.0.0.1"), ("TLS", "127.0.0.1"), ("UDP", "::1"),
     ("TCP", "::1")],
)
def test_options_gets_200_with_a_to_tag(
    impl: Any, run: Any, tls: Any, transport: str, host: str
) -> None:
    need(host)

    async def main() -> None:
        uas = AutoAnswer()
        near, far, bound = await two_layers(impl, tls, transport, uas, host)
        sent: list[Any] = []
        outcome = await asyncio.wait_for(
            send_request(near, "OPTIONS", uri_of(bound), bound, on_request=sent.append), TIMEOUT
        )
        assert outcome.error is None
        assert [r.status for r in outcome.responses] == [200]
        final = outcome.final
        assert final is not None
        assert final.__class__ is impl.Response
        assert final.to.tag  # §8.2.6.2
        assert final.headers.get("Allow") == ALLOW
        (options,) = sent
        assert final.call_id == options.call_id
        assert final.cseq == options.cseq
        # the Via came back as far's transport stamped it (§18.2.1, RFC 3581)
        via = final.top_via
        local = near.transport.local_address(transport)
        assert (via.transport, via.host.strip("[]"), via.port) == (transport, host, local.port)
        assert via.branch == options.top_via.branch
        assert via.received == host
        assert via.rport is not None
        if transport == "UDP":
            assert via.rport == local.port
        assert len(near) == (1 if transport == "UDP" else 0)  # timer K runs on UDP only
        await near.close()
        await far.close()

    run(main())


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_invite_ringing_ok_ack_bye(impl: Any, run: Any, tls: Any, transport: str) -> None:
    async def main() -> None:
        uas = Recorder()
        near, far, bound = await two_layers(impl, tls, transport, uas)
        outcome = await asyncio.wait_for(
            send_request(near, "INVITE", uri_of(bound), bound,
                         headers=(("Content-Type", "application/sdp"),), body=SDP),
            TIMEOUT,
        )
        assert outcome.error is None
        assert [r.status for r in outcome.responses] == [180, 200]
        ringing, ok = outcome.responses
        assert ringing.to.tag == ok.to.tag  # one dialog
        assert ok.to.tag
        assert ok.headers.get("Content-Type") == "application/sdp"
        assert ok.body.startswith(b"v=0\r\n")
        (contact,) = ok.contact
        assert (contact.uri.host, contact.uri.port) == ("127.0.0.1", bound.port)
        if transport != "UDP":
            assert contact.uri.params.get("transport") == transport.lower()
        assert outcome.bye is not None
        assert outcome.bye.status == 200
        # the ACK for the 2xx reached the UAS core, outside the INVITE transaction
        ((ack, transaction),) = uas.acks
        assert (ack.method, ack.cseq.seq, ack.cseq.method) == ("ACK", 1, "ACK")
        assert ack.to.tag == ok.to.tag
        assert transaction is None
        assert (uas.calls, uas.completed, uas.cancelled, uas.ack_timeouts) == (1, 1, 0, 0)
        assert uas.dialogs == {}
        await near.close()
        await far.close()

    run(main())


def test_invite_answered_after_ringing(impl: Any, run: Any, tls: Any) -> None:
    """AutoAnswer(ring=...) sends 180, returns, and sends 200 later: the layer must not
    take the INVITE for unanswered and send a 500 after the 180."""

    async def main() -> None:
        uas = AutoAnswer(ring=0.05)
        near, far, bound = await two_layers(impl, tls, "UDP", uas)
        loop = asyncio.get_running_loop()
        started = loop.time()
        outcome = await asyncio.wait_for(send_request(near, "INVITE", uri_of(bound), bound),
                                         TIMEOUT)
        assert [r.status for r in outcome.responses] == [180, 200]
        assert loop.time() - started >= 0.05 - 0.005
        assert outcome.bye is not None
        assert outcome.bye.status == 200
        assert (uas.calls, uas.completed) == (1, 1)
        await near.close()
        await far.close()

    run(main())


def test_invite_to_a_silent_tu_gets_the_transactions_own_100(impl: Any, run: Any) -> None:
    class Silent(TransactionUser):
        answers_for_itself = True  # it answers later, or never: no automatic 500

        def __init__(self) -> None:
            self.pending: list[ServerTransactionHandle] = []

        def request_received(self, transaction: ServerTransactionHandle) -> None:
            self.pending.append(transaction)

    async def main() -> None:
        trying = 0.1
        tu = Silent()
        far = transaction_layer(impl, (None, None), tu,
                                TimerSettings(t1=0.01, t2=0.04, t4=0.05, trying=trying))
        bound = await far.transport.listen("udp:127.0.0.1:0")
        peer = await UdpPeer.open()
        invite = request("INVITE", sent_by=peer.address.hostport, branch="z9hG4bK-inv;rport",
                         extra=("Timestamp: 54.3",))
        loop = asyncio.get_running_loop()
        started = loop.time()
        peer.send(invite, bound)
        trying_data = await peer.receive()
        waited = loop.time() - started
        assert waited >= trying - 0.005  # §17.2.1: after 200 ms (here 100 ms) of silence
        assert waited < trying + 0.5
        hundred = impl.parse(trying_data)
        assert (hundred.status, hundred.reason) == (100, "Trying")
        assert hundred.to.tag is None
        assert hundred.call_id == "call-1@client.example.com"
        assert (hundred.cseq.seq, hundred.cseq.method) == (1, "INVITE")
        assert hundred.top_via.branch == "z9hG4bK-inv"
        assert hundred.top_via.rport == peer.address.port
        assert hundred.headers.get("Timestamp") == "54.3"  # §8.2.6.1
        (handle,) = tu.pending
        assert handle.state is State.PROCEEDING
        assert not handle.answered

        # a retransmitted INVITE gets the 100 again and does not reach the TU
        peer.send(invite, bound)
        assert await peer.receive() == trying_data
        await asyncio.sleep(0.05)
        assert peer.drain() == []
        assert len(tu.pending) == 1

        # the TU answers at last: the final response, To tag and all
        handle.respond(486)
        busy = impl.parse(await peer.receive())
        assert busy.status == 486
        assert busy.to.tag == handle.tag
        peer.close()
        await far.close()

    run(main())


def test_non_invite_to_nobody_times_out_after_timer_f(impl: Any, run: Any) -> None:
    async def main() -> None:
        near = transaction_layer(impl, (None, None))
        local = await near.transport.listen("udp:127.0.0.1:0")
        nobody = await UdpPeer.open()  # takes every retransmission, answers none
        options = new_request(impl, "OPTIONS", local, "sip:bob@127.0.0.1")
        loop = asyncio.get_running_loop()
        started = loop.time()
        handle = near.send_request(options, nobody.address)
        with pytest.raises(TransactionTimeout):
            await asyncio.wait_for(handle.final_response(), TIMEOUT)
        took = loop.time() - started
        assert 64 * TIMERS.t1 - 0.005 <= took < 64 * TIMERS.t1 + 0.5
        with pytest.raises(TransactionTimeout):
            async for _ in handle:
                pass
        assert handle.state is State.TERMINATED
        assert handle.responses == []
        assert len(near) == 0
        # timer E: 10, 20, 40, 40 ... ms apart until timer F, the same octets each time
        sent = nobody.drain()
        assert set(sent) == {bytes(options)}
        assert 10 <= len(sent) <= 19
        nobody.close()
        await near.close()

    run(main())


@pytest.mark.parametrize("transport", ["TCP", "TLS"])
def test_request_to_a_closed_port_ends_in_transport_error(
    impl: Any, run: Any, tls: Any, transport: str
) -> None:
    async def main() -> None:
        near = transaction_layer(impl, tls)
        local = await near.transport.listen(Address(transport, "127.0.0.1", 0))
        outcome = await asyncio.wait_for(
            send_request(near, "OPTIONS", "sip:bob@127.0.0.1",
                         Address(transport, "127.0.0.1", free_port())),
            TIMEOUT,
        )
        assert isinstance(outcome.error, TransportError)  # §17.1.4: treated as a 503
        assert outcome.final is None
        assert len(near) == 0
        assert local.transport == transport
        await near.close()

    run(main())


# --- §18.1.1: too big for UDP ---------------------------------------------------------------


class Answering(TransactionUser):
    """Answers `status` and keeps every transaction it was handed."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.seen: list[ServerTransactionHandle] = []

    def request_received(self, transaction: ServerTransactionHandle) -> None:
        self.seen.append(transaction)
        transaction.respond(self.status)


async def udp_and_tcp_on_one_port(layer: TransactionLayer) -> int:
    for _ in range(20):
        udp = await layer.transport.listen("udp:127.0.0.1:0")
        try:
            await layer.transport.listen(Address("TCP", "127.0.0.1", udp.port))
        except OSError:  # that TCP port is taken: another one
            flow = layer.transport.listeners.pop()
            flow.close()
            continue
        return udp.port
    raise AssertionError("no port free for both UDP and TCP")


def test_request_over_1300_bytes_goes_over_tcp(impl: Any, run: Any) -> None:
    async def main() -> None:
        tu = Answering()
        far = transaction_layer(impl, (None, None), tu)
        port = await udp_and_tcp_on_one_port(far)
        near = transaction_layer(impl, (None, None))
        near_udp = await near.transport.listen("udp:127.0.0.1:0")
        near_tcp = await near.transport.listen("tcp:127.0.0.1:0")
        destination = Address("UDP", "127.0.0.1", port)

        small = new_request(impl, "MESSAGE", near_udp, "sip:bob@127.0.0.1",
                            extra=(("Content-Type", "text/plain"),), body=b"x" * 100)
        handle = near.send_request(small, destination)
        assert (await asyncio.wait_for(handle.final_response(), TIMEOUT)).status == 200
        assert handle.transaction.destination == destination

        big = new_request(impl, "MESSAGE", near_udp, "sip:bob@127.0.0.1", branch="z9hG4bK-big",
                          extra=(("Content-Type", "text/plain"),), body=b"x" * 1200)
        assert len(bytes(big)) > 1300
        handle = near.send_request(big, destination)
        final = await asyncio.wait_for(handle.final_response(), TIMEOUT)
        assert final.status == 200
        assert handle.transaction.destination == Address("TCP", "127.0.0.1", port)
        assert handle.transaction.reliable
        # the top Via says TCP and names the TCP listener; the branch is kept
        assert f"SIP/2.0/TCP {near_tcp.hostport};branch=z9hG4bK-big;rport".encode() in bytes(big)
        first, second = tu.seen
        assert (first.source.transport, first.request.top_via.transport) == ("UDP", "UDP")
        assert (second.source.transport, second.request.top_via.transport) == ("TCP", "TCP")
        assert second.request.top_via.port == near_tcp.port
        assert second.request.top_via.branch == "z9hG4bK-big"
        assert second.request.body == b"x" * 1200
        assert final.top_via.transport == "TCP"
        await near.close()
        await far.close()

    run(main())


def test_request_over_1300_bytes_stays_on_udp_without_a_tcp_listener(
    impl: Any, run: Any
) -> None:
    async def main() -> None:
        tu = Answering()
        far = transaction_layer(impl, (None, None), tu)
        bound = await far.transport.listen("udp:127.0.0.1:0")
        near = transaction_layer(impl, (None, None))
        local = await near.transport.listen("udp:127.0.0.1:0")
        big = new_request(impl, "MESSAGE", local, "sip:bob@127.0.0.1",
                          extra=(("Content-Type", "text/plain"),), body=b"x" * 1400)
        handle = near.send_request(big, bound)
        assert (await asyncio.wait_for(handle.final_response(), TIMEOUT)).status == 200
        (seen,) = tu.seen
        assert seen.source.transport == "UDP"
        await near.close()
        await far.close()

    run(main())


# --- §13.3.1.4: the 2xx is retransmitted until the ACK ----------------------------------------


def test_2xx_is_retransmitted_until_the_ack(impl: Any, run: Any) -> None:
    async def main() -> None:
        uas = Recorder()
        far = transaction_layer(impl, (None, None))
        uas.attach(far)
        bound = await far.transport.listen("udp:127.0.0.1:0")
        peer = await UdpPeer.open()  # the UAC, acknowledging nothing at first
        here = peer.address.hostport
        peer.send(request("INVITE", sent_by=here, branch="z9hG4bK-inv;rport",
                          call_id="call-2xx"), bound)
        assert impl.parse(await peer.receive()).status == 180
        ok_data = await peer.receive()
        ok = impl.parse(ok_data)
        assert ok.status == 200
        # T1 = 10 ms doubling to T2 = 40 ms: at 10, 30, 70, 110 ms ...
        for _ in range(3):
            assert await peer.receive(0.5) == ok_data
        assert uas.calls == 1
        tag = ok.to.tag
        assert tag
        dialog = uas.dialogs[("call-2xx", tag)]
        assert dialog.ok is not None

        peer.send(request("ACK", sent_by=here, branch="z9hG4bK-ack;rport", call_id="call-2xx",
                          to_tag=tag, uri=f"sip:sipfast@{bound.hostport}"), bound)
        await asyncio.wait_for(uas.acked.wait(), TIMEOUT)
        ((ack, transaction),) = uas.acks
        assert ack.to.tag == tag
        assert transaction is None
        assert dialog.ok is None
        assert dialog.retransmit is None
        peer.drain()  # one may have been on its way
        await asyncio.sleep(0.12)  # three T2 intervals: nothing more
        assert peer.drain() == []

        # an INVITE whose 2xx is never acknowledged: after 64*T1 the UAS ends the
        # session with a BYE to the caller's Contact (§13.3.1.4)
        peer.drain()
        peer.send(request("INVITE", sent_by=here, branch="z9hG4bK-inv2;rport",
                          call_id="call-noack", extra=(f"Contact: <sip:alice@{here}>",)),
                  bound)
        await until(lambda: uas.ack_timeouts == 1)
        assert not any(call_id == "call-noack" for call_id, _ in uas.dialogs)
        assert uas.calls == 2
        assert len(uas.dialogs) == 1
        seen = []
        while not seen or not seen[-1].is_request:
            seen.append(impl.parse(await peer.receive(0.5)))
        bye = seen[-1]
        noack_tag = seen[1].to.tag  # of the 200 (after the 180)
        assert [m.status for m in seen[:-1]][:2] == [180, 200]
        assert bye.method == "BYE"
        assert str(bye.uri) == f"sip:alice@{here}"
        assert (bye.from_.tag, bye.to.tag) == (noack_tag, "f-1")
        assert bye.call_id == "call-noack"
        assert (bye.cseq.seq, bye.cseq.method) == (1, "BYE")
        assert bye.top_via.branch.startswith("z9hG4bK")
        peer.close()
        await far.close()

    run(main())


# --- CANCEL (§9.2) --------------------------------------------------------------------------


@pytest.mark.parametrize("transport", ["UDP", "TCP"])
def test_cancel_of_a_ringing_invite(impl: Any, run: Any, tls: Any, transport: str) -> None:
    async def main() -> None:
        uas = AutoAnswer(ring=1.0)
        near, far, bound = await two_layers(impl, tls, transport, uas)
        local = near.transport.local_address(transport)
        call_id = new_call_id()
        invite = new_request(impl, "INVITE", local, uri_of(bound), call_id=call_id)
        handle = near.send_request(invite, bound)
        statuses = []
        async with asyncio.timeout(TIMEOUT):
            async for reply in handle:
                statuses.append(reply.status)
                if reply.status == 180:
                    break
        ringing = handle.responses[-1]
        (server,) = [t for t in far.table if not t.is_client and t.request.method == "INVITE"]
        assert server.state is State.PROCEEDING
        # §9.1: the same Request-URI, Call-ID, From, To, CSeq number and top Via
        cancel = new_request(impl, "CANCEL", local, uri_of(bound), call_id=call_id,
                             branch=invite.top_via.branch)
        assert str(cancel.top_via) == str(invite.top_via)
        cancelled = near.send_request(cancel, bound)
        cancel_final = await asyncio.wait_for(cancelled.final_response(), TIMEOUT)
        assert cancel_final.status == 200
        assert cancel_final.cseq.method == "CANCEL"
        invite_final = await asyncio.wait_for(handle.final_response(), TIMEOUT)
        assert invite_final.status == 487
        assert invite_final.to.tag == ringing.to.tag
        assert invite_final.cseq.method == "INVITE"
        assert (uas.calls, uas.cancelled) == (0, 1)
        assert uas.dialogs == {}
        # the INVITE server transaction got the ACK for its 487 (§17.2.1)
        await until(lambda: server.state is not State.COMPLETED)
        assert server.state in (State.CONFIRMED, State.TERMINATED)
        await near.close()
        await far.close()

    run(main())


# --- what the layer does for its TU -------------------------------------------------------------


def test_a_tu_that_raises_gets_a_500_sent_for_it(
    impl: Any, run: Any, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken(TransactionUser):
        def request_received(self, transaction: ServerTransactionHandle) -> None:
            raise RuntimeError("boom")

    async def main() -> None:
        near, far, bound = await two_layers(impl, (None, None), "UDP", Broken())
        outcome = await asyncio.wait_for(
            send_request(near, "OPTIONS", uri_of(bound), bound), TIMEOUT
        )
        assert [r.status for r in outcome.responses] == [500]
        assert outcome.final is not None
        assert outcome.final.to.tag
        await near.close()
        await far.close()

    with caplog.at_level(logging.ERROR, logger="sipfast.transaction"):
        run(main())
    assert any("the TU failed" in r.getMessage() and r.exc_info for r in caplog.records)


@pytest.mark.parametrize("asynchronous", [False, True])
def test_a_tu_that_raises_after_a_provisional_or_answering_later_gets_a_500(
    impl: Any, run: Any, caplog: pytest.LogCaptureFixture, asynchronous: bool
) -> None:
    """A 180 sent, then the TU fails: 500, although it answers for itself."""

    class Broken(TransactionUser):
        answers_for_itself = True

        def request_received(self, transaction: ServerTransactionHandle) -> Any:
            transaction.respond(180)
            if asynchronous:
                return self.fail()
            raise RuntimeError("boom")

        async def fail(self) -> None:
            await asyncio.sleep(0)
            raise RuntimeError("boom later")

    async def main() -> None:
        near, far, bound = await two_layers(impl, (None, None), "UDP", Broken())
        local = near.transport.local_address("UDP")
        handle = near.send_request(new_request(impl, "INVITE", local, uri_of(bound)), bound)
        final = await asyncio.wait_for(handle.final_response(), TIMEOUT)
        assert [r.status for r in handle.responses] == [180, 500]
        assert final.to.tag == handle.responses[0].to.tag
        await near.close()
        await far.close()

    with caplog.at_level(logging.ERROR, logger="sipfast.transaction"):
        run(main())
    assert any("the TU failed" in r.getMessage() for r in caplog.records)


def test_a_coroutine_request_received_is_awaited(impl: Any, run: Any) -> None:
    class Later(TransactionUser):
        def __init__(self) -> None:
            self.done: list[str] = []

        async def request_received(self, transaction: ServerTransactionHandle) -> None:
            await asyncio.sleep(0.02)
            method = transaction.request.method
            if method == "OPTIONS":
                transaction.respond(202)
            self.done.append(method)  # MESSAGE: left unanswered, a 500 is sent for it

    async def main() -> None:
        tu = Later()
        near, far, bound = await two_layers(impl, (None, None), "UDP", tu)
        answered = await asyncio.wait_for(
            send_request(near, "OPTIONS", uri_of(bound), bound), TIMEOUT
        )
        assert [r.status for r in answered.responses] == [202]
        left = await asyncio.wait_for(send_request(near, "MESSAGE", uri_of(bound), bound),
                                      TIMEOUT)
        assert [r.status for r in left.responses] == [500]
        assert tu.done == ["OPTIONS", "MESSAGE"]
        await near.close()
        await far.close()

    run(main())


def test_stray_response_goes_to_the_tu(impl: Any, run: Any) -> None:
    class Strays(TransactionUser):
        def __init__(self) -> None:
            self.strays: list[tuple[Any, Address]] = []

        def stray_response_received(self, response: Any, source: Address) -> None:
            self.strays.append((response, source))

    async def main() -> None:
        tu = Strays()
        near = transaction_layer(impl, (None, None), tu)
        local = await near.transport.listen("udp:127.0.0.1:0")
        peer = await UdpPeer.open()
        # a 2xx retransmitted after its INVITE client transaction ended
        peer.send(response(200, method="INVITE", sent_by=local.hostport,
                           branch="z9hG4bK-gone"), local)
        # and one whose Via is not ours: the transport drops it (§18.1.2)
        peer.send(response(200, method="INVITE", sent_by="elsewhere.example.com",
                           branch="z9hG4bK-other"), local)
        peer.send(response(200, method="INVITE", sent_by=local.hostport,
                           branch="z9hG4bK-last"), local)
        await until(lambda: len(tu.strays) == 2)
        (first, source), (last, _) = tu.strays
        assert (first.status, first.top_via.branch) == (200, "z9hG4bK-gone")
        assert last.top_via.branch == "z9hG4bK-last"
        assert source == peer.address
        assert near.transport.dropped_responses == 1
        peer.close()
        await near.close()

    run(main())


# --- one loop timer for every transaction ----------------------------------------------------


class LoopSpy:
    """The running loop, recording every handle the transaction layer asks it for."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self.handles: list[tuple[asyncio.Handle, list[bool]]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loop, name)

    def _record(self, schedule: Callable[..., asyncio.Handle], first: Any,
                callback: Callable[..., object], *args: Any) -> asyncio.Handle:
        ran: list[bool] = []

        def call() -> None:
            ran.append(True)
            callback(*args)

        handle = schedule(first, call)
        self.handles.append((handle, ran))
        return handle

    def call_at(self, when: float, callback: Callable[..., object], *args: Any) -> Any:
        return self._record(self._loop.call_at, when, callback, *args)

    def call_later(self, delay: float, callback: Callable[..., object], *args: Any) -> Any:
        return self._record(self._loop.call_later, delay, callback, *args)

    def call_soon(self, callback: Callable[..., object], *args: Any) -> Any:
        ran: list[bool] = []

        def call() -> None:
            ran.append(True)
            callback(*args)

        handle = self._loop.call_soon(call)
        self.handles.append((handle, ran))
        return handle

    def pending(self) -> list[asyncio.Handle]:
        return [h for h, ran in self.handles if not ran and not h.cancelled()]


def test_one_loop_timer_for_a_thousand_transactions(impl: Any, run: Any) -> None:
    async def main() -> None:
        tu = Answering()
        # default timers: each answered OPTIONS waits in Completed for timer J (32 s)
        far = transaction_layer(impl, (None, None), tu, TimerSettings())
        spy = LoopSpy(asyncio.get_running_loop())
        far._loop = spy  # type: ignore[assignment]
        bound = await far.transport.listen("udp:127.0.0.1:0")
        peer = await UdpPeer.open()
        here = peer.address.hostport
        sent = 0
        while sent < 1000:  # in batches a socket buffer surely holds
            for n in range(sent, sent + 25):
                peer.send(request(sent_by=here, branch=f"z9hG4bK-{n};rport",
                                  call_id=f"call-{n}"), bound)
            sent += 25
            await until(lambda sent=sent: len(tu.seen) == sent)
        assert len(far) == 1000
        assert far.table.server_count == 1000
        assert all(t.state is State.COMPLETED for t in far.table)
        # one running timer per transaction, all in the heap ...
        assert len(far.heap) == 1000
        assert all(far.heap.deadline(t, "J") is not None for t in far.table)
        # ... and one loop handle for all of them, armed for the earliest
        assert spy.pending() == [far._wakeup]
        assert len(spy.handles) == 1
        assert far._armed == far.heap.next_deadline()

        # a TU timer shares the heap; an earlier one re-arms the single handle
        fired = asyncio.Event()
        loop = asyncio.get_running_loop()
        later = far.call_at(loop.time() + 100, fired.set)
        assert len(far.heap) == 1001
        assert spy.pending() == [far._wakeup]
        assert far.cancel_call(later)
        assert len(far.heap) == 1000
        far.call_at(loop.time() + 0.01, fired.set)
        assert spy.pending() == [far._wakeup]
        await asyncio.wait_for(fired.wait(), TIMEOUT)
        assert len(far.heap) == 1000
        await until(lambda: len(spy.pending()) == 1)
        assert spy.pending() == [far._wakeup]
        assert far._armed == far.heap.next_deadline()
        peer.close()
        await far.close()
        assert spy.pending() == []

    run(main())
