"""URI, NameAddr, Via, CSeq, Auth: parsed from text, immutable, str() gives the text."""

from __future__ import annotations

from typing import Any

import pytest

from sipfast import ParseError

# --- URI --------------------------------------------------------------------------------


def test_sip_uri_every_part(impl: Any) -> None:
    text = (
        "sip:alice:secretword@atlanta.com:5061;transport=tcp;lr?subject=project%20x&priority=urgent"
    )
    uri = impl.URI.parse(text)
    assert uri.scheme == "sip"
    assert uri.user == "alice"
    assert uri.password == "secretword"
    assert uri.host == "atlanta.com"
    assert uri.port == 5061
    assert uri.params == {"transport": "tcp", "lr": None}
    assert uri.headers == {"subject": "project x", "priority": "urgent"}
    assert uri.opaque == text[len("sip:") :]
    assert str(uri) == text


def test_sips_uri(impl: Any) -> None:
    uri = impl.URI.parse("sips:bob@biloxi.com")
    assert (uri.scheme, uri.user, uri.host, uri.port) == ("sips", "bob", "biloxi.com", None)
    assert uri.password is None
    assert uri.params == {}
    assert uri.headers == {}


def test_uri_without_user(impl: Any) -> None:
    uri = impl.URI.parse("sip:biloxi.com;lr")
    assert uri.user is None
    assert uri.password is None
    assert uri.host == "biloxi.com"
    assert uri.params == {"lr": None}


def test_uri_with_ipv4_host(impl: Any) -> None:
    uri = impl.URI.parse("sip:192.0.2.4:5080")
    assert (uri.host, uri.port) == ("192.0.2.4", 5080)


def test_scheme_as_written(impl: Any) -> None:
    uri = impl.URI.parse("SIP:Alice@AtLanta.com")
    assert uri.scheme == "SIP"
    assert uri.user == "Alice"
    assert uri.host == "AtLanta.com"
    assert str(uri) == "SIP:Alice@AtLanta.com"


@pytest.mark.parametrize(
    ("text", "host", "port"),
    [
        ("sip:[2001:db8::10]", "[2001:db8::10]", None),
        ("sip:[2001:db8::10]:5070", "[2001:db8::10]", 5070),
        ("sip:[2001:db8::10:5070]", "[2001:db8::10:5070]", None),
        ("sip:user@[::1]:5060;transport=udp", "[::1]", 5060),
        ("sips:[::ffff:192.0.2.10]", "[::ffff:192.0.2.10]", None),
        ("sip:user@[2001:db8::192.0.2.1]", "[2001:db8::192.0.2.1]", None),
    ],
)
def test_ipv6_reference(impl: Any, text: str, host: str, port: int | None) -> None:
    uri = impl.URI.parse(text)
    assert uri.host == host
    assert uri.port == port
    assert str(uri) == text


def test_percent_decoding_happens_once(impl: Any) -> None:
    text = (
        "sip:cal%6Cer%2541@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31"
        "?R%6Fute=%3Csip:x%2540y%3E"
    )
    uri = impl.URI.parse(text)
    assert uri.user == "caller%41"
    assert uri.params == {"lr": None, "name": "value%41"}
    assert uri.headers == {"Route": "<sip:x%40y>"}
    assert str(uri) == text


def test_user_part_may_hold_semicolons_and_question_marks(impl: Any) -> None:
    uri = impl.URI.parse("sip:user;par=u%40example.net@example.com")
    assert uri.user == "user;par=u@example.net"
    assert uri.host == "example.com"
    assert uri.params == {}
    uri = impl.URI.parse(  # RFC 4475 intmeth's Request-URI
        "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*"
        ":&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com"
    )
    assert uri.user == "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*"
    assert uri.password == "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)"
    assert uri.host == "example.com"


def test_user_with_encoded_nul(impl: Any) -> None:
    assert impl.URI.parse("sip:null-%00-null@example.com").user == "null-\x00-null"


