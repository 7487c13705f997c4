"""The corpus is well formed, and every adapter reads the same values from it."""

from __future__ import annotations

import re

import pytest

from benchmarks import compare
from benchmarks.corpus import CORPUS

CALL = "5f3a2b1c0e94d8f7@192.0.2.15"
PROXY = "z9hG4bK8a3e.5b2f0c9d1e7a6b4c8d3f2e1a0b9c8d7e.0"
ALICE = "z9hG4bK-524287-1---a7f3c9e2d1b08f64"
BOB_URI = "sip:bob@198.51.100.20:5060"
ALICE_URI = "sip:alice@192.0.2.15:50638;transport=UDP"

# (method or status, Request-URI, top Via branch, From tag, To tag, Call-ID, CSeq number, method)
EXPECTED = {
    "invite": ("INVITE", BOB_URI + ";transport=udp", PROXY, "8c3b1f2a", None, CALL, 1, "INVITE"),
    "register": ("REGISTER", "sip:example.com;transport=UDP",
                 "z9hG4bK-524287-1---0e3f9a6b2c4d8e17", "4e9a0c71", None,
                 "NGE5ZjAxMmQ3YTc0ZmY1NjQ3NTJkZjdjMDQ3YTM2ZGM", 2, "REGISTER"),
    "ok": (200, None, PROXY, "8c3b1f2a", "1928301774", CALL, 1, "INVITE"),
    "ringing": (180, None, PROXY, "8c3b1f2a", "1928301774", CALL, 1, "INVITE"),
    "ack": ("ACK", BOB_URI, "z9hG4bK8a3e.0f6e7d2c9b4a1e8f3d5c7b0a9e6d2f1c.0",
            "8c3b1f2a", "1928301774", CALL, 1, "ACK"),
    "bye": ("BYE", ALICE_URI, "z9hG4bK1f0d6e2a", "1928301774", "8c3b1f2a", CALL, 20, "BYE"),
    "trying": (100, None, ALICE, "8c3b1f2a", None, CALL, 1, "INVITE"),
    "options": ("OPTIONS", ALICE_URI, "z9hG4bKPj5a0c2e4f-8b7d-4c1e-9f3a-2d6b8e0c4a71",
                "3f6d8b1a-2c4e-4a9f-b7d0-5e1c9a3f8b26", None,
                "0b1d6f3e-8a2c-4e7f-9d5b-3c8a1e6f0d24", 61432, "OPTIONS"),
}


def normalise(values: tuple) -> tuple:
    """Library types to plain ones: URI objects to their text, an empty tag to None."""
    first, ruri, branch, from_tag, to_tag, call_id, seq, method = values
    return (first if isinstance(first, str) else int(first),
            None if ruri is None else str(ruri),
            branch, from_tag or None, to_tag or None, str(call_id), int(seq), method)


@pytest.mark.parametrize("name", CORPUS)
def test_corpus_is_well_formed(name):
    data = CORPUS[name]
    head, _, body = data.partition(b"\r\n\r\n")
    assert b"\n" not in head.replace(b"\r\n", b""), "header lines must end in CRLF"
    length = re.search(rb"\r\nContent-Length: *(\d+)\r\n", head + b"\r\n")
    assert length
    assert int(length[1]) == len(body)
    if name == "invite":
        assert 850 <= len(data) <= 950
        assert head.count(b"\r\nVia: ") == 2
        assert b"\r\nRecord-Route: " in head
        assert body.startswith(b"v=0\r\n")


@pytest.mark.parametrize("name", CORPUS)
@pytest.mark.parametrize("impl", compare.NAMES)
def test_adapter_reads_expected_values(impl, name):
    try:
        module = compare.load(impl)
    except ImportError as exc:
        pytest.skip(f"{impl} unavailable: {exc}")
    assert normalise(module.parse_and_read(CORPUS[name])) == EXPECTED[name]
    module.parse(CORPUS[name])

