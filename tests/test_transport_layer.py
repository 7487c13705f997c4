"""TransportLayer on loopback (RFC 3261 §18, RFC 3581, RFC 5626 §4.4.1): UDP, TCP and
TLS listeners fed from raw sockets, on both message-core twins and both event loops.

The peers are plain loop sockets (a datagram endpoint, `asyncio.open_connection`), not
another TransportLayer, unless a test is about two layers talking.  Every wait is
bounded; an ordering trick keeps the tests free of sleeps: what was sent before a
message that arrived has been handled.
"""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
from pathlib import Path
from typing import Any

import pytest
from _net import free_port, need, until
from _transaction import request, response

from sipfast.errors import ParseError
from sipfast.transport import (
    Address,
    Reply,
    StreamFlow,
    TransportLayer,
    UdpFlow,
    response_address,
    sent_by,
)

TIMEOUT = 1.0

# --- fixtures and peers ----------------------------------------------------------------------


class Inbox:
    """A receiver: every (message, source, flow) the layer hands up, in order."""

    def __init__(self) -> None:
        self.items: list[tuple[Any, Address, Any]] = []
        self.queue: asyncio.Queue[tuple[Any, Address, Any]] = asyncio.Queue()

    def __call__(self, message: Any, source: Address, flow: Any) -> None:
        self.items.append((message, source, flow))
        self.queue.put_nowait((message, source, flow))

    async def get(self) -> tuple[Any, Address, Any]:
        return await asyncio.wait_for(self.queue.get(), TIMEOUT)


