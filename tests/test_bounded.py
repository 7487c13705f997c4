"""Hostile input ends in a message or a ParseError: never a crash, a RecursionError or a hang.

No timings are asserted (speed is measured by the benchmarks); these inputs are sized
so that quadratic work would make the suite visibly slow rather than pass quietly.
Each runs with the default limits and with limits large enough that the value parsers,
not the size checks, see the whole input.
"""

from __future__ import annotations

from typing import Any

import pytest
from _messages import request
from _summary import summary

from sipfast import Limits, ParseError

BIG = Limits(max_size=2**21, max_line_length=2**21, max_headers=20000)
N = 60_000


def hostile_inputs() -> dict[str, bytes]:
    base = request().split(b"\r\n\r\n")[0]

    def replace_header(name: bytes, value: bytes) -> bytes:
        lines = [
            name + b": " + value if ln.lower().startswith(name.lower() + b":") else ln
            for ln in base.split(b"\r\n")
        ]
        return b"\r\n".join(lines) + b"\r\n\r\n"

    def add_header(line: bytes) -> bytes:
        return base + b"\r\n" + line + b"\r\n\r\n"

    return {
        "via-semicolons": replace_header(b"Via", b"SIP/2.0/UDP h" + b";" * N),
        "via-semicolon-params": replace_header(b"Via", b"SIP/2.0/UDP h" + b";a" * (N // 2)),
        "via-commas": replace_header(b"Via", b"SIP/2.0/UDP h" + b"," * N),
        "via-brackets": replace_header(b"Via", b"SIP/2.0/UDP " + b"[" * N),
        "to-quotes": replace_header(b"To", b'"' * N),
        "to-quote-then-backslashes": replace_header(b"To", b'"' + b"\\" * N),
        "to-angles": replace_header(b"To", b"<" * N),
        "to-angles-closed": replace_header(b"To", b"<" * N + b">" * N),
        "from-params": replace_header(b"From", b"<sip:a@b>" + b";x=1" * (N // 4)),
        "call-id-long": replace_header(b"Call-ID", b"a" * N),
        "cseq-digits": replace_header(b"CSeq", b"1" * N + b" OPTIONS"),
        "max-forwards-zeros": replace_header(b"Max-Forwards", b"0" * N + b"70"),
        "contact-commas": add_header(b"Contact: " + b"," * N),
        "contact-many": add_header(b"Contact: " + b"<sip:a@b>," * (N // 10) + b"<sip:a@b>"),
        "contact-quotes": add_header(b"Contact: " + b'"' * N),
        "contact-angles": add_header(b"Contact: " + b"<" * N),
        "route-commas-quotes": add_header(b"Route: " + b',"' * (N // 2)),
        "uri-at-signs": add_header(b"Contact: <sip:" + b"@" * N + b">"),
        "uri-colons": add_header(b"Contact: <sip:a@" + b":" * N + b">"),
        "uri-params": add_header(b"Contact: <sip:a@b" + b";lr" * (N // 3) + b">"),
        "uri-percent": add_header(b"Contact: <sip:" + b"%" * N + b"@b>"),
        "auth-commas": add_header(b"Authorization: Digest " + b"," * N),
        "auth-quotes": add_header(b"Authorization: Digest realm=" + b'"' * N),
        "content-type-params": add_header(b"Content-Type: a/b" + b";c=d" * (N // 4)),
        "subject-folds": add_header(b"Subject: x" + b"\r\n y" * 10_000),
        "empty-folds": add_header(b"Subject:" + b"\r\n " * 10_000),
        "many-fields": base + b"\r\n" + b"X-A: 1\r\n" * 10_000 + b"\r\n",
        "commas-getlist": add_header(b"Allow: " + b",,,," * (N // 4)),
        "one-mb-line": add_header(b"X-Long: " + b"a" * 2**20),
        "one-mb-start-line": b"OPTIONS sip:" + b"a" * 2**20 + b"@b SIP/2.0\r\n\r\n",
        "crlf-only-huge": b"\r\n" * N,
        "lf-only-huge": b"\n" * N,
        "nul-bytes": b"\x00" * N,
        "spaces": b" " * N,
        "start-line-spaces": b"OPTIONS" + b" " * N + b"sip:a@b SIP/2.0\r\n\r\n",
        "header-colons": base + b"\r\n" + b":" * N + b"\r\n\r\n",
        "status-digits": b"SIP/2.0 " + b"9" * N + b" OK\r\n\r\n",
    }


INPUTS = hostile_inputs()


def exhaust(impl: Any, data: bytes, limits: Limits | None) -> Any:
    """Parse, then read every accessor and header list; return the plain summary."""

    def parse(d: bytes) -> Any:
        return impl.parse(d, limits=limits)

    result = summary(parse, data)
    if result[0] == "ok":
        msg = impl.parse(data, limits=limits)
        for name in ("Contact", "Route", "Allow", "Via", "Subject", "X-A", "Authorization"):
            msg.headers.getlist(name)
            msg.headers.getall(name)
    return result


@pytest.mark.parametrize("name", sorted(INPUTS))
@pytest.mark.parametrize("limits", [None, BIG], ids=["default-limits", "big-limits"])
def test_hostile_input_ends(impl: Any, name: str, limits: Limits | None) -> None:
    data = INPUTS[name]
    result = exhaust(impl, data, limits)
    assert result[0] in ("ok", "error", "keepalive")


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_hostile_input_on_a_stream(impl: Any, name: str) -> None:
    data = INPUTS[name]
    stream = impl.StreamParser(limits=BIG)
    try:
        for i in range(0, len(data), 4096):
            out = stream.feed(data[i : i + 4096])
            assert isinstance(out, list)
    except ParseError:
        pass


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("URI", "sip:" + "@" * N),
        ("URI", "sip:a@" + "[" * N),
        ("URI", "sip:a@b" + ";" * N),
        ("URI", "sip:a@b?" + "&" * N),
        ("URI", "sip:" + "%" * N),
        ("NameAddr", '"' * N),
        ("NameAddr", "<" * N),
        ("NameAddr", '"' + "\\" * N),
        ("NameAddr", "<sip:a@b>" + ";" * N),
        ("Via", "SIP/2.0/UDP h" + ";" * N),
        ("Via", "SIP" + "/" * N),
        ("CSeq", "9" * N + " INVITE"),
        ("Auth", "Digest " + "," * N),
        ("Auth", "Digest a=" + '"' * N),
    ],
    ids=lambda v: v if len(v) < 20 else f"{v[:12]}...x{len(v)}",
)
def test_hostile_value_text(impl: Any, kind: str, text: str) -> None:
    try:
        value = getattr(impl, kind).parse(text)
    except ParseError:
        return
    str(value)
    repr(value)


@pytest.mark.parametrize(
    "data",
    [
        request(*[f"X-H{i}: " + "v" * 50 for i in range(1000)]),
        request(body=b"b" * 200_000),
        request("X-Long: " + "a" * 100_000),
    ],
    ids=["1000-headers", "200KB-body", "100KB-line"],
)
def test_big_message_fed_byte_at_a_time(impl: Any, data: bytes) -> None:
    # Rescanning the whole buffer on every feed would be quadratic here.
    stream = impl.StreamParser(limits=BIG)
    out: list[Any] = []
    for i in range(len(data)):
        out.extend(stream.feed(data[i : i + 1]))
    assert [bytes(m) for m in out] == [data]
    assert stream.pending == 0
