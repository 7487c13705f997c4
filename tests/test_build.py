"""Serialising, make_response, the Request/Response constructors and fresh identifiers
(docs/api.md, "Building and editing"), on both twins.

Where the reference leaves a choice open, these tests pin what RFC 3261 suggests:
make_response writes the Via lines first, then the Record-Route lines it copies (§7.3.1:
headers a proxy needs go near the top), then From, To, Call-ID and CSeq in the request's
order (they are copied), then the caller's headers and Content-Length.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from _messages import INVITE, OK_WITH_BODY, REGISTER, RINGING, SDP, SEEDS
from _views import view

import sipfast
from sipfast import ParseError


def refused() -> Any:
    """``pytest.raises(ValueError)``: docs/api.md names the exception, not its text."""
    return pytest.raises(ValueError)  # noqa: PT011 -- the message is not part of the API


def sip(*lines: bytes, body: bytes = b"") -> bytes:
    """Lines ending in CRLF, the empty line, then the body."""
    return b"".join(line + b"\r\n" for line in lines) + b"\r\n" + body


def assert_consistent(impl: Any, msg: Any) -> None:
    out = bytes(msg)
    assert type(out) is bytes
    assert msg.to_bytes() == out
    assert view(msg) == view(impl.parse(out))


# --- bytes(msg) of an unmodified message ------------------------------------------------


@pytest.mark.parametrize("seed", range(len(SEEDS)))
def test_unmodified_message_gives_back_the_input_object(impl: Any, seed: int) -> None:
    data = SEEDS[seed]
    msg = impl.parse(data)
    assert bytes(msg) is data
    assert msg.to_bytes() is data
    view(msg)  # reading accessors is not an edit
    assert bytes(msg) is data


def test_unmodified_message_after_leading_crlfs(impl: Any) -> None:
    msg = impl.parse(b"\r\n\r\n" + INVITE)
    assert bytes(msg) == INVITE
    assert msg.to_bytes() == INVITE
    assert bytes(msg) == bytes(msg)


def test_unmodified_message_without_trailing_octets(impl: Any) -> None:
    msg = impl.parse(RINGING + b"\r\nnot part of the message")
    assert bytes(msg) == RINGING


@pytest.mark.parametrize("wrap", [bytearray, memoryview])
def test_unmodified_message_from_a_buffer(impl: Any, wrap: Any) -> None:
    msg = impl.parse(wrap(REGISTER))
    out = bytes(msg)
    assert type(out) is bytes
    assert out == REGISTER
    assert msg.to_bytes() == REGISTER


def test_refused_or_empty_edits_keep_the_input(impl: Any) -> None:
    msg = impl.parse(OK_WITH_BODY)
    assert msg.headers.remove("Organization") == 0
    assert msg.pop_route() is None
    with refused():
        msg.headers.add("Subject", "a\r\nb")
    assert bytes(msg) == OK_WITH_BODY


def test_edited_message_is_a_new_bytes(impl: Any) -> None:
    msg = impl.parse(INVITE)
    msg.headers.add("Subject", "hi")
    out = bytes(msg)
    assert out is not INVITE
    assert out != INVITE
    assert bytes(msg) == out


# --- make_response ----------------------------------------------------------------------

VIA_MULTI = (b"Via: SIP/2.0/UDP p2.example.com;branch=z9hG4bK2d4790.1, "
             b"SIP/2.0/UDP p1.example.com;branch=z9hG4bK4b43c2ff8.1")
VIA_COMPACT = b"v: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;received=192.0.2.1"
RR_1 = b"Record-Route: <sip:p2.example.com;lr>"
RR_2 = b"Record-Route: <sip:p1.example.com;lr>, <sip:p0.example.com;lr>"
FROM = b"From: Alice <sip:alice@atlanta.example.com>;tag=1928301774"
TO = b"To: Bob <sip:bob@biloxi.example.com>"
CALL_ID = b"Call-ID: a84b4c76e66710@pc33.atlanta.example.com"


def dialog_request(method: bytes = b"INVITE", *extra: bytes) -> bytes:
    """A request through two proxies that record-route, with SDP for an INVITE."""
    body = SDP if method == b"INVITE" else b""
    content = [b"Content-Type: application/sdp"] if body else []
    return sip(
        method + b" sip:bob@biloxi.example.com SIP/2.0",
        VIA_MULTI,
        VIA_COMPACT,
        b"Max-Forwards: 68",
        RR_1,
        RR_2,
        FROM,
        TO,
        CALL_ID,
        b"CSeq: 314159 " + method,
        b"Contact: <sip:alice@pc33.atlanta.example.com>",
        *extra,
        *content,
        f"Content-Length: {len(body)}".encode(),
        body=body,
    )


INVITE_THROUGH_PROXIES = dialog_request()


def response(start: bytes, *lines: bytes, body: bytes = b"") -> bytes:
    return sip(start, *lines, f"Content-Length: {len(body)}".encode(), body=body)


def test_make_response_180(impl: Any) -> None:
    req = impl.parse(INVITE_THROUGH_PROXIES)
    resp = impl.make_response(req, 180, to_tag="a6c85cf")
    assert bytes(resp) == response(
        b"SIP/2.0 180 Ringing",
        VIA_MULTI, VIA_COMPACT, RR_1, RR_2, FROM, TO + b";tag=a6c85cf", CALL_ID,
        b"CSeq: 314159 INVITE",
    )
    assert isinstance(resp, impl.Response)
    assert not resp.is_request
    assert (resp.status, resp.reason, resp.version) == (180, "Ringing", "SIP/2.0")
    assert [str(v) for v in resp.via] == [str(v) for v in req.via]
    assert resp.top_via.branch == "z9hG4bK2d4790.1"
    assert resp.to.tag == "a6c85cf"
    assert resp.to.display_name == "Bob"
    assert resp.from_.tag == "1928301774"
    assert resp.call_id == req.call_id
    assert (resp.cseq.seq, resp.cseq.method) == (314159, "INVITE")
    assert [r.uri.host for r in resp.record_route] == ["p2.example.com", "p1.example.com",
                                                      "p0.example.com"]
    assert (resp.body, resp.content_length) == (b"", 0)
    assert_consistent(impl, resp)


def test_make_response_200_with_headers_and_body(impl: Any) -> None:
    req = impl.parse(INVITE_THROUGH_PROXIES)
    resp = impl.make_response(
        req, 200, to_tag="a6c85cf",
        headers=[("Contact", "<sip:bob@192.0.2.4>"), ("Content-Type", "application/sdp")],
        body=SDP,
    )
    assert bytes(resp) == response(
        b"SIP/2.0 200 OK",
        VIA_MULTI, VIA_COMPACT, RR_1, RR_2, FROM, TO + b";tag=a6c85cf", CALL_ID,
        b"CSeq: 314159 INVITE",
        b"Contact: <sip:bob@192.0.2.4>",
        b"Content-Type: application/sdp",
        body=SDP,
    )
    assert (resp.status, resp.reason) == (200, "OK")
    assert [str(c.uri) for c in resp.contact] == ["sip:bob@192.0.2.4"]
    assert resp.content_type == "application/sdp"
    assert (resp.body, resp.content_length) == (SDP, len(SDP))
    assert_consistent(impl, resp)


def test_make_response_100_copies_no_record_route_and_adds_no_tag(impl: Any) -> None:
    req = impl.parse(INVITE_THROUGH_PROXIES)
    resp = impl.make_response(req, 100)
    assert bytes(resp) == response(
        b"SIP/2.0 100 Trying",
        VIA_MULTI, VIA_COMPACT, FROM, TO, CALL_ID, b"CSeq: 314159 INVITE",
    )
    assert resp.to.tag is None
    assert resp.record_route == []
    assert_consistent(impl, resp)


def test_make_response_486(impl: Any) -> None:
    req = impl.parse(INVITE_THROUGH_PROXIES)
    resp = impl.make_response(req, 486, to_tag="a6c85cf")
    assert bytes(resp) == response(
        b"SIP/2.0 486 Busy Here",
        VIA_MULTI, VIA_COMPACT, FROM, TO + b";tag=a6c85cf", CALL_ID, b"CSeq: 314159 INVITE",
    )
    assert_consistent(impl, resp)


def test_make_response_302_with_contacts(impl: Any) -> None:
    req = impl.parse(INVITE_THROUGH_PROXIES)
    resp = impl.make_response(
        req, 302, to_tag="x1",
        headers={"Contact": "<sip:bob@192.0.2.4>, <sip:bob@192.0.2.5>", "Expires": "60"},
    )
    assert bytes(resp) == response(
        b"SIP/2.0 302 Moved Temporarily",
        VIA_MULTI, VIA_COMPACT, FROM, TO + b";tag=x1", CALL_ID, b"CSeq: 314159 INVITE",
        b"Contact: <sip:bob@192.0.2.4>, <sip:bob@192.0.2.5>",
        b"Expires: 60",
    )
    assert [str(c.uri) for c in resp.contact] == ["sip:bob@192.0.2.4", "sip:bob@192.0.2.5"]
    assert resp.expires == 60


def test_make_response_with_a_reason(impl: Any) -> None:
    req = impl.parse(INVITE_THROUGH_PROXIES)
    reason = "Gone Fishing \u00e0 la p\u00eache"  # UTF-8 (RFC 3261 §25.1 Reason-Phrase)
    resp = impl.make_response(req, 480, reason, to_tag="t")
    assert bytes(resp).startswith(f"SIP/2.0 480 {reason}\r\n".encode())
    assert resp.reason == reason
    assert_consistent(impl, resp)


# RFC 3261 §21 (and RFC 3265 / 6665 for 202) reason phrases.
REASONS = {
    100: "Trying", 180: "Ringing", 181: "Call Is Being Forwarded", 182: "Queued",
    183: "Session Progress", 200: "OK", 202: "Accepted", 300: "Multiple Choices",
    301: "Moved Permanently", 302: "Moved Temporarily", 305: "Use Proxy",
    380: "Alternative Service", 400: "Bad Request", 401: "Unauthorized",
    403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    407: "Proxy Authentication Required", 408: "Request Timeout", 410: "Gone",
    415: "Unsupported Media Type", 416: "Unsupported URI Scheme", 420: "Bad Extension",
    480: "Temporarily Unavailable", 481: "Call/Transaction Does Not Exist",
    482: "Loop Detected", 483: "Too Many Hops", 484: "Address Incomplete",
    486: "Busy Here", 487: "Request Terminated", 488: "Not Acceptable Here",
    500: "Server Internal Error", 501: "Not Implemented", 503: "Service Unavailable",
    504: "Server Time-out", 505: "Version Not Supported", 513: "Message Too Large",
    600: "Busy Everywhere", 603: "Decline", 604: "Does Not Exist Anywhere",
    606: "Not Acceptable",
}


@pytest.mark.parametrize("status", sorted(REASONS))
def test_make_response_default_reason(impl: Any, status: int) -> None:
    req = impl.parse(INVITE_THROUGH_PROXIES)
    resp = impl.make_response(req, status, to_tag="t")
    assert resp.reason == REASONS[status]
    assert bytes(resp).startswith(f"SIP/2.0 {status} {REASONS[status]}\r\n".encode())


# (method, status) -> whether Record-Route is copied: 101-299 to a request that can make
# a dialog (RFC 3261 §12.1.1; SUBSCRIBE and REFER: RFC 6665 §4.1.2.4, RFC 3515).
RECORD_ROUTE_COPIED = {
    ("INVITE", 100): False,
    ("INVITE", 101): True,
    ("INVITE", 180): True,
    ("INVITE", 183): True,
    ("INVITE", 199): True,
    ("INVITE", 200): True,
    ("INVITE", 299): True,
    ("INVITE", 300): False,
    ("INVITE", 302): False,
    ("INVITE", 404): False,
    ("INVITE", 486): False,
    ("INVITE", 500): False,
    ("INVITE", 603): False,
    ("INVITE", 699): False,
    ("SUBSCRIBE", 200): True,
    ("SUBSCRIBE", 202): True,
    ("SUBSCRIBE", 489): False,
    ("REFER", 202): True,
    ("REFER", 403): False,
    ("OPTIONS", 200): False,
    ("BYE", 200): False,
    ("REGISTER", 200): False,
    ("MESSAGE", 200): False,
    ("CANCEL", 200): False,
    ("PRACK", 200): False,
    ("UPDATE", 200): False,
    ("INFO", 200): False,
}


@pytest.mark.parametrize(("method", "status"), sorted(RECORD_ROUTE_COPIED))
def test_make_response_copies_record_route_when_it_makes_a_dialog(
    impl: Any, method: str, status: int
) -> None:
    extra = (b"Event: refer",) if method == "SUBSCRIBE" else ()
    if method == "REFER":
        extra = (b"Refer-To: <sip:carol@chicago.example.com>",)
    req = impl.parse(dialog_request(method.encode(), *extra))
    resp = impl.make_response(req, status, "Some Reason", to_tag="t1")
    copied = RECORD_ROUTE_COPIED[method, status]
    expected_rr = [RR_1, RR_2] if copied else []
    assert bytes(resp) == response(
        f"SIP/2.0 {status} Some Reason".encode(),
        VIA_MULTI, VIA_COMPACT, *expected_rr, FROM, TO + b";tag=t1", CALL_ID,
        f"CSeq: 314159 {method}".encode(),
    )
    assert len(resp.record_route) == (3 if copied else 0)
    assert resp.cseq.method == method


def test_make_response_keeps_an_existing_to_tag(impl: Any) -> None:
    data = sip(
        b"BYE sip:alice@pc33.atlanta.example.com SIP/2.0",
        b"Via: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bKnashds10",
        b"Max-Forwards: 70",
        b"From: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf",
        b"To: Alice <sip:alice@atlanta.example.com>;tag=1928301774",
        CALL_ID,
        b"CSeq: 231 BYE",
        b"Content-Length: 0",
    )
    req = impl.parse(data)
    resp = impl.make_response(req, 200, to_tag="somethingelse")
    assert bytes(resp) == response(
        b"SIP/2.0 200 OK",
        b"Via: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bKnashds10",
        b"From: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf",
        b"To: Alice <sip:alice@atlanta.example.com>;tag=1928301774",
        CALL_ID,
        b"CSeq: 231 BYE",
    )
    assert resp.to.tag == "1928301774"


def test_make_response_copies_compact_forms_and_spacing_verbatim(impl: Any) -> None:
    data = sip(
        b"OPTIONS sip:bob@biloxi.example.com SIP/2.0",
        b"v: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKa",
        b"Max-Forwards: 70",
        b"t:sip:bob@biloxi.example.com",
        b"f:   <sip:alice@atlanta.example.com>;tag=1928301774",
        b"i: f81d4fae-7dec-11d0-a765-00a0c91e6bf6@192.0.2.1",
        b"CSeq:   7   OPTIONS",
        b"l: 0",
    )
    req = impl.parse(data)
    resp = impl.make_response(req, 200, to_tag="b7")
    assert bytes(resp) == response(
        b"SIP/2.0 200 OK",
        b"v: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKa",
        b"t:sip:bob@biloxi.example.com;tag=b7",
        b"f:   <sip:alice@atlanta.example.com>;tag=1928301774",
        b"i: f81d4fae-7dec-11d0-a765-00a0c91e6bf6@192.0.2.1",
        b"CSeq:   7   OPTIONS",
    )
    # A To without <>: ;tag=... is a header parameter, as RFC 3261 §20 reads it.
    assert resp.to.tag == "b7"
    assert str(resp.to.uri) == "sip:bob@biloxi.example.com"
    assert (resp.cseq.seq, resp.cseq.method) == (7, "OPTIONS")
    assert_consistent(impl, resp)


def test_make_response_header_order(impl: Any) -> None:
    """Via lines first (in order), then Record-Route, then the others as the request has them."""
    data = sip(
        b"INVITE sip:bob@biloxi.example.com SIP/2.0",
        b"CSeq: 1 INVITE",
        b"To: <sip:bob@biloxi.example.com>",
        b"Record-Route: <sip:p1.example.com;lr>",
        b"Via: SIP/2.0/UDP p1.example.com;branch=z9hG4bK1",
        b"Call-ID: 42@example.com",
        b"Subject: not copied",
        b"From: <sip:alice@atlanta.example.com>;tag=88",
        b"Record-Route: <sip:p0.example.com;lr>",
        b"Max-Forwards: 69",
        b"Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK0",
        b"Content-Length: 0",
    )
    resp = impl.make_response(impl.parse(data), 200, to_tag="x")
    assert bytes(resp) == response(
        b"SIP/2.0 200 OK",
        b"Via: SIP/2.0/UDP p1.example.com;branch=z9hG4bK1",
        b"Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK0",
        b"Record-Route: <sip:p1.example.com;lr>",
        b"Record-Route: <sip:p0.example.com;lr>",
        b"CSeq: 1 INVITE",
        b"To: <sip:bob@biloxi.example.com>;tag=x",
        b"Call-ID: 42@example.com",
        b"From: <sip:alice@atlanta.example.com>;tag=88",
    )


def test_make_response_tag_after_to_params(impl: Any) -> None:
    data = INVITE_THROUGH_PROXIES.replace(TO, TO + b";x-param=1")
    resp = impl.make_response(impl.parse(data), 180, to_tag="9fxced76sl")
    assert TO + b";x-param=1;tag=9fxced76sl\r\n" in bytes(resp)
    assert resp.to.params == {"x-param": "1", "tag": "9fxced76sl"}
    assert resp.to.tag == "9fxced76sl"


def test_make_response_leaves_the_request_alone(impl: Any) -> None:
    data = INVITE_THROUGH_PROXIES
    req = impl.parse(data)
    before = view(req)
    impl.make_response(req, 200, to_tag="a", headers=[("Subject", "x")], body=b"x")
    impl.make_response(req, 486, to_tag="a")
    assert bytes(req) is data
    assert view(req) == before
    assert req.to.tag is None


def test_make_response_is_editable(impl: Any) -> None:
    resp = impl.make_response(impl.parse(INVITE_THROUGH_PROXIES), 180, to_tag="a")
    resp.pop_via()
    resp.headers.add("Server", "sipfast")
    assert [v.branch for v in resp.via] == ["z9hG4bK4b43c2ff8.1", "z9hG4bK776asdhds"]
    assert resp.headers.get("Server") == "sipfast"
    assert_consistent(impl, resp)


@pytest.mark.parametrize("seed", [INVITE, REGISTER])
def test_make_response_to_the_sample_requests(impl: Any, seed: bytes) -> None:
    req = impl.parse(seed)
    resp = impl.make_response(req, 200, to_tag="abc")
    assert [str(v) for v in resp.via] == [str(v) for v in req.via]
    assert str(resp.from_) == str(req.from_)
    assert resp.to.tag == "abc"
    assert str(resp.to.uri) == str(req.to.uri)
    assert resp.call_id == req.call_id
    assert str(resp.cseq) == str(req.cseq)
    assert_consistent(impl, resp)


@pytest.mark.parametrize("status", [99, 700, 0, -200, 1000, 2000, "200", 200.0, None])
def test_make_response_refuses_a_bad_status(impl: Any, status: Any) -> None:
    req = impl.parse(INVITE_THROUGH_PROXIES)
    with refused():
        impl.make_response(req, status)


BAD_VALUES = ["x\r\nX-Evil: 1", "x\nX-Evil: 1", "x\rX-Evil: 1", "x\x00"]


@pytest.mark.parametrize("reason", BAD_VALUES)
def test_make_response_refuses_cr_lf_nul_in_the_reason(impl: Any, reason: str) -> None:
    with refused():
        impl.make_response(impl.parse(INVITE), 200, reason)


# tag-param = "tag" EQUAL token (RFC 3261 §25.1): anything else would change the To header.
@pytest.mark.parametrize("tag", [*BAD_VALUES, "", "a b", "a;b", "a,b", "a>b", '"a"'])
def test_make_response_refuses_a_to_tag_that_is_not_a_token(impl: Any, tag: str) -> None:
    with refused():
        impl.make_response(impl.parse(INVITE), 200, to_tag=tag)


@pytest.mark.parametrize(
    "headers",
    [
        [("Subject", value)] for value in BAD_VALUES
    ] + [
        [("X Evil", "1")], [("X-Evil:", "1")], [("", "1")], [("X\r\nY", "1")],
        [("Content-Length", "0")], [("l", "0")], {"content-length": "5"},
    ],
    ids=repr,
)
def test_make_response_refuses_bad_headers(impl: Any, headers: Any) -> None:
    with refused():
        impl.make_response(impl.parse(INVITE), 200, to_tag="a", headers=headers)


# --- Request(...) and Response(...) -----------------------------------------------------

INVITE_HEADERS = [
    ("Via", "SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds"),
    ("Max-Forwards", "70"),
    ("To", "Bob <sip:bob@biloxi.com>"),
    ("From", "Alice <sip:alice@atlanta.com>;tag=1928301774"),
    ("Call-ID", "a84b4c76e66710@pc33.atlanta.com"),
    ("CSeq", "314159 INVITE"),
    ("Contact", "<sip:alice@pc33.atlanta.com>"),
    ("Content-Type", "application/sdp"),
]


@pytest.mark.parametrize("form", [list, tuple, dict])
def test_request_constructor(impl: Any, form: Any) -> None:
    req = impl.Request("INVITE", "sip:bob@biloxi.com", headers=form(INVITE_HEADERS), body=SDP)
    assert bytes(req) == INVITE  # the same message as _messages.INVITE, octet for octet
    assert isinstance(req, impl.Request)
    assert req.is_request
    assert (req.method, str(req.uri), req.version) == ("INVITE", "sip:bob@biloxi.com", "SIP/2.0")
    assert req.uri.host == "biloxi.com"
    assert req.top_via.branch == "z9hG4bK776asdhds"
    assert req.max_forwards == 70
    assert (req.from_.tag, req.to.tag) == ("1928301774", None)
    assert req.call_id == "a84b4c76e66710@pc33.atlanta.com"
    assert (req.cseq.seq, req.cseq.method) == (314159, "INVITE")
    assert req.content_type == "application/sdp"
    assert (req.body, req.content_length) == (SDP, len(SDP))
    assert req.headers.items()[:len(INVITE_HEADERS)] == INVITE_HEADERS
    assert_consistent(impl, req)


def test_request_constructor_writes_content_length_0(impl: Any) -> None:
    headers = [pair for pair in INVITE_HEADERS if pair[0] != "Content-Type"]
    req = impl.Request("INVITE", "sip:bob@biloxi.com", headers=headers)
    assert bytes(req) == sip(
        b"INVITE sip:bob@biloxi.com SIP/2.0",
        *(f"{name}: {value}".encode() for name, value in headers),
        b"Content-Length: 0",
    )
    assert (req.body, req.content_length) == (b"", 0)


def test_built_message_serialises_without_copying(impl: Any) -> None:
    req = impl.Request("INVITE", "sip:bob@biloxi.com", headers=INVITE_HEADERS, body=SDP)
    assert bytes(req) is bytes(req)
    assert req.to_bytes() is bytes(req)


def test_request_constructor_keeps_names_as_given(impl: Any) -> None:
    headers = [
        ("v", "SIP/2.0/TCP client.example.com:5060;branch=z9hG4bK74bf9"),
        ("f", "<sip:alice@example.com>;tag=9fxced76sl"),
        ("t", "<sip:bob@example.com>"),
        ("i", "3848276298220188511@example.com"),
        ("CSeq", "1 MESSAGE"),
        ("c", "text/plain"),
        ("X-Custom", "1"),
    ]
    body = b"Watson, come here."
    req = impl.Request("MESSAGE", "sip:bob@example.com", headers=headers, body=body)
    assert bytes(req) == sip(
        b"MESSAGE sip:bob@example.com SIP/2.0",
        *(f"{name}: {value}".encode() for name, value in headers),
        b"Content-Length: 18",
        body=body,
    )
    assert req.from_.tag == "9fxced76sl"
    assert req.content_type == "text/plain"
    assert req.max_forwards is None


def test_response_constructor(impl: Any) -> None:
    headers = [
        ("Via", "SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds;received=192.0.2.1"),
        ("To", "Bob <sip:bob@biloxi.com>;tag=a6c85cf"),
        ("From", "Alice <sip:alice@atlanta.com>;tag=1928301774"),
        ("Call-ID", "a84b4c76e66710@pc33.atlanta.com"),
        ("CSeq", "314159 INVITE"),
        ("Contact", "<sip:bob@192.0.2.4>"),
        ("Content-Type", "application/sdp"),
    ]
    resp = impl.Response(200, headers=headers, body=SDP)
    assert bytes(resp) == sip(
        b"SIP/2.0 200 OK",
        *(f"{name}: {value}".encode() for name, value in headers),
        f"Content-Length: {len(SDP)}".encode(),
        body=SDP,
    )
    assert isinstance(resp, impl.Response)
    assert (resp.status, resp.reason) == (200, "OK")
    assert resp.to.tag == "a6c85cf"
    assert resp.top_via.received == "192.0.2.1"
    assert resp.body == SDP
    assert_consistent(impl, resp)


@pytest.mark.parametrize(("status", "reason"), [(180, None), (486, None), (183, "Early Media")])
def test_response_constructor_reason(impl: Any, status: int, reason: str | None) -> None:
    headers = {
        "Via": "SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds",
        "To": "<sip:bob@biloxi.com>;tag=a6c85cf",
        "From": "<sip:alice@atlanta.com>;tag=1928301774",
        "Call-ID": "a84b4c76e66710@pc33.atlanta.com",
        "CSeq": "1 INVITE",
    }
    resp = impl.Response(status, reason, headers=headers)
    phrase = reason or REASONS[status]
    assert bytes(resp) == sip(
        f"SIP/2.0 {status} {phrase}".encode(),
        *(f"{name}: {value}".encode() for name, value in headers.items()),
        b"Content-Length: 0",
    )
    assert resp.reason == phrase


def test_constructed_request_is_editable(impl: Any) -> None:
    req = impl.Request("INVITE", "sip:bob@biloxi.com", headers=INVITE_HEADERS, body=SDP)
    req.push_via("SIP/2.0/UDP p1.example.com;branch=z9hG4bKp1")
    assert req.decrement_max_forwards() == 69
    req.uri = "sip:bob@192.0.2.4"
    assert [v.branch for v in req.via] == ["z9hG4bKp1", "z9hG4bK776asdhds"]
    assert bytes(req).startswith(
        b"INVITE sip:bob@192.0.2.4 SIP/2.0\r\n"
        b"Via: SIP/2.0/UDP p1.example.com;branch=z9hG4bKp1\r\n"
        b"Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds\r\n"
        b"Max-Forwards: 69\r\n"
    )
    assert_consistent(impl, req)


@pytest.mark.parametrize("name", ["Via", "From", "To", "Call-ID", "CSeq"])
def test_request_without_a_mandatory_header_is_a_parse_error(impl: Any, name: str) -> None:
    headers = [pair for pair in INVITE_HEADERS if pair[0] != name]
    with pytest.raises(ParseError) as info:
        impl.Request("INVITE", "sip:bob@biloxi.com", headers=headers, body=SDP)
    assert info.value.status_code == 400


def test_response_without_via_is_a_parse_error(impl: Any) -> None:
    headers = [("To", "<sip:bob@biloxi.com>;tag=a"), ("From", "<sip:alice@atlanta.com>;tag=b"),
               ("Call-ID", "c@d"), ("CSeq", "1 INVITE")]
    with pytest.raises(ParseError):
        impl.Response(200, headers=headers)


def replaced(name: str, value: str) -> list[tuple[str, str]]:
    return [(n, value if n == name else v) for n, v in INVITE_HEADERS]


INVALID_REQUESTS = {
    "CSeq method differs": replaced("CSeq", "314159 BYE"),
    "Max-Forwards 256": replaced("Max-Forwards", "256"),
    "Max-Forwards not a number": replaced("Max-Forwards", "seventy"),
    "Via not a Via": replaced("Via", "not a via"),
    "From not a name-addr": replaced("From", "<sip:alice@atlanta.com"),
    "two From": [*INVITE_HEADERS, ("From", "<sip:carol@chicago.example.com>;tag=2")],
}


@pytest.mark.parametrize("case", sorted(INVALID_REQUESTS))
def test_request_constructor_checks_like_parse(impl: Any, case: str) -> None:
    with pytest.raises(ParseError):
        impl.Request("INVITE", "sip:bob@biloxi.com", headers=INVALID_REQUESTS[case])


@pytest.mark.parametrize("uri", ["not a uri", "sip:bob@biloxi.com\r\nX: 1", ""])
def test_request_constructor_refuses_a_bad_uri(impl: Any, uri: str) -> None:
    with refused():
        impl.Request("INVITE", uri, headers=INVITE_HEADERS)


@pytest.mark.parametrize("method", ["", "INV ITE", "INVITE\r\n", "INV\x00", "INVITE sip:x"])
def test_request_constructor_refuses_a_bad_method(impl: Any, method: str) -> None:
    with refused():
        impl.Request(method, "sip:bob@biloxi.com", headers=INVITE_HEADERS)


@pytest.mark.parametrize(
    "extra",
    [
        [("Subject", value)] for value in BAD_VALUES
    ] + [
        [("X Evil", "1")], [("X-Evil:", "1")], [("", "1")], [("Caf\u00e9", "1")],
        [("Content-Length", "0")], [("l", "0")], [("CONTENT-LENGTH", "999")],
    ],
    ids=repr,
)
def test_constructors_refuse_bad_headers(impl: Any, extra: Any) -> None:
    with refused():
        impl.Request("INVITE", "sip:bob@biloxi.com", headers=INVITE_HEADERS + extra)
    response_headers = [pair for pair in INVITE_HEADERS if pair[0] != "Max-Forwards"]
    with refused():
        impl.Response(200, headers=response_headers + extra)


@pytest.mark.parametrize("status", [99, 700, "200", None])
def test_response_constructor_refuses_a_bad_status(impl: Any, status: Any) -> None:
    response_headers = [pair for pair in INVITE_HEADERS if pair[0] != "Max-Forwards"]
    with refused():
        impl.Response(status, headers=response_headers)


@pytest.mark.parametrize("reason", BAD_VALUES)
def test_response_constructor_refuses_cr_lf_nul_in_the_reason(impl: Any, reason: str) -> None:
    response_headers = [pair for pair in INVITE_HEADERS if pair[0] != "Max-Forwards"]
    with refused():
        impl.Response(200, reason, headers=response_headers)


# --- fresh identifiers ------------------------------------------------------------------

TOKEN = re.compile(r"[A-Za-z0-9\-.!%*_+`'~]+")
# RFC 3261 §25.1: callid = word [ "@" word ]
WORD = r"[A-Za-z0-9\-.!%*_+`'~()<>:\\\"/\[\]?{}]+"
CALL_ID_RE = re.compile(rf"{WORD}(@{WORD})?")


def test_new_branch() -> None:
    branches = {sipfast.new_branch() for _ in range(200)}
    assert len(branches) == 200
    for branch in branches:
        assert branch.startswith("z9hG4bK")
        assert len(branch) == len("z9hG4bK") + 24
        assert TOKEN.fullmatch(branch), branch


def test_new_tag() -> None:
    tags = {sipfast.new_tag() for _ in range(200)}
    assert len(tags) == 200
    for tag in tags:
        assert TOKEN.fullmatch(tag), tag
        assert len(tag) >= 8  # RFC 3261 §19.3: at least 32 random bits


def test_new_call_id() -> None:
    call_ids = {sipfast.new_call_id() for _ in range(200)}
    assert len(call_ids) == 200
    for call_id in call_ids:
        assert CALL_ID_RE.fullmatch(call_id), call_id


@pytest.mark.parametrize("host", ["pc33.atlanta.example.com", "192.0.2.1", "[2001:db8::1]"])
def test_new_call_id_with_host(host: str) -> None:
    call_id = sipfast.new_call_id(host)
    assert call_id.endswith("@" + host)
    assert CALL_ID_RE.fullmatch(call_id), call_id
    assert sipfast.new_call_id(host) != call_id


def test_fresh_identifiers_make_a_valid_request(impl: Any) -> None:
    branch, tag, call_id = sipfast.new_branch(), sipfast.new_tag(), sipfast.new_call_id("a.b")
    req = impl.Request("OPTIONS", "sip:bob@biloxi.example.com", headers=[
        ("Via", f"SIP/2.0/UDP 192.0.2.1;branch={branch}"),
        ("From", f"<sip:alice@atlanta.example.com>;tag={tag}"),
        ("To", "<sip:bob@biloxi.example.com>"),
        ("Call-ID", call_id),
        ("CSeq", "1 OPTIONS"),
    ])
    assert (req.top_via.branch, req.from_.tag, req.call_id) == (branch, tag, call_id)
    resp = impl.make_response(req, 200, to_tag=sipfast.new_tag())
    assert resp.to.tag is not None
    assert TOKEN.fullmatch(resp.to.tag)
