"""The transport layer of RFC 3261 §18 on asyncio: UDP, TCP and TLS listeners and
connections, ``received``/``rport`` (RFC 3581), response routing by Via, the size rule,
and RFC 3263 server location on dnspython."""

from __future__ import annotations

from ._address import (
    DEFAULT_PORTS,
    RELIABLE,
    TRANSPORTS,
    Address,
    ip_literal,
    is_ip,
    sent_by,
    unbracket,
)
from ._dns import ResolutionError, Resolver, Target
from ._layer import Flow, Reply, StreamFlow, TransportLayer, UdpFlow
from ._routing import UDP_SIZE_LIMIT, received_via, response_address, too_big_for_udp, via_over

__all__ = [
    "DEFAULT_PORTS",
    "RELIABLE",
    "TRANSPORTS",
    "UDP_SIZE_LIMIT",
    "Address",
    "Flow",
    "Reply",
    "ResolutionError",
    "Resolver",
    "StreamFlow",
    "Target",
    "TransportLayer",
    "UdpFlow",
    "ip_literal",
    "is_ip",
    "received_via",
    "response_address",
    "sent_by",
    "too_big_for_udp",
    "unbracket",
    "via_over",
]
