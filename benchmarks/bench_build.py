"""Build and edit time (issue 3), per message, for every adapter that can build.

(1) proxy forward: pop Route, decrement Max-Forwards, push Record-Route, push Via, then
    serialise (compare/__init__.py says exactly what; each adapter's docstring says what
    its library does differently).  The input is the corpus INVITE (906 B) with a Route
    to this proxy added (the corpus has none, and a proxy that is routed to removes its
    own value, RFC 3261 §16.4): 939 B.
(2) ``make_response(req, 200, to_tag=...)`` + serialise; (3) the same with 180.
(4) a new INVITE with SDP (8 header fields, 204 B of SDP) from scratch + serialise; the
    branch, tag and Call-ID are given (making them, from ``secrets``, is not timed).
(5) serialise a parsed, unmodified message: the 0.9 kB INVITE and one with a 32 kB body;
    sipfast gives back the input object (O(1)), the others re-write the message.

(1)-(3) edit or answer a message that was just parsed, and parsing is not timed:
``benchmark.pedantic`` with a setup that parses ROUND fresh messages, then the timed part
handles all of them, so µs per message = round time / ROUND (report.py divides by
``messages_per_round``).  (4) and (5) are ordinary benchmarks, one message per call.
"""

from __future__ import annotations

from collections import deque
from types import ModuleType

import pytest

from benchmarks.compare import PROXY_ROUTE, TO_TAG
from benchmarks.corpus import CORPUS

ROUND = 50  # messages per timed round in (1)-(3)
ROUNDS = 200
WARMUP_ROUNDS = 5

_consume = deque(maxlen=0).extend  # drains an iterator, keeps nothing


def _with_route(invite: bytes) -> bytes:
    marker = b"\r\nMax-Forwards: 69\r\n"
    assert marker in invite
    return invite.replace(marker, marker + b"Route: " + PROXY_ROUTE.encode() + b"\r\n", 1)


def _with_body(message: bytes, size: int) -> bytes:
    """`message` with its body padded by SDP attribute lines to `size` octets."""
    head, _, body = message.partition(b"\r\n\r\n")
    line = b"a=x-pad:" + b"0" * 90 + b"\r\n"
    body += line * ((size - len(body)) // len(line))
    old = f"\r\nContent-Length: {len(message) - len(head) - 4}".encode()
    assert old in head
    return head.replace(old, f"\r\nContent-Length: {len(body)}".encode()) + b"\r\n\r\n" + body


FORWARDED_INVITE = _with_route(CORPUS["invite"])
LARGE_INVITE = _with_body(CORPUS["invite"], 32 * 1024)
SIPFAST = ("benchmarks.compare.sipfast_c", "benchmarks.compare.sipfast_py")


@pytest.fixture
def builder(adapter: ModuleType) -> ModuleType:
    """The adapter, if its library can build (see compare/__init__.py)."""
    if not hasattr(adapter, "forward"):
        name = adapter.__name__.rsplit(".", 1)[-1]
        pytest.skip(f"{name}: no build adapter (issue 3 compares sippy, opensip, aiosipua)")
    return adapter


def _fresh_requests(builder: ModuleType, data: bytes):
    """A pedantic setup: ROUND messages parsed now, outside the timed part."""
    parse = builder.parse

    def setup():
        return ([parse(data) for _ in range(ROUND)],), {}

    return setup


def _time_each(benchmark, builder: ModuleType, data: bytes, function) -> None:
    benchmark.extra_info["messages_per_round"] = ROUND
    benchmark.pedantic(lambda msgs: _consume(map(function, msgs)),
                       setup=_fresh_requests(builder, data),
                       rounds=ROUNDS, warmup_rounds=WARMUP_ROUNDS)


@pytest.mark.benchmark(group="(1) proxy forward")
def test_proxy_forward(benchmark, builder):
    _time_each(benchmark, builder, FORWARDED_INVITE, builder.forward)


@pytest.mark.benchmark(group="(2) 200 OK")
def test_respond_200(benchmark, builder):
    respond = builder.respond
    _time_each(benchmark, builder, CORPUS["invite"], lambda msg: respond(msg, 200, TO_TAG))


@pytest.mark.benchmark(group="(3) 180 Ringing")
def test_respond_180(benchmark, builder):
    respond = builder.respond
    _time_each(benchmark, builder, CORPUS["invite"], lambda msg: respond(msg, 180, TO_TAG))


@pytest.mark.benchmark(group="(4) new INVITE")
def test_build_invite(benchmark, builder):
    benchmark.extra_info["messages_per_round"] = 1
    benchmark(builder.build_invite)


def _time_serialize(benchmark, builder: ModuleType, data: bytes) -> None:
    msg = builder.parse(data)
    if builder.__name__ in SIPFAST:
        assert builder.serialize(msg) is data  # no copy: the input object itself
    benchmark.extra_info["messages_per_round"] = 1
    benchmark(builder.serialize, msg)


@pytest.mark.benchmark(group="(5) serialise unmodified, 0.9 kB")
def test_serialize_unmodified(benchmark, builder):
    _time_serialize(benchmark, builder, CORPUS["invite"])


@pytest.mark.benchmark(group="(5) serialise unmodified, 32 kB")
def test_serialize_unmodified_large(benchmark, builder):
    _time_serialize(benchmark, builder, LARGE_INVITE)
