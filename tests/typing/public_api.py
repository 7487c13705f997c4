"""The public API as a type checker sees it: a user's script over every documented name.

test_typing.py runs mypy --strict on this file and compares each reveal_type() with the
``# revealed:`` comment on its line (all of them, and no error).  It also runs the file
on each twin and checks that every value's run-time type is one the revealed type
allows, so the stubs can't claim a type the twins don't give.
"""

from __future__ import annotations

from typing import reveal_type

import sipfast
from sipfast.message import IMPLEMENTATION, parse_c, parse_py

INVITE = (
    b"INVITE sip:bob@biloxi.example.com;transport=tcp?subject=hi SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP pc33.atlanta.example.com:5062;branch=z9hG4bK776asdhds;rport=5062\r\n"
    b"Max-Forwards: 70\r\n"
    b"To: Bob <sip:bob@biloxi.example.com>\r\n"
    b"From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    b"Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    b"CSeq: 314159 INVITE\r\n"
    b"Contact: <sip:alice@pc33.atlanta.example.com>\r\n"
    b"Route: <sip:proxy.atlanta.example.com;lr>\r\n"
    b'Authorization: Digest username="alice", realm="atlanta.example.com"\r\n'
    b"Expires: 60\r\n"
    b"Supported: timer, 100rel\r\n"
    b"Content-Type: application/sdp;charset=utf-8\r\n"
    b"Content-Length: 4\r\n"
    b"\r\n"
    b"v=0\n"
)

reveal_type(sipfast.__version__)  # revealed: str
reveal_type(sipfast.IMPLEMENTATION)  # revealed: Literal['cython'] | Literal['python']
reveal_type(IMPLEMENTATION == "cython")  # revealed: bool
reveal_type(parse_py is parse_c)  # revealed: bool

# --- parse: a request, narrowed by isinstance -------------------------------------------

parsed = sipfast.parse(INVITE)
reveal_type(parsed)  # revealed: sipfast.message._message_c.Request | sipfast.message._message_c.Response | sipfast.message.keepalive.Keepalive
assert isinstance(parsed, sipfast.Request)
msg: sipfast.Request = parsed
reveal_type(msg.is_request)  # revealed: Literal[True]
reveal_type(msg.method)  # revealed: str
reveal_type(msg.version)  # revealed: str
reveal_type(msg.uri)  # revealed: sipfast.message._values_c.URI
reveal_type(msg.body)  # revealed: bytes
reveal_type(bytes(msg))  # revealed: bytes
reveal_type(msg.to_bytes())  # revealed: bytes
reveal_type(msg.call_id)  # revealed: str
reveal_type(msg.cseq)  # revealed: sipfast.message._values_c.CSeq
reveal_type(msg.via)  # revealed: list[sipfast.message._values_c.Via]
reveal_type(msg.top_via)  # revealed: sipfast.message._values_c.Via
reveal_type(msg.from_)  # revealed: sipfast.message._values_c.NameAddr
reveal_type(msg.to)  # revealed: sipfast.message._values_c.NameAddr
reveal_type(msg.max_forwards)  # revealed: int | None
reveal_type(msg.content_length)  # revealed: int | None
reveal_type(msg.content_type)  # revealed: str | None
reveal_type(msg.content_type_params)  # revealed: dict[str, str | None]
reveal_type(msg.expires)  # revealed: int | None
reveal_type(msg.contact)  # revealed: list[sipfast.message._values_c.NameAddr]
reveal_type(msg.contact_star)  # revealed: bool
reveal_type(msg.route)  # revealed: list[sipfast.message._values_c.NameAddr]
reveal_type(msg.record_route)  # revealed: list[sipfast.message._values_c.NameAddr]
reveal_type(msg.authorization)  # revealed: list[sipfast.message._values_c.Auth]
reveal_type(msg.proxy_authorization)  # revealed: list[sipfast.message._values_c.Auth]
reveal_type(msg.www_authenticate)  # revealed: list[sipfast.message._values_c.Auth]
reveal_type(msg.proxy_authenticate)  # revealed: list[sipfast.message._values_c.Auth]
reveal_type(msg.require)  # revealed: list[str]
reveal_type(msg.proxy_require)  # revealed: list[str]
reveal_type(msg.supported)  # revealed: list[str]
reveal_type(msg.unsupported)  # revealed: list[str]
reveal_type(msg.allow)  # revealed: list[str]
reveal_type(msg.accept)  # revealed: list[str]

