"""URI, name-addr, Via, CSeq and auth values: the pure-Python twin of _values_c.pyx.

Every scanner works on a bytes buffer between two offsets and walks the RFC 3261
grammar one element at a time with anchored regexes; where an element does not
match, the error names that offset.  The Cython twin walks the same elements over a
``const char*`` so both report the same reason at the same offset.

Inside a header value, CR and LF only occur in folds (the header index guarantees
it), so LWS is simply any run of SP, HT, CR, LF.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from ..errors import ParseError

__all__ = ["URI", "Auth", "CSeq", "NameAddr", "Via"]


class Bad(Exception):
    """Internal: a grammar violation at ``offset``; the API boundary turns it into ParseError."""

    def __init__(self, offset: int, reason: str, status: int = 400) -> None:
        self.offset = offset
        self.reason = reason
        self.status = status


_WS = re.compile(rb"[ \t\r\n]*")
_TOKEN = re.compile(rb"[A-Za-z0-9\-.!%*_+`'~]+")
# gen-value = token / host / quoted-string: a token widened by the host characters.
_GENVALUE = re.compile(rb"[A-Za-z0-9\-.!%*_+`'~:\[\]]+")
_QUOTED_BODY = re.compile(rb'(?:[^"\\]|\\[^\r\n])*')
_QUOTED_PAIR = re.compile(rb"\\(.)", re.DOTALL)
_SCHEME = re.compile(rb"[A-Za-z][A-Za-z0-9+\-.]*")
_ESC = rb"%[0-9A-Fa-f]{2}"
_USER = re.compile(rb"(?:[A-Za-z0-9\-_.!~*'()&=+$,;?/]|" + _ESC + rb")+")
_PASSWORD = re.compile(rb"(?:[A-Za-z0-9\-_.!~*'()&=+$,]|" + _ESC + rb")*")
_HOSTNAME = re.compile(rb"[A-Za-z0-9\-._]+")
_IPV6REF = re.compile(rb"\[[0-9A-Fa-f:.]+\]")
_DIGITS = re.compile(rb"[0-9]+")
_PARAMCHARS = re.compile(rb"(?:[A-Za-z0-9\-_.!~*'()\[\]/:&+$]|" + _ESC + rb")+")
_HNAME = re.compile(rb"(?:[A-Za-z0-9\-_.!~*'()\[\]/?:+$]|" + _ESC + rb")+")
_HVALUE = re.compile(rb"(?:[A-Za-z0-9\-_.!~*'()\[\]/?:+$]|" + _ESC + rb")*")
_TELNUMBER = re.compile(rb"[0-9A-Fa-f*#+\-.()]+")
_URIC = re.compile(rb"(?:[A-Za-z0-9\-_.!~*'();/?:@&=+$,\[\]]|" + _ESC + rb")+")
_PCT = re.compile(rb"%([0-9A-Fa-f]{2})")


def _text(buf: bytes, start: int, end: int) -> str:
    return buf[start:end].decode("utf-8", "surrogateescape")


def _unescape(raw: bytes) -> str:
    """Percent-decode once (RFC 3261 §19.1.2)."""
    if b"%" in raw:
        raw = _PCT.sub(lambda m: bytes((int(m.group(1), 16),)), raw)
    return raw.decode("utf-8", "surrogateescape")


def unquote(buf: bytes, start: int, end: int) -> str:
    """The text of quoted-string ``buf[start:end]`` (quotes included), quoted-pairs resolved."""
    inner = buf[start + 1 : end - 1]
    if b"\\" in inner:
        inner = _QUOTED_PAIR.sub(rb"\1", inner)
    return inner.decode("utf-8", "surrogateescape")


def skip_ws(buf: bytes, pos: int, end: int) -> int:
    return _WS.match(buf, pos, end).end()  # type: ignore[union-attr]


def scan_quoted(buf: bytes, pos: int, end: int) -> int:
    """``buf[pos]`` is a DQUOTE; return the offset after the closing one."""
    stop = _QUOTED_BODY.match(buf, pos + 1, end).end()  # type: ignore[union-attr]
    if stop >= end or buf[stop] != 0x22:
        raise Bad(pos, "unterminated quoted string")
    return stop + 1


def scan_params(
    buf: bytes, pos: int, end: int, what: str
) -> tuple[int, list[tuple[str, str | None]]]:
    """``*( SEMI generic-param )`` with LWS; returns (offset after the last one, params)."""
    params: list[tuple[str, str | None]] = []
    while True:
        p = skip_ws(buf, pos, end)
        if p >= end or buf[p] != 0x3B:  # ';'
            return pos, params
        p = skip_ws(buf, p + 1, end)
        m = _TOKEN.match(buf, p, end)
        if m is None:
            raise Bad(p, f"invalid {what} parameter")
        name = buf[p : m.end()].decode("ascii")
        pos = m.end()
        p = skip_ws(buf, pos, end)
        value: str | None = None
        if p < end and buf[p] == 0x3D:  # '='
            p = skip_ws(buf, p + 1, end)
            if p < end and buf[p] == 0x22:
                pos = scan_quoted(buf, p, end)
                value = unquote(buf, p, pos)
            else:
                m = _GENVALUE.match(buf, p, end)
                if m is None:
                    raise Bad(p, f"invalid {what} parameter value")
                pos = m.end()
                value = buf[p:pos].decode("ascii")
        params.append((name, value))


def find_param(plist: list[tuple[str, str | None]], name: str) -> str | None:
    """Case-insensitive lookup (names are kept as written); the last one wins, as in a dict."""
    value = None
    for key, v in plist:
        if key.lower() == name:
            value = v
    return value


def _port(buf: bytes, pos: int, end: int) -> tuple[int, int]:
    m = _DIGITS.match(buf, pos, end)
    if m is None:
        raise Bad(pos, "invalid port")
    port = int(buf[pos : m.end()])
    if port > 65535:
        raise Bad(pos, "port out of range")
    return m.end(), port


def scan_host(buf: bytes, pos: int, end: int, what: str) -> int:
    m = (_IPV6REF if pos < end and buf[pos] == 0x5B else _HOSTNAME).match(buf, pos, end)
    if m is None:
        raise Bad(pos, f"invalid {what} host")
    return m.end()


# --- URI ------------------------------------------------------------------------------

def scan_uri(buf: bytes, start: int, end: int) -> tuple[Any, ...]:
    """Validate and split the URI ``buf[start:end]``; the whole span must be the URI."""
    m = _SCHEME.match(buf, start, end)
    if m is None:
        raise Bad(start, "invalid URI scheme")
    colon = m.end()
    if colon >= end or buf[colon] != 0x3A:
        raise Bad(colon, "expected ':' after URI scheme")
    scheme = buf[start:colon].decode("ascii")
    kind = scheme.lower()
    pos = colon + 1
    user = password = host = None
    port: int | None = None
    params: dict[str, str | None] = {}
    headers: dict[str, str] = {}
    if kind == "sip" or kind == "sips":
        at = buf.find(b"@", pos, end)
        if at >= 0:
            m = _USER.match(buf, pos, at)
            if m is None:
                raise Bad(pos, "invalid URI user")
            p = m.end()
            user = _unescape(buf[pos:p])
            if p < at:
                if buf[p] != 0x3A:
                    raise Bad(p, "invalid URI user")
                q = _PASSWORD.match(buf, p + 1, at).end()  # type: ignore[union-attr]
                if q < at:
                    raise Bad(q, "invalid URI password")
                password = _unescape(buf[p + 1 : at])
            pos = at + 1
        p = scan_host(buf, pos, end, "URI")
        host = buf[pos:p].decode("ascii")
        pos = p
        if pos < end and buf[pos] == 0x3A:
            pos, port = _port(buf, pos + 1, end)
        pos = _uri_params(buf, pos, end, params)
        if pos < end and buf[pos] == 0x3F:  # '?'
            while True:
                m = _HNAME.match(buf, pos + 1, end)
                if m is None:
                    raise Bad(pos + 1, "invalid URI header")
                p = m.end()
                if p >= end or buf[p] != 0x3D:
                    raise Bad(p, "invalid URI header")
                q = _HVALUE.match(buf, p + 1, end).end()  # type: ignore[union-attr]
                headers[_unescape(buf[pos + 1 : p])] = _unescape(buf[p + 1 : q])
                pos = q
                if pos >= end or buf[pos] != 0x26:  # '&'
                    break
    elif kind == "tel":
        m = _TELNUMBER.match(buf, pos, end)
        if m is None:
            raise Bad(pos, "invalid tel URI number")
        user = buf[pos : m.end()].decode("ascii")
        pos = _uri_params(buf, m.end(), end, params)
    else:
        m = _URIC.match(buf, pos, end)
        if m is None:
            raise Bad(pos, "invalid URI")
        pos = m.end()
    if pos != end:
        raise Bad(pos, "invalid character in URI")
    return scheme, user, password, host, port, params, headers, _text(buf, colon + 1, end)


def _uri_params(buf: bytes, pos: int, end: int, params: dict[str, str | None]) -> int:
    while pos < end and buf[pos] == 0x3B:  # ';'
        m = _PARAMCHARS.match(buf, pos + 1, end)
        if m is None:
            raise Bad(pos + 1, "invalid URI parameter")
        p = m.end()
        value: str | None = None
        if p < end and buf[p] == 0x3D:
            m = _PARAMCHARS.match(buf, p + 1, end)
            if m is None:
                raise Bad(p + 1, "invalid URI parameter value")
            value = _unescape(buf[p + 1 : m.end()])
            params[_unescape(buf[pos + 1 : p])] = value
            pos = m.end()
        else:
            params[_unescape(buf[pos + 1 : p])] = None
            pos = p
    return pos


def _encode(text: str) -> bytes:
    if not isinstance(text, str):
        raise TypeError(f"expected str, not {type(text).__name__}")
    return text.encode("utf-8", "surrogateescape")


def _parse_text(text: str, scan: Any) -> Any:
    buf = _encode(text)
    try:
        return scan(buf, 0, len(buf))
    except Bad as e:
        raise ParseError.at(buf, e.offset, e.reason, e.status) from None


class URI:
    """A SIP, SIPS or tel URI, or any other absolute URI (RFC 3261 §19.1, RFC 3966)."""

    __slots__ = (
        "_headers",
        "_host",
        "_opaque",
        "_params",
        "_password",
        "_port",
        "_scheme",
        "_text",
        "_user",
    )

    def __init__(self, text: str) -> None:
        buf = _encode(text)
        try:
            parts = scan_uri(buf, 0, len(buf))
        except Bad as e:
            raise ParseError.at(buf, e.offset, e.reason, e.status) from None
        self._set(text, parts)

    def _set(self, text: str, parts: tuple[Any, ...]) -> None:
        self._text = text
        (self._scheme, self._user, self._password, self._host, self._port, self._params,
         self._headers, self._opaque) = parts

    @classmethod
    def parse(cls, text: str) -> URI:
        return cls(text)

    @classmethod
    def _from_span(cls, buf: bytes, start: int, end: int) -> URI:
        uri = cls.__new__(cls)
        uri._set(_text(buf, start, end), scan_uri(buf, start, end))
        return uri

    scheme = property(lambda self: self._scheme, doc="The scheme as written.")
    user = property(lambda self: self._user, doc="User part, percent-decoded once.")
    password = property(lambda self: self._password)
    host = property(lambda self: self._host, doc="Host as written; IPv6 with brackets.")
    port = property(lambda self: self._port)
    opaque = property(lambda self: self._opaque, doc="Everything after 'scheme:'.")

    @property
    def params(self) -> dict[str, str | None]:
        return dict(self._params)

    @property
    def headers(self) -> dict[str, str]:
        return dict(self._headers)

    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return f"URI({self._text!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, URI):
            return self._text == other._text
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._text)


# --- name-addr / addr-spec -----------------------------------------------------------

def scan_name_addr(buf: bytes, pos: int, end: int, in_list: bool) -> tuple[Any, ...]:
    """One ``(name-addr / addr-spec) *(SEMI param)`` starting at ``pos`` (after LWS).

    Returns (start, stop, display_name, uri_start, uri_end, params): ``stop`` is the
    offset after the element, before any trailing LWS.
    """
    start = pos = skip_ws(buf, pos, end)
    display: str | None = None
    if pos < end and buf[pos] == 0x22:  # '"'
        p = scan_quoted(buf, pos, end)
        display = unquote(buf, pos, p)
        pos = skip_ws(buf, p, end)
        if pos >= end or buf[pos] != 0x3C:
            raise Bad(pos, "expected '<' after display name")
    elif pos < end and buf[pos] != 0x3C:
        # *(token LWS) "<" is a name-addr with a token display name; else an addr-spec.
        p = pos
        last = pos
        while True:
            m = _TOKEN.match(buf, p, end)
            if m is None:
                break
            last = m.end()
            p = skip_ws(buf, last, end)
        if p < end and buf[p] == 0x3C and last > pos:
            display = _text(buf, pos, last)
            pos = p
    if pos < end and buf[pos] == 0x3C:  # '<'
        gt = buf.find(b">", pos + 1, end)
        if gt < 0:
            raise Bad(pos, "missing '>'")
        uri_start, uri_end = pos + 1, gt
        stop = gt + 1
    else:
        # addr-spec: the URI runs to the first ';', ',' (in a list) or LWS.
        p = pos
        while p < end and buf[p] not in b" \t\r\n;" and not (in_list and buf[p] == 0x2C):
            p += 1
        uri_start, uri_end = pos, p
        stop = p
    scan_uri(buf, uri_start, uri_end)
    stop, params = scan_params(buf, stop, end, "header")
    return start, stop, display, uri_start, uri_end, params


def scan_name_addrs(buf: bytes, start: int, end: int, in_list: bool) -> list[tuple[Any, ...]]:
    """A whole header value: one element, or a comma-separated list of them."""
    items = []
    pos = start
    while True:
        item = scan_name_addr(buf, pos, end, in_list)
        items.append(item)
        pos = skip_ws(buf, item[1], end)
        if pos >= end:
            return items
        if not in_list or buf[pos] != 0x2C:
            raise Bad(pos, "unexpected character after address")
        pos += 1


class NameAddr:
    """``[display-name] <URI> *(;param)`` or ``addr-spec *(;param)`` (From, To, Contact, ...)."""

    __slots__ = ("_display_name", "_plist", "_text", "_uri")

    def __init__(self, text: str) -> None:
        buf = _encode(text)
        try:
            items = scan_name_addrs(buf, 0, len(buf), False)
        except Bad as e:
            raise ParseError.at(buf, e.offset, e.reason, e.status) from None
        self._set(buf, items[0])
        self._text = text

    def _set(self, buf: bytes, item: tuple[Any, ...]) -> None:
        start, stop, self._display_name, us, ue, params = item
        self._text = _text(buf, start, stop)
        self._uri = URI._from_span(buf, us, ue)
        self._plist = params

    @classmethod
    def parse(cls, text: str) -> NameAddr:
        return cls(text)

    @classmethod
    def _from_item(cls, buf: bytes, item: tuple[Any, ...]) -> NameAddr:
        na = cls.__new__(cls)
        na._set(buf, item)
        return na

    display_name = property(lambda self: self._display_name,
                            doc="Quotes removed and quoted-pairs resolved; None if absent.")
    uri = property(lambda self: self._uri)

    @property
    def params(self) -> dict[str, str | None]:
        return dict(self._plist)

    @property
    def tag(self) -> str | None:
        return find_param(self._plist, "tag")

    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return f"NameAddr({self._text!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, NameAddr):
            return self._text == other._text
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._text)


# --- Via -------------------------------------------------------------------------------

def _slash(buf: bytes, pos: int, end: int) -> int:
    p = skip_ws(buf, pos, end)
    if p >= end or buf[p] != 0x2F:
        raise Bad(p, "expected '/' in Via sent-protocol")
    return skip_ws(buf, p + 1, end)


def scan_via(buf: bytes, pos: int, end: int) -> tuple[Any, ...]:
    """One via-parm at ``pos``: (start, stop, protocol, transport, host, port, params)."""
    start = pos = skip_ws(buf, pos, end)
    m = _TOKEN.match(buf, pos, end)
    if m is None:
        raise Bad(pos, "invalid Via sent-protocol")
    name = buf[pos : m.end()]
    pos = _slash(buf, m.end(), end)
    m = _TOKEN.match(buf, pos, end)
    if m is None:
        raise Bad(pos, "invalid Via sent-protocol")
    version = buf[pos : m.end()]
    pos = _slash(buf, m.end(), end)
    m = _TOKEN.match(buf, pos, end)
    if m is None:
        raise Bad(pos, "invalid Via transport")
    transport = buf[pos : m.end()].decode("ascii")
    p = skip_ws(buf, m.end(), end)
    if p == m.end():
        raise Bad(p, "expected LWS before Via sent-by")
    pos = scan_host(buf, p, end, "Via")
    host = buf[p:pos].decode("ascii")
    port: int | None = None
    q = skip_ws(buf, pos, end)
    if q < end and buf[q] == 0x3A:  # ':'
        pos, port = _port(buf, skip_ws(buf, q + 1, end), end)
    pos, params = scan_params(buf, pos, end, "Via")
    protocol = (name + b"/" + version).decode("ascii")
    return start, pos, protocol, transport, host, port, params


def scan_vias(buf: bytes, start: int, end: int) -> list[tuple[Any, ...]]:
    items = []
    pos = start
    while True:
        item = scan_via(buf, pos, end)
        items.append(item)
        pos = skip_ws(buf, item[1], end)
        if pos >= end:
            return items
        if buf[pos] != 0x2C:
            raise Bad(pos, "unexpected character in Via")
        pos += 1


def _int_param(plist: list[tuple[str, str | None]], name: str) -> int | None:
    value = find_param(plist, name)
    if value is None or not value.isdigit() or not value.isascii():
        return None
    return int(value)


class Via:
    """One via-parm: ``SIP/2.0/UDP host:port;branch=...`` (RFC 3261 §20.42)."""

    __slots__ = ("_host", "_plist", "_port", "_protocol", "_text", "_transport")

    def __init__(self, text: str) -> None:
        buf = _encode(text)
        try:
            item = scan_via(buf, 0, len(buf))
            if skip_ws(buf, item[1], len(buf)) != len(buf):
                raise Bad(skip_ws(buf, item[1], len(buf)), "unexpected character in Via")
        except Bad as e:
            raise ParseError.at(buf, e.offset, e.reason, e.status) from None
        self._set(buf, item)
        self._text = text

    def _set(self, buf: bytes, item: tuple[Any, ...]) -> None:
        start, stop, self._protocol, self._transport, self._host, self._port, params = item
        self._text = _text(buf, start, stop)
        self._plist = params

    @classmethod
    def parse(cls, text: str) -> Via:
        return cls(text)

    @classmethod
    def _from_item(cls, buf: bytes, item: tuple[Any, ...]) -> Via:
        via = cls.__new__(cls)
        via._set(buf, item)
        return via

    protocol = property(lambda self: self._protocol, doc="'SIP/2.0' (LWS removed).")
    transport = property(lambda self: self._transport, doc="As written, e.g. 'UDP'.")
    host = property(lambda self: self._host)
    port = property(lambda self: self._port)

    @property
    def sent_by(self) -> str:
        return self._host if self._port is None else f"{self._host}:{self._port}"

    @property
    def params(self) -> dict[str, str | None]:
        return dict(self._plist)

    branch = property(lambda self: find_param(self._plist, "branch"))
    received = property(lambda self: find_param(self._plist, "received"))
    maddr = property(lambda self: find_param(self._plist, "maddr"))
    rport = property(lambda self: _int_param(self._plist, "rport"),
                     doc="The rport value; None when absent or valueless (see params).")
    ttl = property(lambda self: _int_param(self._plist, "ttl"))

    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return f"Via({self._text!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Via):
            return self._text == other._text
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._text)


# --- CSeq ------------------------------------------------------------------------------

CSEQ_MAX = 2**32 - 1


def scan_cseq(buf: bytes, start: int, end: int) -> tuple[int, str, int]:
    pos = skip_ws(buf, start, end)
    m = _DIGITS.match(buf, pos, end)
    if m is None:
        raise Bad(pos, "invalid CSeq number")
    digits = buf[pos : m.end()].lstrip(b"0")
    if len(digits) > 10 or int(digits or b"0") > CSEQ_MAX:
        raise Bad(pos, "CSeq number out of range")
    p = skip_ws(buf, m.end(), end)
    if p == m.end():
        raise Bad(p, "expected LWS after CSeq number")
    m = _TOKEN.match(buf, p, end)
    if m is None:
        raise Bad(p, "invalid CSeq method")
    q = skip_ws(buf, m.end(), end)
    if q != end:
        raise Bad(q, "unexpected character in CSeq")
    return int(digits or b"0"), buf[p : m.end()].decode("ascii"), p


class CSeq:
    """``CSeq: 4711 INVITE``: a sequence number and a method."""

    __slots__ = ("_method", "_seq")

    def __init__(self, seq: int, method: str) -> None:
        if not isinstance(seq, int) or not 0 <= seq <= CSEQ_MAX:
            raise ValueError(f"CSeq number must be in 0..2**32-1, not {seq!r}")
        if not isinstance(method, str) or not _TOKEN.fullmatch(method.encode("utf-8", "replace")):
            raise ValueError(f"CSeq method must be a token, not {method!r}")
        self._seq = seq
        self._method = method

    @classmethod
    def parse(cls, text: str) -> CSeq:
        seq, method, _ = _parse_text(text, scan_cseq)
        return cls(seq, method)

    seq = property(lambda self: self._seq)
    method = property(lambda self: self._method)

    def __str__(self) -> str:
        return f"{self._seq} {self._method}"

    def __repr__(self) -> str:
        return f"CSeq({self._seq}, {self._method!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, CSeq):
            return self._seq == other._seq and self._method == other._method
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self._seq, self._method))


# --- Authorization / WWW-Authenticate ------------------------------------------------

def scan_auth(buf: bytes, start: int, end: int) -> tuple[str, dict[str, str]]:
    """``auth-scheme LWS auth-param *(COMMA auth-param)`` (RFC 3261 §25.1)."""
    pos = skip_ws(buf, start, end)
    m = _TOKEN.match(buf, pos, end)
    if m is None:
        raise Bad(pos, "invalid auth scheme")
    scheme = buf[pos : m.end()].decode("ascii")
    params: dict[str, str] = {}
    pos = skip_ws(buf, m.end(), end)
    if pos == end:
        return scheme, params
    if pos == m.end():
        raise Bad(pos, "expected LWS after auth scheme")
    while True:
        m = _TOKEN.match(buf, pos, end)
        if m is None:
            raise Bad(pos, "invalid auth parameter")
        name = buf[pos : m.end()].decode("ascii")
        p = skip_ws(buf, m.end(), end)
        if p >= end or buf[p] != 0x3D:
            raise Bad(p, "expected '=' in auth parameter")
        p = skip_ws(buf, p + 1, end)
        if p < end and buf[p] == 0x22:
            q = scan_quoted(buf, p, end)
            params[name] = unquote(buf, p, q)
        else:
            m = _GENVALUE.match(buf, p, end)
            if m is None:
                raise Bad(p, "invalid auth parameter value")
            q = m.end()
            params[name] = buf[p:q].decode("ascii")
        pos = skip_ws(buf, q, end)
        if pos == end:
            return scheme, params
        if buf[pos] != 0x2C:
            raise Bad(pos, "expected ',' between auth parameters")
        pos = skip_ws(buf, pos + 1, end)


def render_auth(scheme: str, params: Mapping[str, str]) -> str:
    quoted = ", ".join(
        f'{k}="' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for k, v in params.items()
    )
    return f"{scheme} {quoted}" if quoted else scheme


class Auth(Mapping[str, str]):
    """Credentials or a challenge: a scheme and its parameters (quoted values unquoted)."""

    __slots__ = ("_params", "_scheme", "_text")

    def __init__(self, scheme: str, params: Mapping[str, str] | None = None) -> None:
        self._scheme = scheme
        self._params = dict(params or {})
        self._text: str | None = None

    @classmethod
    def parse(cls, text: str) -> Auth:
        scheme, params = _parse_text(text, scan_auth)
        auth = cls(scheme, params)
        auth._text = text
        return auth

    def __str__(self) -> str:
        """The text it was parsed from; built ones quote every value."""
        if self._text is not None:
            return self._text
        return render_auth(self._scheme, self._params)

    scheme = property(lambda self: self._scheme)

    @property
    def params(self) -> dict[str, str]:
        return dict(self._params)

    def __getitem__(self, name: str) -> str:
        value = self._params.get(name)
        if value is None:
            for key, value in self._params.items():
                if key.lower() == name.lower():
                    return value
            raise KeyError(name)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._params)

    def __len__(self) -> int:
        return len(self._params)

    def __repr__(self) -> str:
        return f"Auth({self._scheme!r}, {self._params!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Auth):
            return self._scheme == other._scheme and self._params == other._params
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self._scheme, tuple(self._params.items())))
