"""RFC 3263 lookups (sipfast.transport._dns) against a real DNS server: dnsmasq on loopback.

Every expectation is a whole target list in order.  Each host has one A and at most one
AAAA record, because dnsmasq rotates the order of several A records between answers.
"""

from __future__ import annotations

import asyncio
import random
import socket
import types
from collections import Counter
from collections.abc import Iterator
from typing import Any

import dns.exception
import dns.resolver
import pytest
from _dnsmasq import serve

from sipfast.errors import SipError
from sipfast.transport._dns import ResolutionError, Resolver, Target

ALL = ("UDP", "TCP", "TLS", "SCTP", "WS", "WSS")

# dnsmasq options: --naptr-record=name,order,preference,flags,service,regexp[,replacement]
# --srv-host=name,target,port,priority,weight; --host-record=name[,IPv4][,IPv6]
ZONE = [
    "--host-record=a.test,192.0.2.10,2001:db8::10",
    "--host-record=v6.test,2001:db8::12",
    # NAPTR, in neither written nor answer order; only the last three are usable by default.
    "--naptr-record=naptr.test,20,10,s,SIP+D2U,,_sip._udp.pool.naptr.test",
    "--naptr-record=naptr.test,10,20,s,SIPS+D2T,,_sips._tcp.pool.naptr.test",
    "--naptr-record=naptr.test,10,10,S,SIP+D2T,,_sip._tcp.pool.naptr.test",
    "--naptr-record=naptr.test,5,10,s,SIP+D2S,,_sip._sctp.pool.naptr.test",
    "--naptr-record=naptr.test,5,20,s,SIP+D2W,,_sip._ws.pool.naptr.test",
    "--naptr-record=naptr.test,6,10,s,SIPS+D2W,,_sips._ws.pool.naptr.test",
    "--naptr-record=naptr.test,1,10,s,SIPS+D2U,,_bogus.pool.naptr.test",  # no such service
    "--naptr-record=naptr.test,2,10,s,E2U+sip,,_bogus.pool.naptr.test",  # ENUM, not SIP
    "--naptr-record=naptr.test,3,10,u,SIP+D2U,!^.*$!sip:bogus@a.test!,",  # flag "u", not "s"
    "--srv-host=_sip._udp.pool.naptr.test,udp.naptr.test,5060",
    "--srv-host=_sip._tcp.pool.naptr.test,tcp.naptr.test,5060",
    "--srv-host=_sips._tcp.pool.naptr.test,tls.naptr.test,5061",
    "--srv-host=_sip._sctp.pool.naptr.test,sctp.naptr.test,5060",
    "--srv-host=_sip._ws.pool.naptr.test,ws.naptr.test,80",
    "--srv-host=_sips._ws.pool.naptr.test,wss.naptr.test,443",
    "--srv-host=_bogus.pool.naptr.test,bogus.naptr.test,5060",
    "--srv-host=_sip._tcp.naptr.test,direct.naptr.test,5070",  # only asked without NAPTR
    "--host-record=naptr.test,192.0.2.30",
    "--host-record=tls.naptr.test,192.0.2.31,2001:db8::31",
    "--host-record=tcp.naptr.test,192.0.2.32,2001:db8::32",
    "--host-record=udp.naptr.test,192.0.2.33,2001:db8::33",
    "--host-record=sctp.naptr.test,192.0.2.34",
    "--host-record=ws.naptr.test,192.0.2.35",
    "--host-record=wss.naptr.test,192.0.2.36",
    "--host-record=bogus.naptr.test,192.0.2.37",
    "--host-record=direct.naptr.test,192.0.2.38",
    # NAPTR whose SRV name does not exist: A/AAAA of the domain, NAPTR's transport.
    "--naptr-record=lame.test,10,10,s,SIP+D2T,,_sip._tcp.gone.test",
    "--host-record=lame.test,192.0.2.60",
    # No NAPTR; SRV for UDP at two priorities (weights 0, 10, 30, then 0), TCP and TLS.
    "--srv-host=_sip._udp.srv.test,one.srv.test,5060,10,10",
    "--srv-host=_sip._udp.srv.test,two.srv.test,5062,10,30",
    "--srv-host=_sip._udp.srv.test,zero.srv.test,5066,10,0",
    "--srv-host=_sip._udp.srv.test,three.srv.test,5064,20,0",
    "--srv-host=_sip._tcp.srv.test,tcp.srv.test,5070",
    "--srv-host=_sips._tcp.srv.test,tls.srv.test,5071",
    "--host-record=srv.test,192.0.2.40",
    "--host-record=one.srv.test,192.0.2.41",
    "--host-record=two.srv.test,192.0.2.42",
    "--host-record=three.srv.test,192.0.2.43",
    "--host-record=zero.srv.test,192.0.2.44",
    "--host-record=tcp.srv.test,192.0.2.45",
    "--host-record=tls.srv.test,192.0.2.46,2001:db8::46",
    # Two targets of one priority weighted 3:1, for the draw statistics.
    "--srv-host=_sip._udp.weights.test,heavy.weights.test,5060,1,3",
    "--srv-host=_sip._udp.weights.test,light.weights.test,5060,1,1",
    "--host-record=heavy.weights.test,192.0.2.70",
    "--host-record=light.weights.test,192.0.2.71",
    # SRV target ".": UDP decidedly not available; TCP is.
    "--srv-host=_sip._udp.dot.test,.",
    "--srv-host=_sip._tcp.dot.test,tcp.dot.test,5060",
    "--host-record=dot.test,192.0.2.51",
    "--host-record=tcp.dot.test,192.0.2.50",
    # SRV target "." only: no service at all, though the domain has an address.
    "--srv-host=_sip._udp.nosip.test,.",
    "--host-record=nosip.test,192.0.2.52",
]


