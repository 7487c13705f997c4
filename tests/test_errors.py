"""ParseError and its fields (reason, offset, status_code, line, column, message); Limits."""

from __future__ import annotations

import dataclasses
import pickle
from typing import Any

import pytest
from _messages import request

from sipfast import DEFAULT_LIMITS, Limits, MessageTooLarge, ParseError, VersionNotSupported

# --- the exception classes --------------------------------------------------------------


def test_exception_hierarchy() -> None:
    assert issubclass(ParseError, ValueError)
    assert issubclass(MessageTooLarge, ParseError)
    assert issubclass(VersionNotSupported, ParseError)
    assert ParseError.status_code == 400
    assert MessageTooLarge.status_code == 513
    assert VersionNotSupported.status_code == 505


# --- where: offset, line, column ----------------------------------------------------------


def test_bad_byte_in_method(impl: Any) -> None:
    data = request(method="INV@ITE", cseq="1 INVITE")
    with pytest.raises(ParseError) as info:
        impl.parse(data)
    err = info.value
    assert err.offset == 3
    assert err.line == data.split(b"\r\n")[0].decode()
    assert err.column == 3
    assert err.line[err.column] == "@"
    assert err.status_code == 400
    assert err.message is None
    assert isinstance(err.reason, str)
    assert err.reason


def test_offset_counts_leading_crlfs(impl: Any) -> None:
    data = b"\r\n\r\n" + request(method="INV@ITE", cseq="1 INVITE")
    with pytest.raises(ParseError) as info:
        impl.parse(data)
    assert info.value.offset == 7
    assert info.value.column == 3


def test_bad_byte_in_header_name(impl: Any) -> None:
    data = request("X-B{ad: 1")
    with pytest.raises(ParseError) as info:
        impl.parse(data)
    err = info.value
    assert err.offset == data.index(b"{")
    assert err.line == "X-B{ad: 1"
    assert err.column == 3
    assert err.status_code == 400


def test_bad_byte_in_max_forwards(impl: Any) -> None:
    data = request().replace(b"Max-Forwards: 70", b"Max-Forwards: 7\x01")
    with pytest.raises(ParseError) as info:
        impl.parse(data)
    err = info.value
    assert err.offset == data.index(b"\x01")
    assert err.line == "Max-Forwards: 7\x01"
    assert err.column == 15
    assert err.status_code == 400
    # The fault is in a header value: the error carries the request as far as parsed.
    assert isinstance(err.message, impl.Request)
    assert err.message.method == "OPTIONS"
    assert err.message.call_id == "a84b4c76e66710@pc33.atlanta.com"
    assert err.message.top_via.branch == "z9hG4bK776asdhds"


def test_bad_byte_in_cseq_number(impl: Any) -> None:
    data = request(cseq="1x OPTIONS")
    with pytest.raises(ParseError) as info:
        impl.parse(data)
    err = info.value
    assert err.offset == data.index(b"1x") + 1
    assert err.line == "CSeq: 1x OPTIONS"
    assert err.column == 7
    assert isinstance(err.message, impl.Request)


def test_column_counts_characters_not_octets(impl: Any) -> None:
    data = request(method="INVITE", uri="sip:bob@biloxi.com", cseq="1 INVITE")
    data = data.replace(b"Max-Forwards: 70\r\n", "Max-Forwards: 70\r\nX-Ünïcode: 1\r\n".encode())
    with pytest.raises(ParseError) as info:
        impl.parse(data)
    err = info.value
    assert err.offset == data.index("Ü".encode())
    assert err.line == "X-Ünïcode: 1"
    assert err.column == 2


def test_column_after_multibyte_characters(impl: Any) -> None:
    data = request().replace(
        b"From: <sip:alice@atlanta.com>;tag=1928301774",
        'From: "Jürgen Größ" <sip:alice@atlanta.com>;tag=1;{'.encode(),
    )
    with pytest.raises(ParseError) as info:
        impl.parse(data)
    err = info.value
    assert err.offset == data.index(b"{")
    assert err.line == 'From: "Jürgen Größ" <sip:alice@atlanta.com>;tag=1;{'
    assert err.column == len('From: "Jürgen Größ" <sip:alice@atlanta.com>;tag=1;')
    assert err.line[err.column] == "{"


@pytest.mark.parametrize("kind", [bytearray, memoryview])
def test_offsets_are_the_same_for_every_buffer_type(impl: Any, kind: type) -> None:
    data = request("X-B{ad: 1")
    with pytest.raises(ParseError) as ref:
        impl.parse(data)
    with pytest.raises(ParseError) as info:
        impl.parse(kind(data))
    assert (info.value.reason, info.value.offset, info.value.line, info.value.column) == (
        ref.value.reason,
        ref.value.offset,
        ref.value.line,
        ref.value.column,
    )


def test_parse_error_pickles(impl: Any) -> None:
    with pytest.raises(ParseError) as info:
        impl.parse(request(version="SIP/3.0"))
    err = pickle.loads(pickle.dumps(info.value))
    assert type(err) is VersionNotSupported
    assert (err.reason, err.offset, err.status_code) == (
        info.value.reason,
        info.value.offset,
        info.value.status_code,
    )
    assert err.reason in str(err)