def test_tel_uri(impl: Any) -> None:
    text = "tel:+1-201-555-0123;phone-context=example.com;ext=22"
    uri = impl.URI.parse(text)
    assert uri.scheme == "tel"
    assert uri.user == "+1-201-555-0123"
    assert uri.params == {"phone-context": "example.com", "ext": "22"}
    assert uri.host is None
    assert uri.port is None
    assert uri.password is None
    assert uri.opaque == text[4:]
    assert str(uri) == text


@pytest.mark.parametrize(
    ("text", "scheme"),
    [
        ("http://www.example.com/a/b?c=d", "http"),
        ("isbn:2983792873", "isbn"),
        ("name:John_Smith", "name"),
        ("nobodyKnowsThisScheme:totallyopaquecontent", "nobodyKnowsThisScheme"),
        ("soap.beep://192.0.2.103:3002", "soap.beep"),
        ("urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6", "urn"),
        ("mailto:alice@atlanta.com", "mailto"),
    ],
)
def test_other_absolute_uri(impl: Any, text: str, scheme: str) -> None:
    uri = impl.URI.parse(text)
    assert uri.scheme == scheme
    assert uri.opaque == text[len(scheme) + 1 :]
    assert (uri.user, uri.password, uri.host, uri.port) == (None, None, None, None)
    assert uri.params == {}
    assert uri.headers == {}
    assert str(uri) == text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "sip:",
        "sip:bob@",
        "sip:@biloxi.com",
        "sip:[2001:db8::1",
        "sip:biloxi.com:50x0",
        "sip:bob@bil oxi.com",
        "sip:bob@<biloxi.com>",
        "nocolon",
        ":nothing",
        "1sip:bob@biloxi.com",
        "sip:bob@biloxi.com;",
        "sip:bob@biloxi.com?",
    ],
)
def test_malformed_uri(impl: Any, text: str) -> None:
    with pytest.raises(ParseError) as info:
        impl.URI.parse(text)
    assert 0 <= info.value.offset <= len(text)
    assert info.value.status_code == 400


def test_uri_error_offset_is_relative_to_the_text(impl: Any) -> None:
    with pytest.raises(ParseError) as info:
        impl.URI.parse("sip:bob@bil oxi.com")
    assert info.value.offset == 11
    assert info.value.line == "sip:bob@bil oxi.com"
    assert info.value.column == 11


def test_uri_equality_compares_text(impl: Any) -> None:
    assert impl.URI.parse("sip:bob@biloxi.com") == impl.URI.parse("sip:bob@biloxi.com")
    assert impl.URI.parse("sip:bob@biloxi.com") != impl.URI.parse("sip:bob@biloxi.com;lr")
    assert impl.URI.parse("sip:b%6Fb@biloxi.com") != impl.URI.parse("sip:bob@biloxi.com")


def test_uri_is_immutable(impl: Any) -> None:
    uri = impl.URI.parse("sip:bob@biloxi.com")
    with pytest.raises((AttributeError, TypeError)):
        uri.user = "eve"
    with pytest.raises((AttributeError, TypeError)):
        uri.host = "evil.example.com"
    assert str(uri) == "sip:bob@biloxi.com"


# --- NameAddr ---------------------------------------------------------------------------


def test_name_addr_quoted_display_name(impl: Any) -> None:
    text = '"A. G. Bell" <sip:agb@bell-telephone.com> ;tag=a48s'
    na = impl.NameAddr.parse(text)
    assert na.display_name == "A. G. Bell"
    assert isinstance(na.uri, impl.URI)
    assert str(na.uri) == "sip:agb@bell-telephone.com"
    assert na.tag == "a48s"
    assert na.params == {"tag": "a48s"}
    assert str(na) == text


