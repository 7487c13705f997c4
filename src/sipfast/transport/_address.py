"""Where messages go and come from: (transport, host, port), as Via and URIs name them."""

from __future__ import annotations

import ipaddress
from typing import NamedTuple

__all__ = [
    "DEFAULT_PORTS",
    "RELIABLE",
    "TRANSPORTS",
    "Address",
    "ip_literal",
    "is_ip",
    "sent_by",
    "unbracket",
]

TRANSPORTS = ("UDP", "TCP", "TLS", "WS", "WSS")
"""The transports this layer speaks, as the Via transport token spells them."""

RELIABLE = frozenset({"TCP", "TLS", "WS", "WSS"})

DEFAULT_PORTS = {"UDP": 5060, "TCP": 5060, "TLS": 5061, "SCTP": 5060, "WS": 80, "WSS": 443}
"""The port a sent-by or URI without one stands for: 5060, 5061 for SIPS (§18.2.1,
RFC 3263 §4.2), WebSocket's own 80 and 443 (RFC 7118)."""


def unbracket(host: str) -> str:
    """`host` without the brackets of an IPv6 reference (``[::1]`` is ``::1``)."""
    return host[1:-1] if host.startswith("[") and host.endswith("]") else host


def ip_literal(host: str) -> str | None:
    """`host` as an IP address in its one canonical spelling (IPv6 unbracketed,
    ``[0:0::1]`` is ``::1``), None when it is a name."""
    try:
        return str(ipaddress.ip_address(unbracket(host)))
    except ValueError:
        return None


def is_ip(host: str) -> bool:
    """True when `host` is an IPv4 or IPv6 address literal (brackets allowed)."""
    return ip_literal(host) is not None


class Address(NamedTuple):
    """A transport endpoint: `transport` upper case, `host` an IP literal or a name
    (IPv6 without brackets), `port` a number."""

    transport: str
    host: str
    port: int

    @classmethod
    def parse(cls, text: str) -> Address:
        """``udp:127.0.0.1:5060``, ``tcp:[::1]:5090``, ``tls:example.com`` (default port).

        The form of the ``--listen`` option and of ``sipfast send --to``.
        """
        transport, sep, rest = text.partition(":")
        transport = transport.upper()
        if not sep or transport not in TRANSPORTS:
            raise ValueError(
                f"an address is TRANSPORT:HOST[:PORT] with TRANSPORT one of "
                f"{', '.join(t.lower() for t in TRANSPORTS)}, not {text!r}"
            )
        if rest.startswith("["):
            end = rest.find("]")
            if end < 0:
                raise ValueError(f"unclosed [ in {text!r}")
            host, port_text = rest[1:end], rest[end + 1 :]
            if port_text and not port_text.startswith(":"):
                raise ValueError(f"expected :PORT after ] in {text!r}")
            colon, port_text = port_text[:1], port_text[1:]
        elif rest.count(":") > 1:  # a bare IPv6 address
            host, colon, port_text = rest, "", ""
        else:
            host, colon, port_text = rest.partition(":")
        if not host:
            raise ValueError(f"no host in {text!r}")
        if colon:
            if not (port_text.isascii() and port_text.isdigit()) or int(port_text) > 65535:
                raise ValueError(f"bad port {port_text!r} in {text!r}")
            port = int(port_text)
        else:
            port = DEFAULT_PORTS[transport]
        return cls(transport, host, port)

    @property
    def reliable(self) -> bool:
        return self.transport in RELIABLE

    @property
    def hostport(self) -> str:
        """host:port as a Via sent-by or a URI writes it (IPv6 in brackets)."""
        return sent_by(self.host, self.port)

    def __str__(self) -> str:
        return f"{self.transport.lower()}:{self.hostport}"


def sent_by(host: str, port: int | None) -> str:
    """host[:port] with an IPv6 literal in brackets (RFC 3261 §25.1 hostport)."""
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return host if port is None else f"{host}:{port}"
