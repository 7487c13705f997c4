"""StreamParser: framing by Content-Length, keepalives between messages, limits, errors."""

from __future__ import annotations

from typing import Any

import pytest
from _messages import INVITE, OK_WITH_BODY, REGISTER, RINGING, request
from _summary import results_summary

from sipfast import Keepalive, Limits, MessageTooLarge, ParseError

PING, PONG = b"\r\n\r\n", b"\r\n"

# A connection's worth of octets and what a stream must make of it.
CONVERSATION = PING + INVITE + PONG + RINGING + OK_WITH_BODY + PING + REGISTER + PING
CONVERSATION_ITEMS = [
    Keepalive.PING,
    INVITE,
    Keepalive.PONG,
    RINGING,
    OK_WITH_BODY,
    Keepalive.PING,
    REGISTER,
    Keepalive.PING,
]


def as_octets(results: list[Any]) -> list[Any]:
    return [r if isinstance(r, Keepalive) else bytes(r) for r in results]


def feed_chunks(stream: Any, chunks: list[bytes]) -> list[Any]:
    out: list[Any] = []
    for chunk in chunks:
        out.extend(stream.feed(chunk))
    return out


def test_one_message_one_chunk(impl: Any) -> None:
    stream = impl.StreamParser()
    (msg,) = stream.feed(INVITE)
    assert isinstance(msg, impl.Request)
    assert msg.method == "INVITE"
    assert bytes(msg) == INVITE
    assert msg.body == impl.parse(INVITE).body
    assert stream.pending == 0


def test_stream_message_equals_datagram_parse(impl: Any) -> None:
    for data in (INVITE, RINGING, OK_WITH_BODY, REGISTER):
        out = impl.StreamParser().feed(data)
        assert results_summary(out) == results_summary([impl.parse(data)])


def test_empty_feed(impl: Any) -> None:
    stream = impl.StreamParser()
    assert stream.feed(b"") == []
    assert stream.pending == 0


def test_pipelined_messages_in_one_chunk(impl: Any) -> None:
    stream = impl.StreamParser()
    out = stream.feed(INVITE + RINGING + REGISTER)
    assert as_octets(out) == [INVITE, RINGING, REGISTER]
    assert [type(m) for m in out] == [impl.Request, impl.Response, impl.Request]
    assert stream.pending == 0


def test_conversation_in_one_chunk(impl: Any) -> None:
    out = impl.StreamParser().feed(CONVERSATION)
    assert as_octets(out) == CONVERSATION_ITEMS
    assert out[0] is Keepalive.PING
    assert out[2] is Keepalive.PONG


def test_conversation_byte_at_a_time(impl: Any) -> None:
    reference = results_summary(impl.StreamParser().feed(CONVERSATION))
    stream = impl.StreamParser()
    out = feed_chunks(stream, [CONVERSATION[i : i + 1] for i in range(len(CONVERSATION))])
    assert results_summary(out) == reference
    assert stream.pending == 0


@pytest.mark.parametrize(
    "data",
    [INVITE, RINGING, OK_WITH_BODY, PONG + INVITE, PING + RINGING + PING],
    ids=["invite", "ringing", "compact-ok", "pong-invite", "ping-ringing-ping"],
)
def test_split_at_every_position(impl: Any, data: bytes) -> None:
    reference = results_summary(impl.StreamParser().feed(data))
    assert reference
    for cut in range(len(data) + 1):
        stream = impl.StreamParser()
        first = stream.feed(data[:cut])
        assert stream.pending == cut - sum(
            len(r.value) if isinstance(r, Keepalive) else len(bytes(r)) for r in first
        ), cut
        out = first + stream.feed(data[cut:])
        assert results_summary(out) == reference, f"split at {cut}"
        assert stream.pending == 0


def test_pending_counts_buffered_octets(impl: Any) -> None:
    stream = impl.StreamParser()
    assert stream.feed(INVITE[:100]) == []
    assert stream.pending == 100
    assert stream.feed(INVITE[100:-1]) == []
    assert stream.pending == len(INVITE) - 1
    out = stream.feed(INVITE[-1:] + RINGING[:10])
    assert as_octets(out) == [INVITE]
    assert stream.pending == 10


