"""Hand-written realistic SIP messages (RFC 3261 §24 style) and a small request builder."""

from __future__ import annotations

__all__ = ["INVITE", "OK_WITH_BODY", "REGISTER", "RINGING", "SEEDS", "request", "response"]

SDP = (
    b"v=0\r\n"
    b"o=alice 2890844526 2890844526 IN IP4 pc33.atlanta.com\r\n"
    b"s=-\r\n"
    b"c=IN IP4 pc33.atlanta.com\r\n"
    b"t=0 0\r\n"
    b"m=audio 49172 RTP/AVP 0\r\n"
    b"a=rtpmap:0 PCMU/8000\r\n"
)

INVITE = (
    b"INVITE sip:bob@biloxi.com SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds\r\n"
    b"Max-Forwards: 70\r\n"
    b"To: Bob <sip:bob@biloxi.com>\r\n"
    b"From: Alice <sip:alice@atlanta.com>;tag=1928301774\r\n"
    b"Call-ID: a84b4c76e66710@pc33.atlanta.com\r\n"
    b"CSeq: 314159 INVITE\r\n"
    b"Contact: <sip:alice@pc33.atlanta.com>\r\n"
    b"Content-Type: application/sdp\r\n"
    b"Content-Length: " + str(len(SDP)).encode() + b"\r\n"
    b"\r\n" + SDP
)

RINGING = (
    b"SIP/2.0 180 Ringing\r\n"
    b"Via: SIP/2.0/UDP server10.biloxi.com;branch=z9hG4bK4b43c2ff8.1\r\n"
    b"Via: SIP/2.0/UDP bigbox3.site3.atlanta.com;branch=z9hG4bK77ef4c2312983.1"
    b";received=192.0.2.2\r\n"
    b"Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds;received=192.0.2.1\r\n"
    b"Record-Route: <sip:server10.biloxi.com;lr>, <sip:bigbox3.site3.atlanta.com;lr>\r\n"
    b"To: Bob <sip:bob@biloxi.com>;tag=a6c85cf\r\n"
    b"From: Alice <sip:alice@atlanta.com>;tag=1928301774\r\n"
    b"Call-ID: a84b4c76e66710@pc33.atlanta.com\r\n"
    b"Contact: <sip:bob@192.0.2.4>\r\n"
    b"CSeq: 314159 INVITE\r\n"
    b"Content-Length: 0\r\n"
    b"\r\n"
)

REGISTER = (
    b"REGISTER sips:ss2.biloxi.example.com SIP/2.0\r\n"
    b"Via: SIP/2.0/TLS client.biloxi.example.com:5061;branch=z9hG4bKnashd92\r\n"
    b"Max-Forwards: 70\r\n"
    b"From: Bob <sips:bob@biloxi.example.com>;tag=ja743ks76zlflH\r\n"
    b"To: Bob <sips:bob@biloxi.example.com>\r\n"
    b"Call-ID: 1j9FpLxk3uxtm8tn@biloxi.example.com\r\n"
    b"CSeq: 2 REGISTER\r\n"
    b"Contact: <sips:bob@client.biloxi.example.com>;expires=3600, "
    b'"Bob, mobile" <sips:bob@[2001:db8::5]:5061;transport=tls>;q=0.5\r\n'
    b'Authorization: Digest username="bob", realm="atlanta.example.com",'
    b' nonce="ea9c8e88df84f1cec4341ae6cbe5a359", opaque="",'
    b' uri="sips:ss2.biloxi.example.com", response="dfe56131d1958046689d83306477ecc",'
    b' algorithm=MD5, qop=auth, nc=00000001, cnonce="0a4f113b"\r\n'
    b"Expires: 7200\r\n"
    b"Supported: path, outbound\r\n"
    b"Content-Length: 0\r\n"
    b"\r\n"
)

OK_WITH_BODY = (
    b"SIP/2.0 200 OK\r\n"
    b"v: SIP/2.0/TCP [2001:db8::9:1]:6050;branch=z9hG4bKas3-111;rport=6051"
    b";received=2001:db8::9:255\r\n"
    b"t: <sip:bob@biloxi.com>;tag=8321234356\r\n"
    b"f: <sip:alice@atlanta.com>;tag=1928301774\r\n"
    b"i: a84b4c76e66710@pc33.atlanta.com\r\n"
    b"CSeq: 314159 INVITE\r\n"
    b"m: <sip:bob@192.0.2.4>\r\n"
    b"c: application/sdp\r\n"
    b"l: " + str(len(SDP)).encode() + b"\r\n"
    b"\r\n" + SDP
)

SEEDS = (INVITE, RINGING, REGISTER, OK_WITH_BODY)

_BASE_REQUEST_HEADERS = (
    "Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds",
    "Max-Forwards: 70",
    "To: <sip:bob@biloxi.com>",
    "From: <sip:alice@atlanta.com>;tag=1928301774",
    "Call-ID: a84b4c76e66710@pc33.atlanta.com",
)


def request(
    *headers: str,
    method: str = "OPTIONS",
    uri: str = "sip:bob@biloxi.com",
    version: str = "SIP/2.0",
    cseq: str | None = None,
    body: bytes = b"",
    content_length: bool = True,
    base: bool = True,
) -> bytes:
    """A request with the mandatory headers (unless base=False), then `headers`."""
    lines = [f"{method} {uri} {version}"]
    if base:
        lines.extend(_BASE_REQUEST_HEADERS)
        lines.append(f"CSeq: {cseq or '1 ' + method}")
    lines.extend(headers)
    if content_length:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape") + body


def response(*headers: str, status: str = "200 OK", base: bool = True, body: bytes = b"") -> bytes:
    lines = [f"SIP/2.0 {status}"]
    if base:
        lines.extend(
            [
                "Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds",
                "To: <sip:bob@biloxi.com>;tag=a6c85cf",
                "From: <sip:alice@atlanta.com>;tag=1928301774",
                "Call-ID: a84b4c76e66710@pc33.atlanta.com",
                "CSeq: 1 OPTIONS",
            ]
        )
    lines.extend(headers)
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body