@pytest.fixture(scope="session")
def dns_port() -> Iterator[int]:
    with serve(ZONE, probe="a.test") as port:
        yield port


class Draws(random.Random):
    """Every RFC 2782 draw at the low or the high end of its range."""

    def __init__(self, end: str) -> None:
        super().__init__(0)
        self.end = end

    def randint(self, a: int, b: int) -> int:
        return a if self.end == "low" else b


def resolve(port: int, uri: Any, **options: Any) -> list[Target]:
    return asyncio.run(Resolver(["127.0.0.1"], port, timeout=2.0, **options).resolve(uri))


def sent_by(port: int, host: str, via_port: int | None, transport: str) -> list[Target]:
    resolver = Resolver(["127.0.0.1"], port, timeout=2.0)
    return asyncio.run(resolver.resolve_sent_by(host, via_port, transport))


T = Target


A_TEST = [T("UDP", "192.0.2.10", 5060), T("UDP", "2001:db8::10", 5060)]
A_TEST_TCP = [T("TCP", "192.0.2.10", 5060), T("TCP", "2001:db8::10", 5060)]
A_TEST_TLS = [T("TLS", "192.0.2.10", 5061), T("TLS", "2001:db8::10", 5061)]
NAPTR_TCP = [T("TCP", "192.0.2.32", 5060), T("TCP", "2001:db8::32", 5060)]
NAPTR_TLS = [T("TLS", "192.0.2.31", 5061), T("TLS", "2001:db8::31", 5061)]
NAPTR_UDP = [T("UDP", "192.0.2.33", 5060), T("UDP", "2001:db8::33", 5060)]
SRV_TCP = [T("TCP", "192.0.2.45", 5070)]
SRV_TLS = [T("TLS", "192.0.2.46", 5071), T("TLS", "2001:db8::46", 5071)]


# §4.1/§4.2: a numeric host needs no DNS: transport from the parameter, else UDP for sip
# and TLS (TCP) for sips; port from the URI, else 5060/5061.
@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("sip:alice@192.0.2.1", [T("UDP", "192.0.2.1", 5060)]),
        ("sips:alice@192.0.2.1", [T("TLS", "192.0.2.1", 5061)]),
        ("sip:192.0.2.1:5070;transport=TCP", [T("TCP", "192.0.2.1", 5070)]),
        ("sip:192.0.2.1;transport=tls", [T("TLS", "192.0.2.1", 5061)]),
        ("sips:192.0.2.1:5071;transport=tcp", [T("TLS", "192.0.2.1", 5071)]),
        ("sip:[::1]", [T("UDP", "::1", 5060)]),
        ("sip:bob@[::1]:5070", [T("UDP", "::1", 5070)]),
        ("sips:[2001:DB8:0::1];transport=tcp", [T("TLS", "2001:db8::1", 5061)]),
        ("SIP:192.0.2.1;Transport=TCP", [T("TCP", "192.0.2.1", 5060)]),
    ],
)
def test_numeric_host(impl: types.SimpleNamespace, uri: str, expected: list[Target]) -> None:
    # No DNS server: a query would fail.
    resolver = Resolver(["127.0.0.1"], 9, timeout=0.5)
    assert asyncio.run(resolver.resolve(impl.URI(uri))) == expected