@pytest.mark.parametrize(
    ("text", "display_name"),
    [
        ('"J Rosenberg \\\\\\"" <sip:jdrosen@example.com>', 'J Rosenberg \\"'),
        ('"Quoted string \\"\\"" <sip:jdrosen@example.com>', 'Quoted string ""'),
        ('"" <sip:anon@example.com>', ""),
        ('"a\\bc" <sip:x@example.com>', "abc"),
        ('"Bob, mobile" <sip:bob@example.com>', "Bob, mobile"),
        ('"Dvořák" <sip:d@example.com>', "Dvořák"),
    ],
)
def test_quoted_pairs_in_display_name(impl: Any, text: str, display_name: str) -> None:
    na = impl.NameAddr.parse(text)
    assert na.display_name == display_name
    assert str(na) == text


@pytest.mark.parametrize(
    ("text", "display_name"),
    [
        ("Anonymous <sip:c8oqz84zk7z@privacy.org>;tag=hyh8", "Anonymous"),
        ("A. Bell <sip:a.g.bell@example.com>;tag=qweoiqpe", "A. Bell"),
        ("caller<sip:caller@example.com>;tag=323", "caller"),
        (
            "token1~` token2'+_ token3*%!.- <sip:mundane@example.com>",
            "token1~` token2'+_ token3*%!.-",
        ),
    ],
)
def test_token_display_name_as_written(impl: Any, text: str, display_name: str) -> None:
    assert impl.NameAddr.parse(text).display_name == display_name


def test_name_addr_without_display_name(impl: Any) -> None:
    na = impl.NameAddr.parse("<sip:bob@biloxi.com;transport=tcp>;expires=60")
    assert na.display_name is None
    assert str(na.uri) == "sip:bob@biloxi.com;transport=tcp"
    assert na.uri.params == {"transport": "tcp"}
    assert na.params == {"expires": "60"}
    assert na.tag is None


def test_addr_spec_parameters_belong_to_the_header(impl: Any) -> None:
    # RFC 3261 §20: without <>, parameters after the URI are header parameters.
    text = "sip:+12125551212@server.phone2net.com;tag=887s;transport=tcp"
    na = impl.NameAddr.parse(text)
    assert na.display_name is None
    assert str(na.uri) == "sip:+12125551212@server.phone2net.com"
    assert na.uri.params == {}
    assert na.tag == "887s"
    assert na.params == {"tag": "887s", "transport": "tcp"}
    assert str(na) == text


def test_header_params_quoted_value_unquoted(impl: Any) -> None:
    na = impl.NameAddr.parse(
        '<sip:a@b.example.com>;+sip.instance="<urn:uuid:1234>";q=0.7;x="a\\"b"'
    )
    assert na.params == {"+sip.instance": "<urn:uuid:1234>", "q": "0.7", "x": 'a"b'}


def test_header_param_names_as_written_looked_up_case_insensitively(impl: Any) -> None:
    na = impl.NameAddr.parse("<sip:a@b.example.com>;TAG=xyz;Lr")
    assert na.tag == "xyz"
    assert na.params == {"TAG": "xyz", "Lr": None}


def test_lws_around_params(impl: Any) -> None:
    na = impl.NameAddr.parse("<sip:a@b.example.com> ;   tag    = 1918181833n")
    assert na.tag == "1918181833n"


@pytest.mark.parametrize(
    "text",
    [
        "<sip:a@b.example.com",
        '"unterminated <sip:a@b.example.com>',
        "",
        "<>",
        "Name Only",
        "<sip:a@b.example.com>;",
        "<sip:a@b.example.com> trailing",
    ],
)
def test_malformed_name_addr(impl: Any, text: str) -> None:
    with pytest.raises(ParseError) as info:
        impl.NameAddr.parse(text)
    assert 0 <= info.value.offset <= len(text)


def test_name_addr_is_immutable(impl: Any) -> None:
    na = impl.NameAddr.parse("<sip:a@b.example.com>;tag=1")
    with pytest.raises((AttributeError, TypeError)):
        na.tag = "2"
    assert na.tag == "1"


