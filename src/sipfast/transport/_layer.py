"""The transport layer of RFC 3261 §18 on asyncio: UDP, TCP and TLS.

A `TransportLayer` owns listeners and connections ("flows") and hands every message it
receives to one `receiver(message, source, flow)`.  It parses with the message core
twin it is given (the compiled one by default), frames streams with `StreamParser`,
stamps ``received``/``rport`` on requests (§18.2.1, RFC 3581), drops responses whose
top Via is not ours (§18.1.2), answers a malformed request it can answer with the
parse error's status code, and drops (and counts) everything else that does not
parse.  STUN Binding Requests on a UDP port are answered (RFC 5626 keepalives).  No
input stops a listener.

Sending: `send(data, destination)` to an `Address`, reusing an open connection to it
(keyed by transport, host, port) or opening one, or to a `Reply` (the flow a request
came on first, §18.2.2).  Names are resolved with RFC 3263 §5 when a resolver is set.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import socket
import ssl
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from ..errors import ParseError
from ..message import Keepalive
from ..message.tables import REASON_PHRASES
from ._address import DEFAULT_PORTS, Address, ip_literal, is_ip
from ._routing import received_via
from ._stun import binding_response, is_stun

if TYPE_CHECKING:
    from ..message import Response

__all__ = ["Flow", "Reply", "StreamFlow", "TransportLayer", "UdpFlow"]

log = logging.getLogger("sipfast.transport")

Receiver = Callable[[Any, Address, "Flow"], None]
OnError = Callable[[], None]

UDP_RECEIVE_BUFFER = 4 * 1024 * 1024

_STREAMS = frozenset({"TCP", "TLS", "WS", "WSS"})

# A stream peer that sends nothing for this long is disconnected (Kamailio's
# tcp_connection_lifetime is 120 s); connections in use are never closed.
IDLE_TIMEOUT = 120.0


class Flow:
    """A UDP socket or a connection: what a message came on and a reply can go out on."""

    transport: str
    local: Address
    remote: Address | None = None  # the peer of a connection
    closed: bool
    last_used: float

    def send(self, data: bytes, address: Address) -> bool:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class Reply(NamedTuple):
    """Where a server transaction's responses go (§18.2.2): back on `flow` (the
    connection, or the UDP socket the request came in on) to `address`; when the
    connection has closed, a new one to `address`."""

    address: Address
    flow: Flow


class UdpFlow(asyncio.DatagramProtocol, Flow):
    """One UDP listener: requests and responses in, everything over UDP out."""

    def __init__(self, layer: TransportLayer) -> None:
        self.layer = layer
        self.transport = "UDP"
        self.closed = False
        self.last_used = 0.0
        self._socket: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # not an asyncio.DatagramTransport subclass on every loop: a cast, not a check
        self._socket = cast("asyncio.DatagramTransport", transport)
        host, port = transport.get_extra_info("sockname")[:2]
        self.local = Address("UDP", host, port)
        # a burst of requests must wait in the kernel, not be dropped there (the kernel
        # caps this at net.core.rmem_max)
        sock = transport.get_extra_info("socket")
        with contextlib.suppress(OSError, AttributeError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, UDP_RECEIVE_BUFFER)

    def datagram_received(self, data: bytes, addr: tuple[Any, ...]) -> None:
        self.layer._datagram_received(data, Address("UDP", addr[0], addr[1]), self)

    def error_received(self, exc: Exception) -> None:
        # ICMP errors of earlier sends: UDP has no one to tell; timers will
        log.debug("UDP %s: %s", self.local, exc)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True

    def send(self, data: bytes, address: Address) -> bool:
        if self.closed or self._socket is None:
            return False
        try:
            self._socket.sendto(data, (address.host, address.port))
        except (OSError, ValueError) as exc:  # uvloop: ValueError for a bad address
            log.debug("UDP send to %s failed: %s", address, exc)
            return False
        return True

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
        self.closed = True


class StreamFlow(asyncio.Protocol, Flow):
    """One TCP or TLS connection, framed by the twin's `StreamParser`."""

    def __init__(self, layer: TransportLayer, transport: str) -> None:
        self.layer = layer
        self.transport = transport
        self.closed = False
        self.last_used = layer._now()
        self.parser = layer._core.StreamParser(layer.limits)
        self._stream: asyncio.Transport | None = None
        self.remote: Address | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._stream = cast("asyncio.Transport", transport)
        host, port = transport.get_extra_info("sockname")[:2]
        self.local = Address(self.transport, host, port)
        peer = transport.get_extra_info("peername")
        self.remote = Address(self.transport, peer[0], peer[1])
        self.layer._connection_made(self)

    def data_received(self, data: bytes) -> None:
        self.last_used = self.layer._now()
        try:
            messages = self.parser.feed(data)
        except ParseError as error:
            # the framing is lost: answer what can be answered, then hang up
            assert self.remote is not None
            self.layer._malformed(error, self.remote, self)
            self.close()
            return
        layer = self.layer
        remote = self.remote
        assert remote is not None
        for message in messages:
            if message.__class__ is Keepalive:
                # RFC 5626 §4.4.1: a double CRLF ping is answered with a single CRLF pong
                layer.keepalives += 1
                if message is Keepalive.PING:
                    self.send(Keepalive.PONG.value, remote)
                continue
            layer._message_received(message, remote, self)
        fault = self.parser.error
        if fault is not None:  # a fault after the messages above: handled after them
            layer._malformed(fault, remote, self)
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.layer._connection_lost(self)

    def send(self, data: bytes, address: Address) -> bool:
        if self.closed or self._stream is None or self._stream.is_closing():
            return False
        self.last_used = self.layer._now()
        self._stream.write(data)
        return True

    def close(self) -> None:
        self.closed = True
        if self._stream is not None:
            self._stream.close()


