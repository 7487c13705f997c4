"""Runs of octets around the Cython scanners' block boundaries: the twins agree.

The Cython twin skips runs of alphanumerics, '-' and '.' sixteen octets at a time, the
last block ending where the span ends, and reads "sip:" and "SIP/2.0/" as single words;
the Python twin walks the grammar with regexes.  Every field that those scanners read is
filled here with runs of lengths on both sides of 8, 16 and 32 octets, with an octet that
stops the run (or is allowed inside it) at every position, and the twins must give the
same message or the same error (reason, offset, status code).
"""

from __future__ import annotations

import pytest
from _summary import summary
from _twins import require_c_twin, twin

LENGTHS = (0, 1, 2, 7, 8, 9, 15, 16, 17, 23, 31, 32, 33, 47)
# octets that end a run of alphanumerics: some are part of the field's grammar (token
# marks, escapes, separators), some end the field, some are errors
ODD_OCTETS = (
    b"_",
    b"!",
    b"%",
    b"%41",
    b"~",
    b"+",
    b":",
    b";",
    b"@",
    b"=",
    b" ",
    b'"',
    b"\x01",
    b"\x7f",
    b"\xc3\xa9",
)

TEMPLATE = (
    b"INVITE sip:{user}@{host}:5060;transport=udp SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP {host};branch=z9hG4bK{branch};rport\r\n"
    b"Max-Forwards: 70\r\n"
    b"To: <sip:bob@example.com>\r\n"
    b'From: "{display}" <sip:{user}@example.com>;tag={tag}\r\n'
    b"Call-ID: {callid}@192.0.2.1\r\n"
    b"CSeq: 1 INVITE\r\n"
    b"X-{name}: value\r\n"
    b"Content-Length: 0\r\n"
    b"\r\n"
)
FIELDS = ("user", "host", "branch", "display", "tag", "callid", "name")
PLAIN = dict.fromkeys(FIELDS, b"a1-b.C")


@pytest.fixture(autouse=True)
def _both_twins() -> None:
    require_c_twin()


def message(**fields: bytes) -> bytes:
    values = {**PLAIN, **fields}
    out = TEMPLATE
    for field, value in values.items():
        out = out.replace(b"{" + field.encode() + b"}", value)
    return out


def runs(length: int) -> list[bytes]:
    """A run of the length, then the run with each odd octet at each position."""
    base = (b"x9-Q." * 10)[:length]
    return [base] + [base[:i] + odd + base[i:] for odd in ODD_OCTETS for i in range(length + 1)]


def assert_twins_agree(data: bytes) -> None:
    assert summary(twin("c").parse, data) == summary(twin("py").parse, data), data


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("length", LENGTHS)
def test_runs_in_every_scanned_field(field: str, length: int) -> None:
    for value in runs(length):
        assert_twins_agree(message(**{field: value}))


@pytest.mark.parametrize("length", LENGTHS)
def test_short_values_on_their_own(length: int) -> None:
    # values shorter than one block, alone in their buffer: no block may start before it
    c, py = twin("c"), twin("py")
    for value in runs(length):
        text = value.decode("utf-8", "surrogateescape")
        for make in ("URI", "Via", "NameAddr"):
            results = []
            for impl in (c, py):
                try:
                    made = getattr(impl, make)(
                        {
                            "URI": f"sip:{text}@h",
                            "Via": f"SIP/2.0/UDP h;branch={text}",
                            "NameAddr": f"<sip:{text}@h>;tag={text}",
                        }[make]
                    )
                    results.append(str(made))
                except Exception as error:  # noqa: BLE001 - compared across twins
                    results.append((type(error).__name__, str(error)))
            assert results[0] == results[1], (make, value)


@pytest.mark.parametrize(
    "start",
    [
        b"SIP/2.0/",
        b"sip/2.0/",
        b"sIp/2.0/",
        b"SIP/2.0 /",
        b"SIP /2.0/",
        b"SIP/2.0/ ",
        b"SIP/2.00/",
        b"SIP/20/",
        b"SIP/2.0",
        b"SIP/2.0x",
        b"SIQ/2.0/",
        b"\x13IP/2.0/",
        b"SIP\x0f2.0/",
        b"SIP/2\x0e0/",
        b"SIPS/2.0/",
    ],
)
def test_sent_protocol_prefixes(start: bytes) -> None:
    data = message().replace(b"Via: SIP/2.0/", b"Via: " + start, 1)
    assert_twins_agree(data)


@pytest.mark.parametrize(
    "scheme",
    [
        b"sip:",
        b"SIP:",
        b"sIP:",
        b"sips:",
        b"SIPS:",
        b"sip",
        b"sipx:",
        b"si:",
        b"\x13ip:",
        b"s\x09p:",
        b"sip\x1a",
        b"tel:",
        b"s1p:",
    ],
)
def test_uri_scheme_prefixes(scheme: bytes) -> None:
    assert_twins_agree(message().replace(b"INVITE sip:", b"INVITE " + scheme, 1))
    assert_twins_agree(message().replace(b"<sip:", b"<" + scheme, 1))
