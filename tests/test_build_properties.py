"""Hypothesis: random edit sequences on every `accept` message of the conformance corpus
(and the hand-written ones), random responses and new requests.

1. On each twin, after every edit, `parse(bytes(msg))` shows what the edited message
   shows (`view`), and a refused edit leaves the octets as they were.
2. The Cython and Python twins, given the same message and the same edits, write the
   same octets and give the same results and exceptions.
3. The same for make_response, Request(...) and Response(...).
"""

from __future__ import annotations

import re
import string
from typing import Any

import pytest
from _corpus import entry_bytes, manifest_entries
from _messages import SEEDS
from _twins import require_c_twin, twin
from _views import view
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# --- the messages edited ----------------------------------------------------------------

EXTRA_SEEDS = {
    # folding, a compact form, a bare LF line, odd spacing around the colon
    "formatted": (
        b"INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
        b"Via: SIP/2.0/UDP p1.example.com;branch=z9hG4bK1,\r\n"
        b"  SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
        b"Max-Forwards:   70\n"
        b"Subject: I know you're there,\r\n pick up the phone\r\n\t and talk to me!\r\n"
        b"t: <sip:bob@biloxi.example.com>\r\n"
        b"From  :  Alice <sip:alice@atlanta.example.com>;tag=1928301774\n"
        b"Route: <sip:p2.example.com;lr>, <sip:p3.example.com;lr>\r\n"
        b"i: a84b4c76e66710@pc33.atlanta.example.com\r\n"
        b"CSeq: 1 INVITE\r\n"
        b"l: 4\r\n"
        b"\r\n"
        b"body"
    ),
    # no Content-Length (the body is the rest of the datagram), every line a bare LF
    "bare LF, no Content-Length": (
        b"MESSAGE sip:bob@biloxi.example.com SIP/2.0\n"
        b"v: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKm\n"
        b"f: <sip:alice@atlanta.example.com>;tag=1\n"
        b"t: <sip:bob@biloxi.example.com>\n"
        b"i: 1@pc33.atlanta.example.com\n"
        b"CSeq: 2 MESSAGE\n"
        b"Record-Route: <sip:p1.example.com;lr>\n"
        b"c: text/plain\n"
        b"\n"
        b"Watson, come here."
    ),
}


def _seeds() -> dict[str, bytes]:
    seeds = {f"hand-written {i}": data for i, data in enumerate(SEEDS)}
    seeds.update(EXTRA_SEEDS)
    for entry in manifest_entries():
        if entry["outcome"] == "accept":
            seeds[entry["id"]] = entry_bytes(entry)
    return seeds


SEED_MESSAGES = _seeds()
SEED_NAMES = sorted(SEED_MESSAGES)
REQUEST_SEED_NAMES = [name for name in SEED_NAMES
                      if not SEED_MESSAGES[name].lstrip(b"\r\n").startswith(b"SIP/")]

# --- values -----------------------------------------------------------------------------

# Printable ASCII, HT and a non-ASCII letter; never CR, LF or NUL.  Values are stripped:
# `parse` strips them too, so a value with outer whitespace would read back differently.
TEXT = (
    st.text(alphabet=st.sampled_from([*string.printable[:95], "\t", "é"]), min_size=1,
            max_size=30)
    .map(lambda s: s.strip(" \t"))
    .filter(bool)
)
# Reason-Phrase characters of RFC 3261 §25.1 (reserved, unreserved, SP, HTAB, UTF-8).
REASON = (
    st.text(alphabet=st.sampled_from([*string.ascii_letters, *string.digits,
                                      *";/?:@&=+$,-_.!~*'() \t", "é", "ü"]),
            min_size=1, max_size=30)
    .map(lambda s: s.strip(" \t"))
    .filter(bool)
)
TOKEN = st.text(alphabet="abcXYZ0189-.!%*_+`'~", min_size=1, max_size=12)
WORD = st.text(alphabet=string.ascii_letters + string.digits + "-.!%*_+`'~()<>:\\\"/[]?{}",
               min_size=1, max_size=20)
CALL_IDS = st.one_of(WORD, st.tuples(WORD, WORD).map("@".join))