# --- Via --------------------------------------------------------------------------------


def test_via_every_attribute(impl: Any) -> None:
    text = (
        "SIP/2.0/TCP host.example.com:5061"
        ";received=192.0.2.1;rport=5062;maddr=224.2.0.1;ttl=16;branch=z9hG4bKx1"
    )
    via = impl.Via.parse(text)
    assert via.protocol == "SIP/2.0"
    assert via.transport == "TCP"
    assert via.host == "host.example.com"
    assert via.port == 5061
    assert via.sent_by == "host.example.com:5061"
    assert via.received == "192.0.2.1"
    assert via.rport == 5062
    assert via.maddr == "224.2.0.1"
    assert via.ttl == 16
    assert via.branch == "z9hG4bKx1"
    assert via.params == {
        "received": "192.0.2.1",
        "rport": "5062",
        "maddr": "224.2.0.1",
        "ttl": "16",
        "branch": "z9hG4bKx1",
    }
    assert list(via.params) == ["received", "rport", "maddr", "ttl", "branch"]
    assert str(via) == text


def test_via_minimal(impl: Any) -> None:
    via = impl.Via.parse("SIP/2.0/UDP pc33.atlanta.com")
    assert (via.transport, via.host, via.port, via.sent_by) == (
        "UDP",
        "pc33.atlanta.com",
        None,
        "pc33.atlanta.com",
    )
    assert (via.branch, via.received, via.rport, via.maddr, via.ttl) == (
        None,
        None,
        None,
        None,
        None,
    )
    assert via.params == {}


def test_valueless_rport(impl: Any) -> None:
    via = impl.Via.parse("SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-d8754z;rport")
    assert via.rport is None
    assert "rport" in via.params
    assert via.params["rport"] is None
    assert via.port == 5070


@pytest.mark.parametrize("digits", [19, 5000])
def test_rport_and_ttl_too_long_to_be_numbers(impl: Any, digits: int) -> None:
    # no port or TTL has that many digits (and int() refuses more than 4300)
    n = "9" * digits
    via = impl.Via.parse(f"SIP/2.0/UDP h;branch=z9hG4bK1;rport={n};ttl={n}")
    assert (via.rport, via.ttl) == (None, None)
    assert via.params["rport"] == n


def test_via_lws_removed_from_protocol(impl: Any) -> None:
    via = impl.Via.parse("SIP  /   2.0\r\n /UDP\r\n    192.0.2.2;branch=390skdjuw")
    assert via.protocol == "SIP/2.0"
    assert via.transport == "UDP"
    assert via.host == "192.0.2.2"
    assert via.branch == "390skdjuw"


def test_via_lws_around_params(impl: Any) -> None:
    via = impl.Via.parse(
        "SIP / 2.0 / TCP     spindle.example.com   ;\r\n  branch  =   z9hG4bK9ikj8"
    )
    assert via.host == "spindle.example.com"
    assert via.branch == "z9hG4bK9ikj8"


def test_via_transport_as_written(impl: Any) -> None:
    via = impl.Via.parse("SIP/2.0/udp h.example.com")
    assert via.transport == "udp"
    assert impl.Via.parse("SIP/2.0/UNKNOWN t4.example.com").transport == "UNKNOWN"


@pytest.mark.parametrize(
    ("text", "host", "port", "sent_by"),
    [
        (
            "SIP/2.0/UDP [2001:db8::9:1]:6050;branch=z9hG4bKas3-111",
            "[2001:db8::9:1]",
            6050,
            "[2001:db8::9:1]:6050",
        ),
        (
            "SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKas3-111",
            "[2001:db8::9:1]",
            None,
            "[2001:db8::9:1]",
        ),
        (
            "SIP/2.0/TCP [::ffff:192.0.2.10]:19823;branch=z9hG4bKbh19",
            "[::ffff:192.0.2.10]",
            19823,
            "[::ffff:192.0.2.10]:19823",
        ),
    ],
)
def test_via_ipv6(impl: Any, text: str, host: str, port: int | None, sent_by: str) -> None:
    via = impl.Via.parse(text)
    assert (via.host, via.port, via.sent_by) == (host, port, sent_by)


