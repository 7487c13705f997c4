"""STUN keepalives on a SIP UDP port (RFC 5626 §4.4.2): Binding Requests answered with
the source address in XOR-MAPPED-ADDRESS (RFC 5389 §15.2), other STUN messages
counted and dropped, SIP on the same port unaffected."""

from __future__ import annotations

import asyncio
import ipaddress
import os
import struct
from typing import Any

import pytest
from _net import need, until
from _transaction import request

from sipfast.transport import Address, TransportLayer
from sipfast.transport._stun import MAGIC_COOKIE, binding_response, is_stun

COOKIE = MAGIC_COOKIE.to_bytes(4, "big")


def binding_request(transaction_id: bytes, attributes: bytes = b"") -> bytes:
    return struct.pack("!HH", 0x0001, len(attributes)) + COOKIE + transaction_id + attributes


def mapped_address(response: bytes) -> tuple[str, int]:
    """Decode the XOR-MAPPED-ADDRESS of a Binding Success Response, by RFC 5389 §15.2."""
    kind, length = struct.unpack("!HH", response[:4])
    assert kind == 0x0101
    assert length == len(response) - 20
    assert response[4:8] == COOKIE
    attr_type, attr_len = struct.unpack("!HH", response[20:24])
    assert attr_type == 0x0020
    value = response[24 : 24 + attr_len]
    family = value[1]
    port = struct.unpack("!H", value[2:4])[0] ^ 0x2112
    if family == 1:
        host = ipaddress.IPv4Address(int.from_bytes(value[4:8], "big") ^ MAGIC_COOKIE)
    else:
        mask = int.from_bytes(COOKIE + response[8:20], "big")
        host = ipaddress.IPv6Address(int.from_bytes(value[4:20], "big") ^ mask)
    return str(host), port


def test_recognised_only_by_its_header() -> None:
    good = binding_request(os.urandom(12))
    assert is_stun(good)
    assert not is_stun(good[:19])
    assert not is_stun(good + b"\0\0\0\0")  # length field does not match
    assert not is_stun(b"\x00\x01\x00\x00" + b"\x21\x12\xa4\x43" + bytes(12))  # cookie
    assert not is_stun(b"OPTIONS sip:a@b SIP/2.0\r\n" + bytes(20))
    assert binding_response(struct.pack("!HH", 0x0011, 0) + COOKIE + bytes(12),
                            "192.0.2.1", 5060) is None  # an indication: no answer


@pytest.mark.parametrize(("host", "port"), [("192.0.2.7", 40000), ("2001:db8::7", 5060)])
def test_binding_response_names_the_source(host: str, port: int) -> None:
    tid = bytes(range(12))
    response = binding_response(binding_request(tid), host, port)
    assert response is not None
    assert response[8:20] == tid
    assert mapped_address(response) == (host, port)


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_a_sip_udp_port_answers_binding_requests(impl: Any, run: Any, host: str) -> None:
    need(host)

    async def main() -> None:
        received: list[Any] = []
        layer = TransportLayer(lambda m, s, f: received.append(m), core=impl)
        bound = await layer.listen(Address("UDP", host, 0))
        loop = asyncio.get_running_loop()
        answers: asyncio.Queue[bytes] = asyncio.Queue()

        class Peer(asyncio.DatagramProtocol):
            def datagram_received(self, data: bytes, addr: Any) -> None:
                answers.put_nowait(data)

        transport, _ = await loop.create_datagram_endpoint(Peer, local_addr=(host, 0))
        here = transport.get_extra_info("sockname")
        tid = os.urandom(12)
        # a SOFTWARE attribute (0x8022) after the header: ignored, still answered
        transport.sendto(binding_request(tid, struct.pack("!HH", 0x8022, 4) + b"test"),
                         (bound.host, bound.port))
        answer = await asyncio.wait_for(answers.get(), 2)
        assert answer[8:20] == tid
        assert mapped_address(answer) == (str(ipaddress.ip_address(here[0])), here[1])
        # an indication is a keepalive too, unanswered; SIP still gets through
        transport.sendto(struct.pack("!HH", 0x0011, 0) + COOKIE + os.urandom(12),
                         (bound.host, bound.port))
        transport.sendto(request(), (bound.host, bound.port))
        await until(lambda: len(received) == 1)
        assert received[0].method == "OPTIONS"
        assert (layer.keepalives, layer.malformed) == (2, 0)
        assert answers.empty()
        transport.close()
        await layer.close()

    run(main())
