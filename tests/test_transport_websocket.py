"""SIP over WebSocket (RFC 7118, sipfast.transport._websocket) on loopback.

Two TransportLayers, an `AutoAnswer` UAS on one and `send_request` on the other, and
raw `websockets` peers where a test needs to see or send frames the layer would not.
Every test runs on both message-core twins and on both event loops.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import types
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import InvalidStatus
from websockets.typing import Subprotocol

from sipfast.errors import TransportError
from sipfast.transaction import TransactionLayer
from sipfast.transport import Address, Flow, TransportLayer
from sipfast.transport._websocket import WebSocketFlow, connect_websocket
from sipfast.ua import ALLOW, AutoAnswer, send_request

Run = Callable[[Coroutine[Any, Any, Any]], Any]

SIP = [Subprotocol("sip")]


@dataclass
class Pair:
    """A UAS listening on `address` and a UAC (with a listener of the same transport:
    its Via sent-by and Contact name one)."""

    server: TransportLayer
    uas: AutoAnswer
    uas_layer: TransactionLayer
    address: Address
    client: TransportLayer
    uac_layer: TransactionLayer

    @property
    def uri(self) -> str:
        return f"sip:uas@{self.address.hostport};transport={self.address.transport.lower()}"

    async def close(self) -> None:
        await self.uac_layer.close()
        await self.uas_layer.close()


async def pair(impl: types.SimpleNamespace, transport: str = "WS", host: str = "127.0.0.1",
               tls: tuple[ssl.SSLContext, ssl.SSLContext] | None = None) -> Pair:
    server_ssl, client_ssl = tls or (None, None)
    server = TransportLayer(core=impl, server_ssl=server_ssl)
    uas = AutoAnswer()
    uas_layer = TransactionLayer(server, uas)
    uas.attach(uas_layer)
    address = await server.listen(Address(transport, host, 0))
    client = TransportLayer(core=impl, server_ssl=server_ssl, client_ssl=client_ssl)
    await client.listen(Address(transport, host, 0))
    return Pair(server, uas, uas_layer, address, client, TransactionLayer(client))


async def closed(*flows: WebSocketFlow) -> None:
    """Wait (1 s at most) for `flows` to close: a close takes the peer a round trip."""
    async with asyncio.timeout(1.0):
        for flow in flows:
            await flow.wait_closed()


def request(method: str, cseq: str, *, branch: str = "z9hG4bKws1", body: bytes = b"") -> bytes:
    """A request as a browser client writes it: Via sent-by a .invalid name (§5.2)."""
    return (
        f"{method} sip:uas@127.0.0.1 SIP/2.0\r\n"
        f"Via: SIP/2.0/WS df7jal23ls0d.invalid;branch={branch}\r\n"
        "Max-Forwards: 70\r\n"
        "From: <sip:alice@example.com>;tag=a1\r\n"
        "To: <sip:uas@127.0.0.1>\r\n"
        f"Call-ID: ws-{branch}\r\n"
        f"CSeq: {cseq}\r\n"
        f"Content-Length: {len(body)}\r\n"
        "\r\n"
    ).encode() + body


def only_flow(layer: TransportLayer) -> WebSocketFlow:
    flows = list(layer._connections.values())
    assert len(flows) == 1, flows
    flow = flows[0]
    assert isinstance(flow, WebSocketFlow)
    return flow


def test_options_over_ws(impl: types.SimpleNamespace, run: Run) -> None:
    async def main() -> None:
        p = await pair(impl)
        outcome = await send_request(p.uac_layer, "OPTIONS", p.uri, p.address)
        assert outcome.error is None
        assert [r.status for r in outcome.responses] == [200]
        assert outcome.final is not None
        assert outcome.final.headers.get("Allow") == ALLOW
        assert outcome.final.top_via.transport == "WS"
        client_flow = only_flow(p.client)
        assert list(p.client._connections) == [p.address]
        assert (client_flow.transport, client_flow.remote) == ("WS", p.address)
        server_flow = only_flow(p.server)
        assert server_flow.transport == "WS"
        assert server_flow.local == p.address
        assert server_flow.remote == Address("WS", "127.0.0.1", client_flow.local.port)
        assert server_flow.connection.subprotocol == "sip"
        await p.close()

    run(main())


def test_options_over_wss(impl: types.SimpleNamespace, run: Run,
                          tls: tuple[ssl.SSLContext, ssl.SSLContext]) -> None:
    async def main() -> None:
        p = await pair(impl, "WSS", tls=tls)
        assert p.address.transport == "WSS"
        outcome = await send_request(p.uac_layer, "OPTIONS", p.uri, p.address)
        assert outcome.error is None
        assert [r.status for r in outcome.responses] == [200]
        assert outcome.final is not None
        assert outcome.final.top_via.transport == "WSS"
        flow = only_flow(p.client)
        assert flow.transport == "WSS"
        assert flow.connection.transport.get_extra_info("ssl_object") is not None
        assert only_flow(p.server).transport == "WSS"
        await p.close()

    run(main())


def test_wss_listener_needs_a_certificate(impl: types.SimpleNamespace, run: Run) -> None:
    async def main() -> None:
        layer = TransportLayer(core=impl)
        with pytest.raises(ValueError, match="WSS listener needs server_ssl"):
            await layer.listen(Address("WSS", "127.0.0.1", 0))
        await layer.close()

    run(main())


def test_wss_to_an_untrusted_certificate_fails(
    impl: types.SimpleNamespace, run: Run, tls: tuple[ssl.SSLContext, ssl.SSLContext]
) -> None:
    async def main() -> None:
        p = await pair(impl, "WSS", tls=tls)
        p.client.client_ssl = ssl.create_default_context()  # the system's roots only
        outcome = await send_request(p.uac_layer, "OPTIONS", p.uri, p.address)
        assert isinstance(outcome.error, TransportError)
        assert (outcome.responses, outcome.final) == ([], None)
        assert p.client._connections == {}
        await p.close()

    run(main())


def test_invite_call_over_ws(impl: types.SimpleNamespace, run: Run) -> None:
    async def main() -> None:
        p = await pair(impl)
        outcome = await send_request(p.uac_layer, "INVITE", impl.URI(p.uri), p.address)
        assert outcome.error is None
        assert [r.status for r in outcome.responses] == [180, 200]
        assert outcome.final is not None
        contact = outcome.final.contact[0].uri
        assert (contact.host, contact.port, contact.params.get("transport")) == (
            "127.0.0.1", p.address.port, "ws")
        assert outcome.bye is not None
        assert outcome.bye.status == 200
        assert outcome.bye.cseq.method == "BYE"
        assert (p.uas.calls, p.uas.completed, p.uas.dialogs) == (1, 1, {})
        # INVITE, ACK and BYE all went over the one connection
        assert list(p.client._connections) == [p.address]
        assert len(p.server._connections) == 1
        await p.close()

    run(main())


def test_server_refuses_a_client_without_the_sip_subprotocol(
    impl: types.SimpleNamespace, run: Run
) -> None:
    async def main() -> None:
        p = await pair(impl)
        uri = f"ws://{p.address.hostport}/"
        for offered in (None, [Subprotocol("chat")]):
            with pytest.raises(InvalidStatus) as info:
                await connect(uri, subprotocols=offered, proxy=None)
            assert info.value.response.status_code == 400
        assert p.server._connections == {}
        # "sip" among others is chosen
        async with connect(uri, subprotocols=[Subprotocol("chat"), *SIP], proxy=None) as ws:
            assert ws.subprotocol == "sip"
            await ws.send(request("OPTIONS", "1 OPTIONS"))
            assert impl.parse(await ws.recv(decode=False)).status == 200
            assert len(p.server._connections) == 1
        await p.close()

    run(main())


def test_client_refuses_a_server_without_the_sip_subprotocol(
    impl: types.SimpleNamespace, run: Run
) -> None:
    async def main() -> None:
        async def idle(connection: ServerConnection) -> None:
            await connection.wait_closed()

        layer = TransportLayer(core=impl)
        # one that speaks no subprotocol: the handshake completes without "sip"
        async with serve(idle, "127.0.0.1", 0) as plain:
            port = plain.sockets[0].getsockname()[1]
            with pytest.raises(OSError, match=r"did not select the sip subprotocol"):
                await connect_websocket(layer, Address("WS", "127.0.0.1", port), None)
        # one that speaks another: it refuses our offer with a 400
        async with serve(idle, "127.0.0.1", 0, subprotocols=[Subprotocol("chat")]) as chat:
            port = chat.sockets[0].getsockname()[1]
            with pytest.raises(OSError, match=r"WebSocket handshake with .* failed: .*400"):
                await connect_websocket(layer, Address("WS", "127.0.0.1", port), None)
        assert layer._connections == {}
        await layer.close()

    run(main())


def test_connection_refused_fails_the_transaction(impl: types.SimpleNamespace, run: Run) -> None:
    async def main() -> None:
        p = await pair(impl)
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        nobody = Address("WS", "127.0.0.1", probe.getsockname()[1])  # bound, not listening
        outcome = await send_request(p.uac_layer, "OPTIONS", f"sip:x@{nobody.hostport}", nobody)
        probe.close()
        assert isinstance(outcome.error, TransportError)
        assert (outcome.responses, outcome.final) == ([], None)
        assert p.client._connections == {}
        assert p.client._connecting == {}
        await p.close()

    run(main())


def test_malformed_request_is_answered_and_the_connection_stays(
    impl: types.SimpleNamespace, run: Run
) -> None:
    async def main() -> None:
        p = await pair(impl)
        async with connect(f"ws://{p.address.hostport}/", subprotocols=SIP, proxy=None) as ws:
            # CSeq names another method: parsed far enough to be answered (400)
            await ws.send(request("OPTIONS", "1 INVITE", branch="z9hG4bKbad"), text=True)
            answer = impl.parse(await ws.recv(decode=False))
            assert answer.status == 400
            assert answer.reason == "Bad Request (CSeq method does not match the request method)"
            assert answer.top_via.branch == "z9hG4bKbad"
            assert (p.server.malformed, p.server.answered_malformed) == (1, 1)
            # a double-CRLF ping gets its pong (RFC 5626 §4.4.1), and nothing else
            await ws.send("\r\n\r\n")
            assert await ws.recv() == "\r\n"
            await ws.send(request("OPTIONS", "2 OPTIONS", branch="z9hG4bKgood"), text=True)
            answer = impl.parse(await ws.recv(decode=False))
            assert (answer.status, answer.cseq.seq) == (200, 2)
            assert answer.top_via.branch == "z9hG4bKgood"
            assert answer.headers.get("Allow") == ALLOW
            assert len(p.server._connections) == 1
            assert p.server.malformed == 1
        await p.close()

    run(main())


def test_a_message_over_the_size_limit_closes_the_connection(
    impl: types.SimpleNamespace, run: Run
) -> None:
    async def main() -> None:
        p = await pair(impl)
        big = request("MESSAGE", "1 MESSAGE", body=b"x" * 65536)  # over Limits.max_size
        async with connect(f"ws://{p.address.hostport}/", subprotocols=SIP, proxy=None,
                           max_size=None) as ws:
            await ws.send(big, text=True)
            await ws.wait_closed()
            assert ws.close_code == 1009  # RFC 6455 §7.4.1: message too big
        assert p.server.malformed == 0
        await p.close()

    run(main())


def test_requests_to_one_destination_share_a_connection(
    impl: types.SimpleNamespace, run: Run
) -> None:
    async def main() -> None:
        p = await pair(impl)
        # three at once: the later two wait for the connection the first opens
        outcomes = await asyncio.gather(
            *(send_request(p.uac_layer, "OPTIONS", p.uri, p.address) for _ in range(3))
        )
        assert [[r.status for r in o.responses] for o in outcomes] == [[200]] * 3
        flow = only_flow(p.client)
        outcome = await send_request(p.uac_layer, "OPTIONS", p.uri, p.address)
        assert [r.status for r in outcome.responses] == [200]
        assert only_flow(p.client) is flow
        assert list(p.client._connections) == [p.address]
        assert len(p.server._connections) == 1
        await p.close()

    run(main())


def test_frames_are_text_when_utf8_and_binary_otherwise(
    impl: types.SimpleNamespace, run: Run
) -> None:
    ascii_ = request("MESSAGE", "1 MESSAGE", branch="z9hG4bKa", body=b"hello")
    utf8 = request("MESSAGE", "2 MESSAGE", branch="z9hG4bKu", body="h\u00e9llo".encode())
    octets = request("MESSAGE", "3 MESSAGE", branch="z9hG4bKb", body=b"\xff\xfe\x00\x80")

    async def main() -> None:
        frames: list[str | bytes] = []

        async def echo(connection: ServerConnection) -> None:
            async for frame in connection:  # str for a text frame, bytes for binary
                frames.append(frame)
                await connection.send(frame)  # back in the same kind of frame

        got: list[Any] = []
        all_back = asyncio.Event()

        def receiver(message: Any, source: Address, flow: Flow) -> None:
            got.append(message)
            if len(got) == 3:
                all_back.set()

        layer = TransportLayer(receiver, core=impl)
        async with serve(echo, "127.0.0.1", 0, subprotocols=SIP) as peer:
            destination = Address("WS", "127.0.0.1", peer.sockets[0].getsockname()[1])
            for data in (ascii_, utf8, octets):
                assert layer.send(data, destination)
            async with asyncio.timeout(1.0):
                await all_back.wait()
            assert frames == [ascii_.decode(), utf8.decode(), octets]
            assert [m.body for m in got] == [b"hello", "h\u00e9llo".encode(), b"\xff\xfe\x00\x80"]
            assert [m.cseq.seq for m in got] == [1, 2, 3]
            await layer.close()

    run(main())


def test_binary_body_between_two_layers(impl: types.SimpleNamespace, run: Run) -> None:
    async def main() -> None:
        p = await pair(impl)
        bodies: list[bytes] = []
        deliver = p.server.receiver
        assert deliver is not None

        def spy(message: Any, source: Address, flow: Flow) -> None:
            if message.is_request:
                bodies.append(message.body)
            deliver(message, source, flow)

        p.server.receiver = spy
        outcome = await send_request(
            p.uac_layer, "MESSAGE", p.uri, p.address,
            headers=[("Content-Type", "application/octet-stream")], body=b"\x00\xff\xc3\x28",
        )
        # parsed on the other side: the UAS answers a method it does not handle
        assert [r.status for r in outcome.responses] == [405]
        assert bodies == [b"\x00\xff\xc3\x28"]
        assert p.server.malformed == 0
        await p.close()

    run(main())


def test_options_over_ws_ipv6(impl: types.SimpleNamespace, run: Run) -> None:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback")

    async def main() -> None:
        p = await pair(impl, host="::1")
        assert p.address.hostport.startswith("[::1]:")
        outcome = await send_request(p.uac_layer, "OPTIONS", p.uri, p.address)
        assert outcome.error is None
        assert [r.status for r in outcome.responses] == [200]
        assert only_flow(p.server).remote == Address("WS", "::1", only_flow(p.client).local.port)
        await p.close()

    run(main())


def test_closing_the_layers_closes_listener_and_connections(
    impl: types.SimpleNamespace, run: Run
) -> None:
    async def main() -> None:
        p = await pair(impl)
        outcome = await send_request(p.uac_layer, "OPTIONS", p.uri, p.address)
        assert [r.status for r in outcome.responses] == [200]
        client_flow = only_flow(p.client)
        uri = f"ws://{p.address.hostport}/"
        async with connect(uri, subprotocols=SIP, proxy=None) as raw:
            await raw.send(request("OPTIONS", "1 OPTIONS"))
            assert impl.parse(await raw.recv(decode=False)).status == 200
            server_flows = [
                flow for flow in p.server._connections.values() if isinstance(flow, WebSocketFlow)
            ]
            assert len(server_flows) == 2
            await p.uas_layer.close()
            assert p.server.listeners == []
            # the port is closed at once
            with pytest.raises(ConnectionRefusedError):
                await connect(uri, subprotocols=SIP, proxy=None, open_timeout=1)
            # both connections are closed normally, from the server's side
            await closed(client_flow, *server_flows)
            await raw.wait_closed()
            assert raw.close_code == 1000
            assert (p.server._connections, p.client._connections) == ({}, {})
            assert client_flow.closed
            assert not client_flow.send(b"OPTIONS", p.address)
        await p.uac_layer.close()

    run(main())


def test_closing_the_client_closes_its_connection(impl: types.SimpleNamespace, run: Run) -> None:
    async def main() -> None:
        p = await pair(impl)
        outcome = await send_request(p.uac_layer, "OPTIONS", p.uri, p.address)
        assert [r.status for r in outcome.responses] == [200]
        server_flow = only_flow(p.server)
        await p.uac_layer.close()
        await closed(server_flow)
        assert p.server._connections == {}
        assert server_flow.connection.close_code == 1000
        assert p.server.listeners[0].local == p.address  # the listener is untouched
        await p.uas_layer.close()

    run(main())
