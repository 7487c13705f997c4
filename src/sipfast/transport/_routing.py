"""The rules of RFC 3261 §18 (with RFC 3581) that need no socket.

- §18.2.1: the server transport notes where a request really came from, in the top
  Via's ``received`` (and ``rport``, when the client asked for it, RFC 3581 §4);
- §18.2.2: where the responses to that request go;
- §18.1.1: a request too large for UDP goes over a congestion-controlled transport.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ._address import DEFAULT_PORTS, RELIABLE, Address, ip_literal, unbracket

if TYPE_CHECKING:
    from ..message import Request

__all__ = [
    "UDP_SIZE_LIMIT",
    "received_via",
    "response_address",
    "too_big_for_udp",
    "via_over",
]

UDP_SIZE_LIMIT = 1300
"""§18.1.1: with the path MTU unknown, a request larger than this goes over TCP."""

_RPORT = re.compile(r";[ \t]*rport[ \t]*(?=;|$)", re.IGNORECASE)
_SENT_PROTOCOL = re.compile(r"SIP[ \t]*/[ \t]*2\.0[ \t]*/[ \t]*[^ \t;]+[ \t]+[^;]*", re.IGNORECASE)
_RECEIVED = re.compile(r";[ \t]*received[ \t]*=[ \t]*[^;]*", re.IGNORECASE)


def _same_ip(host: str, ip: str) -> bool:
    """False for a domain name: §18.2.1 always adds received then."""
    if host == ip:  # the common case, without parsing either
        return True
    address = ip_literal(host)
    return address is not None and address == ip_literal(ip)


def _rport(params: dict[str, str | None]) -> tuple[bool, bool]:
    """Whether the Via has ``rport``, and whether it is empty (a parameter name is
    case-insensitive, §7.3.1)."""
    if "rport" in params:
        return True, params["rport"] is None
    for name, value in params.items():
        if name.lower() == "rport":
            return True, value is None
    return False, False


def received_via(request: Request, source: Address) -> str | None:
    """The top Via of `request` as the server transport must rewrite it, or None.

    §18.2.1: ``received`` is added when the sent-by host is a name or an address other
    than the packet's source.  RFC 3581 §4: an empty ``rport`` gets the source port,
    and then ``received`` is added even when it equals sent-by.  A ``received`` the
    sender wrote itself is replaced when it is not the source (responses follow it).
    """
    via = request.top_via
    wants_rport = _rport(via.params)[1]
    stale = via.received
    if (not wants_rport and _same_ip(via.host, source.host)
            and (stale is None or _same_ip(stale, source.host))):
        return None
    text = str(via)
    if wants_rport:
        text = _RPORT.sub(f";rport={source.port}", text, count=1)
    received = f";received={source.host}"
    if stale is not None:  # a stale one from the client: §18.2.1 says what it is
        return _RECEIVED.sub(received, text, count=1)
    return text + received


def response_address(request: Any, source: Address) -> Address:
    """Where §18.2.2 sends the responses to `request`, which came from `source`.

    On a reliable transport this is where to open a new connection when the one the
    request came on has closed (the received address and the sent-by port); the open
    connection is used first.  Otherwise: ``maddr`` with the sent-by port; with
    ``rport`` (RFC 3581 §4) the source address and port; else ``received`` (the source
    address after `received_via`) with the sent-by port.
    """
    via = request.top_via
    transport = source.transport
    port = via.port or DEFAULT_PORTS.get(transport, 5060)
    if transport not in RELIABLE:
        maddr = via.maddr
        if maddr:
            return Address(transport, unbracket(maddr), port)
        if _rport(via.params)[0]:
            return source
    return Address(transport, unbracket(via.received or via.host), port)


def too_big_for_udp(data: bytes) -> bool:
    """§18.1.1: this request must not be sent over UDP (path MTU unknown)."""
    return len(data) > UDP_SIZE_LIMIT


def via_over(via: Any, transport: str, sent_by: str) -> str:
    """The text of `via` with its transport and sent-by replaced, parameters kept
    (§18.1.1: a request moved from UDP to TCP says so in its top Via)."""
    return _SENT_PROTOCOL.sub(f"SIP/2.0/{transport} {sent_by}", str(via), count=1)
