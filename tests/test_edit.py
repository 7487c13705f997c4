"""Editing parsed messages (docs/api.md, "Building and editing"), on both twins.

Every edit is checked three ways: the exact octets `bytes(msg)` gives (untouched lines
copied verbatim, changed ones written anew as ``Name: value\\r\\n``), the accessors of
the edited message, and that `parse(bytes(msg))` shows the same values (`view`).
The accessors are read before each edit too, so a stale cached value shows up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from _views import view


def refused() -> Any:
    """``pytest.raises(ValueError)``: docs/api.md names the exception, not its text."""
    return pytest.raises(ValueError)  # noqa: PT011 -- the message is not part of the API


def sip(*lines: bytes, body: bytes = b"") -> bytes:
    """Lines ending in CRLF, the empty line, then the body."""
    return b"".join(line + b"\r\n" for line in lines) + b"\r\n" + body


OPTIONS_LINE = b"OPTIONS sip:bob@biloxi.example.com SIP/2.0"
INVITE_LINE = b"INVITE sip:bob@biloxi.example.com SIP/2.0"
VIA = b"Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds"
MAX_FORWARDS = b"Max-Forwards: 70"
TO = b"To: <sip:bob@biloxi.example.com>"
FROM = b"From: <sip:alice@atlanta.example.com>;tag=1928301774"
CALL_ID = b"Call-ID: a84b4c76e66710@pc33.atlanta.example.com"
CSEQ_OPTIONS = b"CSeq: 63104 OPTIONS"
CSEQ_INVITE = b"CSeq: 1 INVITE"
NO_BODY = b"Content-Length: 0"
CORE = (VIA, MAX_FORWARDS, TO, FROM, CALL_ID, CSEQ_OPTIONS)

# Subject twice, once in compact form, around an unknown header.
SUBJECTS = sip(
    OPTIONS_LINE, *CORE,
    b"Supported: path",
    b"Subject: first",
    b"X-Custom: 1",
    b"s: second",
    NO_BODY,
)

# What a proxy sees: a comma-separated Via line, a compact one, Route and Record-Route.
VIA_TWO_VALUES = (b"Via: SIP/2.0/UDP p1.example.com;branch=z9hG4bK1, "
                  b"SIP/2.0/UDP p0.example.com;branch=z9hG4bK0")
PROXIED = sip(
    INVITE_LINE,
    VIA_TWO_VALUES,
    b"v: SIP/2.0/TCP pc33.atlanta.example.com;branch=z9hG4bKpc33;received=192.0.2.1",
    b"Max-Forwards: 69",
    b"Route: <sip:p2.example.com;lr>, <sip:p3.example.com;lr>",
    b"Route: <sip:p4.example.com;lr>",
    b"Record-Route: <sip:p1.example.com;lr>",
    TO, FROM, CALL_ID, CSEQ_INVITE, NO_BODY,
)
PROXIED_VIAS = [
    "SIP/2.0/UDP p1.example.com;branch=z9hG4bK1",
    "SIP/2.0/UDP p0.example.com;branch=z9hG4bK0",
    "SIP/2.0/TCP pc33.atlanta.example.com;branch=z9hG4bKpc33;received=192.0.2.1",
]

NEW_VIA = "SIP/2.0/UDP p2.example.com:5060;branch=z9hG4bKp2new;rport"


def edit(impl: Any, data: bytes, change: Callable[[Any], Any]) -> tuple[Any, Any]:
    """Parse, read every accessor, apply `change`, check the result is consistent.

    Returns (message, what `change` returned).
    """
    msg = impl.parse(data)
    view(msg)  # fill the caches: an edit must not leave a stale value behind
    result = change(msg)
    assert_consistent(impl, msg)
    return msg, result


def assert_consistent(impl: Any, msg: Any) -> None:
    out = bytes(msg)
    assert type(out) is bytes
    assert msg.to_bytes() == out
    assert bytes(msg) == out, "serialising twice gives different octets"
    assert view(msg) == view(impl.parse(out))


def values(msg: Any) -> list[str]:
    return list(msg.headers.values())


# --- headers.add ------------------------------------------------------------------------


def test_add_goes_after_the_last_field_of_that_name(impl: Any) -> None:
    msg, result = edit(impl, SUBJECTS, lambda m: m.headers.add("Subject", "third"))
    assert result is None
    assert bytes(msg) == sip(
        OPTIONS_LINE, *CORE,
        b"Supported: path",
        b"Subject: first",
        b"X-Custom: 1",
        b"s: second",
        b"Subject: third",
        NO_BODY,
    )
    assert msg.headers.getall("Subject") == ["first", "second", "third"]
    assert msg.headers.getall("s") == ["first", "second", "third"]
    assert len(msg.headers) == len(impl.parse(SUBJECTS).headers) + 1


@pytest.mark.parametrize("name", ["s", "SUBJECT", "subject"])
def test_add_finds_the_compact_form_and_ignores_case(impl: Any, name: str) -> None:
    msg, _ = edit(impl, SUBJECTS, lambda m: m.headers.add(name, "third"))
    assert values(msg)[-3:] == ["second", "third", "0"]
    assert msg.headers.getall("Subject") == ["first", "second", "third"]


def test_add_without_a_field_of_that_name_goes_at_the_end(impl: Any) -> None:
    msg, _ = edit(impl, SUBJECTS, lambda m: m.headers.add("Organization", "Example Ltd."))
    # The end of the header section: after Content-Length, before the empty line.
    assert bytes(msg) == SUBJECTS[:-2] + b"Organization: Example Ltd.\r\n\r\n"
    assert msg.headers.get("organization") == "Example Ltd."


def test_add_an_unknown_header_ignores_case(impl: Any) -> None:
    msg, _ = edit(impl, SUBJECTS, lambda m: m.headers.add("x-CUSTOM", "2"))
    assert msg.headers.getall("X-Custom") == ["1", "2"]
    assert values(msg)[-4:] == ["1", "2", "second", "0"]


def test_add_a_utf8_value(impl: Any) -> None:
    msg, _ = edit(impl, SUBJECTS, lambda m: m.headers.add("Organization", "Café Zürich"))
    assert bytes(msg).endswith(b"Organization: Caf\xc3\xa9 Z\xc3\xbcrich\r\n\r\n")
    assert msg.headers.get("Organization") == "Café Zürich"


def test_add_via_goes_after_the_last_via(impl: Any) -> None:
    msg, _ = edit(impl, PROXIED, lambda m: m.headers.add("Via", NEW_VIA))
    assert [str(v) for v in msg.via] == [*PROXIED_VIAS, NEW_VIA]
    assert msg.top_via.branch == "z9hG4bK1"


# --- headers.insert ---------------------------------------------------------------------


def test_insert_goes_before_the_first_field_of_that_name(impl: Any) -> None:
    msg, result = edit(impl, SUBJECTS, lambda m: m.headers.insert("Subject", "zero"))
    assert result is None
    assert bytes(msg) == sip(
        OPTIONS_LINE, *CORE,
        b"Supported: path",
        b"Subject: zero",
        b"Subject: first",
        b"X-Custom: 1",
        b"s: second",
        NO_BODY,
    )
    assert msg.headers.getall("Subject") == ["zero", "first", "second"]
    assert msg.headers.get("s") == "zero"


@pytest.mark.parametrize("name", ["s", "SUBJECT"])
def test_insert_finds_the_compact_form_and_ignores_case(impl: Any, name: str) -> None:
    msg, _ = edit(impl, SUBJECTS, lambda m: m.headers.insert(name, "zero"))
    assert values(msg)[len(CORE):] == ["path", "zero", "first", "1", "second", "0"]


def test_insert_without_a_field_of_that_name_goes_first(impl: Any) -> None:
    msg, _ = edit(impl, SUBJECTS, lambda m: m.headers.insert("Organization", "Example"))
    line_end = SUBJECTS.index(b"\r\n") + 2
    assert bytes(msg) == SUBJECTS[:line_end] + b"Organization: Example\r\n" + SUBJECTS[line_end:]
    assert msg.headers.items()[0] == ("Organization", "Example")


def test_insert_via_is_the_new_top_via(impl: Any) -> None:
    msg, _ = edit(impl, PROXIED, lambda m: m.headers.insert("Via", NEW_VIA))
    assert [str(v) for v in msg.via] == [NEW_VIA, *PROXIED_VIAS]
    assert msg.top_via.branch == "z9hG4bKp2new"


# --- headers.set ------------------------------------------------------------------------


def test_set_replaces_the_first_field_and_removes_the_others(impl: Any) -> None:
    msg, result = edit(impl, SUBJECTS, lambda m: m.headers.set("Subject", "only"))
    assert result is None
    assert bytes(msg) == sip(
        OPTIONS_LINE, *CORE,
        b"Supported: path",
        b"Subject: only",
        b"X-Custom: 1",
        NO_BODY,
    )
    assert msg.headers.getall("s") == ["only"]


@pytest.mark.parametrize("name", ["s", "SUBJECT"])
def test_set_finds_the_compact_form_and_ignores_case(impl: Any, name: str) -> None:
    msg, _ = edit(impl, SUBJECTS, lambda m: m.headers.set(name, "only"))
    assert values(msg)[len(CORE):] == ["path", "only", "1", "0"]
    assert msg.headers.getall("Subject") == ["only"]


def test_set_without_a_field_of_that_name_goes_at_the_end(impl: Any) -> None:
    msg, _ = edit(impl, SUBJECTS, lambda m: m.headers.set("Organization", "Example"))
    assert bytes(msg) == SUBJECTS[:-2] + b"Organization: Example\r\n\r\n"


def test_set_an_unknown_header_ignores_case(impl: Any) -> None:
    msg, _ = edit(impl, SUBJECTS, lambda m: m.headers.set("x-custom", "2"))
    assert msg.headers.getall("X-Custom") == ["2"]
    assert values(msg)[len(CORE):] == ["path", "first", "2", "second", "0"]


def test_set_the_same_field_twice_keeps_the_last_value(impl: Any) -> None:
    def change(m: Any) -> None:
        m.headers.set("Subject", "one")
        m.headers.set("Subject", "two")

    msg, _ = edit(impl, SUBJECTS, change)
    assert msg.headers.getall("Subject") == ["two"]
    assert values(msg)[len(CORE):] == ["path", "two", "1", "0"]


# --- headers.remove ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Subject", "s", "S", "sUbJeCt"])
def test_remove_takes_every_field_of_that_name(impl: Any, name: str) -> None:
    msg, removed = edit(impl, SUBJECTS, lambda m: m.headers.remove(name))
    assert removed == 2
    assert bytes(msg) == sip(
        OPTIONS_LINE, *CORE, b"Supported: path", b"X-Custom: 1", NO_BODY,
    )
    assert msg.headers.get("Subject") is None
    assert "Subject" not in msg.headers
    assert msg.headers.getall("s") == []


def test_remove_an_unknown_header_ignores_case(impl: Any) -> None:
    msg, removed = edit(impl, SUBJECTS, lambda m: m.headers.remove("X-CUSTOM"))
    assert removed == 1
    assert b"X-Custom" not in bytes(msg)


def test_remove_counts_fields_not_values(impl: Any) -> None:
    msg, removed = edit(impl, PROXIED, lambda m: m.headers.remove("Route"))
    assert removed == 2  # three Route values on two lines
    assert msg.route == []
    assert msg.headers.getall("Route") == []


def test_remove_of_an_absent_header_changes_nothing(impl: Any) -> None:
    msg, removed = edit(impl, SUBJECTS, lambda m: m.headers.remove("Organization"))
    assert removed == 0
    assert bytes(msg) == SUBJECTS


def test_add_after_remove(impl: Any) -> None:
    def change(m: Any) -> None:
        m.headers.remove("Subject")
        m.headers.add("Subject", "again")

    msg, _ = edit(impl, SUBJECTS, change)
    assert msg.headers.getall("Subject") == ["again"]
    assert values(msg)[-2:] == ["0", "again"]


# --- header edits reach the typed accessors ---------------------------------------------

TYPED = {
    "set Max-Forwards": (lambda m: m.headers.set("Max-Forwards", "10"),
                         lambda m: m.max_forwards == 10),
    "remove Max-Forwards": (lambda m: m.headers.remove("Max-Forwards"),
                            lambda m: m.max_forwards is None),
    "set Call-ID": (lambda m: m.headers.set("Call-ID", "f81d4fae@example.com"),
                    lambda m: m.call_id == "f81d4fae@example.com"),
    "set i": (lambda m: m.headers.set("i", "f81d4fae@example.com"),
              lambda m: m.call_id == "f81d4fae@example.com"),
    "set To": (lambda m: m.headers.set("To", "Carol <sip:carol@chicago.example.com>;tag=5"),
               lambda m: (m.to.tag, m.to.display_name) == ("5", "Carol")),
    "add Route": (lambda m: m.headers.add("Route", "<sip:p1.example.com;lr>"),
                  lambda m: [str(r) for r in m.route] == ["<sip:p1.example.com;lr>"]),
    "add Record-Route": (
        lambda m: m.headers.add("Record-Route", "<sip:p1.example.com;lr>, <sip:p2.example.com;lr>"),
        lambda m: [r.uri.host for r in m.record_route] == ["p1.example.com", "p2.example.com"]),
    "add Supported": (lambda m: m.headers.add("k", "timer"),
                      lambda m: m.supported == ["path", "timer"]),
    "add Contact": (lambda m: m.headers.add("m", "<sip:bob@192.0.2.4>;expires=60"),
                    lambda m: [c.params for c in m.contact] == [{"expires": "60"}]),
    "set Expires": (lambda m: m.headers.set("Expires", "60"), lambda m: m.expires == 60),
    "set Content-Type": (lambda m: m.headers.set("c", "text/plain;charset=utf-8"),
                         lambda m: (m.content_type, m.content_type_params)
                         == ("text/plain", {"charset": "utf-8"})),
    "set Via": (lambda m: m.headers.set("v", NEW_VIA),
                lambda m: [v.branch for v in m.via] == ["z9hG4bKp2new"]),
}


@pytest.mark.parametrize("case", sorted(TYPED))
def test_header_edits_reach_the_typed_accessors(impl: Any, case: str) -> None:
    change, check = TYPED[case]
    msg, _ = edit(impl, SUBJECTS, change)
    assert check(msg), case
    assert check(impl.parse(bytes(msg))), case


# --- Via --------------------------------------------------------------------------------


def test_push_via_writes_a_new_top_line(impl: Any) -> None:
    msg, result = edit(impl, PROXIED, lambda m: m.push_via(NEW_VIA))
    assert result is None
    first = PROXIED.index(b"\r\n") + 2
    assert bytes(msg) == PROXIED[:first] + b"Via: " + NEW_VIA.encode() + b"\r\n" + PROXIED[first:]
    assert [str(v) for v in msg.via] == [NEW_VIA, *PROXIED_VIAS]
    top = msg.top_via
    assert (top.branch, top.host, top.port, top.rport) == ("z9hG4bKp2new", "p2.example.com",
                                                           5060, None)
    assert "rport" in top.params


def test_push_via_takes_a_via(impl: Any) -> None:
    via = impl.Via.parse("SIP/2.0/TLS [2001:db8::9]:5061;branch=z9hG4bKv6;alias")
    msg, _ = edit(impl, PROXIED, lambda m: m.push_via(via))
    assert b"\r\nVia: SIP/2.0/TLS [2001:db8::9]:5061;branch=z9hG4bKv6;alias\r\n" in bytes(msg)
    assert msg.top_via.sent_by == "[2001:db8::9]:5061"
    assert len(msg.via) == 4


def test_push_via_above_a_compact_first_line(impl: Any) -> None:
    data = sip(OPTIONS_LINE, b"v: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKa",
               *CORE[1:], NO_BODY)
    msg, _ = edit(impl, data, lambda m: m.push_via(NEW_VIA))
    first = data.index(b"\r\n") + 2
    assert bytes(msg) == data[:first] + b"Via: " + NEW_VIA.encode() + b"\r\n" + data[first:]


def test_push_via_twice(impl: Any) -> None:
    def change(m: Any) -> None:
        m.push_via("SIP/2.0/UDP a.example.com;branch=z9hG4bKa")
        m.push_via("SIP/2.0/UDP b.example.com;branch=z9hG4bKb")

    msg, _ = edit(impl, PROXIED, change)
    assert [v.branch for v in msg.via] == ["z9hG4bKb", "z9hG4bKa", "z9hG4bK1", "z9hG4bK0",
                                           "z9hG4bKpc33"]


def test_pop_via_takes_the_first_value_of_a_comma_list(impl: Any) -> None:
    msg, popped = edit(impl, PROXIED, lambda m: m.pop_via())
    assert isinstance(popped, impl.Via)
    assert str(popped) == PROXIED_VIAS[0]
    assert popped.branch == "z9hG4bK1"
    assert bytes(msg) == PROXIED.replace(
        VIA_TWO_VALUES + b"\r\n",
        b"Via: SIP/2.0/UDP p0.example.com;branch=z9hG4bK0\r\n",
    )
    assert [str(v) for v in msg.via] == PROXIED_VIAS[1:]
    assert msg.top_via.branch == "z9hG4bK0"
    assert msg.headers.getall("Via") == [PROXIED_VIAS[1], PROXIED_VIAS[2]]


def test_pop_via_until_none_is_left(impl: Any) -> None:
    msg = impl.parse(PROXIED)
    view(msg)
    assert msg.pop_via().branch == "z9hG4bK1"
    assert msg.pop_via().branch == "z9hG4bK0"
    # The whole first line is gone now, the compact one untouched.
    assert bytes(msg) == PROXIED.replace(
        VIA_TWO_VALUES + b"\r\n",
        b"",
    )
    assert [v.branch for v in msg.via] == ["z9hG4bKpc33"]
    assert_consistent(impl, msg)
    last = msg.pop_via()
    assert str(last) == PROXIED_VIAS[2]
    assert last.received == "192.0.2.1"
    assert msg.via == []
    assert msg.top_via is None
    assert b"Via" not in bytes(msg)
    assert b"\r\nv:" not in bytes(msg)
    before = bytes(msg)
    with refused():
        msg.pop_via()
    assert bytes(msg) == before
    assert msg.via == []


def test_pop_via_of_a_compact_comma_list(impl: Any) -> None:
    data = sip(OPTIONS_LINE,
               b"v: SIP/2.0/UDP a.example.com;branch=z9hG4bKa ,  "
               b"SIP/2.0/UDP b.example.com;branch=z9hG4bKb",
               *CORE[1:], NO_BODY)
    msg, popped = edit(impl, data, lambda m: m.pop_via())
    assert popped.branch == "z9hG4bKa"
    assert [str(v) for v in msg.via] == ["SIP/2.0/UDP b.example.com;branch=z9hG4bKb"]
    assert msg.headers.getall("Via") == ["SIP/2.0/UDP b.example.com;branch=z9hG4bKb"]
    assert bytes(msg).count(b"\r\n") == data.count(b"\r\n")  # still one line


def test_pop_via_of_a_folded_comma_list(impl: Any) -> None:
    data = sip(OPTIONS_LINE,
               b"Via: SIP/2.0/UDP a.example.com;branch=z9hG4bKa,\r\n"
               b"     SIP/2.0/UDP b.example.com;branch=z9hG4bKb",
               *CORE[1:], NO_BODY)
    msg, popped = edit(impl, data, lambda m: m.pop_via())
    assert popped.branch == "z9hG4bKa"
    assert [v.branch for v in msg.via] == ["z9hG4bKb"]


def test_push_then_pop_via(impl: Any) -> None:
    def change(m: Any) -> Any:
        m.push_via(NEW_VIA)
        return m.pop_via()

    msg, popped = edit(impl, PROXIED, change)
    assert str(popped) == NEW_VIA
    assert [str(v) for v in msg.via] == PROXIED_VIAS


# --- Max-Forwards -----------------------------------------------------------------------


def test_decrement_max_forwards(impl: Any) -> None:
    msg, value = edit(impl, PROXIED, lambda m: m.decrement_max_forwards())
    assert value == 68
    assert msg.max_forwards == 68
    assert bytes(msg) == PROXIED.replace(b"Max-Forwards: 69\r\n", b"Max-Forwards: 68\r\n")


def test_decrement_max_forwards_twice(impl: Any) -> None:
    msg, value = edit(impl, PROXIED, lambda m: (m.decrement_max_forwards(),
                                                m.decrement_max_forwards()))
    assert value == (68, 67)
    assert bytes(msg) == PROXIED.replace(b"Max-Forwards: 69\r\n", b"Max-Forwards: 67\r\n")


def test_decrement_max_forwards_rewrites_the_line(impl: Any) -> None:
    data = sip(OPTIONS_LINE, VIA, b"Max-Forwards:    10   ", *CORE[2:], NO_BODY)
    msg, value = edit(impl, data, lambda m: m.decrement_max_forwards())
    assert value == 9
    assert bytes(msg) == sip(OPTIONS_LINE, VIA, b"Max-Forwards: 9", *CORE[2:], NO_BODY)


def test_decrement_max_forwards_adds_70_when_absent(impl: Any) -> None:
    # RFC 3261 §16.6 step 3: the proxy adds Max-Forwards: 70 (no decrement).
    data = sip(OPTIONS_LINE, VIA, *CORE[2:], NO_BODY)
    msg, value = edit(impl, data, lambda m: m.decrement_max_forwards())
    assert value == 70
    assert msg.max_forwards == 70
    assert msg.headers.getall("Max-Forwards") == ["70"]
    assert bytes(msg).count(b"Max-Forwards: 70\r\n") == 1
    assert len(msg.headers) == len(impl.parse(data).headers) + 1
    msg.decrement_max_forwards()
    assert msg.max_forwards == 69
    assert msg.headers.getall("Max-Forwards") == ["69"]
    assert_consistent(impl, msg)


def test_decrement_max_forwards_to_zero_then_refuse(impl: Any) -> None:
    data = sip(OPTIONS_LINE, VIA, b"Max-Forwards: 1", *CORE[2:], NO_BODY)
    msg, value = edit(impl, data, lambda m: m.decrement_max_forwards())
    assert value == 0
    assert msg.max_forwards == 0
    before = bytes(msg)
    with refused():  # the proxy answers 483 instead
        msg.decrement_max_forwards()
    assert bytes(msg) == before
    assert msg.max_forwards == 0


def test_decrement_max_forwards_at_zero_leaves_the_message_alone(impl: Any) -> None:
    data = sip(OPTIONS_LINE, VIA, b"Max-Forwards: 0", *CORE[2:], NO_BODY)
    msg = impl.parse(data)
    with refused():
        msg.decrement_max_forwards()
    assert bytes(msg) == data
    assert msg.max_forwards == 0


# --- Record-Route and Route -------------------------------------------------------------

RECORD_ROUTE_FORMS = {
    "str with <>": lambda impl: "<sip:p2.example.com;lr>",
    "str without <>": lambda impl: "sip:p2.example.com;lr",
    "URI": lambda impl: impl.URI.parse("sip:p2.example.com;lr"),
    "NameAddr": lambda impl: impl.NameAddr.parse("<sip:p2.example.com;lr>"),
}


@pytest.mark.parametrize("form", sorted(RECORD_ROUTE_FORMS))
def test_push_record_route_writes_a_new_top_line(impl: Any, form: str) -> None:
    value = RECORD_ROUTE_FORMS[form](impl)
    msg, result = edit(impl, PROXIED, lambda m: m.push_record_route(value))
    assert result is None
    assert bytes(msg) == PROXIED.replace(
        b"Record-Route: <sip:p1.example.com;lr>\r\n",
        b"Record-Route: <sip:p2.example.com;lr>\r\nRecord-Route: <sip:p1.example.com;lr>\r\n",
    )
    top = msg.record_route[0]
    assert str(top) == "<sip:p2.example.com;lr>"
    # A URI written without <> would have given its ;lr to the header, not the URI.
    assert top.uri.params == {"lr": None}
    assert top.params == {}
    assert [r.uri.host for r in msg.record_route] == ["p2.example.com", "p1.example.com"]


def test_push_record_route_keeps_a_name_addr_as_written(impl: Any) -> None:
    text = '"Edge Proxy" <sip:p2.example.com;lr>;x-id=7'
    msg, _ = edit(impl, PROXIED, lambda m: m.push_record_route(impl.NameAddr.parse(text)))
    assert (b"Record-Route: " + text.encode() + b"\r\nRecord-Route: <sip:p1.example.com;lr>\r\n"
            in bytes(msg))
    top = msg.record_route[0]
    assert (top.display_name, top.params) == ("Edge Proxy", {"x-id": "7"})


def test_push_record_route_string_with_a_display_name(impl: Any) -> None:
    text = '"Edge Proxy" <sip:p2.example.com;lr>'
    msg, _ = edit(impl, PROXIED, lambda m: m.push_record_route(text))
    assert b"Record-Route: " + text.encode() + b"\r\n" in bytes(msg)
    assert msg.record_route[0].display_name == "Edge Proxy"


@pytest.mark.parametrize("form", sorted(RECORD_ROUTE_FORMS))
def test_push_record_route_without_any(impl: Any, form: str) -> None:
    value = RECORD_ROUTE_FORMS[form](impl)
    msg, _ = edit(impl, SUBJECTS, lambda m: m.push_record_route(value))
    assert [str(r) for r in msg.record_route] == ["<sip:p2.example.com;lr>"]
    assert msg.headers.getall("Record-Route") == ["<sip:p2.example.com;lr>"]
    assert bytes(msg).count(b"Record-Route: <sip:p2.example.com;lr>\r\n") == 1


def test_push_record_route_twice(impl: Any) -> None:
    def change(m: Any) -> None:
        m.push_record_route("sip:a.example.com;lr")
        m.push_record_route("sip:b.example.com;lr")

    msg, _ = edit(impl, PROXIED, change)
    assert [r.uri.host for r in msg.record_route] == ["b.example.com", "a.example.com",
                                                      "p1.example.com"]


def test_pop_route_takes_the_first_value_of_a_comma_list(impl: Any) -> None:
    msg, popped = edit(impl, PROXIED, lambda m: m.pop_route())
    assert isinstance(popped, impl.NameAddr)
    assert str(popped) == "<sip:p2.example.com;lr>"
    assert popped.uri.host == "p2.example.com"
    assert popped.uri.params == {"lr": None}
    assert bytes(msg) == PROXIED.replace(
        b"Route: <sip:p2.example.com;lr>, <sip:p3.example.com;lr>\r\n",
        b"Route: <sip:p3.example.com;lr>\r\n",
    )
    assert [str(r) for r in msg.route] == ["<sip:p3.example.com;lr>", "<sip:p4.example.com;lr>"]
    # Record-Route is another header: untouched.
    assert [str(r) for r in msg.record_route] == ["<sip:p1.example.com;lr>"]


def test_pop_route_until_none_is_left(impl: Any) -> None:
    msg = impl.parse(PROXIED)
    view(msg)
    assert [msg.pop_route().uri.host for _ in range(2)] == ["p2.example.com", "p3.example.com"]
    assert bytes(msg) == PROXIED.replace(
        b"Route: <sip:p2.example.com;lr>, <sip:p3.example.com;lr>\r\n", b"")
    assert_consistent(impl, msg)
    assert str(msg.pop_route()) == "<sip:p4.example.com;lr>"
    assert msg.route == []
    assert msg.headers.getall("Route") == []
    before = bytes(msg)
    assert msg.pop_route() is None
    assert bytes(msg) == before
    assert_consistent(impl, msg)


def test_pop_route_without_route(impl: Any) -> None:
    msg = impl.parse(SUBJECTS)
    assert msg.pop_route() is None
    assert bytes(msg) == SUBJECTS
    assert msg.route == []


def test_pop_route_with_display_name_and_params(impl: Any) -> None:
    data = sip(OPTIONS_LINE, *CORE,
               b'Route: "first hop" <sip:p1.example.com;lr>;x=1, <sip:p2.example.com;lr>',
               NO_BODY)
    msg, popped = edit(impl, data, lambda m: m.pop_route())
    assert (popped.display_name, popped.params, popped.uri.host) == (
        "first hop", {"x": "1"}, "p1.example.com")
    assert [str(r) for r in msg.route] == ["<sip:p2.example.com;lr>"]


# --- Request-URI and body ---------------------------------------------------------------

URI_FORMS = {
    "str": lambda impl, text: text,
    "URI": lambda impl, text: impl.URI.parse(text),
}


@pytest.mark.parametrize("form", sorted(URI_FORMS))
def test_set_request_uri_rewrites_the_start_line(impl: Any, form: str) -> None:
    text = "sip:bob@192.0.2.4:5062;transport=tcp"

    def change(m: Any) -> None:
        m.uri = URI_FORMS[form](impl, text)

    msg, _ = edit(impl, PROXIED, change)
    assert bytes(msg) == PROXIED.replace(INVITE_LINE, f"INVITE {text} SIP/2.0".encode())
    assert isinstance(msg.uri, impl.URI)
    assert str(msg.uri) == text
    assert (msg.uri.host, msg.uri.port, msg.uri.params) == ("192.0.2.4", 5062,
                                                            {"transport": "tcp"})
    assert msg.method == "INVITE"


def test_set_request_uri_twice(impl: Any) -> None:
    def change(m: Any) -> None:
        m.uri = "sip:carol@chicago.example.com"
        m.uri = "sips:[2001:db8::1]:5061"

    msg, _ = edit(impl, SUBJECTS, change)
    assert bytes(msg).startswith(b"OPTIONS sips:[2001:db8::1]:5061 SIP/2.0\r\nVia: ")
    assert msg.uri.host == "[2001:db8::1]"


def test_set_body_updates_content_length(impl: Any) -> None:
    msg, _ = edit(impl, SUBJECTS, lambda m: setattr(m, "body", b"hello"))
    assert bytes(msg) == SUBJECTS.replace(b"Content-Length: 0\r\n\r\n",
                                          b"Content-Length: 5\r\n\r\nhello")
    assert msg.body == b"hello"
    assert msg.content_length == 5
    assert msg.headers.getall("Content-Length") == ["5"]


def test_set_body_empties_it(impl: Any) -> None:
    body = b"v=0\r\no=- 0 0 IN IP4 192.0.2.1\r\n"
    data = sip(INVITE_LINE, VIA, MAX_FORWARDS, TO, FROM, CALL_ID, CSEQ_INVITE,
               b"Content-Type: application/sdp", f"Content-Length: {len(body)}".encode(),
               body=body)
    msg, _ = edit(impl, data, lambda m: setattr(m, "body", b""))
    assert bytes(msg) == sip(INVITE_LINE, VIA, MAX_FORWARDS, TO, FROM, CALL_ID, CSEQ_INVITE,
                             b"Content-Type: application/sdp", NO_BODY)
    assert (msg.body, msg.content_length) == (b"", 0)


def test_set_body_with_a_compact_content_length(impl: Any) -> None:
    data = sip(OPTIONS_LINE, *CORE, b"l: 0")
    msg, _ = edit(impl, data, lambda m: setattr(m, "body", b"0123456789"))
    assert msg.content_length == 10
    assert msg.headers.getall("Content-Length") == ["10"]
    assert bytes(msg).endswith(b": 10\r\n\r\n0123456789")


def test_set_body_adds_content_length_when_absent(impl: Any) -> None:
    data = sip(OPTIONS_LINE, *CORE)  # no Content-Length: the body is the rest (UDP)
    msg = impl.parse(data)
    assert msg.content_length is None
    view(msg)
    msg.body = b"\x00\xff binary \r\n\r\n"
    assert msg.content_length == 14
    assert msg.headers.getall("Content-Length") == ["14"]
    assert bytes(msg).endswith(b"Content-Length: 14\r\n\r\n\x00\xff binary \r\n\r\n")
    assert_consistent(impl, msg)


def test_set_body_twice(impl: Any) -> None:
    def change(m: Any) -> None:
        m.body = b"a much longer body than the next one"
        m.body = b"ab"

    msg, _ = edit(impl, SUBJECTS, change)
    assert bytes(msg).endswith(b"Content-Length: 2\r\n\r\nab")


# --- untouched lines stay as received ---------------------------------------------------

FORMATTED = (
    b"INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
    b"Max-Forwards:   70\n"
    b"Subject: I know you're there,\r\n pick up the phone\r\n\t and talk to me!\r\n"
    b"t: <sip:bob@biloxi.example.com>\r\n"
    b"From  :  Alice <sip:alice@atlanta.example.com>;tag=1928301774\n"
    b"i: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    b"CSeq: 1 INVITE\r\n"
    b"l: 0\r\n"
    b"\r\n"
)


def test_untouched_lines_are_copied_verbatim(impl: Any) -> None:
    def change(m: Any) -> None:
        m.push_via("SIP/2.0/UDP p1.example.com;branch=z9hG4bKp1")
        m.decrement_max_forwards()
        m.headers.add("X-Custom", "1")
        m.uri = "sip:bob@192.0.2.4"

    msg, _ = edit(impl, FORMATTED, change)
    assert bytes(msg) == (
        b"INVITE sip:bob@192.0.2.4 SIP/2.0\r\n"
        b"Via: SIP/2.0/UDP p1.example.com;branch=z9hG4bKp1\r\n"
        b"Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
        b"Max-Forwards: 69\r\n"  # changed: written anew, with CRLF
        b"Subject: I know you're there,\r\n pick up the phone\r\n\t and talk to me!\r\n"
        b"t: <sip:bob@biloxi.example.com>\r\n"
        b"From  :  Alice <sip:alice@atlanta.example.com>;tag=1928301774\n"
        b"i: a84b4c76e66710@pc33.atlanta.example.com\r\n"
        b"CSeq: 1 INVITE\r\n"
        b"l: 0\r\n"
        b"X-Custom: 1\r\n"
        b"\r\n"
    )
    assert msg.headers.get("Subject") == (
        "I know you're there, pick up the phone and talk to me!")
    assert msg.from_.tag == "1928301774"


def test_bare_lf_message_keeps_its_line_ends(impl: Any) -> None:
    data = (
        b"OPTIONS sip:bob@biloxi.example.com SIP/2.0\n"
        b"Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\n"
        b"Max-Forwards: 70\n"
        b"To: <sip:bob@biloxi.example.com>\n"
        b"From: <sip:alice@atlanta.example.com>;tag=1928301774\n"
        b"Call-ID: a84b4c76e66710@pc33.atlanta.example.com\n"
        b"CSeq: 63104 OPTIONS\n"
        b"Content-Length: 0\n"
        b"\n"
    )
    msg, _ = edit(impl, data, lambda m: m.headers.add("X-Custom", "1"))
    assert bytes(msg) == data[:-1] + b"X-Custom: 1\r\n\n"


def test_edits_leave_the_body_alone(impl: Any) -> None:
    body = b"v=0\r\no=- 0 0 IN IP4 192.0.2.1\r\ns=-\r\n"
    data = sip(INVITE_LINE, VIA, MAX_FORWARDS, TO, FROM, CALL_ID, CSEQ_INVITE,
               b"Content-Type: application/sdp", f"Content-Length: {len(body)}".encode(),
               body=body)

    def change(m: Any) -> None:
        m.push_via(NEW_VIA)
        m.decrement_max_forwards()
        m.push_record_route("sip:p2.example.com;lr")

    msg, _ = edit(impl, data, change)
    assert bytes(msg).endswith(f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
    assert msg.body == body
    assert msg.content_length == len(body)


def test_proxy_forward(impl: Any) -> None:
    """RFC 3261 §16.6 in the order a proxy does it, with exact output."""

    def forward(m: Any) -> Any:
        m.uri = "sip:bob@192.0.2.4"
        m.decrement_max_forwards()
        m.push_record_route("sip:p2.example.com;lr")
        popped = m.pop_route()
        m.push_via("SIP/2.0/UDP p2.example.com;branch=z9hG4bKp2")
        return popped

    msg, popped = edit(impl, PROXIED, forward)
    assert str(popped) == "<sip:p2.example.com;lr>"
    assert bytes(msg) == sip(
        b"INVITE sip:bob@192.0.2.4 SIP/2.0",
        b"Via: SIP/2.0/UDP p2.example.com;branch=z9hG4bKp2",
        VIA_TWO_VALUES,
        b"v: SIP/2.0/TCP pc33.atlanta.example.com;branch=z9hG4bKpc33;received=192.0.2.1",
        b"Max-Forwards: 68",
        b"Route: <sip:p3.example.com;lr>",
        b"Route: <sip:p4.example.com;lr>",
        b"Record-Route: <sip:p2.example.com;lr>",
        b"Record-Route: <sip:p1.example.com;lr>",
        TO, FROM, CALL_ID, CSEQ_INVITE, NO_BODY,
    )


def test_edits_on_a_response(impl: Any) -> None:
    data = sip(
        b"SIP/2.0 180 Ringing",
        b"Via: SIP/2.0/UDP p1.example.com;branch=z9hG4bK1",
        b"Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds",
        b"To: <sip:bob@biloxi.example.com>;tag=a6c85cf",
        FROM, CALL_ID, CSEQ_INVITE, NO_BODY,
    )
    # A proxy removes its own Via from a response before forwarding it (§16.7 step 3).
    msg, popped = edit(impl, data, lambda m: m.pop_via())
    assert popped.branch == "z9hG4bK1"
    assert bytes(msg) == data.replace(b"Via: SIP/2.0/UDP p1.example.com;branch=z9hG4bK1\r\n", b"")
    assert (msg.status, msg.reason) == (180, "Ringing")


def test_edit_after_leading_crlf(impl: Any) -> None:
    msg, _ = edit(impl, b"\r\n\r\n" + SUBJECTS, lambda m: m.headers.add("Organization", "E"))
    assert bytes(msg) == SUBJECTS[:-2] + b"Organization: E\r\n\r\n"


def test_edit_ignores_octets_after_the_body(impl: Any) -> None:
    msg, _ = edit(impl, SUBJECTS + b"trailing junk", lambda m: m.decrement_max_forwards())
    assert bytes(msg) == SUBJECTS.replace(b"Max-Forwards: 70\r\n", b"Max-Forwards: 69\r\n")


# --- no header injection ----------------------------------------------------------------

BAD_VALUES = [
    "x\r\nX-Evil: 1",
    "x\nX-Evil: 1",
    "x\rX-Evil: 1",
    "x\x00",
    "\r\n",
    "x\r\n\r\nINVITE sip:evil@example.com SIP/2.0",
]
BAD_NAMES = ["", "X Evil", "X-Evil:", "X:Evil", "X-Evil\r\n", "X\x00", "Caf\u00e9", "X(1)",
             "X/Y", "<X>", "X;y", "X@y", "X\tY", '"X"', "X,Y", "X=Y", "X?"]
CONTENT_LENGTH_NAMES = ["Content-Length", "content-length", "CONTENT-LENGTH", "l", "L"]

HEADER_EDITS = ("add", "insert", "set")


def assert_refused(impl: Any, data: bytes, change: Callable[[Any], Any]) -> None:
    """`change` raises ValueError and leaves the message as it was."""
    msg = impl.parse(data)
    before = view(msg)
    with refused():
        change(msg)
    assert bytes(msg) == data
    assert view(msg) == before
    # ... and the message still takes a good edit afterwards.
    msg.headers.add("X-After", "ok")
    assert msg.headers.get("X-After") == "ok"
    assert_consistent(impl, msg)


@pytest.mark.parametrize("value", BAD_VALUES)
@pytest.mark.parametrize("op", HEADER_EDITS)
def test_header_value_with_cr_lf_nul_is_refused(impl: Any, op: str, value: str) -> None:
    assert_refused(impl, SUBJECTS, lambda m: getattr(m.headers, op)("Subject", value))


@pytest.mark.parametrize("name", BAD_NAMES)
@pytest.mark.parametrize("op", HEADER_EDITS)
def test_header_name_that_is_not_a_token_is_refused(impl: Any, op: str, name: str) -> None:
    assert_refused(impl, SUBJECTS, lambda m: getattr(m.headers, op)(name, "1"))


@pytest.mark.parametrize("name", CONTENT_LENGTH_NAMES)
@pytest.mark.parametrize("op", HEADER_EDITS)
def test_content_length_is_not_set_by_hand(impl: Any, op: str, name: str) -> None:
    assert_refused(impl, SUBJECTS, lambda m: getattr(m.headers, op)(name, "0"))


@pytest.mark.parametrize("name", CONTENT_LENGTH_NAMES)
def test_content_length_is_not_removed_by_hand(impl: Any, name: str) -> None:
    # Content-Length follows the body; removing it would unframe the message on a stream.
    assert_refused(impl, SUBJECTS, lambda m: m.headers.remove(name))


@pytest.mark.parametrize("value", BAD_VALUES)
def test_push_via_with_cr_lf_nul_is_refused(impl: Any, value: str) -> None:
    assert_refused(impl, PROXIED, lambda m: m.push_via("SIP/2.0/UDP p.example.com" + value))


@pytest.mark.parametrize("value", BAD_VALUES)
def test_push_record_route_with_cr_lf_nul_is_refused(impl: Any, value: str) -> None:
    assert_refused(impl, PROXIED, lambda m: m.push_record_route("<sip:p.example.com;lr>" + value))


@pytest.mark.parametrize("value", BAD_VALUES)
def test_push_record_route_uri_with_cr_lf_nul_is_refused(impl: Any, value: str) -> None:
    assert_refused(impl, PROXIED, lambda m: m.push_record_route("sip:p.example.com" + value))


@pytest.mark.parametrize("value", [*BAD_VALUES, " SIP/2.0", "x y"])
def test_request_uri_with_cr_lf_nul_or_space_is_refused(impl: Any, value: str) -> None:
    assert_refused(impl, PROXIED, lambda m: setattr(m, "uri", "sip:bob@example.com" + value))
