"""SIP over WebSocket (RFC 7118): WS and WSS listeners and connections on `websockets`.

The handshake must agree on the "sip" subprotocol (§4.1): a listener refuses a client
that does not offer it (HTTP 400), and a client hangs up on a server that does not
select it.  Each SIP message is one WebSocket message (§5.1), so there is no stream
framing to lose: a message that does not parse is answered or dropped and the
connection stays up.  Octets that are UTF-8 go out in text frames, others (a binary
body) in binary frames (§4.2); both kinds are parsed alike.  Keep-alive is
websockets' Ping frames (§6); a double-CRLF ping is answered as on TCP (RFC 5626).

`TransportLayer` calls `listen_websocket` and `connect_websocket`; every connection,
either end, is a `WebSocketFlow` in the layer's connection table.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections import deque
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed, WebSocketException
from websockets.protocol import State
from websockets.typing import Subprotocol

from ..errors import ParseError
from ..message import Keepalive
from ..message.limits import limits_or_default
from ._address import Address, sent_by
from ._layer import Flow, ListeningFlow

if TYPE_CHECKING:
    from ._layer import TransportLayer

__all__ = ["SUBPROTOCOL", "WebSocketFlow", "connect_websocket", "listen_websocket"]

log = logging.getLogger("sipfast.transport")

SUBPROTOCOL = Subprotocol("sip")
"""The WebSocket subprotocol of RFC 7118 §4.1, offered and required by both ends."""

# The reader and writer tasks of connections: the loop keeps only weak references.
_running: set[asyncio.Task[None]] = set()


def _spawn(coroutine: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
    task = asyncio.get_running_loop().create_task(coroutine)
    _running.add(task)
    task.add_done_callback(_running.discard)
    return task


def _options(layer: TransportLayer) -> dict[str, Any]:
    """websockets settings shared by both ends."""
    return {
        "subprotocols": [SUBPROTOCOL],
        # permessage-deflate costs more CPU than it saves on messages of a few hundred
        # octets; it is negotiated, so a peer that wants it connects without it
        "compression": None,
        # the parser's bound: a bigger message is refused by websockets (close 1009,
        # RFC 6455 §7.4.1) before it is buffered whole
        "max_size": limits_or_default(layer.limits).max_size,
    }


def _is_text(data: bytes) -> bool:
    """§4.2: UTF-8 octets (nearly always plain ASCII) go in a text frame."""
    if data.isascii():
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class WebSocketFlow(Flow):
    """One WebSocket connection, either end.

    `send` is synchronous like every flow's: it queues the octets for the one writer
    task of the connection, which sends them in order (websockets' `send` awaits
    flow control).  `receive` delivers every message until the connection closes.
    """

    def __init__(self, layer: TransportLayer, transport: str,
                 connection: ServerConnection | ClientConnection) -> None:
        self.layer = layer
        self.transport = transport
        self.connection = connection
        self.closed = False
        self.last_used = layer._now()
        host, port = connection.local_address[:2]
        self.local = Address(transport, host, port)
        host, port = connection.remote_address[:2]
        self.remote: Address | None = Address(transport, host, port)
        self._queue: deque[bytes] = deque()
        self._ready = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None
        self._lost = asyncio.Event()

    def start(self) -> None:
        """Enter the layer's connection table and start the writer."""
        self.layer._connection_made(self)
        self._writer = _spawn(self._write())

    async def receive(self) -> None:
        layer = self.layer
        connection = self.connection
        try:
            while True:
                # bytes whether the frame was text or binary: no decoding, one copy
                data = await connection.recv(decode=False)
                self.last_used = layer._now()
                self._deliver(data)
        except ConnectionClosed:
            pass
        except Exception:
            # a receiver that fails takes the connection down with it, as on TCP
            log.exception("WebSocket %s: delivering a message failed", self.remote)
        finally:
            self._connection_lost()
        if self._writer is not None:
            await self._writer

    def _deliver(self, data: bytes) -> None:
        layer = self.layer
        remote = self.remote
        assert remote is not None
        try:
            message = layer._parse(data)
        except ParseError as error:
            # §5.1: the next message starts with the next WebSocket message, so
            # nothing is lost but this one
            layer._malformed(error, remote, self)
            return
        if message.__class__ is Keepalive:
            # RFC 5626 §4.4.1: a double CRLF ping is answered with a single CRLF pong
            if message is Keepalive.PING:
                self.send(Keepalive.PONG.value, remote)
            return
        layer._message_received(message, remote, self)

    async def _write(self) -> None:
        queue = self._queue
        ready = self._ready
        connection = self.connection
        try:
            while True:
                while queue:
                    data = queue.popleft()
                    await connection.send(data, text=_is_text(data))
                if self.closed:
                    break
                ready.clear()
                await ready.wait()
            # what was queued before close() has gone out: now the closing handshake
            await connection.close()
        except ConnectionClosed:
            queue.clear()

    def _connection_lost(self) -> None:
        self.closed = True
        self._ready.set()
        if not self._lost.is_set():
            self._lost.set()
            self.layer._connection_lost(self)

    async def wait_closed(self) -> None:
        """Return once the connection has closed and left the layer's table."""
        await self._lost.wait()

    def send(self, data: bytes, address: Address) -> bool:
        if self.closed or self.connection.state is not State.OPEN:
            return False
        self.last_used = self.layer._now()
        self._queue.append(data)
        self._ready.set()
        return True

    def close(self) -> None:
        # the writer sends what is queued, then closes (1000); `receive` then sees
        # the connection closed and takes it out of the layer's table
        self.closed = True
        self._ready.set()

    def __repr__(self) -> str:
        return f"<WebSocketFlow {self.local} -> {self.remote}{' closed' if self.closed else ''}>"