VIA_TEXTS = st.builds(
    lambda transport, host, port, branch, extra: (
        f"SIP/2.0/{transport} {host}{port};branch=z9hG4bK{branch}{extra}"),
    st.sampled_from(["UDP", "TCP", "TLS", "SCTP", "WS", "udp"]),
    st.sampled_from(["proxy.example.com", "192.0.2.7", "[2001:db8::7]", "p-1.example.org"]),
    st.sampled_from(["", ":5060", ":5061", ":65535"]),
    TOKEN,
    st.sampled_from(["", ";rport", ";rport=5060;received=192.0.2.1", ";alias",
                     ";ttl=16;maddr=224.2.0.1", ";x-id=\"a b\""]),
)
ROUTE_URIS = st.sampled_from([
    "sip:p1.example.com;lr",
    "sip:192.0.2.1:5060;lr;transport=tcp",
    "sips:[2001:db8::1];lr",
    "sip:p2.example.com;lr;ftag=8c3b1f2a",
    "sip:p3.example.com",
])
NAME_ADDR_TEXTS = st.builds(
    lambda display, uri, params: f"{display}<{uri}>{params}",
    st.sampled_from(["", '"Edge Proxy" ', "Proxy "]),
    ROUTE_URIS,
    st.sampled_from(["", ";x=1", ';x-id="a b"']),
)
ROUTE_VALUES = st.one_of(
    NAME_ADDR_TEXTS, st.lists(NAME_ADDR_TEXTS, min_size=2, max_size=3).map(", ".join))
REQUEST_URIS = st.sampled_from([
    "sip:carol@chicago.example.com",
    "sips:bob@[2001:db8::1]:5061;transport=tls",
    "sip:+12125551212@gw.example.com;user=phone",
    "tel:+1-212-555-1212",
    "sip:alice@192.0.2.5:5080;lr?subject=hi",
])
BODIES = st.one_of(st.binary(max_size=80), st.just(b"v=0\r\ns=-\r\n"))

FREE_TEXT_NAMES = ["Subject", "s", "SUBJECT", "X-Custom", "x-custom", "Organization",
                   "User-Agent", "Supported", "k"]
REMOVABLE = [*FREE_TEXT_NAMES, "Route", "Record-Route", "Max-Forwards", "Contact", "m",
             "Absent-Header"]
FIELD_EDITS = st.sampled_from(["add", "insert", "set"])

EDITS = st.one_of(
    st.tuples(FIELD_EDITS, st.sampled_from(FREE_TEXT_NAMES), TEXT),
    st.tuples(FIELD_EDITS, st.sampled_from(["Route", "Record-Route"]), ROUTE_VALUES),
    st.tuples(FIELD_EDITS, st.sampled_from(["Via", "v"]), VIA_TEXTS),
    st.tuples(st.just("set"), st.just("Max-Forwards"), st.integers(0, 255).map(str)),
    st.tuples(st.just("set"), st.sampled_from(["Call-ID", "i"]), CALL_IDS),
    st.tuples(st.just("remove"), st.sampled_from(REMOVABLE)),
    st.tuples(st.just("push_via"), VIA_TEXTS, st.booleans()),
    st.just(("pop_via",)),
    st.just(("decrement_max_forwards",)),
    st.tuples(st.just("push_record_route"), st.just("name-addr"), NAME_ADDR_TEXTS),
    st.tuples(st.just("push_record_route"), st.sampled_from(["uri text", "URI", "NameAddr"]),
              ROUTE_URIS),
    st.just(("pop_route",)),
    st.tuples(st.just("uri"), REQUEST_URIS, st.booleans()),
    st.tuples(st.just("body"), BODIES),
)
EDIT_SEQUENCES = st.lists(EDITS, min_size=1, max_size=8)


def _plain(result: Any) -> Any:
    return result if result is None or isinstance(result, int) else str(result)


def apply(impl: Any, msg: Any, op: tuple[Any, ...]) -> Any:
    """Apply one edit; returns what the edit returned, as plain values."""
    kind, *args = op
    if kind in ("add", "insert", "set", "remove"):
        return getattr(msg.headers, kind)(*args)
    if kind == "push_via":
        text, as_via = args
        return msg.push_via(impl.Via.parse(text) if as_via else text)
    if kind == "pop_via":
        return _plain(msg.pop_via())
    if kind == "decrement_max_forwards":
        return msg.decrement_max_forwards()
    if kind == "push_record_route":
        form, text = args
        if form == "URI":
            return msg.push_record_route(impl.URI.parse(text))
        if form == "NameAddr":
            return msg.push_record_route(impl.NameAddr.parse(f"<{text}>"))
        return msg.push_record_route(text)  # "name-addr" (with <>) or "uri text" (without)
    if kind == "pop_route":
        return _plain(msg.pop_route())
    if kind == "uri":
        text, as_uri = args
        msg.uri = impl.URI.parse(text) if as_uri else text
        return None
    if kind == "body":
        msg.body = args[0]
        return None
    raise AssertionError(op)


def outcome(impl: Any, msg: Any, op: tuple[Any, ...]) -> tuple[str, Any]:
    try:
        return "returned", apply(impl, msg, op)
    except Exception as exc:  # noqa: BLE001 -- the point: which exception, on each twin
        return "raised", type(exc).__name__