def test_websocket_transports(impl: types.SimpleNamespace) -> None:
    resolver = Resolver(["127.0.0.1"], 9, timeout=0.5, supported=ALL)
    assert asyncio.run(resolver.resolve(impl.URI("sip:192.0.2.1;transport=ws"))) == [
        T("WS", "192.0.2.1", 80)
    ]
    assert asyncio.run(resolver.resolve(impl.URI("sips:[::1]:8443;transport=ws"))) == [
        T("WSS", "::1", 8443)
    ]
    assert asyncio.run(resolver.resolve(impl.URI("sip:[::1];transport=wss"))) == [
        T("WSS", "::1", 443)
    ]


# §4.2: a name with a port is looked up in A/AAAA only, never NAPTR or SRV.
@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("sip:a.test:5070", [T("UDP", "192.0.2.10", 5070), T("UDP", "2001:db8::10", 5070)]),
        ("sips:a.test:5071", [T("TLS", "192.0.2.10", 5071), T("TLS", "2001:db8::10", 5071)]),
        ("sip:srv.test:5080", [T("UDP", "192.0.2.40", 5080)]),
        ("sip:naptr.test:5080", [T("UDP", "192.0.2.30", 5080)]),
        ("sip:naptr.test:5080;transport=tcp", [T("TCP", "192.0.2.30", 5080)]),
        ("sip:v6.test:5070", [T("UDP", "2001:db8::12", 5070)]),
    ],
)
def test_explicit_port(
    impl: types.SimpleNamespace, dns_port: int, uri: str, expected: list[Target]
) -> None:
    assert resolve(dns_port, impl.URI(uri)) == expected


# §4.1/§4.2: a transport parameter skips NAPTR; SRV for that transport alone, else A/AAAA.
@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("sip:srv.test;transport=tcp", SRV_TCP),
        ("sip:srv.test;transport=TLS", SRV_TLS),
        ("sips:srv.test;transport=tcp", SRV_TLS),
        ("sip:naptr.test;transport=tcp", [T("TCP", "192.0.2.38", 5070)]),
        ("sip:a.test;transport=TCP", A_TEST_TCP),
        ("sips:a.test;transport=tcp", A_TEST_TLS),
    ],
)
def test_transport_param(
    impl: types.SimpleNamespace, dns_port: int, uri: str, expected: list[Target]
) -> None:
    assert resolve(dns_port, impl.URI(uri)) == expected


def test_transport_param_websocket_has_no_srv(
    impl: types.SimpleNamespace, dns_port: int
) -> None:
    assert resolve(dns_port, impl.URI("sip:a.test;transport=ws"), supported=ALL) == [
        T("WS", "192.0.2.10", 80), T("WS", "2001:db8::10", 80)
    ]


# §4.1: maddr, when present, is what gets resolved, not the host.
@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("sip:alice@nowhere.test;maddr=a.test", A_TEST),
        ("sip:alice@nowhere.test;maddr=192.0.2.55;transport=tcp", [T("TCP", "192.0.2.55", 5060)]),
        ("sip:nowhere.test:5099;maddr=[2001:db8::55]", [T("UDP", "2001:db8::55", 5099)]),
        ("sips:nowhere.test;MADDR=srv.test", SRV_TLS),
    ],
)
def test_maddr(
    impl: types.SimpleNamespace, dns_port: int, uri: str, expected: list[Target]
) -> None:
    assert resolve(dns_port, impl.URI(uri)) == expected