@pytest.mark.parametrize("received", ["[2001:db8::9:255]", "2001:db8::9:255"])
def test_via_received_ipv6_as_written(impl: Any, received: str) -> None:
    via = impl.Via.parse(f"SIP/2.0/UDP [2001:db8::9:1];received={received};branch=z9hG4bKas3")
    assert via.received == received
    assert via.branch == "z9hG4bKas3"


def test_via_param_lookup_is_case_insensitive(impl: Any) -> None:
    via = impl.Via.parse("SIP/2.0/UDP h.example.com;BRANCH=z9hG4bKa;Received=192.0.2.9;RPort=7")
    assert via.branch == "z9hG4bKa"
    assert via.received == "192.0.2.9"
    assert via.rport == 7
    assert via.params == {"BRANCH": "z9hG4bKa", "Received": "192.0.2.9", "RPort": "7"}


def test_via_unknown_params_kept_in_order(impl: Any) -> None:
    via = impl.Via.parse("SIP/2.0/UDP h.example.com;zz=1;branch=z9hG4bKq;aa;keep")
    assert list(via.params.items()) == [
        ("zz", "1"),
        ("branch", "z9hG4bKq"),
        ("aa", None),
        ("keep", None),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "SIP/2.0",
        "SIP/2.0/UDP",
        "SIP/2.0 host.example.com",
        "SIP/2.0/UDP host.example.com:port",
        "SIP/2.0/UDP [2001:db8::1",
        "SIP/2.0/UDP host.example.com;",
        "SIP/2.0/UDP host.example.com;branch=",
        "SIP/2.0/UDP host.example.com, SIP/2.0/UDP other.example.com",
    ],
)
def test_malformed_via_parm(impl: Any, text: str) -> None:
    with pytest.raises(ParseError) as info:
        impl.Via.parse(text)
    assert 0 <= info.value.offset <= len(text)


def test_via_is_immutable(impl: Any) -> None:
    via = impl.Via.parse("SIP/2.0/UDP h.example.com;branch=z9hG4bKa")
    with pytest.raises((AttributeError, TypeError)):
        via.branch = "z9hG4bKb"


# --- CSeq -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seq", "method"),
    [
        ("4711 INVITE", 4711, "INVITE"),
        ("0 ACK", 0, "ACK"),
        ("0009 INVITE", 9, "INVITE"),
        ("4294967295 BYE", 2**32 - 1, "BYE"),
        ("1  \t REGISTER", 1, "REGISTER"),
        (
            "139122385 !interesting-Method0123456789_*+`.%indeed'~",
            139122385,
            "!interesting-Method0123456789_*+`.%indeed'~",
        ),
    ],
)
def test_cseq(impl: Any, text: str, seq: int, method: str) -> None:
    cseq = impl.CSeq.parse(text)
    assert (cseq.seq, cseq.method) == (seq, method)
    assert type(cseq.seq) is int
    assert str(cseq) == f"{seq} {method}"  # docs/api.md: CSeq prints as "4711 INVITE"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "INVITE",
        "1",
        "1INVITE",
        "x INVITE",
        "-1 INVITE",
        "4294967296 INVITE",
        "36893488147419103232 INVITE",
        "1 INV ITE",
        "1 INV(ITE",
        "1.5 INVITE",
    ],
)
def test_malformed_cseq(impl: Any, text: str) -> None:
    with pytest.raises(ParseError):
        impl.CSeq.parse(text)


# --- Auth -------------------------------------------------------------------------------


