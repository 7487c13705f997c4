"""Message framing, the header index and lazy accessors: the pure-Python twin of _message_c.pyx.

``parse`` runs in fixed steps, each reporting the first fault it meets, in the same
order in both twins:

1. size limit; start line (method, Request-URI grammar, SIP-Version / status code);
2. the header index: one entry per header field (id, name and value offsets,
   folded?), line and count limits, the empty line that ends the section;
3. Content-Length and body framing;
4. the values of Via, From, To, Call-ID, CSeq and Max-Forwards, in header order;
5. the rules checked after parsing: SIP/2.0, mandatory headers, single headers,
   CSeq method.
Faults from step 4 on carry the parsed message (``ParseError.message``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..errors import MessageTooLarge, ParseError, VersionNotSupported
from . import tables as T
from ._values_py import (
    URI, Auth, Bad, CSeq, NameAddr, Via, scan_auth, scan_cseq, scan_name_addrs,
    scan_params, scan_uri, scan_vias, skip_ws,
)
from .keepalive import Keepalive
from .limits import DEFAULT_LIMITS, Limits

__all__ = ["parse", "is_keepalive", "Message", "Request", "Response", "Headers"]

_TOKEN = re.compile(rb"[A-Za-z0-9\-.!%*_+`'~]+")
_HEADER_NAME = re.compile(rb"([A-Za-z0-9\-.!%*_+`'~]+)[ \t]*:")
_VERSION = re.compile(rb"[Ss][Ii][Pp]/[0-9]+\.[0-9]+")
_DIGITS = re.compile(rb"[0-9]+")
_NOT_CALL_ID = re.compile(rb"[\x00-\x20\x7f]")
_FOLD = re.compile(rb"[ \t]*\r?\n[ \t]+")
_IDS = {k.encode(): v for k, v in T.HEADER_IDS.items()}
_KNOWN_METHODS = frozenset(T.METHODS)
_REQUIRED = (T.H_VIA, T.H_FROM, T.H_TO, T.H_CALL_ID, T.H_CSEQ)
_SINGLE_CHECKED = T.SINGLE_HEADERS - {T.H_CONTENT_LENGTH}

# Entry fields in the header index.
_ID, _NAME_START, _NAME_END, _VALUE_START, _VALUE_END, _FOLDED = range(6)


def _as_bytes(data: Any) -> bytes:
    if type(data) is bytes:
        return data  # type: ignore[no-any-return]
    if isinstance(data, (bytearray, memoryview)):
        return bytes(data)
    if isinstance(data, bytes):
        return bytes(data)
    raise TypeError(f"expected bytes, bytearray or memoryview, not {type(data).__name__}")


def _keepalive(buf: bytes, start: int, end: int) -> Keepalive | None:
    n = end - start
    if n < 2 or n % 2 or buf.count(b"\r\n", start, end) * 2 != n:
        return None
    return Keepalive.PONG if n == 2 else Keepalive.PING


def is_keepalive(data: Any) -> bool:
    """True for an RFC 5626 CRLF keepalive: CRLF (pong) or CRLF CRLF (ping)."""
    buf = _as_bytes(data)
    return _keepalive(buf, 0, len(buf)) is not None


def parse(data: Any, limits: Limits | None = None) -> Request | Response | Keepalive:
    """Parse one datagram (or one framed stream message)."""
    buf = _as_bytes(data)
    end = len(buf)
    ka = _keepalive(buf, 0, end)
    if ka is not None:
        return ka
    return _parse(buf, 0, end, limits or DEFAULT_LIMITS, False)[0]


def _parse(
    buf: bytes, start: int, end: int, limits: Limits, stream: bool
) -> tuple[Request | Response, int]:
    """Parse the message at ``start``; returns it and the offset after its body.

    ``stream``: Content-Length is mandatory and the caller has checked that the whole
    header section is present.
    """
    try:
        return _frame(buf, start, end, limits, stream)
    except Bad as e:
        cls = MessageTooLarge if e.status in (413, 513) else ParseError
        raise cls.at(buf, e.offset, e.reason, e.status) from None


def _frame(
    buf: bytes, start: int, end: int, limits: Limits, stream: bool
) -> tuple[Request | Response, int]:
    pos = start
    while pos < end and buf[pos] in (13, 10):  # RFC 3261 §7.5: CRLFs before the start line
        pos += 1
    if pos >= end:
        raise Bad(pos, "empty message")
    start = pos  # the message's own octets begin at its start line
    # Past max_size only a body may lie, and only as far as Content-Length allows (413).
    size_end = pos + limits.max_size
    over = end > size_end
    scan_end = size_end if over else end

    # 1. start line
    nl = buf.find(b"\n", pos, scan_end)
    line_end = scan_end if nl < 0 else (nl - 1 if nl > pos and buf[nl - 1] == 13 else nl)
    if line_end - pos > limits.max_line_length:
        raise Bad(pos + limits.max_line_length, "line too long", 513)
    msg: Request | Response
    if buf[pos : pos + 4].upper() == b"SIP/":
        msg = Response.__new__(Response)
        version_end = _start_version(buf, pos, line_end)
        p = version_end
        if p >= line_end or buf[p] != 0x20:
            raise Bad(p, "expected SP after SIP-Version")
        m = _DIGITS.match(buf, p + 1, line_end)
        if m is None or m.end() - p - 1 != 3 or not 100 <= int(buf[p + 1 : m.end()]) <= 699:
            raise Bad(p + 1, "invalid status code")
        msg._status = int(buf[p + 1 : m.end()])
        p = m.end()
        if p < line_end and buf[p] != 0x20:
            raise Bad(p, "expected SP after status code")
        msg._reason_span = (min(p + 1, line_end), line_end)
        msg._version_span = (pos, version_end)
    else:
        msg = Request.__new__(Request)
        m = _TOKEN.match(buf, pos, line_end)
        if m is None:
            raise Bad(pos, "invalid method")
        p = m.end()
        msg._method_span = (pos, p)
        if p >= line_end or buf[p] != 0x20:
            raise Bad(p, "expected SP after method")
        uri_start = p = p + 1
        while p < line_end and buf[p] != 0x20:
            p += 1
        scan_uri(buf, uri_start, p)
        msg._uri_span = (uri_start, p)
        if p >= line_end:
            raise Bad(p, "expected SP after Request-URI")
        version_end = _start_version(buf, p + 1, line_end)
        if version_end != line_end:
            raise Bad(version_end, "unexpected character after SIP-Version")
        msg._version_span = (p + 1, version_end)
    if nl < 0:
        if over:
            raise Bad(size_end, "message too large", 513)
        raise Bad(end, "incomplete start line")

    # 2. header index
    index: list[list[int]] = []
    pos = nl + 1
    max_line = limits.max_line_length
    max_headers = limits.max_headers
    current: list[int] | None = None
    while True:
        nl = buf.find(b"\n", pos, scan_end)
        if nl < 0:
            if scan_end - pos > max_line:
                raise Bad(pos + max_line, "line too long", 513)
            if over:
                raise Bad(size_end, "message too large", 513)
            raise Bad(end, "header section not terminated")
        line_end = nl - 1 if nl > pos and buf[nl - 1] == 13 else nl
        if line_end - pos > max_line:
            raise Bad(pos + max_line, "line too long", 513)
        if line_end == pos:
            break
        c = buf[pos]
        if c == 32 or c == 9:  # a fold continues the current field's value
            if current is None:
                raise Bad(pos, "continuation line before the first header")
            stop = line_end
            while stop > pos and buf[stop - 1] in (32, 9):
                stop -= 1
            if stop > pos:
                if current[_VALUE_START] >= current[_VALUE_END]:
                    p = pos
                    while buf[p] in (32, 9):
                        p += 1
                    current[_VALUE_START] = p
                else:
                    current[_FOLDED] = 1
                current[_VALUE_END] = stop
        else:
            m = _HEADER_NAME.match(buf, pos, line_end)
            if m is None:
                t = _TOKEN.match(buf, pos, line_end)
                p = pos if t is None else t.end()
                while t is not None and p < line_end and buf[p] in (32, 9):
                    p += 1
                raise Bad(p, "invalid header name")
            if len(index) >= max_headers:
                raise Bad(pos, "too many headers", 513)
            name_end = m.end(1)
            p = m.end()
            while p < line_end and buf[p] in (32, 9):
                p += 1
            stop = line_end
            while stop > p and buf[stop - 1] in (32, 9):
                stop -= 1
            current = [_IDS.get(buf[pos:name_end].lower(), 0), pos, name_end, p, stop, 0]
            index.append(current)
        pos = nl + 1
    head_end = pos  # the empty line
    body_start = nl + 1

    # 3. Content-Length and the body
    content_length: int | None = None
    for entry in index:
        if entry[_ID] == T.H_CONTENT_LENGTH:
            if content_length is not None:
                raise Bad(entry[_NAME_START], "duplicate Content-Length header")
            content_length = _number(buf, entry, 2**31, "Content-Length")
            if content_length > limits.max_size - (body_start - start):
                raise Bad(entry[_VALUE_START], "Content-Length too large", 413)
    if content_length is None:
        if stream:
            raise Bad(head_end, "missing Content-Length header")
        if over:
            raise Bad(size_end, "message too large", 513)
        body_end = end
    else:
        body_end = body_start + content_length
        if body_end > end and not stream:
            raise Bad(_value_of(index, T.H_CONTENT_LENGTH)[_VALUE_START],
                      "Content-Length larger than the body")
    msg._data = buf
    msg._start = start
    msg._index = index
    msg._body_span = (body_start, body_end)
    msg._content_length = content_length
    msg._cache = {}
    msg._complete = False
    if stream and body_end > end:
        return msg, body_end  # the caller waits for the rest of the body

    # 4. values of the headers every element needs, in header order
    try:
        _check_values(msg, buf, index)
    except Bad as e:
        raise ParseError.at(buf, e.offset, e.reason, e.status, msg) from None

    # 5. rules checked after parsing
    vs, ve = msg._version_span
    if buf[vs:ve].upper() != b"SIP/2.0":
        raise VersionNotSupported.at(buf, vs, "unsupported SIP version", 505, msg)
    seen: set[int] = set()
    for entry in index:
        hid = entry[_ID]
        if hid in _SINGLE_CHECKED:
            if hid in seen:
                raise ParseError.at(buf, entry[_NAME_START],
                                    f"duplicate {T.HEADER_NAMES[hid]} header", 400, msg)
            seen.add(hid)
        elif hid in _REQUIRED:
            seen.add(hid)
    for hid in _REQUIRED:
        if hid not in seen:
            raise ParseError.at(buf, head_end, f"missing {T.HEADER_NAMES[hid]} header", 400, msg)
    if type(msg) is Request:
        method = msg.method
        cseq_method = msg._cache["cseq"].method
        if cseq_method != method:
            where = scan_cseq(buf, *_value_of(index, T.H_CSEQ)[_VALUE_START:_VALUE_END + 1])[2]
            code = 400 if method in _KNOWN_METHODS else 501
            raise ParseError.at(buf, where, "CSeq method does not match the request method",
                                code, msg)
    msg._complete = True
    return msg, body_end


def _start_version(buf: bytes, pos: int, end: int) -> int:
    m = _VERSION.match(buf, pos, end)
    if m is None:
        raise Bad(pos, "invalid SIP-Version")
    return m.end()


def _value_of(index: list[list[int]], hid: int) -> list[int]:
    for entry in index:
        if entry[_ID] == hid:
            return entry
    raise KeyError(hid)


def _number(buf: bytes, entry: list[int], limit: int, what: str) -> int:
    """``LWS 1*DIGIT LWS`` up to ``limit`` (the header's whole value)."""
    vs, ve = entry[_VALUE_START], entry[_VALUE_END]
    m = _DIGITS.match(buf, vs, ve)
    if m is None:
        raise Bad(vs, f"invalid {what}")
    p = skip_ws(buf, m.end(), ve)
    if p != ve:
        raise Bad(p, f"invalid {what}")
    digits = buf[vs : m.end()].lstrip(b"0")
    if len(digits) > 10 or int(digits or b"0") > limit:
        raise Bad(vs, f"{what} out of range")
    return int(digits or b"0")


def _check_values(msg: Message, buf: bytes, index: list[list[int]]) -> None:
    cache = msg._cache
    for entry in index:
        hid = entry[_ID]
        if hid == 0 or hid > T.H_MAX_FORWARDS:
            continue
        vs, ve = entry[_VALUE_START], entry[_VALUE_END]
        if hid == T.H_VIA:
            vias = [Via._from_item(buf, item) for item in scan_vias(buf, vs, ve)]
            cache.setdefault("via", []).extend(vias)
        elif hid == T.H_FROM or hid == T.H_TO:
            item = scan_name_addrs(buf, vs, ve, False)[0]
            cache.setdefault("from_" if hid == T.H_FROM else "to", NameAddr._from_item(buf, item))
        elif hid == T.H_CALL_ID:
            bad = _NOT_CALL_ID.search(buf, vs, ve)
            if vs == ve or bad is not None:
                raise Bad(vs if bad is None else bad.start(), "invalid Call-ID")
            cache.setdefault("call_id", buf[vs:ve].decode("utf-8", "surrogateescape"))
        elif hid == T.H_CSEQ:
            seq, method, _ = scan_cseq(buf, vs, ve)
            cache.setdefault("cseq", CSeq(seq, method))
        else:
            cache.setdefault("max_forwards", _number(buf, entry, 255, "Max-Forwards"))


def _unfold(buf: bytes, entry: list[int]) -> str:
    raw = buf[entry[_VALUE_START] : entry[_VALUE_END]]
    if entry[_FOLDED]:
        raw = _FOLD.sub(b" ", raw)
    return raw.decode("utf-8", "surrogateescape")


def split_commas(text: str) -> list[str]:
    """Split a header value at commas outside quoted strings and ``<...>``; drop empties."""
    out = []
    depth = 0
    quoted = False
    escaped = False
    start = 0
    for i, c in enumerate(text):
        if quoted:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                quoted = False
        elif c == '"':
            quoted = True
        elif c == "<":
            depth += 1
        elif c == ">" and depth:
            depth -= 1
        elif c == "," and not depth:
            out.append(text[start:i].strip(" \t\r\n"))
            start = i + 1
    out.append(text[start:].strip(" \t\r\n"))
    return [item for item in out if item]


class Headers:
    """A case-insensitive, order-preserving multi-map view of a message's header fields."""

    __slots__ = ("_msg",)

    def __init__(self, msg: Message) -> None:
        self._msg = msg

    def _entries(self, name: str) -> Iterator[list[int]]:
        key = name.lower()
        hid = T.HEADER_IDS.get(key, 0)
        msg = self._msg
        if hid:
            return (e for e in msg._index if e[_ID] == hid)
        raw = key.encode("utf-8", "surrogateescape")
        buf = msg._data
        return (e for e in msg._index
                if e[_ID] == 0 and buf[e[_NAME_START] : e[_NAME_END]].lower() == raw)

    def get(self, name: str, default: str | None = None) -> str | None:
        for entry in self._entries(name):
            return _unfold(self._msg._data, entry)
        return default

    def getall(self, name: str) -> list[str]:
        buf = self._msg._data
        return [_unfold(buf, e) for e in self._entries(name)]

    def getlist(self, name: str) -> list[str]:
        return [item for value in self.getall(name) for item in split_commas(value)]

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and next(iter(self._entries(name)), None) is not None

    def _name(self, entry: list[int]) -> str:
        return self._msg._data[entry[_NAME_START] : entry[_NAME_END]].decode("ascii")

    def keys(self) -> list[str]:
        return [self._name(e) for e in self._msg._index]

    def values(self) -> list[str]:
        buf = self._msg._data
        return [_unfold(buf, e) for e in self._msg._index]

    def items(self) -> list[tuple[str, str]]:
        buf = self._msg._data
        return [(self._name(e), _unfold(buf, e)) for e in self._msg._index]

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self._msg._index)

    def __repr__(self) -> str:
        return f"<Headers {self.items()!r}>"