def test_body_waits_for_content_length_octets(impl: Any) -> None:
    head_end = OK_WITH_BODY.index(b"\r\n\r\n") + 4
    stream = impl.StreamParser()
    assert stream.feed(OK_WITH_BODY[:head_end]) == []
    assert stream.feed(OK_WITH_BODY[head_end:-5]) == []
    (msg,) = stream.feed(OK_WITH_BODY[-5:])
    assert msg.body == OK_WITH_BODY[head_end:]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PING, [Keepalive.PING]),
        (PING + INVITE, [Keepalive.PING, INVITE]),
        (PONG + INVITE, [Keepalive.PONG, INVITE]),
        (INVITE + PING, [INVITE, Keepalive.PING]),
        (INVITE + PONG + RINGING, [INVITE, Keepalive.PONG, RINGING]),
        (INVITE + PING + RINGING, [INVITE, Keepalive.PING, RINGING]),
        (PING + PING, [Keepalive.PING, Keepalive.PING]),
    ],
)
def test_keepalives_between_messages(impl: Any, data: bytes, expected: list[Any]) -> None:
    assert as_octets(impl.StreamParser().feed(data)) == expected
    stream = impl.StreamParser()
    assert as_octets(feed_chunks(stream, [data[i : i + 1] for i in range(len(data))])) == expected


def test_lone_crlf_then_more_is_a_pong(impl: Any) -> None:
    stream = impl.StreamParser()
    first = stream.feed(PONG)
    out = first + stream.feed(b"INVITE")
    assert out == [Keepalive.PONG]
    assert stream.pending == len(b"INVITE")


def test_missing_content_length(impl: Any) -> None:
    data = request(content_length=False)
    with pytest.raises(ParseError) as info:
        impl.StreamParser().feed(data)
    assert info.value.status_code == 400
    assert type(info.value) is ParseError


def test_missing_content_length_even_when_the_body_is_empty(impl: Any) -> None:
    stream = impl.StreamParser()
    with pytest.raises(ParseError):
        stream.feed(request(content_length=False) + INVITE)


def test_compact_content_length_frames(impl: Any) -> None:
    data = request("l: 5", content_length=False, body=b"hello")
    (msg,) = impl.StreamParser().feed(data + INVITE[:3])
    assert msg.body == b"hello"


def test_error_is_sticky(impl: Any) -> None:
    stream = impl.StreamParser()
    with pytest.raises(ParseError) as first:
        stream.feed(b"NOT A SIP MESSAGE\r\n\r\n")
    for later in (INVITE, b"", PING):
        with pytest.raises(ParseError) as again:
            stream.feed(later)
        assert type(again.value) is type(first.value)
        assert (again.value.reason, again.value.offset, again.value.status_code) == (
            first.value.reason,
            first.value.offset,
            first.value.status_code,
        )


def test_error_after_good_messages_is_sticky(impl: Any) -> None:
    stream = impl.StreamParser()
    assert as_octets(stream.feed(INVITE)) == [INVITE]
    with pytest.raises(ParseError):
        stream.feed(b"INV@ITE sip:bob@biloxi.com SIP/2.0\r\n\r\n")
    with pytest.raises(ParseError):
        stream.feed(RINGING)


def test_stream_checks_what_parse_checks(impl: Any) -> None:
    with pytest.raises(ParseError) as info:
        impl.StreamParser().feed(request(method="OPTIONS", cseq="1 INVITE"))
    assert info.value.status_code == 400
    with pytest.raises(ParseError) as info:
        impl.StreamParser().feed(request(version="SIP/3.0"))
    assert info.value.status_code == 505


