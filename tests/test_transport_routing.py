"""The socket-free rules of the transport layer: `Address`, §18.2.1 ``received`` with
RFC 3581 ``rport`` (`received_via`), §18.2.2 response routing (`response_address`),
§18.1.1 (`too_big_for_udp`, `via_over`), on both message-core twins."""

from __future__ import annotations

from typing import Any

import pytest
from _transaction import request

from sipfast.transport import (
    DEFAULT_PORTS,
    UDP_SIZE_LIMIT,
    Address,
    is_ip,
    received_via,
    response_address,
    sent_by,
    too_big_for_udp,
    via_over,
)

# --- Address ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("udp:127.0.0.1:5060", Address("UDP", "127.0.0.1", 5060)),
        ("UDP:127.0.0.1:5070", Address("UDP", "127.0.0.1", 5070)),
        ("tcp:[::1]:5090", Address("TCP", "::1", 5090)),
        ("tcp:[::1]", Address("TCP", "::1", 5060)),
        ("tls:example.com", Address("TLS", "example.com", 5061)),
        ("tls:example.com:5071", Address("TLS", "example.com", 5071)),
        ("udp:example.com", Address("UDP", "example.com", 5060)),
        ("tcp:example.com", Address("TCP", "example.com", 5060)),
        ("ws:example.com", Address("WS", "example.com", 80)),
        ("wss:example.com", Address("WSS", "example.com", 443)),
        ("udp:::1", Address("UDP", "::1", 5060)),  # a bare IPv6 address: no port in it
        ("udp:2001:db8::1", Address("UDP", "2001:db8::1", 5060)),
        ("tls:[2001:db8::1]:5061", Address("TLS", "2001:db8::1", 5061)),
        ("udp:0.0.0.0:0", Address("UDP", "0.0.0.0", 0)),
        ("udp:h:65535", Address("UDP", "h", 65535)),
    ],
)
def test_address_parse(text: str, expected: Address) -> None:
    assert Address.parse(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "127.0.0.1:5060",  # no transport
        "example.com",
        "sctp:example.com",  # not spoken here
        "http:example.com",
        "udp:",
        "udp::5060",  # no host
        "udp:[]:5060",
        "udp:[::1",  # unclosed bracket
        "udp:[::1]5060",
        "udp:example.com:",  # a colon and no port
        "udp:[::1]:",
        "udp:example.com:abc",
        "udp:example.com:-1",
        "udp:example.com:+5",
        "udp:example.com:65536",
        "udp:example.com:5060x",
        "udp:example.com:\u0665",  # a digit, but not an ASCII one
    ],
)
def test_address_parse_errors(text: str) -> None:
    with pytest.raises(ValueError, match=r"\S"):
        Address.parse(text)


def test_address_hostport_and_str() -> None:
    v4 = Address("UDP", "127.0.0.1", 5060)
    v6 = Address("TCP", "::1", 5090)
    name = Address.parse("tls:example.com")
    assert (v4.hostport, str(v4)) == ("127.0.0.1:5060", "udp:127.0.0.1:5060")
    assert (v6.hostport, str(v6)) == ("[::1]:5090", "tcp:[::1]:5090")
    assert (name.hostport, str(name)) == ("example.com:5061", "tls:example.com:5061")
    for address in (v4, v6, name):
        assert Address.parse(str(address)) == address
    assert (v4.reliable, v6.reliable, name.reliable) == (False, True, True)
    assert Address("WS", "h", 80).reliable
    assert Address("WSS", "h", 443).reliable


def test_sent_by_and_is_ip() -> None:
    assert sent_by("::1", 5060) == "[::1]:5060"
    assert sent_by("[::1]", 5060) == "[::1]:5060"
    assert sent_by("::1", None) == "[::1]"
    assert sent_by("example.com", None) == "example.com"
    assert sent_by("192.0.2.1", 5) == "192.0.2.1:5"
    assert [is_ip(h) for h in ("127.0.0.1", "::1", "[::1]", "example.com", "[example.com]",
                               "256.0.0.1", "")] == [True, True, True, False, False, False, False]
    assert DEFAULT_PORTS["UDP"] == DEFAULT_PORTS["TCP"] == 5060
    assert DEFAULT_PORTS["TLS"] == 5061


# --- §18.2.1 and RFC 3581: received and rport --------------------------------------------


