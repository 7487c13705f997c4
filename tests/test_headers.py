"""msg.headers: a case-insensitive, order-preserving multi-map; compact forms; folding."""

from __future__ import annotations

from typing import Any

import pytest
from _messages import request

from sipfast.message import tables

COMPACT_FORMS = {
    "i": "Call-ID",
    "m": "Contact",
    "e": "Content-Encoding",
    "l": "Content-Length",
    "c": "Content-Type",
    "f": "From",
    "s": "Subject",
    "k": "Supported",
    "t": "To",
    "v": "Via",
    "o": "Event",
    "u": "Allow-Events",
    "r": "Refer-To",
    "b": "Referred-By",
    "x": "Session-Expires",
    "y": "Identity",
    "a": "Accept-Contact",
    "j": "Reject-Contact",
    "d": "Request-Disposition",
}


def test_compact_form_table_agrees_with_tables_module() -> None:
    compact = {c: long for _, long, c in tables.HEADERS if c}
    assert compact == COMPACT_FORMS


def compact_message() -> bytes:
    lines = [
        "OPTIONS sip:bob@biloxi.com SIP/2.0",
        "v: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds",
        "t: <sip:bob@biloxi.com>",
        "f: <sip:alice@atlanta.com>;tag=1928301774",
        "i: a84b4c76e66710@pc33.atlanta.com",
        "CSeq: 1 OPTIONS",
        "m: <sip:alice@pc33.atlanta.com>",
        "e: gzip",
        "c: text/plain",
        "s: lunch",
        "k: 100rel",
        "o: presence",
        "u: talk",
        "r: <sip:carol@chicago.com>",
        "b: <sip:bob@biloxi.com>",
        "x: 1800;refresher=uac",
        "y: identity-value",
        "a: *;audio",
        "j: *;video",
        "d: proxy",
        "l: 0",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@pytest.mark.parametrize(("compact", "long"), sorted(COMPACT_FORMS.items()))
def test_compact_form_answers_to_its_long_name(impl: Any, compact: str, long: str) -> None:
    headers = impl.parse(compact_message()).headers
    value = headers.get(compact)
    assert value is not None
    assert headers.get(long) == value
    assert headers.get(long.upper()) == value
    assert headers.get(compact.upper()) == value
    assert long in headers
    assert compact in headers
    assert headers[long] == value
    assert headers.getall(long) == [value]
    # names are kept as written
    assert (compact, value) in headers.items()


def test_long_name_answers_to_its_compact_form(impl: Any) -> None:
    headers = impl.parse(request("Subject: hi", "Supported: timer")).headers
    assert headers.get("s") == "hi"
    assert headers.get("k") == "timer"
    assert headers.get("i") == "a84b4c76e66710@pc33.atlanta.com"


def test_mixed_compact_and_long_fields_are_one_key(impl: Any) -> None:
    data = request(
        "Via: SIP/2.0/TCP b.example.com;branch=z9hG4bKb",
        "v: SIP/2.0/TCP c.example.com;branch=z9hG4bKc",
        "VIA: SIP/2.0/TCP d.example.com;branch=z9hG4bKd",
    )
    headers = impl.parse(data).headers
    assert (
        headers.getall("v")
        == headers.getall("Via")
        == [
            "SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds",
            "SIP/2.0/TCP b.example.com;branch=z9hG4bKb",
            "SIP/2.0/TCP c.example.com;branch=z9hG4bKc",
            "SIP/2.0/TCP d.example.com;branch=z9hG4bKd",
        ]
    )


@pytest.mark.parametrize("name", ["call-id", "CALL-ID", "Call-Id", "cAlL-iD", "I", "i"])
def test_names_are_case_insensitive(impl: Any, name: str) -> None:
    headers = impl.parse(request()).headers
    assert headers.get(name) == "a84b4c76e66710@pc33.atlanta.com"
    assert name in headers


@pytest.mark.parametrize("name", ["call\rid", "CALL\rID", "Call-ID ", "call-i", "call-idx",
                                  "max-forwardsx", "MAX-FORWARDS\r"])
def test_only_the_name_itself_matches(impl: Any, name: str) -> None:
    """Not a near miss, nor a CR where the name has '-' (which case folding could
    confuse with it), in both twins."""
    headers = impl.parse(request()).headers
    assert headers.get(name) is None
    assert name not in headers


def test_unknown_headers_are_case_insensitive_too(impl: Any) -> None:
    headers = impl.parse(request("X-Custom-Thing: one", "x-custom-thing: two")).headers
    assert headers.getall("X-CUSTOM-THING") == ["one", "two"]
    assert headers.get("x-Custom-thing") == "one"


def test_items_keys_values_in_order_as_written(impl: Any) -> None:
    data = request("X-A: 1", "x-b: 2", "X-A: 3", "s:  4 ")
    headers = impl.parse(data).headers
    items = headers.items()
    assert items == [
        ("Via", "SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds"),
        ("Max-Forwards", "70"),
        ("To", "<sip:bob@biloxi.com>"),
        ("From", "<sip:alice@atlanta.com>;tag=1928301774"),
        ("Call-ID", "a84b4c76e66710@pc33.atlanta.com"),
        ("CSeq", "1 OPTIONS"),
        ("X-A", "1"),
        ("x-b", "2"),
        ("X-A", "3"),
        ("s", "4"),
        ("Content-Length", "0"),
    ]
    assert list(headers.keys()) == [n for n, _ in items]
    assert list(headers.values()) == [v for _, v in items]
    assert list(headers) == [n for n, _ in items]
    assert len(headers) == 11
    assert headers.getall("x-a") == ["1", "3"]
    assert headers.get("X-A") == "1"


def test_absent_header(impl: Any) -> None:
    headers = impl.parse(request()).headers
    assert headers.get("Subject") is None
    assert headers.get("Subject", "dflt") == "dflt"
    assert headers.getall("Subject") == []
    assert headers.getlist("Subject") == []
    assert "Subject" not in headers
    with pytest.raises(KeyError):
        headers["Subject"]


def test_header_name_as_written_with_whitespace_before_colon(impl: Any) -> None:
    headers = impl.parse(request("Subject  : hi")).headers
    assert headers.items()[-2] == ("Subject", "hi")


def test_values_are_stripped(impl: Any) -> None:
    headers = impl.parse(request("Subject: \t  lunch at noon \t ")).headers
    assert headers.get("Subject") == "lunch at noon"


def test_empty_value(impl: Any) -> None:
    headers = impl.parse(request("Subject:", "X-Empty:   ")).headers
    assert headers.get("Subject") == ""
    assert headers.get("X-Empty") == ""


def test_inner_whitespace_is_kept(impl: Any) -> None:
    headers = impl.parse(request("Subject: a  \t b")).headers
    assert headers.get("Subject") == "a  \t b"


@pytest.mark.parametrize(
    ("folded", "expected"),
    [
        ("Subject: lunch\r\n at noon", "lunch at noon"),
        ("Subject: lunch\r\n\tat noon", "lunch at noon"),
        ("Subject: lunch   \r\n  \t  at noon", "lunch at noon"),
        ("Subject: a\r\n b\r\n c\r\n d", "a b c d"),
        ("Subject:\r\n lunch", "lunch"),
    ],
)
def test_folded_values(impl: Any, folded: str, expected: str) -> None:
    headers = impl.parse(request(folded, "X-After: yes")).headers
    assert headers.get("Subject") == expected
    assert headers.get("X-After") == "yes"
    assert len(headers.getall("Subject")) == 1


def test_folded_value_with_bare_lf(impl: Any) -> None:
    data = request("Subject: lunch\r\n at noon").replace(b"\r\n", b"\n")
    assert impl.parse(data).headers.get("Subject") == "lunch at noon"


def test_folded_core_headers(impl: Any) -> None:
    data = request().replace(b"CSeq: 1 OPTIONS", b"CSeq: 0009\r\n  OPTIONS")
    data = data.replace(b"Via: SIP/2.0/UDP", b"Via: SIP  /   2.0\r\n /UDP\r\n   ")
    msg = impl.parse(data)
    assert (msg.cseq.seq, msg.cseq.method) == (9, "OPTIONS")
    assert msg.headers.get("CSeq") == "0009 OPTIONS"
    assert msg.top_via.protocol == "SIP/2.0"
    assert msg.top_via.transport == "UDP"
    assert msg.top_via.host == "pc33.atlanta.com"


def test_getlist_splits_on_commas(impl: Any) -> None:
    headers = impl.parse(request("Allow: INVITE, ACK,CANCEL ,  BYE", "Allow: OPTIONS")).headers
    assert headers.getlist("Allow") == ["INVITE", "ACK", "CANCEL", "BYE", "OPTIONS"]
    assert headers.getall("Allow") == ["INVITE, ACK,CANCEL ,  BYE", "OPTIONS"]


def test_getlist_does_not_split_inside_quoted_strings(impl: Any) -> None:
    headers = impl.parse(
        request(
            'Contact: "Doe, John" <sip:jdoe@example.com>, "a \\", b" <sip:x@y>',
            'Contact: <sip:z@w>;note="1,2"',
        )
    ).headers
    assert headers.getlist("Contact") == [
        '"Doe, John" <sip:jdoe@example.com>',
        '"a \\", b" <sip:x@y>',
        '<sip:z@w>;note="1,2"',
    ]


def test_getlist_does_not_split_inside_angle_brackets(impl: Any) -> None:
    headers = impl.parse(
        request("Route: <sip:p1.example.com;lr;x=a,b>, <sip:u,v@p2.example.com?h=1,2>")
    ).headers
    assert headers.getlist("m") == []
    assert headers.getlist("Route") == [
        "<sip:p1.example.com;lr;x=a,b>",
        "<sip:u,v@p2.example.com?h=1,2>",
    ]


def test_getlist_over_compact_and_long(impl: Any) -> None:
    headers = impl.parse(request("k: a, b", "Supported: c")).headers
    assert headers.getlist("Supported") == ["a", "b", "c"]
    assert headers.getlist("k") == ["a", "b", "c"]


def test_headers_type(impl: Any) -> None:
    assert isinstance(impl.parse(request()).headers, impl.Headers)


def test_extension_header_name_with_token_characters(impl: Any) -> None:
    name = "extensionHeader-!.%*+_`'~"
    headers = impl.parse(request(f"{name}: v")).headers
    assert headers.get(name) == "v"
    assert headers.get(name.upper()) == "v"


def test_header_value_with_colon_and_semicolons(impl: Any) -> None:
    headers = impl.parse(request("X-Odd: ;;,,;;,;", "X-Time: 12:30:00")).headers
    assert headers.get("X-Odd") == ";;,,;;,;"
    assert headers.get("X-Time") == "12:30:00"