def test_header_section_over_max_size(impl: Any) -> None:
    stream = impl.StreamParser(limits=Limits(max_size=300))
    with pytest.raises(MessageTooLarge) as info:
        stream.feed(request("X-Pad: " + "a" * 100, "X-Pad: " + "b" * 100))
    assert info.value.status_code == 513


def test_announced_body_over_max_size_fails_before_it_arrives(impl: Any) -> None:
    head = request(content_length=False).replace(b"\r\n\r\n", b"\r\nContent-Length: 100000\r\n\r\n")
    stream = impl.StreamParser()
    with pytest.raises(MessageTooLarge) as info:
        stream.feed(head)
    assert info.value.status_code == 413


def test_unterminated_header_section_is_bounded(impl: Any) -> None:
    stream = impl.StreamParser()
    line = b"X-Pad: " + b"a" * 993 + b"\r\n"  # 1002 octets
    start = request().split(b"\r\n\r\n")[0] + b"\r\n"
    with pytest.raises(MessageTooLarge) as info:
        stream.feed(start)
        for _ in range(70):  # 70 KB > max_size 65535
            stream.feed(line)
    assert info.value.status_code == 513
    assert stream.pending <= Limits().max_size + len(line)


def test_unterminated_line_is_bounded(impl: Any) -> None:
    stream = impl.StreamParser()
    with pytest.raises(MessageTooLarge) as info:
        stream.feed(b"INVITE sip:")
        for _ in range(20):  # 20 KB > max_line_length 8192, with no line end in sight
            stream.feed(b"a" * 1000)
    assert info.value.status_code == 513


def test_limits_max_headers_on_a_stream(impl: Any) -> None:
    stream = impl.StreamParser(limits=Limits(max_headers=8))
    with pytest.raises(MessageTooLarge) as info:
        stream.feed(request("X-1: 1", "X-2: 2"))
    assert info.value.status_code == 513


def test_limits_max_line_length_on_a_stream(impl: Any) -> None:
    stream = impl.StreamParser(limits=Limits(max_line_length=100))
    with pytest.raises(MessageTooLarge) as info:
        stream.feed(request("Subject: " + "a" * 200))
    assert info.value.status_code == 513


@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_feed_accepts_buffers(impl: Any, kind: type) -> None:
    stream = impl.StreamParser()
    buf = kind(INVITE + RINGING[:50])
    out = stream.feed(buf)
    assert as_octets(out) == [INVITE]
    if isinstance(buf, bytearray):
        buf[:] = b"x" * len(buf)  # the stream keeps its own copy
    assert as_octets(stream.feed(kind(RINGING[50:]))) == [RINGING]


def test_a_stream_is_not_a_datagram(impl: Any) -> None:
    # dblreq on a stream: the REGISTER, then what follows it is the next message.
    register = request(method="REGISTER")
    out = impl.StreamParser().feed(register + PONG + INVITE)
    assert as_octets(out) == [register, Keepalive.PONG, INVITE]


def deliveries(stream: Any, chunks: list[bytes]) -> tuple[list[Any], Any]:
    """Octets of what the stream delivered before its error, and the error (or None)."""
    out: list[Any] = []
    try:
        for chunk in [*chunks, b""]:  # a last empty feed surfaces an error held back
            out.extend(stream.feed(chunk))
    except ParseError as err:
        return as_octets(out), (type(err), err.reason, err.status_code)
    return as_octets(out), None


def test_messages_before_an_error_do_not_depend_on_chunking(impl: Any) -> None:
    # "Byte-at-a-time feeding gives the same results as one big chunk", also when the
    # stream ends in garbage: what came before it is delivered either way.
    data = INVITE + PING + RINGING + b"INV@ITE sip:bob@biloxi.com SIP/2.0\r\n\r\n"
    one_chunk = deliveries(impl.StreamParser(), [data])
    byte_at_a_time = deliveries(impl.StreamParser(), [data[i : i + 1] for i in range(len(data))])
    assert byte_at_a_time[0] == [INVITE, Keepalive.PING, RINGING]
    assert byte_at_a_time[1] is not None
    assert one_chunk == byte_at_a_time
