"""RFC 3263 "Locating SIP Servers": the transport, address and port to send a SIP message to.

`Resolver.resolve` is the client side (§4): transport selection by the URI's parameters
or NAPTR (§4.1), port and address by SRV, A and AAAA (§4.2), SRV records ordered by
priority and weight as RFC 2782 says (§4.3).  `Resolver.resolve_sent_by` is the server
side (§5): where a response goes when the connection its request came on is gone.
NAPTR services are those of RFC 3263 §4.1, RFC 4168 (SCTP) and RFC 7118 (WebSocket).

DNS goes through dnspython's asyncio resolver with its cache off: every lookup asks the
DNS server, which keeps the TTLs.  NXDOMAIN or an empty answer moves on to the next
step; any other DNS failure (timeout, SERVFAIL, REFUSED, a malformed name) ends the
lookup with a `ResolutionError` chained to dnspython's exception.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping, Sequence
from typing import Protocol

import dns.asyncresolver
import dns.exception
import dns.name
import dns.rdatatype
import dns.resolver
from dns.rdtypes.IN.A import A
from dns.rdtypes.IN.AAAA import AAAA
from dns.rdtypes.IN.NAPTR import NAPTR
from dns.rdtypes.IN.SRV import SRV

from ..errors import SipError
from ..message import URI
from ._address import DEFAULT_PORTS, Address, ip_literal

__all__ = ["ResolutionError", "Resolver", "SipURI", "Target"]

_DEFAULT_PORTS = DEFAULT_PORTS

# §4.1 and the IANA registry it sets up: the NAPTR service field of each transport.
# "SIPS+D2S" (TLS over SCTP) has no Via transport of its own, so it is never kept.
_NAPTR_SERVICES = {
    b"SIP+D2U": "UDP",
    b"SIP+D2T": "TCP",
    b"SIPS+D2T": "TLS",
    b"SIP+D2S": "SCTP",
    b"SIP+D2W": "WS",
    b"SIPS+D2W": "WSS",
}

# §4.2: "_sips" for TLS, "_sip" otherwise.  No SRV name is defined for WebSocket, which
# is found through NAPTR (whose replacement names any SRV record) or an explicit port.
_SRV_SERVICES = {"UDP": "_sip._udp", "TCP": "_sip._tcp", "TLS": "_sips._tcp", "SCTP": "_sip._sctp"}

# §4.1, no NAPTR records: the SRV queries, in the order their targets are tried.
_SRV_PROBES = ("UDP", "TCP", "TLS", "SCTP")

# The transport URI parameter (RFC 3261 §19.1.1, RFC 7118) as a Via transport; in a
# SIPS URI only the secured ones are possible ("tcp" there means TLS over TCP, §4.1).
_TRANSPORT_PARAMS = {t.lower(): t for t in _DEFAULT_PORTS}
_SECURED = {"TCP": "TLS", "TLS": "TLS", "WS": "WSS", "WSS": "WSS"}


Target = Address
"""One place to send to: a transport (as in Via), an IP address literal and a port."""


class SipURI(Protocol):
    """What `Resolver.resolve` reads of a URI: `sipfast.URI` of either twin has it."""

    @property
    def scheme(self) -> str: ...
    @property
    def host(self) -> str | None: ...
    @property
    def port(self) -> int | None: ...
    @property
    def params(self) -> Mapping[str, str | None]: ...


class ResolutionError(SipError, LookupError):
    """No target was found for a host, or DNS failed while looking for one."""


def _srv_name(transport: str, domain: str) -> str:
    """§4.2: the SRV name of `transport` at `domain`, e.g. "_sips._tcp.example.com"."""
    return f"{_SRV_SERVICES[transport]}.{domain}"


class Resolver:
    """Turns a SIP or SIPS URI into the ordered list of `Target`s to try (RFC 3263).

    `nameservers` are IP addresses of DNS servers listening on `port`; None reads the
    system's configuration (/etc/resolv.conf).  `timeout` bounds each DNS lookup.
    `supported` are the transports this client can use: NAPTR services and SRV
    queries for others are skipped, and a URI that requires another one is an error.
    `rng` draws the RFC 2782 weighted choice among SRV records of one priority.
    """

    def __init__(
        self,
        nameservers: Sequence[str] | None = None,
        port: int = 53,
        *,
        timeout: float = 5.0,
        supported: Sequence[str] = ("UDP", "TCP", "TLS"),
        rng: random.Random | None = None,
    ) -> None:
        unknown = [t for t in supported if t.upper() not in _DEFAULT_PORTS]
        if unknown:
            raise ValueError(f"unknown transports {unknown}; known: {', '.join(_DEFAULT_PORTS)}")
        self.supported = tuple(dict.fromkeys(t.upper() for t in supported))
        self._rng = rng if rng is not None else random.Random()
        if nameservers is None:
            self._dns = dns.asyncresolver.Resolver()
        else:
            self._dns = dns.asyncresolver.Resolver(configure=False)
            self._dns.port = port  # before the nameservers: they take it when set
            self._dns.nameservers = list(nameservers)
        self._dns.timeout = timeout
        self._dns.lifetime = timeout

    async def resolve(self, uri: SipURI | str) -> list[Target]:
        """The targets for a request to `uri`, in the order to try them (RFC 3263 §4)."""
        if isinstance(uri, str):
            uri = URI(uri)
        scheme = uri.scheme.lower()
        if scheme not in ("sip", "sips") or not uri.host:
            raise ResolutionError(f"{uri} is not a SIP or SIPS URI with a host")
        secure = scheme == "sips"
        params = {name.lower(): value for name, value in uri.params.items()}
        # §4.1: maddr, when present, is the TARGET instead of the host.
        target = params.get("maddr") or uri.host
        transport = self._transport_param(params.get("transport"), secure, uri)
        port = uri.port
        default = "TLS" if secure else "UDP"

        address = ip_literal(target)
        if address is not None:
            chosen = self._check(transport or default, target)
            return [Target(chosen, address, _DEFAULT_PORTS[chosen] if port is None else port)]
        if port is not None:
            # §4.2: a name with a port is looked up in A/AAAA only.
            return self._found(await self._addresses(self._check(transport or default, target),
                                                     target, port), target)

        srv_found = False
        targets: list[Target] = []
        if transport is not None:
            # §4.2: an explicit transport skips NAPTR and asks SRV for it alone.
            fallback = self._check(transport, target)
            if fallback in _SRV_SERVICES:
                srv_found, targets = await self._srv(fallback, _srv_name(fallback, target))
        else:
            services = await self._naptr(target, secure)
            if services:
                fallback = services[0][0]
                for service, replacement in services:
                    found, more = await self._srv(service, replacement)
                    srv_found |= found
                    targets += more
            else:
                # §4.1: no NAPTR records: an SRV query for each supported transport.
                fallback = default
                for service in _SRV_PROBES:
                    if service in self.supported and (service == "TLS" or not secure):
                        found, more = await self._srv(service, _srv_name(service, target))
                        srv_found |= found
                        targets += more
        if not srv_found:
            # §4.2: no SRV records at all: A/AAAA, the transport chosen so far, its default port.
            fallback = self._check(fallback, target)
            targets = await self._addresses(fallback, target, _DEFAULT_PORTS[fallback])
        return self._found(targets, target)

    async def resolve_sent_by(self, host: str, port: int | None, transport: str) -> list[Target]:
        """Where to send a response whose request's connection is gone (RFC 3263 §5).

        `host`, `port` and `transport` come from the topmost Via: its sent-by and
        transport.  A numeric host is used as is; a name with a port is looked up in
        A/AAAA; a name alone by SRV for the transport, then A/AAAA at its default port.
        """
        transport = transport.upper()
        if transport not in _DEFAULT_PORTS:
            raise ResolutionError(f"unknown transport {transport!r} for {host}")
        address = ip_literal(host)
        if address is not None:
            return [Target(transport, address, _DEFAULT_PORTS[transport] if port is None else port)]
        if port is not None:
            return self._found(await self._addresses(transport, host, port), host)
        targets: list[Target] = []
        srv_found = False
        if transport in _SRV_SERVICES:
            srv_found, targets = await self._srv(transport, _srv_name(transport, host))
        if not srv_found:
            targets = await self._addresses(transport, host, _DEFAULT_PORTS[transport])
        return self._found(targets, host)

    def _transport_param(self, value: str | None, secure: bool, uri: object) -> str | None:
        if value is None:
            return None
        transport = _TRANSPORT_PARAMS.get(value.lower())
        if transport is None:
            raise ResolutionError(f"unknown transport={value} in {uri}")
        if secure:
            if transport not in _SECURED:
                raise ResolutionError(f"transport={value} cannot be secured as {uri} requires")
            transport = _SECURED[transport]
        return transport

    def _check(self, transport: str, host: str) -> str:
        if transport not in self.supported:
            raise ResolutionError(
                f"{host} needs transport {transport}, not among {', '.join(self.supported)}"
            )
        return transport

    @staticmethod
    def _found(targets: list[Target], host: str) -> list[Target]:
        if not targets:
            raise ResolutionError(f"no SIP server found for {host}")
        return list(dict.fromkeys(targets))  # one try per target, at its first place

    async def _naptr(self, domain: str, secure: bool) -> list[tuple[str, dns.name.Name]]:
        """§4.1: the (transport, SRV name) of each usable NAPTR record, in order."""
        answer = await self._query(domain, dns.rdatatype.NAPTR)
        records = [r for r in answer if isinstance(r, NAPTR)]
        records.sort(key=lambda r: (r.order, r.preference))
        services = []
        for record in records:
            transport = _NAPTR_SERVICES.get(record.service.upper())
            # "S": the replacement names an SRV record; a SIPS URI keeps only SIPS services.
            if (transport is None or transport not in self.supported
                    or record.flags.upper() != b"S" or record.regexp
                    or (secure and not record.service.upper().startswith(b"SIPS+"))):
                continue
            services.append((transport, record.replacement))
        return services

    async def _srv(self, transport: str, name: str | dns.name.Name) -> tuple[bool, list[Target]]:
        """Whether `name` has SRV records, and their targets in RFC 2782 order (§4.3)."""
        records = [r for r in await self._query(name, dns.rdatatype.SRV) if isinstance(r, SRV)]
        # A lone target "." says the service is decidedly not available (RFC 2782).
        usable = [r for r in records if r.target != dns.name.root]
        addresses = await asyncio.gather(
            *(self._addresses(transport, r.target, r.port) for r in self._ordered(usable))
        )
        return bool(records), [target for found in addresses for target in found]

    def _ordered(self, records: list[SRV]) -> list[SRV]:
        """RFC 2782: lowest priority first; within one, a draw weighted by weight."""
        ordered: list[SRV] = []
        for priority in sorted({r.priority for r in records}):
            # Zero weights first, as RFC 2782 says; the rest sorted so a seeded rng repeats.
            group = sorted((r for r in records if r.priority == priority),
                           key=lambda r: (r.weight != 0, r.target, r.port))
            while group:
                draw = self._rng.randint(0, sum(r.weight for r in group))
                running = 0
                for i, record in enumerate(group):
                    running += record.weight
                    if running >= draw:
                        ordered.append(group.pop(i))
                        break
        return ordered

    async def _addresses(self, transport: str, name: str | dns.name.Name,
                         port: int) -> list[Target]:
        """The A then the AAAA addresses of `name`, as targets."""
        a, aaaa = await asyncio.gather(
            self._query(name, dns.rdatatype.A), self._query(name, dns.rdatatype.AAAA)
        )
        return [Target(transport, r.address, port) for r in (*a, *aaaa)
                if isinstance(r, (A, AAAA))]

    async def _query(self, name: str | dns.name.Name,
                     rdtype: dns.rdatatype.RdataType) -> list[object]:
        """The records of one type at `name`; none for NXDOMAIN or an empty answer."""
        try:
            qname = dns.name.from_text(name) if isinstance(name, str) else name
            answer = await self._dns.resolve(qname, rdtype, search=False)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return []
        except dns.exception.DNSException as e:
            raise ResolutionError(
                f"DNS lookup of {dns.rdatatype.to_text(rdtype)} {name} failed: {e}"
            ) from e
        return list(answer)