class TransportLayer:
    """Listeners and connections, and the rules of §18 between them and the receiver.

    `core` is the message-core twin to parse with (anything with ``parse``,
    ``StreamParser`` and ``make_response``; `sipfast.message` by default).
    `server_ssl` is the certificate context of TLS listeners; `client_ssl` the one
    TLS connections are opened with (the system's trust store by default).
    `resolver` (an `sipfast.transport.Resolver`) resolves destinations that are names.
    """

    def __init__(
        self,
        receiver: Receiver | None = None,
        *,
        core: Any = None,
        limits: Any = None,
        server_ssl: ssl.SSLContext | None = None,
        client_ssl: ssl.SSLContext | None = None,
        resolver: Any = None,
        idle_timeout: float = IDLE_TIMEOUT,
    ) -> None:
        if core is None:
            from .. import message as core
        self._core = core
        self._parse = core.parse
        self.receiver = receiver
        self.limits = limits
        self.server_ssl = server_ssl
        self.client_ssl = client_ssl
        self.resolver = resolver
        self.idle_timeout = idle_timeout
        self.listeners: list[Flow] = []
        self._servers: list[asyncio.AbstractServer] = []
        self._connections: dict[Address, Flow] = {}
        self._connecting: dict[Address, list[tuple[bytes, OnError | None]]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._sent_by: set[tuple[str, int]] = set()
        self._any_address = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sweeper: asyncio.TimerHandle | None = None
        # what happened to input that was not delivered, and what went out
        self.malformed = 0
        self.answered_malformed = 0
        self.dropped_responses = 0
        self.keepalives = 0

    # --- set-up ---------------------------------------------------------------------

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        return self._loop

    def _now(self) -> float:
        return self.loop.time()

    async def listen(self, address: Address | str, *, advertise: str | None = None) -> Address:
        """Listen on `address` (``udp:127.0.0.1:5060`` or an Address; port 0 picks
        one) and return where it listens.  `advertise` is a host name or address
        this listener also answers to in Via sent-by (§18.1.2)."""
        if isinstance(address, str):
            address = Address.parse(address)
        loop = self.loop
        transport = address.transport
        flow: Flow
        if transport == "UDP":
            _, protocol = await loop.create_datagram_endpoint(
                lambda: UdpFlow(self), local_addr=(address.host, address.port)
            )
            flow = protocol
            bound = flow.local
        elif transport in ("TCP", "TLS"):
            context = None
            if transport == "TLS":
                if self.server_ssl is None:
                    raise ValueError("a TLS listener needs server_ssl (a certificate)")
                context = self.server_ssl
            server = await loop.create_server(
                lambda: StreamFlow(self, transport), address.host, address.port, ssl=context,
                reuse_address=True,
            )
            self._servers.append(server)
            host, port = server.sockets[0].getsockname()[:2]
            bound = Address(transport, host, port)
            flow = ListeningFlow(bound, server.close)
        elif transport in ("WS", "WSS"):
            from ._websocket import listen_websocket

            context = None
            if transport == "WSS":
                if self.server_ssl is None:
                    raise ValueError("a WSS listener needs server_ssl (a certificate)")
                context = self.server_ssl
            flow = await listen_websocket(self, address, context)
            bound = flow.local
        else:
            raise ValueError(f"{transport} listeners are not supported here")
        self.listeners.append(flow)
        self._note_sent_by(bound, advertise)
        if self._sweeper is None and self.idle_timeout:
            self._sweeper = loop.call_later(self.idle_timeout / 2, self._sweep)
        return bound

    def _note_sent_by(self, bound: Address, advertise: str | None) -> None:
        if bound.host in ("0.0.0.0", "::"):
            self._any_address = True  # every address of the host: cannot check §18.1.2
        for host in (bound.host, advertise):
            if host:
                self._sent_by.add((_host_key(host), bound.port))
                if bound.port == DEFAULT_PORTS[bound.transport]:
                    self._sent_by.add((_host_key(host), 0))

    def alias(self, host: str, port: int = 0) -> None:
        """Take responses whose top Via names `host` (and `port`, 0 for any default) as
        ours (§18.1.2): an advertised name, or a WebSocket client's .invalid host."""
        self._sent_by.add((_host_key(host), port))

    def local_address(self, transport: str = "UDP") -> Address:
        """The first listener of `transport`: what a Via sent-by names."""
        transport = transport.upper()
        for flow in self.listeners:
            if flow.local.transport == transport:
                return flow.local
        raise LookupError(f"no {transport} listener")

    async def close(self) -> None:
        """Stop listening, close every connection, and wait for them to go."""
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None
        # the tasks first: a connect that finished while we wait would add a connection
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for flow in self.listeners:
            flow.close()
        for connection in list(self._connections.values()):
            connection.close()
        for server in self._servers:
            await server.wait_closed()
        self.listeners.clear()
        self._servers.clear()
        self._connecting.clear()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.sleep(0)  # let connection_lost callbacks run
        # a connection made by a connect cancelled before it returned may never see
        # connection_lost (uvloop): it must not stay in the table
        for connection in list(self._connections.values()):
            connection.close()
        self._connections.clear()

    # --- receiving ----------------------------------------------------------------

    def _datagram_received(self, data: bytes, source: Address, flow: Flow) -> None:
        flow.last_used = 0.0
        if data and data[0] < 0x40 and is_stun(data):  # SIP starts with a letter
            self.keepalives += 1
            answer = binding_response(data, source.host, source.port)
            if answer is not None:
                flow.send(answer, source)
            return
        try:
            message = self._parse(data)
        except ParseError as error:
            self._malformed(error, source, flow)
            return
        if message.__class__ is Keepalive:
            self.keepalives += 1
            return
        self._message_received(message, source, flow)

    def _message_received(self, message: Any, source: Address, flow: Flow) -> None:
        if message.is_request:
            via = received_via(message, source)
            if via is not None:
                message.pop_via()
                message.push_via(via)
        elif not self._ours(message):
            self.dropped_responses += 1
            log.debug("dropped a response from %s whose top Via is not ours", source)
            return
        receiver = self.receiver
        if receiver is not None:
            receiver(message, source, flow)

    def _ours(self, response: Response) -> bool:
        """§18.1.2: the top Via's sent-by names this element (or it cannot be told)."""
        if self._any_address or not self._sent_by:
            return True
        via = response.top_via
        return (_host_key(via.host), via.port or 0) in self._sent_by

    def _malformed(self, error: ParseError, source: Address, flow: Flow) -> None:
        """Count and log it; a request that got far enough is answered (e.g. 400)."""
        self.malformed += 1
        log.debug("malformed message from %s: %s at offset %d", source, error.reason,
                  error.offset)
        request = error.message
        if request is None or not request.is_request or request.method == "ACK":
            return
        try:
            # the reason phrase says what was wrong: "Bad Request (no Max-Forwards ...)"
            status = error.status_code
            phrase = f"{REASON_PHRASES.get(status, 'Error')} ({_printable(error.reason)})"
            answer = self._core.make_response(
                request, status, phrase, to_tag=_stateless_tag(request)
            )
            data = bytes(answer)
            # an answer missing what every response needs (no Via, no Call-ID ...)
            # would be dropped as malformed by the client: not sent
            self._parse(data)
        except (ParseError, ValueError) as exc:  # too broken to answer: Via, CSeq ...
            log.debug("cannot answer it: %s", exc)
            return
        # to where it came from: its Via may be what is broken
        if flow.send(data, source):
            self.answered_malformed += 1

    # --- connections ----------------------------------------------------------------

    def _connection_made(self, flow: Flow) -> None:
        assert flow.remote is not None
        self._connections.setdefault(flow.remote, flow)

    def _connection_lost(self, flow: Flow) -> None:
        if flow.remote is not None and self._connections.get(flow.remote) is flow:
            del self._connections[flow.remote]

    def connection(self, address: Address) -> Flow | None:
        """The open connection to `address`, if any."""
        flow = self._connections.get(address)
        return None if flow is None or flow.closed else flow

    def _sweep(self) -> None:
        now = self._now()
        for flow in list(self._connections.values()):
            if now - flow.last_used > self.idle_timeout:
                log.debug("closing idle connection %s", flow.remote)
                flow.close()
        self._sweeper = self.loop.call_later(self.idle_timeout / 2, self._sweep)

    # --- sending ------------------------------------------------------------------

    def send(self, data: bytes, destination: Address | Reply, on_error: OnError | None = None
             ) -> bool:
        """Send `data`; False when it failed at once, `on_error()` when it fails later
        (a connection that could not be opened, a name that did not resolve)."""
        if destination.__class__ is Reply:
            assert isinstance(destination, Reply)
            flow = destination.flow
            if not flow.closed and flow.send(data, destination.address):
                return True
            destination = destination.address
        assert isinstance(destination, Address)
        if not is_ip(destination.host):
            self._spawn(self._send_resolved(data, destination, on_error))
            return True
        if destination.transport == "UDP":
            udp = self._udp_for(destination)
            if udp is None and ":" not in destination.host:
                # a dual-stack [::] socket reaches IPv4 at its IPv4-mapped address
                udp = self._udp_for(Address("UDP", "::", 0), dual_stack=True)
                if udp is not None:
                    destination = Address("UDP", "::ffff:" + destination.host, destination.port)
            return udp is not None and udp.send(data, destination)
        connection = self._connections.get(destination)
        if connection is not None and not connection.closed:
            return connection.send(data, destination)
        pending = self._connecting.get(destination)
        if pending is not None:
            pending.append((data, on_error))
            return True
        if destination.transport not in _STREAMS:
            return False
        self._connecting[destination] = [(data, on_error)]
        self._spawn(self._connect(destination))
        return True

    def _udp_for(self, destination: Address, *, dual_stack: bool = False) -> Flow | None:
        """A UDP listener of the destination's address family: a socket of the other
        family cannot send there (uvloop raises ValueError, asyncio reports late).
        With `dual_stack`, only a listener on [::] (every IPv6 and IPv4 address)."""
        v6 = ":" in destination.host
        for flow in self.listeners:
            if flow.transport != "UDP" or flow.closed:
                continue
            if dual_stack and flow.local.host != "::":
                continue
            if (":" in flow.local.host) == v6:
                return flow
        return None

    async def _connect(self, destination: Address) -> None:
        transport = destination.transport
        context = None
        if transport in ("TLS", "WSS"):
            context = self.client_ssl or ssl.create_default_context()
        flow: Flow
        try:
            if transport in ("WS", "WSS"):
                from ._websocket import connect_websocket

                flow = await connect_websocket(self, destination, context)
            else:
                _, flow = await self.loop.create_connection(
                    lambda: StreamFlow(self, transport), destination.host,
                    destination.port, ssl=context,
                    server_hostname=destination.host if context is not None else None,
                )
        except Exception as exc:  # OSError, ssl.SSLError, a host name IDNA refuses ...
            # whatever it was, what waits for this connection must not wait forever
            log.debug("cannot connect to %s: %s", destination, exc)
            for _, on_error in self._connecting.pop(destination, ()):
                if on_error is not None:
                    on_error()
            if not isinstance(exc, (OSError, ssl.SSLError, ValueError, UnicodeError)):
                raise
            return
        # the table is keyed by where we connected to (the peer name may differ)
        remote = flow.remote
        if remote is not None and self._connections.get(remote) is flow and remote != destination:
            del self._connections[remote]
        flow.remote = destination
        self._connections[destination] = flow
        for data, on_error in self._connecting.pop(destination, ()):
            if not flow.send(data, destination) and on_error is not None:
                on_error()

    async def _send_resolved(self, data: bytes, destination: Address,
                             on_error: OnError | None) -> None:
        targets: list[Any] = []
        if self.resolver is not None:
            try:
                targets = await self.resolver.resolve_sent_by(
                    destination.host, destination.port, destination.transport
                )
            except LookupError as exc:
                log.debug("%s", exc)
        else:
            try:
                infos = await self.loop.getaddrinfo(
                    destination.host, destination.port, type=socket.SOCK_DGRAM
                )
                targets = [Address(destination.transport, str(info[4][0]), destination.port)
                           for info in infos]
            except OSError as exc:
                log.debug("cannot resolve %s: %s", destination.host, exc)
        for target in targets:
            address = Address(str(target[0]), str(target[1]), int(target[2]))
            if self.send(data, address, on_error):
                return
        if on_error is not None:
            on_error()

    def _spawn(self, coroutine: Any) -> None:
        task = self.loop.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _host_key(host: str) -> str:
    """A host as §18.1.2 compares it: a name lower-cased, an address in one spelling."""
    return ip_literal(host) or host.lower()


def _printable(text: str) -> str:
    """`text` fit for a reason phrase: no control characters, at most 100 of them."""
    text = "".join(c if c.isprintable() else " " for c in text)
    return text if len(text) <= 100 else text[:97] + "..."


def _stateless_tag(request: Any) -> str | None:
    """§8.2.6.2/§8.2.7: the To tag of a stateless answer, the same for every
    retransmission of the request (a hash of what identifies it); None when the request
    has one already."""
    if request.to.tag is not None:
        return None
    headers = request.headers
    key = "\0".join(
        str(value) for value in (
            headers.get("Call-ID"), headers.get("From"), headers.get("CSeq"),
            headers.get("Via"), request.method,
        )
    )
    return hashlib.blake2s(key.encode("utf-8", "surrogateescape"), digest_size=8).hexdigest()


class ListeningFlow(Flow):
    """A TCP/TLS/WS/WSS listening socket, as a listener entry (it sends nothing itself);
    `stop` closes the socket."""

    def __init__(self, local: Address, stop: Callable[[], object]) -> None:
        self.local = local
        self.transport = local.transport
        self.closed = False
        self.last_used = 0.0
        self._stop = stop

    def send(self, data: bytes, address: Address) -> bool:
        return False

    def close(self) -> None:
        self.closed = True
        self._stop()