# §4.1: NAPTR by order then preference; unsupported, unknown, non-"s" services dropped.
@pytest.mark.parametrize(
    ("uri", "supported", "expected"),
    [
        ("sip:naptr.test", ("UDP", "TCP", "TLS"), NAPTR_TCP + NAPTR_TLS + NAPTR_UDP),
        ("sip:naptr.test", ("UDP",), NAPTR_UDP),
        ("sip:naptr.test", ("TLS", "UDP"), NAPTR_TLS + NAPTR_UDP),
        (
            "sip:naptr.test",
            ALL,
            [T("SCTP", "192.0.2.34", 5060), T("WS", "192.0.2.35", 80), T("WSS", "192.0.2.36", 443),
             *NAPTR_TCP, *NAPTR_TLS, *NAPTR_UDP],
        ),
        # A SIPS URI keeps only SIPS+ services.
        ("sips:naptr.test", ("UDP", "TCP", "TLS"), NAPTR_TLS),
        ("sips:naptr.test", ALL, [T("WSS", "192.0.2.36", 443), *NAPTR_TLS]),
        # NAPTR whose SRV name is missing: A/AAAA with the NAPTR's transport.
        ("sip:lame.test", ("UDP", "TCP", "TLS"), [T("TCP", "192.0.2.60", 5060)]),
    ],
)
def test_naptr(
    impl: types.SimpleNamespace,
    dns_port: int,
    uri: str,
    supported: tuple[str, ...],
    expected: list[Target],
) -> None:
    assert resolve(dns_port, impl.URI(uri), supported=supported) == expected


# §4.1: no NAPTR: SRV for _sip._udp, _sip._tcp, _sips._tcp in turn (a SIPS URI: the last).
# RFC 2782 within priority 10: zero weight first in line; a low draw takes the first in
# line, a high draw the last.
SRV_UDP_LOW = [T("UDP", "192.0.2.44", 5066), T("UDP", "192.0.2.41", 5060),
               T("UDP", "192.0.2.42", 5062), T("UDP", "192.0.2.43", 5064)]
SRV_UDP_HIGH = [T("UDP", "192.0.2.42", 5062), T("UDP", "192.0.2.41", 5060),
                T("UDP", "192.0.2.44", 5066), T("UDP", "192.0.2.43", 5064)]


@pytest.mark.parametrize(
    ("uri", "end", "supported", "expected"),
    [
        ("sip:srv.test", "low", ("UDP", "TCP", "TLS"), SRV_UDP_LOW + SRV_TCP + SRV_TLS),
        ("sip:srv.test", "high", ("UDP", "TCP", "TLS"), SRV_UDP_HIGH + SRV_TCP + SRV_TLS),
        ("sip:srv.test", "low", ("TLS", "TCP"), SRV_TCP + SRV_TLS),
        ("sips:srv.test", "low", ("UDP", "TCP", "TLS"), SRV_TLS),
        ("sip:dot.test", "low", ("UDP", "TCP", "TLS"), [T("TCP", "192.0.2.50", 5060)]),
    ],
)
def test_srv(
    impl: types.SimpleNamespace,
    dns_port: int,
    uri: str,
    end: str,
    supported: tuple[str, ...],
    expected: list[Target],
) -> None:
    assert resolve(dns_port, impl.URI(uri), supported=supported, rng=Draws(end)) == expected


def test_srv_weights_over_many_draws(impl: types.SimpleNamespace, dns_port: int) -> None:
    resolver = Resolver(["127.0.0.1"], dns_port, timeout=2.0, rng=random.Random(3263))
    uri = impl.URI("sip:weights.test")
    heavy, light = T("UDP", "192.0.2.70", 5060), T("UDP", "192.0.2.71", 5060)

    async def draws() -> list[list[Target]]:
        return [await resolver.resolve(uri) for _ in range(200)]

    results = asyncio.run(draws())
    assert {tuple(r) for r in results} == {(heavy, light), (light, heavy)}
    first = Counter(r[0] for r in results)
    assert 120 <= first[heavy] <= 180, first  # weight 3 of 4: about 150 of 200


# §4.2: no NAPTR, no SRV: A then AAAA, UDP (TLS for sips) at 5060 (5061).
@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("sip:alice@a.test", A_TEST),
        ("sips:alice@a.test", A_TEST_TLS),
        ("sip:v6.test", [T("UDP", "2001:db8::12", 5060)]),
        ("sip:A.Test.", A_TEST),
    ],
)
def test_address_fallback(
    impl: types.SimpleNamespace, dns_port: int, uri: str, expected: list[Target]
) -> None:
    assert resolve(dns_port, impl.URI(uri)) == expected


def test_str_uri_is_parsed(dns_port: int) -> None:
    assert resolve(dns_port, "sip:bob@a.test") == A_TEST