def applicable(msg: Any, op: tuple[Any, ...]) -> bool:
    """Edits that keep a parsable message (Via stays) and fit the message kind."""
    if op[0] == "uri":
        return bool(msg.is_request)
    if op[0] == "pop_via":
        return len(msg.via) > 1
    return True


PROPERTY = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# --- 1. each twin: the edited message reads as its octets parse -------------------------


@PROPERTY
@given(seed=st.sampled_from(SEED_NAMES), ops=EDIT_SEQUENCES)
def test_parse_of_the_edited_octets_reads_as_the_edited_message(
    impl: Any, seed: str, ops: list[tuple[Any, ...]]
) -> None:
    msg = impl.parse(SEED_MESSAGES[seed])
    for op in ops:
        if not applicable(msg, op):
            continue
        refusable = op[0] == "decrement_max_forwards" and msg.max_forwards == 0
        before = bytes(msg)
        view(msg)  # cached values must follow the edit
        try:
            apply(impl, msg, op)
        except ValueError:
            if not refusable:
                raise
            assert bytes(msg) == before
        else:
            assert not refusable, "decrement_max_forwards at 0 must raise ValueError"
        out = bytes(msg)
        assert msg.to_bytes() == out
        assert view(msg) == view(impl.parse(out)), op


ADDING_EDITS = st.lists(
    st.one_of(
        st.tuples(st.just("push_via"), VIA_TEXTS, st.booleans()),
        st.tuples(st.just("add"), st.sampled_from(["X-Custom", "x-custom"]), TEXT),
        st.tuples(st.just("add"), st.just("Organization"), TEXT),
    ),
    min_size=1,
    max_size=5,
)


@PROPERTY
@given(seed=st.sampled_from(SEED_NAMES), ops=ADDING_EDITS)
def test_edits_that_only_add_lines_keep_every_other_octet(
    impl: Any, seed: str, ops: list[tuple[Any, ...]]
) -> None:
    """The original header lines are all still there, verbatim and in order, and the
    output is exactly as much longer as the lines added (``Name: value\\r\\n``)."""
    data = SEED_MESSAGES[seed]
    msg = impl.parse(data)
    original = bytes(msg)
    head = original[: len(original) - len(msg.body)]
    added = 0
    for op in ops:
        apply(impl, msg, op)
        name, value = ("Via", op[1]) if op[0] == "push_via" else (op[1], op[2])
        added += len(f"{name}: {value}\r\n".encode())
    out = bytes(msg)
    assert len(out) == len(original) + added
    assert out.endswith(msg.body)
    pos = 0
    for line in re.split(rb"(?<=\n)", head):  # every line with its own CRLF or LF
        found = out.find(line, pos)
        assert found >= 0, line
        pos = found + len(line)
    assert view(msg) == view(impl.parse(out))


# --- 2. the twins write the same octets -------------------------------------------------


@pytest.fixture
def twins() -> tuple[Any, Any]:
    require_c_twin()
    return twin("c"), twin("py")


DIFFERENTIAL = settings(PROPERTY, max_examples=300)


@DIFFERENTIAL
@given(seed=st.sampled_from(SEED_NAMES), ops=EDIT_SEQUENCES)
def test_twins_write_the_same_octets(
    twins: tuple[Any, Any], seed: str, ops: list[tuple[Any, ...]]
) -> None:
    c, py = twins
    data = SEED_MESSAGES[seed]
    msg_c, msg_py = c.parse(data), py.parse(data)
    for op in ops:
        if op[0] == "uri" and not msg_c.is_request:
            continue
        assert outcome(c, msg_c, op) == outcome(py, msg_py, op), op
        assert bytes(msg_c) == bytes(msg_py), op
    assert view(msg_c) == view(msg_py)


# --- 3. make_response, Request(...), Response(...) --------------------------------------

EXTRA_HEADERS = st.lists(st.tuples(st.sampled_from(FREE_TEXT_NAMES), TEXT), max_size=3)
RESPONSE_ARGS = st.fixed_dictionaries({
    "status": st.integers(100, 699),
    "reason": st.one_of(st.none(), REASON),
    "to_tag": st.one_of(st.none(), TOKEN),
    "headers": EXTRA_HEADERS,
    "body": BODIES,
})


def check_response(impl: Any, req: Any, resp: Any, args: dict[str, Any]) -> None:
    assert isinstance(resp, impl.Response)
    assert resp.status == args["status"]
    if args["reason"] is not None:
        assert resp.reason == args["reason"]
    assert [str(v) for v in resp.via] == [str(v) for v in req.via]
    assert str(resp.from_) == str(req.from_)
    assert str(resp.to.uri) == str(req.to.uri)
    expected_tag = req.to.tag if req.to.tag is not None else args["to_tag"]
    assert resp.to.tag == expected_tag
    assert resp.call_id == req.call_id
    assert str(resp.cseq) == str(req.cseq)
    copy_rr = 100 < args["status"] < 300 and req.method in ("INVITE", "SUBSCRIBE", "REFER")
    expected_rr = [str(r) for r in req.record_route] if copy_rr else []
    assert [str(r) for r in resp.record_route] == expected_rr
    for name, value in args["headers"]:
        assert value in resp.headers.getall(name)
    assert (resp.body, resp.content_length) == (args["body"], len(args["body"]))
    assert view(resp) == view(impl.parse(bytes(resp)))