# --- the header multi-map -------------------------------------------------------------

headers = msg.headers
reveal_type(headers)  # revealed: sipfast.message._message_c.Headers
reveal_type(headers.get("f"))  # revealed: str | None
reveal_type(headers.get("X-Absent", 0))  # revealed: str | int
reveal_type(headers["Call-ID"])  # revealed: str
reveal_type(headers.getall("Via"))  # revealed: list[str]
reveal_type(headers.getlist("Supported"))  # revealed: list[str]
reveal_type(headers.items())  # revealed: list[tuple[str, str]]
reveal_type(headers.keys())  # revealed: list[str]
reveal_type(headers.values())  # revealed: list[str]
reveal_type("t" in headers)  # revealed: bool
reveal_type(len(headers))  # revealed: int
reveal_type(next(iter(headers)))  # revealed: str

# --- values ---------------------------------------------------------------------------

uri = msg.uri
reveal_type(uri.scheme)  # revealed: str
reveal_type(uri.user)  # revealed: str | None
reveal_type(uri.password)  # revealed: str | None
reveal_type(uri.host)  # revealed: str | None
reveal_type(uri.port)  # revealed: int | None
reveal_type(uri.params)  # revealed: dict[str, str | None]
reveal_type(uri.headers)  # revealed: dict[str, str]
reveal_type(uri.opaque)  # revealed: str
reveal_type(sipfast.URI.parse("sip:carol@chicago.example.com"))  # revealed: sipfast.message._values_c.URI
reveal_type(sipfast.URI("tel:+1-201-555-0123"))  # revealed: sipfast.message._values_c.URI

from_ = msg.from_
reveal_type(from_.display_name)  # revealed: str | None
reveal_type(from_.uri)  # revealed: sipfast.message._values_c.URI
reveal_type(from_.params)  # revealed: dict[str, str | None]
reveal_type(from_.tag)  # revealed: str | None
reveal_type(sipfast.NameAddr.parse("<sip:a@b>;tag=1"))  # revealed: sipfast.message._values_c.NameAddr

via = msg.top_via
reveal_type(via.protocol)  # revealed: str
reveal_type(via.transport)  # revealed: str
reveal_type(via.host)  # revealed: str
reveal_type(via.port)  # revealed: int | None
reveal_type(via.sent_by)  # revealed: str
reveal_type(via.branch)  # revealed: str | None
reveal_type(via.received)  # revealed: str | None
reveal_type(via.rport)  # revealed: int | None
reveal_type(via.maddr)  # revealed: str | None
reveal_type(via.ttl)  # revealed: int | None
reveal_type(via.params)  # revealed: dict[str, str | None]
reveal_type(sipfast.Via.parse("SIP/2.0/TCP h;branch=z9hG4bK1"))  # revealed: sipfast.message._values_c.Via

cseq = msg.cseq
reveal_type(cseq.seq)  # revealed: int
reveal_type(cseq.method)  # revealed: str
reveal_type(sipfast.CSeq(1, "BYE"))  # revealed: sipfast.message._values_c.CSeq
reveal_type(sipfast.CSeq.parse("2 ACK"))  # revealed: sipfast.message._values_c.CSeq

auth = msg.authorization[0]
reveal_type(auth.scheme)  # revealed: str
reveal_type(auth.params)  # revealed: dict[str, str]
reveal_type(auth["realm"])  # revealed: str
reveal_type(auth.get("nonce"))  # revealed: str | None
reveal_type(auth.get("nonce", ""))  # revealed: str
reveal_type(dict(auth))  # revealed: dict[str, str]
reveal_type(sipfast.Auth("Digest", {"realm": "r"}))  # revealed: sipfast.message._values_c.Auth
reveal_type(sipfast.Auth.parse('Digest realm="r"'))  # revealed: sipfast.message._values_c.Auth

# --- responses, keepalives, streams, limits, errors -------------------------------------

