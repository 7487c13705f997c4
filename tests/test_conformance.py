"""RFC 4475 and RFC 5118 torture tests: one test per manifest entry, on each twin.

The manifest (see shared/conformance/README.md) says, per message, whether a parser
must accept it (and which fields it must see), reject it (and with which status code),
may do either (`lenient`), or may drop it (`discard`).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from _corpus import (
    CORPUS_MISSING,
    FIELD_CHECKS,
    acceptable_responses,
    check_fields,
    entry_bytes,
    manifest,
    manifest_entries,
)

from sipfast import Keepalive, ParseError

pytestmark = pytest.mark.skipif(
    CORPUS_MISSING,
    reason="no conformance corpus (../shared/conformance); set SIPFAST_CONFORMANCE_DIR",
)
ENTRIES = manifest_entries()
IDS = [e["id"] for e in ENTRIES]


def by_outcome(*outcomes: str) -> list[Any]:
    return [pytest.param(e, id=e["id"]) for e in ENTRIES if e["outcome"] in outcomes]


def header_section(data: bytes) -> bytes:
    return data.partition(b"\r\n\r\n")[0]


def has_content_length(data: bytes) -> bool:
    return re.search(rb"(?im)^(content-length|l)[ \t]*:", header_section(data)) is not None


def message_octets(data: bytes, msg: Any) -> bytes:
    """The octets `bytes(msg)` must give: start line to the end of the framed body."""
    end = data.index(b"\r\n\r\n") + 4
    return data[: end + len(msg.body)]


# --- the corpus itself ------------------------------------------------------------------


def test_manifest_holds_every_rfc_message() -> None:
    entries = manifest()["messages"]
    assert len(entries) == 61
    assert sum(e["rfc"] == 4475 for e in entries) == 49
    assert sum(e["rfc"] == 5118 for e in entries) == 12
    assert len(set(IDS)) == 61
    assert {e["outcome"] for e in entries} <= {"accept", "reject", "lenient", "discard"}


def test_every_manifest_field_is_understood() -> None:
    used = {key for e in ENTRIES for key in e["fields"]}
    assert used, "no fields in the manifest?"
    unknown = used - FIELD_CHECKS.keys()
    assert not unknown, f"manifest field keys with no check: {sorted(unknown)}"


@pytest.mark.parametrize("entry", [pytest.param(e, id=e["id"]) for e in ENTRIES])
def test_file_matches_manifest_digest(entry: dict[str, Any]) -> None:
    entry_bytes(entry)


# --- datagram parse ---------------------------------------------------------------------


@pytest.mark.parametrize("entry", by_outcome("accept"))
def test_accept(impl: Any, entry: dict[str, Any]) -> None:
    data = entry_bytes(entry)
    msg = impl.parse(data)
    assert isinstance(msg, (impl.Request, impl.Response)), msg
    check_fields(msg, entry["fields"])
    head_end = data.index(b"\r\n\r\n") + 4
    if msg.content_length is None:
        assert msg.body == data[head_end:]
    else:
        assert msg.body == data[head_end : head_end + msg.content_length]
    assert bytes(msg) == message_octets(data, msg)
    assert msg.to_bytes() == bytes(msg)


@pytest.mark.parametrize("entry", by_outcome("reject"))
def test_reject(impl: Any, entry: dict[str, Any]) -> None:
    data = entry_bytes(entry)
    with pytest.raises(ParseError) as info:
        impl.parse(data)
    err = info.value
    if entry["response"] is not None:
        assert err.status_code in acceptable_responses(entry), (err, entry["response"])
    if entry["fields"]:
        assert err.message is not None, f"{err!r} carries no message"
        assert isinstance(err.message, (impl.Request, impl.Response))
        check_fields(err.message, entry["fields"])


@pytest.mark.parametrize("entry", by_outcome("lenient"))
def test_lenient(impl: Any, entry: dict[str, Any]) -> None:
    data = entry_bytes(entry)
    try:
        msg = impl.parse(data)
    except ParseError as err:  # refusing is allowed, with one of the manifest's codes
        assert err.status_code in acceptable_responses(entry), err  # noqa: PT017
    else:
        assert isinstance(msg, (impl.Request, impl.Response)), msg
        check_fields(msg, entry["fields"])


@pytest.mark.parametrize("entry", by_outcome("discard"))
def test_discard(impl: Any, entry: dict[str, Any]) -> None:
    data = entry_bytes(entry)
    try:
        msg = impl.parse(data)
    except ParseError:
        return
    assert isinstance(msg, (impl.Request, impl.Response)), msg


# --- the same bytes on a stream ---------------------------------------------------------


@pytest.mark.parametrize("entry", by_outcome("accept"))
def test_accept_on_a_stream(impl: Any, entry: dict[str, Any]) -> None:
    data = entry_bytes(entry)
    stream = impl.StreamParser()
    if not has_content_length(data):
        # inv2543: a stream can't frame a message without Content-Length.
        with pytest.raises(ParseError):
            stream.feed(data)
        return
    if entry["transport"] == "udp":
        # dblreq: the datagram's trailing octets are not a message; a stream carries
        # only the framed message.
        data = data[: data.index(b"\r\n\r\n") + 4 + int(entry["fields"]["content_length"])]
    out = stream.feed(data)
    assert out, "a complete message with Content-Length gave nothing"
    assert all(isinstance(m, (impl.Request, impl.Response, Keepalive)) for m in out), out
    msg = out[0]
    assert isinstance(msg, (impl.Request, impl.Response)), msg
    check_fields(msg, entry["fields"])
    assert bytes(msg) == message_octets(data, msg)


@pytest.mark.parametrize("entry", by_outcome("accept"))
def test_accept_on_a_stream_split_in_the_header_terminator(
    impl: Any, entry: dict[str, Any]
) -> None:
    data = entry_bytes(entry)
    if not has_content_length(data):
        pytest.skip("no Content-Length: not framable on a stream")
    if entry["transport"] == "udp":
        data = data[: data.index(b"\r\n\r\n") + 4 + int(entry["fields"]["content_length"])]
    cut = data.index(b"\r\n\r\n") + 2  # between CRLF and CRLF
    stream = impl.StreamParser()
    assert stream.feed(data[:cut]) == []
    assert stream.pending == cut
    out = stream.feed(data[cut:])
    assert isinstance(out[0], (impl.Request, impl.Response)), out
    check_fields(out[0], entry["fields"])


def test_clerr_is_incomplete_on_a_stream(impl: Any) -> None:
    (entry,) = [e for e in ENTRIES if e["id"] == "rfc4475/clerr"]
    data = entry_bytes(entry)
    stream = impl.StreamParser()
    assert stream.feed(data) == []
    assert stream.pending == len(data)