@PROPERTY
@given(seed=st.sampled_from(REQUEST_SEED_NAMES), args=RESPONSE_ARGS)
def test_make_response_to_every_request(impl: Any, seed: str, args: dict[str, Any]) -> None:
    data = SEED_MESSAGES[seed]
    req = impl.parse(data)
    resp = impl.make_response(req, **args)
    check_response(impl, req, resp, args)
    assert bytes(req) == bytes(impl.parse(data))  # the request is not changed


@DIFFERENTIAL
@given(seed=st.sampled_from(REQUEST_SEED_NAMES), args=RESPONSE_ARGS)
def test_twins_make_the_same_response(
    twins: tuple[Any, Any], seed: str, args: dict[str, Any]
) -> None:
    c, py = twins
    data = SEED_MESSAGES[seed]
    assert bytes(c.make_response(c.parse(data), **args)) == bytes(
        py.make_response(py.parse(data), **args))


METHODS = ["INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "SUBSCRIBE", "NOTIFY",
           "REFER", "MESSAGE", "INFO", "PRACK", "UPDATE", "PUBLISH", "X-CUSTOM"]


@st.composite
def request_args(draw: st.DrawFn) -> dict[str, Any]:
    method = draw(st.sampled_from(METHODS))
    headers = [
        (draw(st.sampled_from(["Via", "v"])), draw(VIA_TEXTS)),
        (draw(st.sampled_from(["From", "f"])),
         f"<sip:alice@atlanta.example.com>;tag={draw(TOKEN)}"),
        (draw(st.sampled_from(["To", "t"])), "Bob <sip:bob@biloxi.example.com>"),
        (draw(st.sampled_from(["Call-ID", "i"])), draw(CALL_IDS)),
        ("CSeq", f"{draw(st.integers(0, 2**32 - 1))} {method}"),
    ]
    headers = draw(st.permutations(headers))
    if draw(st.booleans()):
        headers.append(("Max-Forwards", str(draw(st.integers(0, 255)))))
    headers += draw(EXTRA_HEADERS)
    headers += [("Route", value) for value in draw(st.lists(ROUTE_VALUES, max_size=2))]
    form = draw(st.sampled_from([list, dict]))
    if form is dict and len({name.lower() for name, _ in headers}) != len(headers):
        form = list
    return {"method": method, "uri": draw(REQUEST_URIS), "headers": form(headers),
            "body": draw(BODIES)}


@PROPERTY
@given(args=request_args())
def test_new_requests_read_back(impl: Any, args: dict[str, Any]) -> None:
    req = impl.Request(args["method"], args["uri"], headers=args["headers"], body=args["body"])
    out = bytes(req)
    pairs = list(args["headers"].items() if isinstance(args["headers"], dict) else args["headers"])
    assert out.startswith(f"{args['method']} {args['uri']} SIP/2.0\r\n".encode())
    head = b"".join(f"{name}: {value}\r\n".encode() for name, value in pairs)
    assert out == (f"{args['method']} {args['uri']} SIP/2.0\r\n".encode() + head
                   + f"Content-Length: {len(args['body'])}\r\n\r\n".encode() + args["body"])
    assert req.headers.items()[: len(pairs)] == pairs
    assert (req.method, str(req.uri), req.body) == (args["method"], args["uri"], args["body"])
    assert view(req) == view(impl.parse(out))


@DIFFERENTIAL
@given(args=request_args(), status=st.integers(100, 699), reason=st.one_of(st.none(), REASON))
def test_twins_build_the_same_messages(
    twins: tuple[Any, Any], args: dict[str, Any], status: int, reason: str | None
) -> None:
    c, py = twins
    req_c = c.Request(args["method"], args["uri"], headers=args["headers"], body=args["body"])
    req_py = py.Request(args["method"], args["uri"], headers=args["headers"], body=args["body"])
    assert bytes(req_c) == bytes(req_py)
    headers = [(n, v) for n, v in (args["headers"].items() if isinstance(args["headers"], dict)
                                   else args["headers"]) if n != "Max-Forwards"]
    resp_c = c.Response(status, reason, headers=headers, body=args["body"])
    resp_py = py.Response(status, reason, headers=headers, body=args["body"])
    assert bytes(resp_c) == bytes(resp_py)
    assert view(resp_c) == view(resp_py)