def _cached(fn: Any) -> property:
    name = fn.__name__

    def get(self: Message) -> Any:
        cache = self._cache
        try:
            return cache[name]
        except KeyError:
            value = cache[name] = fn(self)
            return value

    get.__doc__ = fn.__doc__
    return property(get)


def _cached_copy(fn: Any) -> property:
    """Like _cached, for a list or dict: each caller gets its own copy to change."""
    cached = _cached(fn).fget

    def get(self: Message) -> Any:
        return cached(self).copy()

    get.__doc__ = fn.__doc__
    return property(get)


class Message:
    """What requests and responses share: the header index, the body, typed accessors."""

    __slots__ = ("_data", "_start", "_index", "_body_span", "_content_length", "_cache",
                 "_version_span", "_complete", "__weakref__")

    _data: bytes
    _start: int
    _index: list[list[int]]
    _body_span: tuple[int, int]
    _content_length: int | None
    _cache: dict[str, Any]
    _version_span: tuple[int, int]

    is_request = False

    def __init__(self) -> None:
        raise TypeError("messages come from sipfast.parse() (builders arrive with issue 3)")

    def _raise(self, e: Bad) -> Any:
        raise ParseError.at(self._data, e.offset, e.reason, e.status) from None

    def _spans(self, hid: int) -> list[list[int]]:
        return [e for e in self._index if e[_ID] == hid]

    @property
    def version(self) -> str:
        vs, ve = self._version_span
        return self._data[vs:ve].decode("ascii")

    @property
    def headers(self) -> Headers:
        return Headers(self)

    @_cached
    def body(self) -> bytes:
        bs, be = self._body_span
        return self._data[bs:be]

    def to_bytes(self) -> bytes:
        """The message's own octets: start line to the end of its body."""
        be = self._body_span[1]
        if self._start == 0 and be == len(self._data):
            return self._data
        return self._data[self._start : be]

    def __bytes__(self) -> bytes:
        return self.to_bytes()

    # Checked and cached by parse().  A message carried by a ParseError stopped being
    # checked part way: its accessors parse their header on demand (ParseError if
    # malformed, None / [] if absent).
    def _partial(self, key: str) -> Any:
        buf = self._data
        hid = {"call_id": T.H_CALL_ID, "cseq": T.H_CSEQ, "from_": T.H_FROM, "to": T.H_TO,
               "max_forwards": T.H_MAX_FORWARDS, "via": T.H_VIA}[key]
        spans = self._spans(hid)
        if key == "via":
            try:
                return [Via._from_item(buf, item) for e in spans
                        for item in scan_vias(buf, e[_VALUE_START], e[_VALUE_END])]
            except Bad as e:
                return self._raise(e)
        if not spans:
            return None
        probe = Message.__new__(Request)
        probe._cache = {}
        try:
            _check_values(probe, buf, spans[:1])
        except Bad as e:
            return self._raise(e)
        return probe._cache[key]

    def _core(self, key: str) -> Any:
        if self._complete:
            return self._cache.get(key)
        return self._partial(key)

    call_id = property(lambda self: self._core("call_id"), doc="Call-ID / i.")
    cseq = property(lambda self: self._core("cseq"), doc="CSeq.")
    via = property(lambda self: list(self._core("via")), doc="All Via values, top first.")
    top_via = property(lambda self: (self._core("via") or [None])[0], doc="The topmost Via value.")
    from_ = property(lambda self: self._core("from_"), doc="From / f.")
    to = property(lambda self: self._core("to"), doc="To / t.")
    max_forwards = property(lambda self: self._core("max_forwards"))
    content_length = property(lambda self: self._content_length,
                              doc="Content-Length / l; None when absent.")

    def _name_addrs(self, hid: int) -> list[NameAddr]:
        buf = self._data
        out = []
        try:
            for e in self._spans(hid):
                for item in scan_name_addrs(buf, e[_VALUE_START], e[_VALUE_END], True):
                    out.append(NameAddr._from_item(buf, item))
        except Bad as e:
            self._raise(e)
        return out

    def _contacts(self) -> tuple[bool, list[NameAddr]]:
        spans = self._spans(T.H_CONTACT)
        buf = self._data
        for e in spans:
            if buf[e[_VALUE_START] : e[_VALUE_END]] == b"*":
                if len(spans) > 1:
                    self._raise(Bad(e[_VALUE_START], "Contact: * with other contacts"))
                return True, []
        return False, self._name_addrs(T.H_CONTACT)

    @_cached_copy
    def contact(self) -> list[NameAddr]:
        """Contact / m values; empty for ``Contact: *``."""
        return self._contacts()[1]

    @property
    def contact_star(self) -> bool:
        """True for ``Contact: *`` (a REGISTER that removes every binding)."""
        return self._contacts()[0]

    @_cached_copy
    def route(self) -> list[NameAddr]:
        return self._name_addrs(T.H_ROUTE)

    @_cached_copy
    def record_route(self) -> list[NameAddr]:
        return self._name_addrs(T.H_RECORD_ROUTE)

    def _content_type(self) -> tuple[str, dict[str, str | None]] | None:
        spans = self._spans(T.H_CONTENT_TYPE)
        if not spans:
            return None
        buf = self._data
        vs, ve = spans[0][_VALUE_START], spans[0][_VALUE_END]
        try:
            m = _TOKEN.match(buf, vs, ve)
            if m is None:
                raise Bad(vs, "invalid Content-Type")
            p = skip_ws(buf, m.end(), ve)
            if p >= ve or buf[p] != 0x2F:
                raise Bad(p, "invalid Content-Type")
            q = skip_ws(buf, p + 1, ve)
            m2 = _TOKEN.match(buf, q, ve)
            if m2 is None:
                raise Bad(q, "invalid Content-Type")
            pos, params = scan_params(buf, m2.end(), ve, "Content-Type")
            rest = skip_ws(buf, pos, ve)
            if rest != ve:
                raise Bad(rest, "invalid Content-Type")
        except Bad as e:
            return self._raise(e)  # type: ignore[no-any-return]
        mime = (buf[vs : m.end()] + b"/" + buf[q : m2.end()]).decode("ascii")
        return mime, dict(params)

    @_cached
    def content_type(self) -> str | None:
        """Content-Type / c: ``type/subtype`` as written, without parameters."""
        ct = self._content_type()
        return None if ct is None else ct[0]

    @_cached_copy
    def content_type_params(self) -> dict[str, str | None]:
        ct = self._content_type()
        return {} if ct is None else ct[1]

    @_cached
    def expires(self) -> int | None:
        spans = self._spans(T.H_EXPIRES)
        if not spans:
            return None
        try:
            return _number(self._data, spans[0], 2**32 - 1, "Expires")
        except Bad as e:
            return self._raise(e)  # type: ignore[no-any-return]

    def _auth(self, hid: int) -> list[Auth]:
        buf = self._data
        out = []
        try:
            for e in self._spans(hid):
                scheme, params = scan_auth(buf, e[_VALUE_START], e[_VALUE_END])
                auth = Auth(scheme, params)
                auth._text = buf[e[_VALUE_START] : e[_VALUE_END]].decode("utf-8", "surrogateescape")
                out.append(auth)
        except Bad as e:
            self._raise(e)
        return out

    authorization = property(lambda self: self._cached_auth("authorization", T.H_AUTHORIZATION))
    proxy_authorization = property(
        lambda self: self._cached_auth("proxy_authorization", T.H_PROXY_AUTHORIZATION))
    www_authenticate = property(
        lambda self: self._cached_auth("www_authenticate", T.H_WWW_AUTHENTICATE))
    proxy_authenticate = property(
        lambda self: self._cached_auth("proxy_authenticate", T.H_PROXY_AUTHENTICATE))

    def _cached_auth(self, key: str, hid: int) -> list[Auth]:
        cache = self._cache
        if key not in cache:
            cache[key] = self._auth(hid)
        return list(cache[key])

    require = property(lambda self: self.headers.getlist("Require"))
    proxy_require = property(lambda self: self.headers.getlist("Proxy-Require"))
    supported = property(lambda self: self.headers.getlist("Supported"))
    unsupported = property(lambda self: self.headers.getlist("Unsupported"))
    allow = property(lambda self: self.headers.getlist("Allow"))
    accept = property(lambda self: self.headers.getlist("Accept"))


class Request(Message):
    __slots__ = ("_method_span", "_uri_span")

    _method_span: tuple[int, int]
    _uri_span: tuple[int, int]

    is_request = True

    @_cached
    def method(self) -> str:
        ms, me = self._method_span
        return self._data[ms:me].decode("ascii")

    @_cached
    def uri(self) -> URI:
        us, ue = self._uri_span
        return URI._from_span(self._data, us, ue)

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.uri}>"


class Response(Message):
    __slots__ = ("_status", "_reason_span")

    _status: int
    _reason_span: tuple[int, int]

    @property
    def status(self) -> int:
        return self._status

    @_cached
    def reason(self) -> str:
        rs, re_ = self._reason_span
        return self._data[rs:re_].decode("utf-8", "surrogateescape")

    def __repr__(self) -> str:
        return f"<Response {self._status} {self.reason}>"