ok = sipfast.parse(b"SIP/2.0 180 Ringing\r\n" + INVITE.split(b"\r\n", 1)[1])
assert isinstance(ok, sipfast.Response)
reveal_type(ok.is_request)  # revealed: Literal[False]
reveal_type(ok.status)  # revealed: int
reveal_type(ok.reason)  # revealed: str
message: sipfast.Message = ok
reveal_type(message.is_request)  # revealed: bool

ping = sipfast.parse(b"\r\n\r\n")
assert ping is sipfast.Keepalive.PING
reveal_type(ping)  # revealed: Literal[sipfast.message.keepalive.Keepalive.PING]
reveal_type(sipfast.is_keepalive(bytearray(b"\r\n")))  # revealed: bool

limits = sipfast.Limits(max_size=4096, max_headers=64, max_line_length=1024)
reveal_type(limits.max_size)  # revealed: int
reveal_type(sipfast.DEFAULT_LIMITS)  # revealed: sipfast.message.limits.Limits
stream = sipfast.StreamParser(limits=limits)
items = stream.feed(memoryview(INVITE + b"\r\n\r\n"))
reveal_type(items)  # revealed: list[sipfast.message._message_c.Request | sipfast.message._message_c.Response | sipfast.message.keepalive.Keepalive]
reveal_type(stream.pending)  # revealed: int
assert len(items) == 2

try:
    sipfast.parse(INVITE.replace(b"CSeq: 314159", b"CSeq: 31x159"))
except sipfast.ParseError as err:
    reveal_type(err.reason)  # revealed: str
    reveal_type(err.offset)  # revealed: int
    reveal_type(err.status_code)  # revealed: int
    reveal_type(err.line)  # revealed: str
    reveal_type(err.column)  # revealed: int
    reveal_type(err.message)  # revealed: sipfast.message._message_c.Request | sipfast.message._message_c.Response | None
else:
    raise AssertionError("a bad CSeq was accepted")

# --- building and editing ---------------------------------------------------------------

reveal_type(sipfast.new_branch())  # revealed: str
reveal_type(sipfast.new_tag())  # revealed: str
reveal_type(sipfast.new_call_id("atlanta.example.com"))  # revealed: str
ringing = sipfast.make_response(msg, 180, to_tag=sipfast.new_tag(), headers=[("Require", "100rel")])
reveal_type(ringing)  # revealed: sipfast.message._message_c.Response
fields = {
    "Via": f"SIP/2.0/UDP pc33.atlanta.example.com;branch={sipfast.new_branch()}",
    "From": f"<sip:alice@atlanta.example.com>;tag={sipfast.new_tag()}",
    "To": "<sip:carol@chicago.example.com>",
    "Call-ID": sipfast.new_call_id("pc33.atlanta.example.com"),
    "CSeq": "1 OPTIONS",
}
options = sipfast.Request("OPTIONS", sipfast.URI("sip:carol@chicago.example.com"), fields)
reveal_type(options)  # revealed: sipfast.message._message_c.Request
reveal_type(sipfast.Response(200, None, list(fields.items()), body=b""))  # revealed: sipfast.message._message_c.Response

msg.headers.add("X-Trace", "1")
msg.headers.set("Subject", "typing")
msg.headers.insert("Warning", '399 h "typed"')
reveal_type(msg.headers.remove("X-Trace"))  # revealed: int
msg.push_via(sipfast.Via.parse(f"SIP/2.0/TCP proxy.example.com;branch={sipfast.new_branch()}"))
reveal_type(msg.pop_via())  # revealed: sipfast.message._values_c.Via
reveal_type(msg.decrement_max_forwards())  # revealed: int
msg.push_record_route(sipfast.URI("sip:proxy.example.com;lr"))
reveal_type(msg.pop_route())  # revealed: sipfast.message._values_c.NameAddr | None
msg.uri = "sip:bob@192.0.2.4"
msg.body = bytearray(b"v=0\r\n")
reveal_type(msg.uri)  # revealed: sipfast.message._values_c.URI
reveal_type(sipfast.parse(bytes(msg)))  # revealed: sipfast.message._message_c.Request | sipfast.message._message_c.Response | sipfast.message.keepalive.Keepalive
