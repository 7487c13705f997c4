"""URI, name-addr, Via, CSeq and auth values: the pure-Python twin of _values_c.pyx.

Every scanner works on a bytes buffer between two offsets and walks the RFC 3261
grammar one element at a time with anchored regexes; where an element does not
match, the error names that offset.  The Cython twin walks the same elements over a
``const char*`` so both report the same reason at the same offset.  The values of the
usual shape take a shortcut first: one pattern for the whole value (see "fast
patterns" below).

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

# --- fast patterns ----------------------------------------------------------------------
#
# The values every message carries mostly have one shape: a sip or sips URI, no LWS
# inside the value, parameters without quoted values.  One anchored pattern per value
# accepts that shape, in one call into the regex engine.  A value it accepts is valid
# and splits exactly where the scanners below would split it; any other value goes
# through the scanners, which accept it or report the fault.  Every repetition ends
# at a character it cannot match, so a failed attempt backtracks at most once per
# octet: linear on any input.

_TOKEN_CHARS = rb"A-Za-z0-9\-.!%*_+`'~"
_ESC_ALT = rb"|%[0-9A-Fa-f]{2}"
_PLAIN_PARAMS = rb"(?:;[" + _TOKEN_CHARS + rb"]+(?:=[" + _TOKEN_CHARS + rb":\[\]]+)?)*"
_FAST_HOST = rb"[A-Za-z0-9\-._]+|\[[0-9A-Fa-f:.]+\]"
_FAST_PORT = (rb"(?:[0-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]"
              rb"|[0-9]{1,4})(?![0-9])")  # 0..65535 in at most five digits


def _sip_uri(user: bytes, tail: bytes, group: bytes) -> bytes:
    """A pattern for ``sip:`` or ``sips:``, [userinfo ``@``], host, [``:`` port], ``tail``.

    ``user``: the characters of the user part.  ``group``: ``b"("`` to capture scheme,
    user, password, host and port, ``b"(?:"`` to capture nothing.
    """
    return (
        group + rb"[Ss][Ii][Pp][Ss]?):"
        rb"(?:" + group + rb"(?:[" + user + rb"]" + _ESC_ALT + rb")+)"
        rb"(?::" + group + rb"(?:[A-Za-z0-9\-_.!~*'()&=+$,]" + _ESC_ALT + rb")*))?@)?"
        + group + _FAST_HOST + rb")(?::" + group + _FAST_PORT + rb"))?" + tail
    )


_USER_CHARS = rb"A-Za-z0-9\-_.!~*'()&=+$,;?/"
_PARAM_CHAR = rb"(?:[A-Za-z0-9\-_.!~*'()\[\]/:&+$]" + _ESC_ALT + rb")"
_HEADER_CHAR = rb"(?:[A-Za-z0-9\-_.!~*'()\[\]/?:+$]" + _ESC_ALT + rb")"
_HEADER = _HEADER_CHAR + rb"+=" + _HEADER_CHAR + rb"*"
_URI_PARAMS = rb"(?:;" + _PARAM_CHAR + rb"+(?:=" + _PARAM_CHAR + rb"+)?)*"
_URI_HEADERS = _HEADER + rb"(?:&" + _HEADER + rb")*"
# A whole sip/sips URI.  Groups: scheme, user, password, host, port, the ";param"
# region, the headers after '?'.
_FAST_URI = re.compile(
    _sip_uri(_USER_CHARS, rb"(" + _URI_PARAMS + rb")(?:\?(" + _URI_HEADERS + rb"))?", b"(")
)
# From / To: [display-name] <sip-uri>, or a bare sip-uri (no ';' in its user part, no
# parameters of its own: the first ';' starts the header's), then plain parameters.
# Groups: 1 quoted display name (inside the quotes), 2 token display name, 3 the URI
# inside <>, 4 the bare URI, 5 the parameter region.
_FAST_NAME_ADDR = re.compile(
    rb'(?:(?:(?:"((?:[^"\\\r\n]|\\[^\r\n])*)"'
    rb"|([" + _TOKEN_CHARS + rb"]+(?:[ \t]+[" + _TOKEN_CHARS + rb"]+)*))[ \t]*)?"
    rb"<(" + _sip_uri(_USER_CHARS, rb"(?:" + _URI_PARAMS + rb")(?:\?" + _URI_HEADERS + rb")?",
                       b"(?:") + rb")>"
    rb"|(" + _sip_uri(rb"A-Za-z0-9\-_.!~*'()&=+$,?/", b"", b"(?:") + rb"))"
    rb"(" + _PLAIN_PARAMS + rb")"
)


# One via-parm; groups: protocol, transport, host, port, the parameter region.
_FAST_VIA = re.compile(
    rb"([" + _TOKEN_CHARS + rb"]+/[" + _TOKEN_CHARS + rb"]+)/([" + _TOKEN_CHARS + rb"]+)[ \t]+"
    rb"(" + _FAST_HOST + rb")(?::(" + _FAST_PORT + rb"))?(" + _PLAIN_PARAMS + rb")"
)
_COMMA = re.compile(rb"[ \t]*,[ \t]*")
# CSeq: groups: number (at most 10 digits, checked against 2**32-1 after), method.
_FAST_CSEQ = re.compile(rb"([0-9]{1,10})[ \t]+([" + _TOKEN_CHARS + rb"]+)")


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


def plain_params(region: bytes) -> list[tuple[str, str | None]]:
    """The (name, value) pairs of a region _PLAIN_PARAMS matched."""
    out: list[tuple[str, str | None]] = []
    for param in region.split(b";")[1:]:
        name, eq, value = param.partition(b"=")
        out.append((name.decode("ascii"), value.decode("ascii") if eq else None))
    return out


def plain_param(region: bytes, key: bytes) -> str | None:
    """find_param on a region _PLAIN_PARAMS matched, without splitting it: ``key`` is
    ``b";name"`` in lower case.  Every ';' there starts a parameter."""
    low = region.lower()
    n = len(key)
    stop = len(low)
    while True:
        i = low.rfind(key, 0, stop)
        if i < 0:
            return None
        j = i + n
        if j == len(low) or low[j] == 0x3B:  # the last one has no value
            return None
        if low[j] == 0x3D:  # '='
            k = region.find(b";", j)
            return region[j + 1 : k if k >= 0 else len(region)].decode("ascii")
        stop = i  # a longer name that begins with this one


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
    digits = buf[pos : m.end()].lstrip(b"0")  # int() refuses more than 4300 digits
    if len(digits) > 5 or int(digits or b"0") > 65535:
        raise Bad(pos, "port out of range")
    return m.end(), int(digits or b"0")


def scan_host(buf: bytes, pos: int, end: int, what: str) -> int:
    m = (_IPV6REF if pos < end and buf[pos] == 0x5B else _HOSTNAME).match(buf, pos, end)
    if m is None:
        raise Bad(pos, f"invalid {what} host")
    return m.end()


# --- URI ------------------------------------------------------------------------------

def scan_uri(buf: bytes, start: int, end: int) -> tuple[Any, ...]:
    """Validate and split the URI ``buf[start:end]``; the whole span must be the URI."""
    fast = _FAST_URI.fullmatch(buf, start, end)
    if fast is not None:
        return _fast_uri_parts(buf, fast)
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


def _fast_uri_parts(buf: bytes, m: re.Match[bytes]) -> tuple[Any, ...]:
    """What scan_uri returns, for a URI that _FAST_URI matched."""
    scheme, user, password, host, port, param_region, header_region = m.groups()
    params: dict[str, str | None] = {}
    if param_region:
        for param in param_region[1:].split(b";"):
            name, eq, value = param.partition(b"=")
            params[_unescape(name)] = _unescape(value) if eq else None
    headers: dict[str, str] = {}
    if header_region is not None:
        for header in header_region.split(b"&"):
            name, _, value = header.partition(b"=")
            headers[_unescape(name)] = _unescape(value)
    return (
        scheme.decode("ascii"),
        None if user is None else _unescape(user),
        None if password is None else _unescape(password),
        host.decode("ascii"),
        None if port is None else int(port),
        params,
        headers,
        _text(buf, m.end(1) + 1, m.end()),
    )


def uri_is_valid(buf: bytes, start: int, end: int) -> bool:
    """Whether ``buf[start:end]`` is a URI, without splitting it."""
    if _FAST_URI.fullmatch(buf, start, end) is not None:
        return True
    try:
        scan_uri(buf, start, end)
    except Bad:
        return False
    return True


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

    # A URI read from a message keeps its span there, checked by the parser, and is
    # split into its parts when one is first read.
    __slots__ = ("_parts", "_span", "_src", "_text")

    _src: bytes
    _span: tuple[int, int]

    def __init__(self, text: str) -> None:
        buf = _encode(text)
        try:
            parts = scan_uri(buf, 0, len(buf))
        except Bad as e:
            raise ParseError.at(buf, e.offset, e.reason, e.status) from None
        self._text = text
        self._parts: tuple[Any, ...] | None = parts

    @classmethod
    def parse(cls, text: str) -> URI:
        return cls(text)

    @classmethod
    def _from_span(cls, buf: bytes, start: int, end: int) -> URI:
        """The URI ``buf[start:end]``, which the caller has checked."""
        uri = cls.__new__(cls)
        uri._text = _text(buf, start, end)
        uri._parts = None
        uri._src = buf
        uri._span = (start, end)
        return uri

    def _split(self) -> tuple[Any, ...]:
        parts = self._parts
        if parts is None:
            parts = self._parts = scan_uri(self._src, *self._span)
        return parts

    scheme = property(lambda self: self._split()[0], doc="The scheme as written.")
    user = property(lambda self: self._split()[1], doc="User part, percent-decoded once.")
    password = property(lambda self: self._split()[2])
    host = property(lambda self: self._split()[3], doc="Host as written; IPv6 with brackets.")
    port = property(lambda self: self._split()[4])
    opaque = property(lambda self: self._split()[7], doc="Everything after 'scheme:'.")

    @property
    def params(self) -> dict[str, str | None]:
        return dict(self._split()[5])

    @property
    def headers(self) -> dict[str, str]:
        return dict(self._split()[6])

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

    def __reduce__(self) -> tuple[Any, ...]:
        return (URI, (self._text,))


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

    # One read from a message may come from a match of _FAST_NAME_ADDR (``_m``): it is
    # decoded when first needed, and its tag is read from the match without decoding.
    # The URI is made when first read.
    __slots__ = ("_display_name", "_m", "_plist", "_src", "_text", "_uri", "_uri_span")

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
        self._src = buf
        self._uri_span = (us, ue)
        self._uri: URI | None = None
        self._plist: list[tuple[str, str | None]] | None = params
        self._m: re.Match[bytes] | None = None

    @classmethod
    def parse(cls, text: str) -> NameAddr:
        return cls(text)

    @classmethod
    def _from_item(cls, buf: bytes, item: tuple[Any, ...]) -> NameAddr:
        na = cls.__new__(cls)
        na._set(buf, item)
        return na

    @classmethod
    def _from_match(cls, m: re.Match[bytes]) -> NameAddr:
        """From a whole value that _FAST_NAME_ADDR matched."""
        na = cls.__new__(cls)
        na._m = m
        na._uri = None
        na._plist = None
        return na

    def _decoded(self) -> NameAddr:
        m = self._m
        if m is not None:
            quoted, tokens, _, _, region = m.groups()
            if quoted is not None:
                if b"\\" in quoted:
                    quoted = _QUOTED_PAIR.sub(rb"\1", quoted)
                self._display_name = quoted.decode("utf-8", "surrogateescape")
            else:
                self._display_name = None if tokens is None else tokens.decode("ascii")
            self._text = m[0].decode("utf-8", "surrogateescape")
            self._src = m.string
            us, ue = m.span(3)
            self._uri_span = (us, ue) if us >= 0 else m.span(4)
            if self._plist is None:
                self._plist = plain_params(region)
            self._m = None
        return self

    display_name = property(lambda self: self._decoded()._display_name,
                            doc="Quotes removed and quoted-pairs resolved; None if absent.")

    @property
    def uri(self) -> URI:
        uri = self._uri
        if uri is None:
            self._decoded()
            uri = self._uri = URI._from_span(self._src, *self._uri_span)
        return uri

    @property
    def params(self) -> dict[str, str | None]:
        return dict(self._decoded()._plist)  # type: ignore[arg-type]

    @property
    def tag(self) -> str | None:
        m = self._m
        if m is not None:
            return plain_param(m[5], b";tag")
        return find_param(self._plist, "tag")  # type: ignore[arg-type]

    def __str__(self) -> str:
        return self._decoded()._text

    def __repr__(self) -> str:
        return f"NameAddr({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, NameAddr):
            return str(self) == str(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))

    def __reduce__(self) -> tuple[Any, ...]:
        return (NameAddr, (str(self),))


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


def match_vias(buf: bytes, start: int, end: int) -> list[re.Match[bytes]] | None:
    """The via-parms of a Via value if _FAST_VIA matches each of them, else None."""
    out = []
    pos = start
    while True:
        m = _FAST_VIA.match(buf, pos, end)
        if m is None:
            return None
        out.append(m)
        if m.end() == end:
            return out
        comma = _COMMA.match(buf, m.end(), end)
        if comma is None:
            return None
        pos = comma.end()


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


def _int_value(value: str | None) -> int | None:
    # more digits than any port or TTL has: not a number worth reading (and int() refuses
    # more than 4300 of them)
    if value is None or not value.isdigit() or not value.isascii() or len(value) > 18:
        return None
    return int(value)


class Via:
    """One via-parm: ``SIP/2.0/UDP host:port;branch=...`` (RFC 3261 §20.42)."""

    # One read from a message may come from a match of _FAST_VIA (``_m``): it is
    # decoded when first needed, and its parameters are read from the match without
    # decoding.
    __slots__ = ("_host", "_m", "_plist", "_port", "_protocol", "_text", "_transport")

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
        self._plist: list[tuple[str, str | None]] | None = params
        self._m: re.Match[bytes] | None = None

    @classmethod
    def parse(cls, text: str) -> Via:
        return cls(text)

    @classmethod
    def _from_item(cls, buf: bytes, item: tuple[Any, ...]) -> Via:
        via = cls.__new__(cls)
        via._set(buf, item)
        return via

    @classmethod
    def _from_match(cls, m: re.Match[bytes]) -> Via:
        """From a via-parm that _FAST_VIA matched."""
        via = cls.__new__(cls)
        via._m = m
        via._plist = None
        return via

    def _decoded(self) -> Via:
        m = self._m
        if m is not None:
            protocol, transport, host, port, region = m.groups()
            self._protocol = protocol.decode("ascii")
            self._transport = transport.decode("ascii")
            self._host = host.decode("ascii")
            self._port = None if port is None else int(port)
            self._text = m[0].decode("ascii")
            if self._plist is None:
                self._plist = plain_params(region)
            self._m = None
        return self

    protocol = property(lambda self: self._decoded()._protocol, doc="'SIP/2.0' (LWS removed).")
    transport = property(lambda self: self._decoded()._transport, doc="As written, e.g. 'UDP'.")
    host = property(lambda self: self._decoded()._host)
    port = property(lambda self: self._decoded()._port)

    @property
    def sent_by(self) -> str:
        self._decoded()
        return self._host if self._port is None else f"{self._host}:{self._port}"

    def _param(self, name: str, key: bytes) -> str | None:
        m = self._m
        if m is not None:
            return plain_param(m[5], key)
        return find_param(self._plist, name)  # type: ignore[arg-type]

    @property
    def params(self) -> dict[str, str | None]:
        return dict(self._decoded()._plist)  # type: ignore[arg-type]

    branch = property(lambda self: self._param("branch", b";branch"))
    received = property(lambda self: self._param("received", b";received"))
    maddr = property(lambda self: self._param("maddr", b";maddr"))
    rport = property(lambda self: _int_value(self._param("rport", b";rport")),
                     doc="The rport value; None when absent or valueless (see params).")
    ttl = property(lambda self: _int_value(self._param("ttl", b";ttl")))

    def __str__(self) -> str:
        return self._decoded()._text

    def __repr__(self) -> str:
        return f"Via({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Via):
            return str(self) == str(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))

    def __reduce__(self) -> tuple[Any, ...]:
        return (Via, (str(self),))


# --- CSeq ------------------------------------------------------------------------------

CSEQ_MAX = 2**32 - 1


def scan_cseq(buf: bytes, start: int, end: int) -> tuple[int, str, int]:
    """(number, method, offset of the method)."""
    fast = _FAST_CSEQ.fullmatch(buf, start, end)
    if fast is not None:
        seq = int(fast[1])
        if seq <= CSEQ_MAX:
            return seq, fast[2].decode("ascii"), fast.start(2)
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

    @classmethod
    def _make(cls, seq: int, method: str) -> CSeq:
        """From what scan_cseq returned: both are checked."""
        cseq = cls.__new__(cls)
        cseq._seq = seq
        cseq._method = method
        return cseq

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

    def __reduce__(self) -> tuple[Any, ...]:
        return (CSeq, (self._seq, self._method))


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