def test_digest_credentials(impl: Any) -> None:
    text = (
        'Digest username="bob", realm="biloxi.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093",'
        ' uri="sip:bob@biloxi.com", qop=auth, nc=00000001, cnonce="0a4f113b",'
        ' response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"'
    )
    auth = impl.Auth.parse(text)
    assert auth.scheme == "Digest"
    assert auth.params == {
        "username": "bob",
        "realm": "biloxi.com",
        "nonce": "dcd98b7102dd2f0e8b11d0f600bfb0c093",
        "uri": "sip:bob@biloxi.com",
        "qop": "auth",
        "nc": "00000001",
        "cnonce": "0a4f113b",
        "response": "6629fae49393a05397450978507c4ef1",
        "opaque": "5ccc069c403ebaf9f0171e9517f40e41",
    }
    assert list(auth.params) == [
        "username",
        "realm",
        "nonce",
        "uri",
        "qop",
        "nc",
        "cnonce",
        "response",
        "opaque",
    ]
    assert str(auth) == text


def test_auth_is_a_read_only_mapping(impl: Any) -> None:
    auth = impl.Auth.parse(
        'Digest realm="atlanta.com", nonce="84a4cc6f3082121f32b42a2187831a9e", stale=FALSE'
    )
    assert auth["realm"] == "atlanta.com"
    assert auth["stale"] == "FALSE"
    assert "nonce" in auth
    assert "opaque" not in auth
    assert len(auth) == 3
    assert sorted(auth) == ["nonce", "realm", "stale"]
    with pytest.raises(KeyError):
        auth["opaque"]
    with pytest.raises(TypeError):
        auth["realm"] = "evil.com"  # type: ignore[index]
    assert auth["realm"] == "atlanta.com"


def test_auth_quoted_pairs_and_commas_in_quoted_values(impl: Any) -> None:
    auth = impl.Auth.parse(
        'Digest realm="a \\"quoted\\" realm", qop="auth,auth-int", domain="sip:a sip:b"'
    )
    assert auth["realm"] == 'a "quoted" realm'
    assert auth["qop"] == "auth,auth-int"
    assert auth["domain"] == "sip:a sip:b"


def test_auth_lws_around_equals_and_commas(impl: Any) -> None:
    auth = impl.Auth.parse('Digest  realm = "r" ,\r\n  nonce="n",algorithm= MD5')
    assert auth.scheme == "Digest"
    assert auth.params == {"realm": "r", "nonce": "n", "algorithm": "MD5"}


def test_unknown_auth_scheme(impl: Any) -> None:
    auth = impl.Auth.parse("NoOneKnowsThisScheme opaque-data=here")
    assert auth.scheme == "NoOneKnowsThisScheme"
    assert auth.params == {"opaque-data": "here"}


@pytest.mark.parametrize(
    "text", ["", 'Digest realm="unterminated', "Digest realm", "Digest =x", '"Digest" realm="x"']
)
def test_malformed_auth(impl: Any, text: str) -> None:
    with pytest.raises(ParseError):
        impl.Auth.parse(text)


# --- what all values share --------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("URI", "sip:alice@atlanta.com;transport=tcp"),
        ("NameAddr", '"Alice" <sip:alice@atlanta.com>;tag=1'),
        ("Via", "SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds"),
        ("CSeq", "1 INVITE"),
        ("Auth", 'Digest realm="atlanta.com"'),
    ],
)
def test_str_is_the_parsed_text(impl: Any, kind: str, text: str) -> None:
    value = getattr(impl, kind).parse(text)
    assert isinstance(value, getattr(impl, kind))
    assert str(value) == text
    assert repr(value)  # has one, and it does not raise
    assert str(getattr(impl, kind).parse(str(value))) == text


def test_value_parse_error_offsets_are_relative_to_the_text(impl: Any) -> None:
    with pytest.raises(ParseError) as info:
        impl.Via.parse("SIP/2.0/UDP host.example.com:5x")
    assert info.value.offset in (28, 29, 30)  # at the ':', the port, or its bad digit
    assert info.value.offset <= len("SIP/2.0/UDP host.example.com:5x")