@pytest.mark.parametrize(
    ("uri", "supported", "message"),
    [
        ("sip:alice@nowhere.test", ("UDP", "TCP", "TLS"), "no SIP server found for nowhere.test"),
        ("sip:nowhere.test:5060", ("UDP", "TCP", "TLS"), "no SIP server found for nowhere.test"),
        # SRV says "." for UDP and nothing else is offered: no A/AAAA fallback.
        ("sip:nosip.test", ("UDP", "TCP", "TLS"), "no SIP server found for nosip.test"),
        ("sip:192.0.2.1;transport=sctp", ("UDP", "TCP", "TLS"),
         "192.0.2.1 needs transport SCTP, not among UDP, TCP, TLS"),
        ("sip:a.test", ("TCP",), "a.test needs transport UDP, not among TCP"),
        ("sips:192.0.2.1;transport=udp", ("UDP", "TCP", "TLS"), "cannot be secured"),
        ("sip:a.test;transport=carrier-pigeon", ("UDP",), "unknown transport=carrier-pigeon"),
        ("tel:+15551234567", ("UDP",), "is not a SIP or SIPS URI with a host"),
    ],
)
def test_resolution_error(
    impl: types.SimpleNamespace,
    dns_port: int,
    uri: str,
    supported: tuple[str, ...],
    message: str,
) -> None:
    with pytest.raises(ResolutionError, match=message) as info:
        resolve(dns_port, impl.URI(uri), supported=supported)
    assert isinstance(info.value, LookupError)
    assert isinstance(info.value, SipError)


def test_refused_is_a_resolution_error(impl: types.SimpleNamespace, dns_port: int) -> None:
    # Outside --local=/test/ dnsmasq has no upstream and answers REFUSED.
    with pytest.raises(ResolutionError, match=r"NAPTR elsewhere\.example") as info:
        resolve(dns_port, impl.URI("sip:elsewhere.example"))
    assert isinstance(info.value.__cause__, dns.resolver.NoNameservers)


def test_timeout_is_a_resolution_error(impl: types.SimpleNamespace) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))  # takes queries, never answers
        resolver = Resolver(["127.0.0.1"], silent.getsockname()[1], timeout=0.3)
        with pytest.raises(ResolutionError, match=r"a\.test") as info:
            asyncio.run(resolver.resolve(impl.URI("sip:a.test")))
    assert isinstance(info.value.__cause__, dns.exception.Timeout)


def test_unknown_supported_transport() -> None:
    with pytest.raises(ValueError, match="unknown transports"):
        Resolver(["127.0.0.1"], supported=("UDP", "QUIC"))


# §5: sent-by of the topmost Via: numeric as is; a name with a port by A/AAAA; a name
# alone by SRV for the Via's transport (never NAPTR), then A/AAAA at the default port.
@pytest.mark.parametrize(
    ("host", "port", "transport", "expected"),
    [
        ("192.0.2.7", None, "UDP", [T("UDP", "192.0.2.7", 5060)]),
        ("192.0.2.7", None, "TLS", [T("TLS", "192.0.2.7", 5061)]),
        ("[2001:db8::7]", 5080, "tcp", [T("TCP", "2001:db8::7", 5080)]),
        ("a.test", 5090, "TCP", [T("TCP", "192.0.2.10", 5090), T("TCP", "2001:db8::10", 5090)]),
        ("srv.test", None, "TCP", SRV_TCP),
        ("srv.test", None, "TLS", SRV_TLS),
        ("srv.test", 5080, "UDP", [T("UDP", "192.0.2.40", 5080)]),
        ("a.test", None, "TLS", A_TEST_TLS),
        ("naptr.test", None, "UDP", [T("UDP", "192.0.2.30", 5060)]),
        ("dot.test", None, "TCP", [T("TCP", "192.0.2.50", 5060)]),
    ],
)
def test_resolve_sent_by(
    dns_port: int, host: str, port: int | None, transport: str, expected: list[Target]
) -> None:
    assert sent_by(dns_port, host, port, transport) == expected


@pytest.mark.parametrize(
    ("host", "transport", "message"),
    [
        ("nowhere.test", "UDP", "no SIP server found for nowhere.test"),
        ("nosip.test", "UDP", "no SIP server found for nosip.test"),
        ("a.test", "FOO", "unknown transport 'FOO' for a.test"),
    ],
)
def test_resolve_sent_by_error(dns_port: int, host: str, transport: str, message: str) -> None:
    with pytest.raises(ResolutionError, match=message):
        sent_by(dns_port, host, None, transport)