def test_version_not_supported_points_at_the_version(impl: Any) -> None:
    data = request(version="SIP/7.0")
    with pytest.raises(VersionNotSupported) as info:
        impl.parse(data)
    first_line_end = data.index(b"\r\n")
    assert data.index(b"SIP/7.0") <= info.value.offset <= first_line_end


# --- Limits -----------------------------------------------------------------------------


def test_default_limits() -> None:
    assert DEFAULT_LIMITS == Limits()
    assert (Limits().max_size, Limits().max_headers, Limits().max_line_length) == (65535, 256, 8192)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_size": 0},
        {"max_headers": -1},
        {"max_line_length": 2**31},
        {"max_size": 1.5},
        {"max_headers": "10"},
    ],
)
def test_limits_are_validated(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"must be an int in 1\.\.2\*\*31-1"):
        Limits(**kwargs)


def test_limits_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Limits().max_size = 10  # type: ignore[misc]


def test_header_section_over_max_size(impl: Any) -> None:
    data = request("X-Pad: " + "a" * 300)
    with pytest.raises(MessageTooLarge) as info:
        impl.parse(data, limits=Limits(max_size=200))
    assert info.value.status_code == 513
    # and the same message fits a larger limit
    assert impl.parse(data, limits=Limits(max_size=len(data))).method == "OPTIONS"


def test_body_that_would_not_fit(impl: Any) -> None:
    data = request(body=b"x" * 2000)
    head = len(data) - 2000
    with pytest.raises(MessageTooLarge) as info:
        impl.parse(data, limits=Limits(max_size=head + 1000))
    assert info.value.status_code == 413
    assert impl.parse(data, limits=Limits(max_size=len(data))).body == b"x" * 2000


def test_content_length_announcing_a_huge_body(impl: Any) -> None:
    data = request(content_length=False).replace(
        b"\r\n\r\n", b"\r\nContent-Length: 99999999999999999999\r\n\r\n"
    )
    with pytest.raises(ParseError) as info:
        impl.parse(data)
    assert info.value.status_code in (400, 413)


def test_datagram_over_default_max_size(impl: Any) -> None:
    data = request("Content-Type: application/octet-stream", body=b"x" * 70000)
    with pytest.raises(MessageTooLarge) as info:
        impl.parse(data)
    assert info.value.status_code == 413
    lines = [f"X-Pad-{i}: " + "a" * 8000 for i in range(9)]
    with pytest.raises(MessageTooLarge) as info:
        impl.parse(request(*lines))
    assert info.value.status_code == 513


def test_max_headers(impl: Any) -> None:
    base_fields = 7  # Via, Max-Forwards, To, From, Call-ID, CSeq, Content-Length
    limits = Limits(max_headers=10)
    fits = request(*(f"X-H{i}: {i}" for i in range(10 - base_fields)))
    assert len(impl.parse(fits, limits=limits).headers) == 10
    over = request(*(f"X-H{i}: {i}" for i in range(11 - base_fields)))
    with pytest.raises(MessageTooLarge) as info:
        impl.parse(over, limits=limits)
    assert info.value.status_code == 513


def test_max_headers_counts_fields_not_folded_lines(impl: Any) -> None:
    limits = Limits(max_headers=10)
    data = request("X-A: 1\r\n 2\r\n 3\r\n 4", "X-B: 1", "X-C: 1\r\n\t2")
    msg = impl.parse(data, limits=limits)
    assert msg.headers.get("X-A") == "1 2 3 4"


def test_max_headers_counts_fields_not_comma_values(impl: Any) -> None:
    limits = Limits(max_headers=8)
    data = request("Contact: " + ", ".join(f"<sip:u{i}@h>" for i in range(50)))
    assert len(impl.parse(data, limits=limits).contact) == 50


def test_max_line_length_header_line(impl: Any) -> None:
    limits = Limits(max_line_length=100)
    assert impl.parse(request("Subject: " + "a" * 50), limits=limits).method == "OPTIONS"
    with pytest.raises(MessageTooLarge) as info:
        impl.parse(request("Subject: " + "a" * 200), limits=limits)
    assert info.value.status_code == 513


def test_max_line_length_start_line(impl: Any) -> None:
    limits = Limits(max_line_length=100)
    with pytest.raises(MessageTooLarge) as info:
        impl.parse(request(uri="sip:" + "u" * 200 + "@biloxi.com"), limits=limits)
    assert info.value.status_code == 513


def test_max_line_length_is_per_physical_line(impl: Any) -> None:
    limits = Limits(max_line_length=100)
    folded = "Subject: " + "\r\n ".join(["a" * 50] * 6)
    msg = impl.parse(request(folded), limits=limits)
    assert msg.headers.get("Subject") == " ".join(["a" * 50] * 6)


def test_max_line_length_does_not_apply_to_the_body(impl: Any) -> None:
    limits = Limits(max_line_length=100)
    body = b"y" * 500
    assert impl.parse(request(body=body), limits=limits).body == body


def test_default_max_line_length(impl: Any) -> None:
    with pytest.raises(MessageTooLarge):
        impl.parse(request("Subject: " + "a" * 9000))
    assert impl.parse(request("Subject: " + "a" * 8000)).headers.get("Subject") == "a" * 8000