async def listen_websocket(layer: TransportLayer, address: Address,
                           context: ssl.SSLContext | None) -> ListeningFlow:
    """Listen for WS (or WSS with `context`) connections on `address` (port 0 picks one)."""
    transport = address.transport

    async def connected(connection: ServerConnection) -> None:
        # websockets has completed the handshake, "sip" selected: §4.1 is its default
        # with subprotocols=["sip"] (400 when the client offers none or others)
        flow = WebSocketFlow(layer, transport, connection)
        flow.start()
        await flow.receive()

    server = await serve(
        connected, address.host, address.port, ssl=context, reuse_address=True,
        **_options(layer),
    )
    # layer.close() waits for it as for a TCP listener
    layer._servers.append(server.server)
    host, port = server.sockets[0].getsockname()[:2]

    def stop() -> None:
        # websockets closes its socket from a task: close it now, so the port is free
        # when the layer's close() returns.  Open connections stay, as a TCP
        # listener's do: they are the layer's to close (1000, in TransportLayer.close)
        server.server.close()
        server.close(close_connections=False)

    return ListeningFlow(Address(transport, host, port), stop)


async def connect_websocket(layer: TransportLayer, destination: Address,
                            context: ssl.SSLContext | None) -> WebSocketFlow:
    """Open a WS (or WSS with `context`) connection to `destination`.

    OSError (also TimeoutError, ssl.SSLError) when the TCP or TLS connection, the
    HTTP upgrade or the subprotocol negotiation fails.
    """
    transport = destination.transport
    scheme = "wss" if transport == "WSS" else "ws"
    uri = f"{scheme}://{sent_by(destination.host, destination.port)}/"
    tls: dict[str, Any] = {}
    if context is not None:
        tls = {"ssl": context, "server_hostname": destination.host}
    try:
        # proxy=None: the destination was chosen by RFC 3263 and Via/received assume
        # a direct connection, whatever proxy the environment sets for the web
        connection = await connect(uri, proxy=None, **_options(layer), **tls)
    except WebSocketException as exc:
        raise OSError(f"WebSocket handshake with {uri} failed: {exc}") from exc
    if connection.subprotocol != SUBPROTOCOL:
        await connection.close()
        raise OSError(f"{uri} did not select the sip subprotocol (RFC 7118 §4.1)")
    flow = WebSocketFlow(layer, transport, connection)
    flow.start()
    _spawn(flow.receive())
    return flow
