"""STUN keepalives on a SIP UDP port (RFC 5626 §4.4.2, §8.4; RFC 5389).

A UA behind NAT keeps its flow open by sending STUN Binding Requests to the SIP port of
its edge proxy or registrar, which answers each with a Binding Success Response naming
the address the request came from (XOR-MAPPED-ADDRESS), so the UA also learns when its
NAT binding changed.  A STUN message cannot be mistaken for SIP: its first two bits are
zero, where SIP starts with a letter, and it carries the magic cookie.
"""

from __future__ import annotations

import ipaddress
import struct

__all__ = ["MAGIC_COOKIE", "binding_response", "is_stun"]

MAGIC_COOKIE = 0x2112A442
_COOKIE = MAGIC_COOKIE.to_bytes(4, "big")
_BINDING_REQUEST = 0x0001
_BINDING_SUCCESS = 0x0101
_XOR_MAPPED_ADDRESS = 0x0020


def is_stun(data: bytes) -> bool:
    """RFC 5389 §6: a STUN message (header of 20 octets, the cookie, a length that is a
    multiple of 4 and matches the datagram)."""
    return (
        len(data) >= 20
        and data[0] < 0x40
        and data[4:8] == _COOKIE
        and int.from_bytes(data[2:4], "big") == len(data) - 20
        and len(data) % 4 == 0
    )


def binding_response(request: bytes, host: str, port: int) -> bytes | None:
    """The Binding Success Response to a Binding Request from `host`:`port`; None for any
    other STUN message (indications, responses: nothing to answer)."""
    if int.from_bytes(request[0:2], "big") != _BINDING_REQUEST:
        return None
    transaction_id = request[8:20]
    address = ipaddress.ip_address(host)
    xor_port = port ^ (MAGIC_COOKIE >> 16)
    if address.version == 4:
        family = 0x01
        xor_address = (int(address) ^ MAGIC_COOKIE).to_bytes(4, "big")
    else:
        family = 0x02
        mask = int.from_bytes(_COOKIE + transaction_id, "big")
        xor_address = (int(address) ^ mask).to_bytes(16, "big")
    value = struct.pack("!BBH", 0, family, xor_port) + xor_address
    attribute = struct.pack("!HH", _XOR_MAPPED_ADDRESS, len(value)) + value
    header = struct.pack("!HH", _BINDING_SUCCESS, len(attribute)) + _COOKIE + transaction_id
    return header + attribute