class UdpPeer(asyncio.DatagramProtocol):
    """A bare UDP socket on the loop; what it receives is queued."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[tuple[bytes, Any]] = asyncio.Queue()
        self.socket: Any = None

    @classmethod
    async def open(cls, host: str = "127.0.0.1") -> UdpPeer:
        loop = asyncio.get_running_loop()
        _, peer = await loop.create_datagram_endpoint(cls, local_addr=(host, 0))
        return peer

    def connection_made(self, transport: Any) -> None:
        self.socket = transport

    def datagram_received(self, data: bytes, addr: Any) -> None:
        self.queue.put_nowait((data, addr))

    @property
    def port(self) -> int:
        port: int = self.socket.get_extra_info("sockname")[1]
        return port

    def send(self, data: bytes, to: Address) -> None:
        self.socket.sendto(data, (to.host, to.port))

    async def receive(self) -> tuple[bytes, Any]:
        return await asyncio.wait_for(self.queue.get(), TIMEOUT)

    async def nothing(self, wait: float = 0.05) -> None:
        await asyncio.sleep(wait)
        assert self.queue.empty(), self.queue.get_nowait()

    def close(self) -> None:
        self.socket.close()


async def open_stream(
    to: Address, client_ssl: ssl.SSLContext | None = None
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    context = client_ssl if to.transport == "TLS" else None
    return await asyncio.wait_for(
        asyncio.open_connection(to.host, to.port, ssl=context), TIMEOUT
    )


async def read_message(reader: asyncio.StreamReader) -> bytes:
    """One message without a body (Content-Length: 0), as the peer reads it."""
    return await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT)


async def closed_by_peer(reader: asyncio.StreamReader) -> bytes:
    """What is left before EOF; it must come within the timeout."""
    return await asyncio.wait_for(reader.read(), TIMEOUT)


def layer_of(impl: Any, receiver: Any = None, tls: Any = None, **kw: Any) -> TransportLayer:
    server_ssl, client_ssl = tls if tls is not None else (None, None)
    return TransportLayer(receiver, core=impl, server_ssl=server_ssl, client_ssl=client_ssl,
                          **kw)


def with_body(data: bytes, body: bytes) -> bytes:
    return data.replace(b"Content-Length: 0\r\n\r\n",
                        b"Content-Length: %d\r\n\r\n" % len(body) + body)


BAD_MAX_FORWARDS = request().replace(b"Max-Forwards: 70", b"Max-Forwards: 7\x01")


# --- receiving requests: source, flow, §18.2.1 Via ----------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_udp_request_is_stamped_and_delivered(impl: Any, run: Any, host: str) -> None:
    need(host)

    async def main() -> None:
        inbox = Inbox()
        layer = layer_of(impl, inbox)
        bound = await layer.listen(Address("UDP", host, 0))
        assert (bound.transport, bound.host) == ("UDP", host)
        assert bound.port > 0
        assert layer.local_address("udp") == bound
        peer = await UdpPeer.open(host)
        here = sent_by(host, peer.port)

        # rport asked for: filled in, and received added though sent-by is the source
        peer.send(request(sent_by=here, branch="z9hG4bK-1;rport"), bound)
        message, source, flow = await inbox.get()
        assert message.__class__ is impl.Request
        assert source == Address("UDP", host, peer.port)
        assert isinstance(flow, UdpFlow)
        assert flow is layer.listeners[0]
        assert flow.local == bound
        assert (
            f"\r\nVia: SIP/2.0/UDP {here};branch=z9hG4bK-1;rport={peer.port};"
            f"received={host}\r\n".encode() in bytes(message)
        )
        assert (message.top_via.received, message.top_via.rport) == (host, peer.port)

        # a name in sent-by: received only
        peer.send(request(branch="z9hG4bK-2"), bound)
        message, _, _ = await inbox.get()
        assert (
            f"\r\nVia: SIP/2.0/UDP client.example.com:5060;branch=z9hG4bK-2;"
            f"received={host}\r\n".encode() in bytes(message)
        )

        # sent-by is the source, no rport: the message is delivered as it came
        data = request(sent_by=here, branch="z9hG4bK-3")
        peer.send(data, bound)
        message, _, _ = await inbox.get()
        assert bytes(message) == data
        assert len(inbox.items) == 3

        peer.close()
        await layer.close()

    run(main())


@pytest.mark.parametrize(
    ("transport", "host"),
    [("TCP", "127.0.0.1"), ("TCP", "::1"), ("TLS", "127.0.0.1"), ("TLS", "::1")],
)
def test_stream_request_is_stamped_and_answered_on_its_connection(
    impl: Any, run: Any, tls: Any, transport: str, host: str
) -> None:
    need(host)

    async def main() -> None:
        inbox = Inbox()
        layer = layer_of(impl, inbox, tls)
        bound = await layer.listen(Address(transport, host, 0))
        assert bound.transport == transport
        reader, writer = await open_stream(bound, tls[1])
        port = writer.get_extra_info("sockname")[1]

        writer.write(request(transport=transport, sent_by="client.example.com:5070",
                             branch="z9hG4bK-1;rport"))
        message, source, flow = await inbox.get()
        assert source == Address(transport, host, port)
        assert isinstance(flow, StreamFlow)
        assert flow.transport == transport
        assert flow.remote == source
        assert flow.local == bound
        assert layer.connection(source) is flow
        assert (
            f"\r\nVia: SIP/2.0/{transport} client.example.com:5070;branch=z9hG4bK-1;"
            f"rport={port};received={host}\r\n".encode() in bytes(message)
        )

        # §18.2.2: the response goes back on the connection, not to sent-by (nobody there)
        answer = response(200, transport=transport, sent_by="client.example.com:5070")
        assert layer.send(answer, Reply(Address(transport, host, 5070), flow))
        assert await read_message(reader) == answer

        writer.close()
        await layer.close()

    run(main())


# --- §18.1.2: responses whose top Via is not ours -------------------------------------------


def test_an_ipv6_sent_by_is_ours_in_any_spelling(impl: Any, run: Any) -> None:
    need("::1")

    async def main() -> None:
        inbox = Inbox()
        layer = layer_of(impl, inbox)
        bound = await layer.listen("udp:[::1]:0")
        peer = await UdpPeer.open("::1")
        p = bound.port
        for n, via in enumerate([f"[0:0::1]:{p}", f"[::2]:{p}", f"[0000::0001]:{p}"]):
            peer.send(response(200, sent_by=via, branch=f"z9hG4bK-{n}"), bound)
        first, _, _ = await inbox.get()
        second, _, _ = await inbox.get()
        assert [first.top_via.branch, second.top_via.branch] == ["z9hG4bK-0", "z9hG4bK-2"]
        await until(lambda: layer.dropped_responses == 1)
        peer.close()
        await layer.close()

    run(main())


@pytest.mark.parametrize("transport", ["UDP", "TCP"])
def test_responses_not_ours_are_dropped_and_counted(
    impl: Any, run: Any, transport: str
) -> None:
    async def main() -> None:
        inbox = Inbox()
        layer = layer_of(impl, inbox)
        bound = await layer.listen(Address(transport, "127.0.0.1", 0),
                                   advertise="sip.example.com")
        if transport == "UDP":
            peer = await UdpPeer.open()

            def send(data: bytes) -> None:
                peer.send(data, bound)
        else:
            _, writer = await open_stream(bound)
            send = writer.write

        p = bound.port
        cases = [
            (f"client.example.com:{p}", False),
            (f"127.0.0.1:{p}", True),
            (f"127.0.0.2:{p}", False),
            (f"127.0.0.1:{p + 1 if p < 65535 else p - 1}", False),
            ("127.0.0.1", False),  # 5060 is not where we listen
            (f"sip.example.com:{p}", True),  # advertised
            (f"SIP.Example.COM:{p}", True),  # a host name in any case
        ]
        for n, (via, _) in enumerate(cases):
            send(response(200, transport=transport, sent_by=via, branch=f"z9hG4bK-{n}"))
        # the last one delivered: everything before it has been handled
        send(response(200, transport=transport, sent_by=f"127.0.0.1:{p}", branch="z9hG4bK-end"))
        while True:
            message, _, _ = await inbox.get()
            if message.top_via.branch == "z9hG4bK-end":
                break
        delivered = [m.top_via.branch for m, _, _ in inbox.items]
        assert delivered == [f"z9hG4bK-{n}" for n, (_, ours) in enumerate(cases) if ours] + [
            "z9hG4bK-end"
        ]
        assert all(m.__class__ is impl.Response for m, _, _ in inbox.items)
        assert layer.dropped_responses == sum(not ours for _, ours in cases)
        assert layer.malformed == 0

        if transport == "UDP":
            peer.close()
        else:
            writer.close()
        await layer.close()

    run(main())


def test_a_wildcard_listener_cannot_tell_and_keeps_every_response(impl: Any, run: Any) -> None:
    async def main() -> None:
        inbox = Inbox()
        layer = layer_of(impl, inbox)
        bound = await layer.listen("udp:0.0.0.0:0")
        peer = await UdpPeer.open()
        peer.send(response(200, sent_by="client.example.com:5060"),
                  Address("UDP", "127.0.0.1", bound.port))
        message, source, _ = await inbox.get()
        assert message.status == 200
        assert source == Address("UDP", "127.0.0.1", peer.port)
        assert layer.dropped_responses == 0
        peer.close()
        await layer.close()

    run(main())


# --- input that does not parse -------------------------------------------------------------


def test_malformed_datagrams_are_counted_and_the_listener_keeps_working(
    impl: Any, run: Any
) -> None:
    async def main() -> None:
        inbox = Inbox()
        layer = layer_of(impl, inbox)
        bound = await layer.listen("udp:127.0.0.1:0")
        peer = await UdpPeer.open()
        junk = [
            b"this is not SIP\r\n\r\n",
            b"\x00\xff\x10",
            request(method="INV@ITE", cseq_method="INVITE"),  # no message to answer from
            # a malformed response is never answered
            response(200).replace(b"CSeq: 1 OPTIONS", b"CSeq: x OPTIONS"),
            # a malformed ACK is never answered either (§17.2.1: no response to an ACK)
            request("ACK", to_tag="t-1").replace(b"Max-Forwards: 70", b"Max-Forwards: 7\x01"),
        ]
        for data in junk:
            peer.send(data, bound)
        peer.send(b"\r\n\r\n", bound)  # a keepalive: not malformed, not delivered
        peer.send(request(branch="z9hG4bK-after"), bound)
        message, _, _ = await inbox.get()
        assert message.top_via.branch == "z9hG4bK-after"
        assert len(inbox.items) == 1
        assert (layer.malformed, layer.answered_malformed, layer.keepalives) == (len(junk), 0, 1)
        await peer.nothing()
        peer.close()
        await layer.close()

    run(main())


ANSWERABLE = [
    # (request, status, CSeq line of the answer)
    (BAD_MAX_FORWARDS, 400, b"CSeq: 1 OPTIONS"),
    (request("OPTIONS", cseq_method="INVITE"), 400, b"CSeq: 1 INVITE"),
    (request().replace(b"bob@example.com SIP/2.0", b"bob@example.com SIP/7.0"), 505,
     b"CSeq: 1 OPTIONS"),
]


@pytest.mark.parametrize(("data", "status", "cseq"), ANSWERABLE)
def test_malformed_request_is_answered_where_it_came_from(
    impl: Any, run: Any, data: bytes, status: int, cseq: bytes
) -> None:
    async def main() -> None:
        inbox = Inbox()
        layer = layer_of(impl, inbox)
        bound = await layer.listen("udp:127.0.0.1:0")
        peer = await UdpPeer.open()
        peer.send(data, bound)
        # to the source, though the Via names client.example.com:5060
        answer, origin = await peer.receive()
        assert origin[:2] == ("127.0.0.1", bound.port)
        parsed = impl.parse(answer)
        assert parsed.status == status
        # the reason phrase says why: the parse error's reason after the default phrase
        with pytest.raises(ParseError) as caught:
            impl.parse(data)
        default = {400: "Bad Request", 505: "Version Not Supported"}[status]
        assert parsed.reason == f"{default} ({caught.value.reason})"
        # the Via, From, Call-ID and CSeq of the request, untouched (no received added)
        assert b"\r\nVia: SIP/2.0/UDP client.example.com:5060;branch=z9hG4bK-tx1\r\n" in answer
        assert b"\r\nFrom: Alice <sip:alice@example.com>;tag=f-1\r\n" in answer
        assert b"\r\nCall-ID: call-1@client.example.com\r\n" in answer
        assert b"\r\n" + cseq + b"\r\n" in answer
        # §8.2.6.2: a To tag, and §8.2.7: the same one for a retransmission
        tag = parsed.to.tag
        assert tag is not None
        assert len(tag) == 16
        peer.send(data, bound)
        again, _ = await peer.receive()
        assert again == answer
        assert (layer.malformed, layer.answered_malformed) == (2, 2)
        assert inbox.items == []
        await peer.nothing()
        peer.close()
        await layer.close()

    run(main())


@pytest.mark.parametrize(
    "data",
    [
        # no Via: an answer without one would be malformed itself
        request().replace(b"Via: SIP/2.0/UDP client.example.com:5060;branch=z9hG4bK-tx1\r\n",
                          b""),
        # no Call-ID: the same
        request().replace(b"Call-ID: call-1@client.example.com\r\n", b""),
    ],
)
def test_malformed_request_too_broken_to_answer(impl: Any, run: Any, data: bytes) -> None:
    async def main() -> None:
        layer = layer_of(impl, Inbox())
        bound = await layer.listen("udp:127.0.0.1:0")
        peer = await UdpPeer.open()
        peer.send(data, bound)
        peer.send(b"this is not SIP\r\n\r\n", bound)
        await until(lambda: layer.malformed == 2)
        await peer.nothing()
        assert layer.answered_malformed == 0
        peer.close()
        await layer.close()

    run(main())


@pytest.mark.parametrize("transport", ["TCP", "TLS"])
def test_malformed_stream_is_answered_then_closed(
    impl: Any, run: Any, tls: Any, transport: str
) -> None:
    async def main() -> None:
        inbox = Inbox()
        layer = layer_of(impl, inbox, tls)
        bound = await layer.listen(Address(transport, "127.0.0.1", 0))

        # a request that parsed far enough: answered on the connection, then hung up
        reader, writer = await open_stream(bound, tls[1])
        writer.write(BAD_MAX_FORWARDS.replace(b"SIP/2.0/UDP", b"SIP/2.0/" + transport.encode()))
        answer = await read_message(reader)
        assert answer.startswith(b"SIP/2.0 400 ")
        assert b"\r\nCall-ID: call-1@client.example.com\r\n" in answer
        assert await closed_by_peer(reader) == b""
        assert (layer.malformed, layer.answered_malformed) == (1, 1)
        writer.close()

        # lost framing: nothing to answer, hung up
        reader, writer = await open_stream(bound, tls[1])
        writer.write(b"this is not SIP\r\n\r\n")
        assert await closed_by_peer(reader) == b""
        assert (layer.malformed, layer.answered_malformed) == (2, 1)
        writer.close()

        # a good request and garbage in one segment: the request is delivered first
        reader, writer = await open_stream(bound, tls[1])
        writer.write(request(transport=transport, branch="z9hG4bK-first")
                     + b"this is not SIP\r\n\r\n")
        assert await closed_by_peer(reader) == b""
        assert [m.top_via.branch for m, _, _ in inbox.items] == ["z9hG4bK-first"]
        assert (layer.malformed, layer.answered_malformed) == (3, 1)
        writer.close()
        inbox.items.clear()
        while not inbox.queue.empty():
            inbox.queue.get_nowait()

        await until(lambda: not layer._connections)
        assert inbox.items == []

        # the listener still works
        reader, writer = await open_stream(bound, tls[1])
        writer.write(request(transport=transport))
        message, _, _ = await inbox.get()
        assert message.method == "OPTIONS"
        writer.close()
        await layer.close()

    run(main())


# --- streams: keepalives, framing, connection reuse, failures ------------------------------


@pytest.mark.parametrize("transport", ["TCP", "TLS"])
def test_double_crlf_ping_gets_a_single_crlf_pong(
    impl: Any, run: Any, tls: Any, transport: str
) -> None:
    async def main() -> None:
        inbox = Inbox()
        layer = layer_of(impl, inbox, tls)
        bound = await layer.listen(Address(transport, "127.0.0.1", 0))
        reader, writer = await open_stream(bound, tls[1])
        writer.write(b"\r\n\r\n")
        assert await asyncio.wait_for(reader.read(100), TIMEOUT) == b"\r\n"
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(reader.read(100), 0.05)
        # the connection stays up, and a ping between messages is answered too
        writer.write(request(transport=transport, branch="z9hG4bK-1") + b"\r\n\r\n"
                     + request(transport=transport, branch="z9hG4bK-2"))
        first, _, _ = await inbox.get()
        second, _, _ = await inbox.get()
        assert (first.top_via.branch, second.top_via.branch) == ("z9hG4bK-1", "z9hG4bK-2")
        assert await asyncio.wait_for(reader.read(100), TIMEOUT) == b"\r\n"
        assert layer.malformed == 0
        writer.close()
        await layer.close()

    run(main())


@pytest.mark.parametrize("transport", ["TCP", "TLS"])
def test_stream_framing_one_byte_per_write(
    impl: Any, run: Any, tls: Any, transport: str
) -> None:
    async def main() -> None:
        inbox = Inbox()
        layer = layer_of(impl, inbox, tls)
        bound = await layer.listen(Address(transport, "127.0.0.1", 0))
        _, writer = await open_stream(bound, tls[1])
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        await until(lambda: len(layer._connections) == 1)
        (flow,) = layer._connections.values()
        assert isinstance(flow, StreamFlow)

        data = with_body(request("MESSAGE", transport=transport, sent_by="127.0.0.1:5070",
                                 extra=("Content-Type: text/plain",)),
                         b"hi\r\n\r\nthere")
        for i in range(len(data) - 1):
            writer.write(data[i : i + 1])
            # the layer has taken this octet alone before the next one is written
            await until(lambda i=i: flow.parser.pending == i + 1)
            assert inbox.items == []
        writer.write(data[-1:])
        message, _, _ = await inbox.get()
        assert message.method == "MESSAGE"
        assert message.body == b"hi\r\n\r\nthere"
        assert flow.parser.pending == 0
        assert layer.malformed == 0
        writer.close()
        await layer.close()

    run(main())


@pytest.mark.parametrize("transport", ["TCP", "TLS"])
def test_sends_to_one_destination_share_one_connection(
    impl: Any, run: Any, tls: Any, transport: str
) -> None:
    async def main() -> None:
        far_inbox, near_inbox = Inbox(), Inbox()
        far = layer_of(impl, far_inbox, tls)
        bound = await far.listen(Address(transport, "127.0.0.1", 0))
        near = layer_of(impl, near_inbox, tls)  # no listener: it only connects
        errors: list[int] = []

        def req(n: int) -> bytes:
            return request(transport=transport, sent_by="127.0.0.1:5070", branch=f"z9hG4bK-{n}")

        # the second is queued behind the connection the first one opens
        assert near.send(req(1), bound, lambda: errors.append(1))
        assert near.send(req(2), bound, lambda: errors.append(2))
        assert list(near._connecting) == [bound]
        first, second = await far_inbox.get(), await far_inbox.get()
        connection = near.connection(bound)
        assert connection is not None
        assert near.send(req(3), bound, lambda: errors.append(3))
        third = await far_inbox.get()
        assert [m.top_via.branch for m, _, _ in (first, second, third)] == [
            "z9hG4bK-1", "z9hG4bK-2", "z9hG4bK-3"
        ]
        # one connection, seen from both ends
        assert first[1] == second[1] == third[1]
        assert first[2] is second[2] is third[2]
        assert list(far._connections) == [first[1]]
        assert list(near._connections) == [bound]
        assert connection.remote == bound
        assert first[1] == Address(transport, "127.0.0.1", connection.local.port)
        assert near._connecting == {}
        assert errors == []

        # the response rides back on it (a layer without listeners checks no Via)
        assert far.send(response(200, transport=transport, sent_by="127.0.0.1:5070"),
                        Reply(Address(transport, "127.0.0.1", 5070), first[2]))
        answer, source, flow = await near_inbox.get()
        assert answer.status == 200
        assert source == bound
        assert flow is connection
        await near.close()
        await far.close()

    run(main())


@pytest.mark.parametrize("transport", ["TCP", "TLS"])
def test_response_opens_a_new_connection_when_the_request_s_has_closed(
    impl: Any, run: Any, tls: Any, transport: str
) -> None:
    """§18.2.2: the connection the request came on first; when it has closed, a new
    one to the received address and the sent-by port."""

    async def main() -> None:
        far_inbox, near_inbox = Inbox(), Inbox()
        far = layer_of(impl, far_inbox, tls)
        bound = await far.listen(Address(transport, "127.0.0.1", 0))
        near = layer_of(impl, near_inbox, tls)
        near_bound = await near.listen(Address(transport, "127.0.0.1", 0))
        via = near_bound.hostport
        assert near.send(request(transport=transport, sent_by=via), bound)
        message, source, flow = await far_inbox.get()
        reply = Reply(response_address(message, source), flow)
        assert reply.address == near_bound  # received=127.0.0.1 is added; sent-by port
        outbound = near.connection(bound)
        assert outbound is not None
        outbound.close()
        await until(lambda: flow.closed)
        assert far.send(response(200, transport=transport, sent_by=via), reply)
        answer, answer_source, answer_flow = await near_inbox.get()
        assert answer.status == 200
        assert answer_flow is not outbound
        assert answer_flow.local == near_bound  # it came in on near's listener
        assert answer_source == Address(transport, "127.0.0.1", far.connection(near_bound)
                                        .local.port)  # type: ignore[union-attr]
        await near.close()
        await far.close()

    run(main())


@pytest.mark.parametrize("transport", ["TCP", "TLS"])
def test_send_to_a_closed_port_fails_through_on_error(
    impl: Any, run: Any, tls: Any, transport: str
) -> None:
    async def main() -> None:
        layer = layer_of(impl, None, tls)
        nowhere = Address(transport, "127.0.0.1", free_port())
        errors: list[str] = []
        assert layer.send(request(), nowhere, lambda: errors.append("first"))
        assert layer.send(request(), nowhere, lambda: errors.append("queued"))
        assert layer.send(request(), nowhere)  # no on_error: nothing to call
        await until(lambda: len(errors) == 2)
        assert errors == ["first", "queued"]
        assert layer._connecting == {}
        assert layer.connection(nowhere) is None
        await layer.close()

    run(main())


def test_send_fails_at_once_without_a_way_out(impl: Any, run: Any) -> None:
    async def main() -> None:
        layer = layer_of(impl)
        # no UDP listener to send from; a transport this layer does not speak
        assert not layer.send(request(), Address("UDP", "127.0.0.1", 5060))
        assert not layer.send(request(), Address("SCTP", "127.0.0.1", 5060))
        await layer.close()

    run(main())


def test_udp_sends_from_the_listener_of_the_destination_family(impl: Any, run: Any) -> None:
    need("::1")

    async def main() -> None:
        layer = layer_of(impl)
        v4 = await layer.listen("udp:127.0.0.1:0")
        v6 = await layer.listen("udp:[::1]:0")
        peer4, peer6 = await UdpPeer.open("127.0.0.1"), await UdpPeer.open("::1")
        assert layer.send(b"four", Address("UDP", "127.0.0.1", peer4.port))
        assert layer.send(b"six", Address("UDP", "::1", peer6.port))
        data, origin = await peer4.receive()
        assert (data, origin[:2]) == (b"four", ("127.0.0.1", v4.port))
        data, origin = await peer6.receive()
        assert (data, origin[:2]) == (b"six", ("::1", v6.port))
        peer4.close()
        peer6.close()
        await layer.close()

    run(main())


def test_udp_send_to_a_family_without_a_listener_fails_at_once(impl: Any, run: Any) -> None:
    """A socket of the other family cannot send there: False, not an exception (uvloop
    raises ValueError) nor a silent loss (asyncio reports it to error_received)."""
    need("::1")

    async def main() -> None:
        v4_only = layer_of(impl)
        await v4_only.listen("udp:127.0.0.1:0")
        assert not v4_only.send(b"x", Address("UDP", "::1", 5060))
        v6_only = layer_of(impl)
        await v6_only.listen("udp:[::1]:0")
        assert not v6_only.send(b"x", Address("UDP", "127.0.0.1", 5060))
        await v4_only.close()
        await v6_only.close()

    run(main())


def test_a_dual_stack_listener_sends_to_ipv4(impl: Any, run: Any) -> None:
    """A [::] UDP listener reaches IPv4 peers at their IPv4-mapped address, and a
    request from one is answered back there."""
    need("::1")

    async def main() -> None:
        layer = layer_of(impl)
        bound = await layer.listen("udp:[::]:0")
        peer = await UdpPeer.open("127.0.0.1")
        assert layer.send(b"four", Address("UDP", "127.0.0.1", peer.port))
        data, origin = await peer.receive()
        assert (data, origin[:2]) == (b"four", ("127.0.0.1", bound.port))
        peer.close()
        await layer.close()

    run(main())


def test_send_to_a_name_resolves_it(impl: Any, run: Any) -> None:
    async def main() -> None:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo("localhost", 0)
        except OSError:
            pytest.skip("localhost does not resolve")
        if not any(info[4][0] == "127.0.0.1" for info in infos):
            pytest.skip("localhost is not 127.0.0.1 here")
        layer = layer_of(impl)
        await layer.listen("udp:127.0.0.1:0")
        peer = await UdpPeer.open()
        # if ::1 comes first it cannot go out of an IPv4 socket: the next address is tried
        assert layer.send(b"hello", Address("UDP", "localhost", peer.port))
        data, _ = await peer.receive()
        assert data == b"hello"
        peer.close()
        await layer.close()

    run(main())


def test_idle_connections_are_closed(impl: Any, run: Any) -> None:
    async def main() -> None:
        inbox = Inbox()
        layer = layer_of(impl, inbox, idle_timeout=0.1)
        bound = await layer.listen("tcp:127.0.0.1:0")
        reader, writer = await open_stream(bound)
        writer.write(request(transport="TCP"))
        await inbox.get()
        assert len(layer._connections) == 1
        assert await closed_by_peer(reader) == b""
        await until(lambda: not layer._connections)
        writer.close()
        await layer.close()

    run(main())


# --- close() -----------------------------------------------------------------------------


def sockets() -> set[str]:
    """The sockets this process holds open, by inode."""
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            link = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # the listing's own descriptor, closed by now
            continue
        if link.startswith("socket:"):
            found.add(link)
    return found


def test_close_stops_everything(impl: Any, run: Any, tls: Any) -> None:
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("no /proc/self/fd to count sockets in")

    async def main() -> None:
        before = sockets()
        inbox = Inbox()
        layer = layer_of(impl, inbox, tls)
        far = layer_of(impl, Inbox(), tls)
        udp = await layer.listen("udp:127.0.0.1:0")
        tcp = await layer.listen("tcp:127.0.0.1:0")
        tls_bound = await layer.listen("tls:127.0.0.1:0")
        far_tcp = await far.listen("tcp:127.0.0.1:0")
        # connections in: TCP and TLS; out: TCP to the far layer; a failing connect
        streams = [await open_stream(tcp), await open_stream(tls_bound, tls[1])]
        for (_, writer), transport in zip(streams, ("TCP", "TLS"), strict=True):
            writer.write(request(transport=transport))
            await inbox.get()
        assert layer.send(request(transport="TCP"), far_tcp)
        await until(lambda: layer.connection(far_tcp) is not None and not layer._connecting)
        assert layer.send(request(), Address("TCP", "127.0.0.1", free_port()), lambda: None)
        assert len(layer._connections) == 3
        flows = [*layer.listeners, *layer._connections.values()]

        await layer.close()
        await far.close()
        assert asyncio.all_tasks() == {asyncio.current_task()}
        assert layer.listeners == []
        assert all(flow.closed for flow in flows)
        for reader, _ in streams:
            assert await closed_by_peer(reader) == b""
        for _, writer in streams:
            writer.close()
            await writer.wait_closed()
        assert layer._connections == {}
        assert layer._connecting == {}
        assert not layer.send(request(), udp)  # no UDP socket left to send from
        for bound in (tcp, tls_bound):
            with pytest.raises(ConnectionRefusedError):
                await open_stream(bound, tls[1])
        await until(lambda: sockets() <= before)
        assert asyncio.all_tasks() == {asyncio.current_task()}

    run(main())


@pytest.mark.parametrize("transport", ["TCP", "TLS"])
def test_close_in_the_middle_of_a_connect(impl: Any, run: Any, tls: Any, transport: str) -> None:
    """Whatever step a connect has reached, close() leaves no task, connection or socket."""
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("no /proc/self/fd to count sockets in")

    async def main() -> None:
        before = sockets()
        far = layer_of(impl, Inbox(), tls)
        bound = await far.listen(Address(transport, "127.0.0.1", 0))
        for steps in range(12):
            layer = layer_of(impl, None, tls)
            assert layer.send(request(transport=transport), bound)
            for _ in range(steps):
                await asyncio.sleep(0)
            await layer.close()
            assert layer._connections == {}
            assert layer._connecting == {}
            assert layer._tasks == set()  # (far's accepting tasks may still run)
        await far.close()
        await until(lambda: sockets() <= before)
        assert asyncio.all_tasks() == {asyncio.current_task()}

    run(main())
