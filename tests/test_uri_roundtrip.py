"""Hypothesis: any SIP-URI the RFC 3261 §25.1 grammar allows parses into the parts it was
built from, and str() gives back the exact text."""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import unquote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ALPHANUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
MARK = "-_.!~*'()"
UNRESERVED = ALPHANUM + MARK
USER_UNRESERVED = "&=+$,;?/"
PASSWORD_EXTRA = "&=+$,"
PARAM_UNRESERVED = "[]/:&+$"
HNV_UNRESERVED = "[]/?:+$"


@st.composite
def escaped(draw: st.DrawFn) -> str:
    """`%` HEXDIG HEXDIG for an ASCII octet (so decoding once is unambiguous)."""
    octet = draw(st.integers(min_value=0, max_value=0x7F))
    text = f"%{octet:02x}"
    return text.upper() if draw(st.booleans()) else text


def chars(allowed: str, min_size: int = 1, max_size: int = 12) -> st.SearchStrategy[str]:
    element = st.one_of(st.sampled_from(allowed), escaped())
    return st.lists(element, min_size=min_size, max_size=max_size).map("".join)


@st.composite
def hostname(draw: st.DrawFn) -> str:
    def one_label(first_chars: str) -> str:
        head = draw(st.sampled_from(first_chars))
        middle = draw(st.text("abcdefghijklmnopqrstuvwxyz0123456789-", max_size=8))
        tail = draw(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789")) if middle else ""
        return head + middle + tail

    labels = [one_label(ALPHANUM) for _ in range(draw(st.integers(0, 3)))]
    labels.append(one_label("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    return ".".join(labels) + draw(st.sampled_from(["", "", "", "."]))  # FQDN dot allowed


hosts = st.one_of(
    hostname(),
    st.integers(0, 2**32 - 1).map(lambda n: str(ipaddress.IPv4Address(n))),
    st.integers(0, 2**128 - 1).map(lambda n: f"[{ipaddress.IPv6Address(n).compressed}]"),
    st.integers(0, 2**32 - 1).map(lambda n: f"[::ffff:{ipaddress.IPv4Address(n)}]"),
)

KNOWN_PARAMS = st.sampled_from(
    [
        ("transport", "udp"),
        ("transport", "tcp"),
        ("transport", "tls"),
        ("transport", "sctp"),
        ("user", "phone"),
        ("user", "ip"),
        ("method", "INVITE"),
        ("ttl", "16"),
        ("maddr", "224.2.0.1"),
        ("lr", None),
    ]
)
OTHER_PARAMS = st.tuples(
    chars(PARAM_UNRESERVED + UNRESERVED, max_size=6).map(lambda s: "x" + s),
    st.none() | chars(PARAM_UNRESERVED + UNRESERVED),
)
HEADERS = st.tuples(
    chars(HNV_UNRESERVED + UNRESERVED, max_size=8),
    chars(HNV_UNRESERVED + UNRESERVED, min_size=0),
)


@st.composite
def sip_uris(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    scheme = draw(st.sampled_from(["sip", "sips"]))
    user = draw(st.none() | chars(UNRESERVED + USER_UNRESERVED))
    password = draw(st.none() | st.text(UNRESERVED + PASSWORD_EXTRA, min_size=1, max_size=8))
    if user is None:
        password = None
    host = draw(hosts)
    port = draw(st.none() | st.integers(0, 65535))
    params = draw(
        st.lists(
            st.one_of(KNOWN_PARAMS, OTHER_PARAMS),
            max_size=4,
            unique_by=lambda p: unquote(p[0]).lower(),
        )
    )
    headers = draw(st.lists(HEADERS, max_size=3, unique_by=lambda h: unquote(h[0]).lower()))

    text = scheme + ":"
    if user is not None:
        text += user + (":" + password if password is not None else "") + "@"
    text += host + (f":{port}" if port is not None else "")
    text += "".join(";" + n + ("=" + v if v is not None else "") for n, v in params)
    if headers:
        text += "?" + "&".join(n + "=" + v for n, v in headers)
    expected = {
        "scheme": scheme,
        "user": unquote(user) if user is not None else None,
        "password": password,
        "host": host,
        "port": port,
        "params": {unquote(n): (unquote(v) if v is not None else None) for n, v in params},
        "headers": {unquote(n): unquote(v) for n, v in headers},
        "opaque": text[len(scheme) + 1 :],
    }
    return text, expected


@settings(
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(sip_uris())
def test_sip_uri_round_trip(impl: Any, case: tuple[str, dict[str, Any]]) -> None:
    text, expected = case
    uri = impl.URI.parse(text)
    assert str(uri) == text
    got = {name: getattr(uri, name) for name in expected}
    assert got == expected
    assert impl.URI.parse(str(uri)) == uri