def with_via(impl: Any, via: str) -> Any:
    """A parsed OPTIONS whose only Via is `via`."""
    data = request()
    data = data.replace(b"SIP/2.0/UDP client.example.com:5060;branch=z9hG4bK-tx1", via.encode())
    return impl.parse(data)


V4 = Address("UDP", "127.0.0.1", 5555)
V6 = Address("UDP", "::1", 5555)


@pytest.mark.parametrize(
    ("via", "source", "expected"),
    [
        # a name: received, always
        ("SIP/2.0/UDP client.example.com:5060;branch=z9hG4bK1", V4,
         "SIP/2.0/UDP client.example.com:5060;branch=z9hG4bK1;received=127.0.0.1"),
        # another address than the source
        ("SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1", V4,
         "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1;received=127.0.0.1"),
        # the same address, no rport: untouched (only the host is compared, not the port)
        ("SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1", V4, None),
        ("SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1", V4, None),
        # an empty rport: filled in where it stands, and received even when the same
        ("SIP/2.0/UDP 127.0.0.1:5060;rport;branch=z9hG4bK1", V4,
         "SIP/2.0/UDP 127.0.0.1:5060;rport=5555;branch=z9hG4bK1;received=127.0.0.1"),
        ("SIP/2.0/UDP client.example.com;branch=z9hG4bK1;rport", V4,
         "SIP/2.0/UDP client.example.com;branch=z9hG4bK1;rport=5555;received=127.0.0.1"),
        # a parameter name in any case (§7.3.1); the space before the SEMI stays
        ("SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1 ; RPORT", V4,
         "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1 ;rport=5555;received=127.0.0.1"),
        ("SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1;Received=10.0.0.1", V4,
         "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1;received=127.0.0.1"),
        # an rport with a value is not a request for one
        ("SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1;rport=7", V4, None),
        # a stale received from the sender is replaced, not duplicated
        ("SIP/2.0/UDP 192.0.2.1:5060;received=10.0.0.1;branch=z9hG4bK1", V4,
         "SIP/2.0/UDP 192.0.2.1:5060;received=127.0.0.1;branch=z9hG4bK1"),
        ("SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1;rport;received=10.0.0.1", V4,
         "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1;rport=5555;received=127.0.0.1"),
        # ... even when sent-by is the source: a wrong received would misroute responses
        ("SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1;received=10.0.0.1", V4,
         "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1;received=127.0.0.1"),
        # a received that is already right stays as it is
        ("SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1;received=127.0.0.1", V4, None),
        # IPv6: received holds the address without brackets (RFC 5118 §4.5)
        ("SIP/2.0/UDP [2001:db8::1]:5070;branch=z9hG4bK1", V6,
         "SIP/2.0/UDP [2001:db8::1]:5070;branch=z9hG4bK1;received=::1"),
        ("SIP/2.0/UDP [::1]:5070;branch=z9hG4bK1", V6, None),
        ("SIP/2.0/UDP [0:0:0:0:0:0:0:1]:5070;branch=z9hG4bK1", V6, None),
        ("SIP/2.0/UDP [::1]:5070;branch=z9hG4bK1;rport", V6,
         "SIP/2.0/UDP [::1]:5070;branch=z9hG4bK1;rport=5555;received=::1"),
        ("SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1", V6,
         "SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1;received=::1"),
    ],
)
def test_received_via(impl: Any, via: str, source: Address, expected: str | None) -> None:
    message = with_via(impl, via)
    assert received_via(message, source) == expected


def test_received_via_in_the_message(impl: Any) -> None:
    """The rewritten Via goes back on top and reads as the parameters say."""
    message = with_via(impl, "SIP/2.0/UDP client.example.com:5070;branch=z9hG4bK1;rport")
    via = received_via(message, V4)
    assert via is not None
    message.pop_via()
    message.push_via(via)
    top = message.top_via
    assert (top.host, top.port, top.branch, top.received, top.rport) == (
        "client.example.com", 5070, "z9hG4bK1", "127.0.0.1", 5555
    )
    assert (
        b"\r\nVia: SIP/2.0/UDP client.example.com:5070;branch=z9hG4bK1;rport=5555;"
        b"received=127.0.0.1\r\n" in bytes(message)
    )
    reparsed = impl.parse(bytes(message))
    assert reparsed.top_via.received == "127.0.0.1"
    assert reparsed.top_via.rport == 5555


# --- §18.2.2: where responses go ------------------------------------------------------------


def stamped(impl: Any, via: str, source: Address) -> Any:
    """The request as the server transport hands it up: received/rport added."""
    message = with_via(impl, via)
    rewritten = received_via(message, source)
    if rewritten is not None:
        message.pop_via()
        message.push_via(rewritten)
    return message


@pytest.mark.parametrize(
    ("via", "source", "expected"),
    [
        # UDP and rport: back to the source address and port (RFC 3581 §4)
        ("SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK1;rport", V4, V4),
        ("SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1;rport", V4, V4),
        # UDP and received: the received address and the sent-by port ...
        ("SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK1", V4, Address("UDP", "127.0.0.1", 5070)),
        ("SIP/2.0/UDP client.example.com;branch=z9hG4bK1", V4,
         Address("UDP", "127.0.0.1", 5060)),  # ... 5060 when sent-by has none
        # UDP, sent-by is the source: sent-by itself, not the source port
        ("SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1", V4, Address("UDP", "127.0.0.1", 5070)),
        ("SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1", V4, Address("UDP", "127.0.0.1", 5060)),
        # maddr: that address, the sent-by port (multicast and ttl are the sender's business)
        ("SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK1;maddr=239.255.255.1;ttl=1", V4,
         Address("UDP", "239.255.255.1", 5070)),
        ("SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1;maddr=239.255.255.1", V4,
         Address("UDP", "239.255.255.1", 5060)),
        ("SIP/2.0/UDP [2001:db8::1]:5070;branch=z9hG4bK1;maddr=[ff02::1]", V6,
         Address("UDP", "ff02::1", 5070)),  # an Address holds IPv6 without brackets
        # IPv6
        ("SIP/2.0/UDP [2001:db8::1]:5070;branch=z9hG4bK1", V6, Address("UDP", "::1", 5070)),
        ("SIP/2.0/UDP [::1]:5070;branch=z9hG4bK1", V6, Address("UDP", "::1", 5070)),
        ("SIP/2.0/UDP [2001:db8::1]:5070;branch=z9hG4bK1;rport", V6, V6),
        # parameter names in any case (§7.3.1)
        ("SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK1;RPort", V4, V4),
        ("SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK1;MADDR=239.255.255.1", V4,
         Address("UDP", "239.255.255.1", 5070)),
        # reliable: received (or sent-by) host, sent-by port; rport does not apply
        ("SIP/2.0/TCP client.example.com:5070;branch=z9hG4bK1;rport",
         Address("TCP", "127.0.0.1", 40000), Address("TCP", "127.0.0.1", 5070)),
        ("SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK1", Address("TCP", "127.0.0.1", 40000),
         Address("TCP", "127.0.0.1", 5060)),
        ("SIP/2.0/TLS client.example.com;branch=z9hG4bK1", Address("TLS", "127.0.0.1", 40000),
         Address("TLS", "127.0.0.1", 5061)),
        ("SIP/2.0/TLS [::1]:5071;branch=z9hG4bK1", Address("TLS", "::1", 40000),
         Address("TLS", "::1", 5071)),
        ("SIP/2.0/TCP 192.0.2.1:5070;branch=z9hG4bK1;maddr=239.255.255.1",
         Address("TCP", "127.0.0.1", 40000), Address("TCP", "127.0.0.1", 5070)),
    ],
)
def test_response_address(impl: Any, via: str, source: Address, expected: Address) -> None:
    assert response_address(stamped(impl, via, source), source) == expected


# --- §18.1.1: the size rule and the Via of a request moved to TCP ---------------------------


def test_too_big_for_udp() -> None:
    assert UDP_SIZE_LIMIT == 1300
    assert not too_big_for_udp(b"x" * 1300)
    assert too_big_for_udp(b"x" * 1301)
    assert not too_big_for_udp(b"")


def test_via_over(impl: Any) -> None:
    top = with_via(impl, "SIP/2.0/UDP client.example.com:5060;branch=z9hG4bK1;rport").top_via
    assert via_over(top, "TCP", "127.0.0.1:5070") == (
        "SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK1;rport"
    )
    spaced = with_via(impl, "SIP / 2.0 / UDP client.example.com:5060 ;branch=z9hG4bK1").top_via
    assert via_over(spaced, "TCP", "[::1]:5070") == "SIP/2.0/TCP [::1]:5070;branch=z9hG4bK1"
    bare = with_via(impl, "SIP/2.0/UDP client.example.com").top_via
    assert via_over(bare, "TLS", "h:5061") == "SIP/2.0/TLS h:5061"
    assert via_over(str(bare), "TCP", "h") == "SIP/2.0/TCP h"
