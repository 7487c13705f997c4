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

In Python, walking the header section line by line costs more than everything else
together, so ``_frame_fast`` first tries all five steps on a message of the usual
shape with a few calls into C (bytes.split, map, dict lookups, one anchored pattern
per core value).  It gives up on the first doubt, and ``_frame`` then parses the
message step by step and reports its first fault: only ``_frame`` says why.  The header
index of a message ``_frame_fast`` made is built when first needed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from itertools import repeat
from operator import itemgetter
from typing import Any, cast

from ..errors import MessageTooLarge, ParseError, VersionNotSupported
from . import tables as T
from ._values_py import (
    _FAST_NAME_ADDR,
    _FAST_URI,
    _FAST_VIA,
    URI,
    Auth,
    Bad,
    CSeq,
    NameAddr,
    Via,
    match_vias,
    scan_auth,
    scan_cseq,
    scan_name_addrs,
    scan_params,
    scan_uri,
    scan_vias,
    skip_ws,
    uri_is_valid,
)
from .keepalive import Keepalive
from .limits import Limits, limits_or_default
from .lists import ACCEPT, METHODS, OPTION_TAGS
from .lists import elements as list_elements

__all__ = ["Headers", "Message", "Request", "Response", "is_keepalive", "make_response", "parse"]

_TOKEN = re.compile(rb"[A-Za-z0-9\-.!%*_+`'~]+")
_HEADER_NAME = re.compile(rb"([A-Za-z0-9\-.!%*_+`'~]+)[ \t]*:")
_VERSION = re.compile(rb"[Ss][Ii][Pp]/[0-9]+\.[0-9]+")
_DIGITS = re.compile(rb"[0-9]+")
# callid = word [ "@" word ] (RFC 3261 §25.1)
_WORD = rb"A-Za-z0-9\-.!%*_+`'~()<>:\\\"/\[\]?{}"
_CALL_ID = re.compile(rb"[" + _WORD + rb"]+(?:@[" + _WORD + rb"]+)?")
_NOT_WORD = re.compile(rb"[^" + _WORD + rb"]")


def _call_id_fault(buf: bytes, vs: int, ve: int) -> int | None:
    """Where a Call-ID value stops being word ["@" word], None when it is one."""
    if _CALL_ID.fullmatch(buf, vs, ve) is not None:
        return None
    at = buf.find(b"@", vs + 1, ve)  # the one "@" allowed: the first after a word octet
    pos = vs
    while (bad := _NOT_WORD.search(buf, pos, ve)) is not None:
        if bad.start() != at:
            return bad.start()
        pos = at + 1
    return ve  # empty, or ending in "@"
_FOLD = re.compile(rb"[ \t]*\r?\n[ \t]+")
_IDS = {k.encode(): v for k, v in T.HEADER_IDS.items()}
# Header names as they are usually spelled -> id: the fast path looks a name up as
# written; other spellings are checked and lower-cased first.
_SPELLED: dict[bytes, int] = {}
for _hid, _long, _compact in T.HEADERS:
    for _name in (_long, _long.lower(), _long.upper(), _long.title(), _compact, _compact.upper()):
        if _name:
            _SPELLED[_name.encode()] = _hid
del _hid, _long, _compact, _name
# Groups: method, Request-URI, the same URI if _FAST_URI accepts it (else it is scanned).
_REQUEST_LINE = re.compile(
    rb"([A-Za-z0-9\-.!%*_+`'~]+) ((" + _FAST_URI.pattern + rb")|[^ \r\n]+) SIP/2\.0"
)
_STATUS_LINE = re.compile(rb"SIP/2\.0 ([1-6][0-9][0-9])(?: ([^\r\n]*))?")
_CORE_IDS = (T.H_VIA, T.H_FROM, T.H_TO, T.H_CALL_ID, T.H_CSEQ, T.H_MAX_FORWARDS,
             T.H_CONTENT_LENGTH)
_name_of = itemgetter(0)
_colon_of = itemgetter(1)
_KNOWN_METHODS = frozenset(T.METHODS)
_REQUIRED = (T.H_VIA, T.H_FROM, T.H_TO, T.H_CALL_ID, T.H_CSEQ)
_SINGLE_CHECKED = T.SINGLE_HEADERS - {T.H_CONTENT_LENGTH}

# Entry fields in the header index.
_ID, _NAME_START, _NAME_END, _VALUE_START, _VALUE_END, _FOLDED = range(6)


def _as_bytes(data: Any) -> bytes:
    if type(data) is bytes:
        return data
    if isinstance(data, (bytearray, memoryview)):
        return bytes(data)
    if isinstance(data, bytes):
        return bytes(data)
    raise TypeError(f"expected bytes, bytearray or memoryview, not {type(data).__name__}")


def _keepalive(buf: bytes, start: int, end: int) -> Keepalive | None:
    n = end - start
    if n < 2 or n % 2 or buf[start] != 13 or buf.count(b"\r\n", start, end) * 2 != n:
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
    return _parse(buf, 0, end, limits_or_default(limits), False)[0]


def _parse(
    buf: bytes, start: int, end: int, limits: Limits, stream: bool
) -> tuple[Request | Response, int]:
    """Parse the message at ``start``; returns it and the offset after its body.

    ``stream``: Content-Length is mandatory and the caller has checked that the whole
    header section is present.
    """
    fast = _frame_fast(buf, start, end, limits, stream)
    if fast is not None:
        return fast
    try:
        return _frame(buf, start, end, limits, stream)
    except Bad as e:
        cls = MessageTooLarge if e.status in (413, 513) else ParseError
        raise cls.at(buf, e.offset, e.reason, e.status) from None


def _frame_fast(
    buf: bytes, start: int, end: int, limits: Limits, stream: bool
) -> tuple[Request | Response, int] | None:
    """Steps 1 to 5 for a message of the usual shape, with a few calls into C each.

    The shape: the start line first, CRLF line ends, no folds, each name followed by
    its colon, the limits far away, Via, From, To and CSeq of the shapes the fast
    patterns accept (other values go through the scanners).  None when the message is
    of another shape or breaks any rule: _frame then parses it step by step and reports
    the first fault.  A message that comes back is the one _frame would make, except
    that its header index is built when first needed.
    """
    if end - start > limits.max_size:
        return None
    nl = buf.find(b"\r\n", start, end)
    if nl < 0:
        return None
    blank = buf.find(b"\r\n\r\n", nl, end)  # the CRLF of the last field
    if blank <= nl or blank - start > limits.max_line_length:  # so no line is too long
        return None

    # 1. start line
    msg: Request | Response
    if buf.startswith(b"SIP/2.0 ", start):
        m = _STATUS_LINE.fullmatch(buf, start, nl)
        if m is None:
            return None
        msg = Response.__new__(Response)
        msg._status = int(m[1])
        msg._reason_span = (m.start(2), nl) if m.start(2) >= 0 else (nl, nl)
        msg._version_span = (start, start + 7)
        cache: dict[str, Any] = {}
    else:
        m = _REQUEST_LINE.fullmatch(buf, start, nl)
        if m is None or (m.start(3) < 0 and not uri_is_valid(buf, m.start(2), m.end(2))):
            return None
        msg = Request.__new__(Request)
        msg._method_span = m.span(1)
        msg._uri_span = m.span(2)
        msg._version_span = (m.end(2) + 1, nl)
        cache = {"method": m[1].decode("ascii")}

    # 2. the fields: (name, colon, value) and the id of each name
    lines = buf[nl + 2 : blank].split(b"\r\n")
    if len(lines) > limits.max_headers or buf.count(b"\n", nl + 2, blank) != len(lines) - 1:
        return None
    fields = list(map(bytes.partition, lines, repeat(b":")))
    ids = list(map(_SPELLED.get, map(_name_of, fields)))
    if (None in ids and not _other_names(fields, ids)) or b"" in map(_colon_of, fields):
        return None

    # 3. Content-Length and the body
    n_via, n_from, n_to, n_call_id, n_cseq, n_hops, n_length = map(ids.count, _CORE_IDS)
    body_start = blank + 4
    content_length: int | None = None
    if n_length == 1:
        content_length = _plain_number(fields[ids.index(T.H_CONTENT_LENGTH)][2], 2**31)
        if content_length is None or content_length > limits.max_size - (body_start - start):
            return None
        body_end = body_start + content_length
        if body_end > end and not stream:
            return None
    elif n_length or stream:
        return None
    else:
        body_end = end
    msg._data = buf
    msg._start = start
    msg._idx = None
    msg._body_span = (body_start, body_end)
    msg._content_length = content_length
    msg._cache = cache
    msg._complete = False
    msg._edit = None
    if stream and body_end > end:
        return msg, body_end  # the caller waits for the rest of the body

    # 4. and 5.: the values every element needs, each single header once, the CSeq method
    if n_from != 1 or n_to != 1 or n_call_id != 1 or n_cseq != 1 or n_hops > 1 or not n_via:
        return None
    vias: list[Via | re.Match[bytes]] = []
    i = -1
    for _ in range(n_via):
        i = ids.index(T.H_VIA, i + 1)
        value = fields[i][2].strip(b" \t")
        m = _FAST_VIA.fullmatch(value)
        if m is not None:
            vias.append(m)
            continue
        more = _vias(value)
        if more is None:
            return None
        vias += more
    value = fields[ids.index(T.H_FROM)][2].strip(b" \t")
    from_ = _FAST_NAME_ADDR.fullmatch(value) or _name_addr(value)
    value = fields[ids.index(T.H_TO)][2].strip(b" \t")
    to = _FAST_NAME_ADDR.fullmatch(value) or _name_addr(value)
    call_id = fields[ids.index(T.H_CALL_ID)][2].strip(b" \t")
    value = fields[ids.index(T.H_CSEQ)][2].strip(b" \t")
    try:
        seq, method, _ = scan_cseq(value, 0, len(value))
    except Bad:
        return None
    if (from_ is None or to is None or _CALL_ID.fullmatch(call_id) is None
            or (type(msg) is Request and cache["method"] != method)):
        return None
    if n_hops:
        hops = _plain_number(fields[ids.index(T.H_MAX_FORWARDS)][2], 255)
        if hops is None:
            return None
        cache["max_forwards"] = hops
    cache["via"] = vias
    cache["from_"] = from_
    cache["to"] = to
    cache["call_id"] = call_id.decode("utf-8", "surrogateescape")
    cache["cseq"] = CSeq._make(seq, method)
    msg._complete = True
    return msg, body_end


def _other_names(fields: list[tuple[bytes, bytes, bytes]], ids: list[int | None]) -> bool:
    """Fill in the ids of the names _SPELLED does not know; False if one is not a token."""
    for i, hid in enumerate(ids):
        if hid is None:
            name = fields[i][0]
            if _TOKEN.fullmatch(name) is None:
                return False
            ids[i] = _IDS.get(name.lower(), 0)
    return True


def _plain_number(value: bytes, limit: int) -> int | None:
    """``1*10DIGIT`` (around it SP/HT) up to ``limit``; else None."""
    value = value.strip(b" \t")
    if not value.isdigit() or len(value) > 10:
        return None
    number = int(value)
    return number if number <= limit else None


def _vias(value: bytes) -> list[Via | re.Match[bytes]] | None:
    """A Via value that is not one via-parm of the fast shape: its via-parms, matched
    by _FAST_VIA or else scanned; None if it is malformed."""
    matches = match_vias(value, 0, len(value))
    if matches is not None:
        return list(matches)
    try:
        return [Via._from_item(value, item) for item in scan_vias(value, 0, len(value))]
    except Bad:
        return None


def _name_addr(value: bytes) -> NameAddr | None:
    """A From or To value _FAST_NAME_ADDR does not match, scanned; None if malformed."""
    try:
        return NameAddr._from_item(value, scan_name_addrs(value, 0, len(value), False)[0])
    except Bad:
        return None


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
    index, head_end, body_start = _index_fields(buf, nl + 1, scan_end, limits)
    if head_end < 0:
        pos = body_start  # the line that does not end
        if scan_end - pos > limits.max_line_length:
            raise Bad(pos + limits.max_line_length, "line too long", 513)
        if over:
            raise Bad(size_end, "message too large", 513)
        raise Bad(end, "header section not terminated")

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
    msg._idx = index
    msg._body_span = (body_start, body_end)
    msg._content_length = content_length
    msg._cache = {}
    msg._complete = False
    msg._edit = None
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


def _index_fields(
    buf: bytes, pos: int, scan_end: int, limits: Limits
) -> tuple[list[list[int]], int, int]:
    """The header index of the fields from ``pos`` up to the empty line: (index, offset
    of the empty line, offset after it).  With no empty line before ``scan_end``:
    (index, -1, offset of the unterminated line), for the caller to say why."""
    index: list[list[int]] = []
    max_line = limits.max_line_length
    max_headers = limits.max_headers
    current: list[int] | None = None
    while True:
        nl = buf.find(b"\n", pos, scan_end)
        if nl < 0:
            return index, -1, pos
        line_end = nl - 1 if nl > pos and buf[nl - 1] == 13 else nl
        if line_end - pos > max_line:
            raise Bad(pos + max_line, "line too long", 513)
        if line_end == pos:
            return index, pos, nl + 1
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
            fault = _call_id_fault(buf, vs, ve)
            if fault is not None:
                raise Bad(fault, "invalid Call-ID")
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
        if not isinstance(name, str):
            raise TypeError(f"header names are str, not {type(name).__name__}")
        key = name.lower()
        hid = T.HEADER_IDS.get(key, 0)
        msg = self._msg
        msg._sync()
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
        self._msg._sync()
        return [self._name(e) for e in self._msg._index]

    def values(self) -> list[str]:
        self._msg._sync()
        buf = self._msg._data
        return [_unfold(buf, e) for e in self._msg._index]

    def items(self) -> list[tuple[str, str]]:
        self._msg._sync()
        buf = self._msg._data
        return [(self._name(e), _unfold(buf, e)) for e in self._msg._index]

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        self._msg._sync()
        return len(self._msg._index)

    # Edits: recorded on the message, written by bytes(msg).
    def add(self, name: str, value: str) -> None:
        """A new field after the last field of that name, else at the end."""
        self._msg._put(_new_field(name, value), _AFTER_LAST)

    def insert(self, name: str, value: str) -> None:
        """A new field before the first field of that name, else first."""
        self._msg._put(_new_field(name, value), _BEFORE_FIRST)

    def set(self, name: str, value: str) -> None:
        """One field of that name with this value, in place of the first one (else last)."""
        self._msg._put(_new_field(name, value), _REPLACE)

    def remove(self, name: str) -> int:
        """Remove every field of that name; how many there were."""
        hid, key = _field_key(name)
        return self._msg._remove(hid, key)

    def __repr__(self) -> str:
        return f"<Headers {self.items()!r}>"


def _cached(fn: Any) -> property:
    name = fn.__name__

    def get(self: Message) -> Any:
        if self._edit is not None:
            self._materialize()
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
    assert cached is not None

    def get(self: Message) -> Any:
        return cached(self).copy()

    get.__doc__ = fn.__doc__
    return property(get)

# --- building and editing ----------------------------------------------------------------
#
# An edited message keeps its octets and index untouched and records its header section
# as a list of fields: an int is an original field (its lines are copied verbatim), a
# _Field a new one.  bytes(msg) writes them in one pass; reading any accessor first
# parses the written message again, so what is read is always what would be sent.

_NAME_STR = re.compile(r"[A-Za-z0-9\-.!%*_+`'~]+")
_FORBIDDEN = re.compile(r"[\r\n\x00]")
_AFTER_LAST, _BEFORE_FIRST, _REPLACE = range(3)
# Built and edited messages are the caller's own: only the grammar limits them.
_BUILT_LIMITS = Limits(max_size=2**31 - 1, max_headers=2**31 - 1, max_line_length=2**31 - 1)


class _Field(tuple[int, bytes, bytes]):
    """A new header field: (hid, lower-case name, the line as written)."""

    __slots__ = ()


def _field_key(name: Any) -> tuple[int, bytes]:
    if not isinstance(name, str):
        raise TypeError(f"header names are str, not {type(name).__name__}")
    if _NAME_STR.fullmatch(name) is None:
        raise ValueError(f"invalid header name {name!r}")
    key = name.lower()
    hid = T.HEADER_IDS.get(key, 0)
    if hid == T.H_CONTENT_LENGTH:
        raise ValueError("Content-Length follows the body: set msg.body instead")
    return hid, key.encode("ascii")


def _value_bytes(value: Any) -> bytes:
    if not isinstance(value, str):
        raise TypeError(f"header values are str, not {type(value).__name__}")
    if _FORBIDDEN.search(value) is not None:
        raise ValueError(f"CR, LF or NUL in header value {value!r}")
    return value.encode("utf-8", "surrogateescape")


def _new_field(name: str, value: str) -> _Field:
    hid, key = _field_key(name)
    return _field(hid, key, name.encode("ascii"), _value_bytes(value))


def _field(hid: int, key: bytes, name: bytes, value: bytes) -> _Field:
    return _Field((hid, key, name + b": " + value + b"\r\n"))


def _field_value(line: bytes) -> bytes:
    """The value of a line made by _field."""
    return line[line.index(b":") + 2 : -2]


def _route_bytes(value: Any) -> bytes:
    """The octets of a Record-Route value to push: a name-addr, a URI as ``<uri>``."""
    if isinstance(value, NameAddr):
        return _value_bytes(str(value))
    if isinstance(value, URI):
        return _value_bytes(f"<{value}>")
    if not isinstance(value, str):
        raise TypeError(f"expected NameAddr, URI or str, not {type(value).__name__}")
    raw = _value_bytes(value)
    if "<" in value:
        NameAddr.parse(value)
        return raw
    URI.parse(value)
    return b"<" + raw + b">"


def _header_lines(headers: Any) -> list[bytes]:
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    return [_new_field(name, value)[2] for name, value in pairs]


def _body_bytes(body: Any) -> bytes:
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise TypeError(f"a body is bytes, not {type(body).__name__}")
    return bytes(body)


def _status_line(status: Any, reason: Any) -> bytes:
    if type(status) is not int or not 100 <= status <= 699:
        raise ValueError(f"a status code is an int from 100 to 699, not {status!r}")
    if reason is None:
        reason = T.REASON_PHRASES.get(status, "")
    return b"SIP/2.0 %d %s\r\n" % (status, _value_bytes(reason))


def _finish(lines: list[bytes], body: bytes) -> bytes:
    lines.append(b"Content-Length: %d\r\n\r\n" % len(body))
    lines.append(body)
    return b"".join(lines)


def _parse_built(data: bytes) -> Request | Response:
    return _parse(data, 0, len(data), _BUILT_LIMITS, False)[0]


def _parse_lenient(data: bytes) -> Request | Response:
    """Like _parse_built, but a message whose header values break the rules (say, the
    last Via popped) is kept as a ParseError carries it: its accessors read on demand."""
    try:
        return _parse_built(data)
    except ParseError as e:
        if e.message is None:
            raise
        return cast("Request | Response", e.message)


def _to_has_tag(request: Request) -> bool:
    if request._complete:
        return request.to.tag is not None
    try:
        to = request.to
    except ParseError:
        return True  # a To that does not parse is copied as it is
    return to is not None and to.tag is not None


_DIALOG_METHODS = frozenset(("INVITE", "SUBSCRIBE", "REFER"))
_RESPONSE_COPIES = frozenset((T.H_FROM, T.H_TO, T.H_CALL_ID, T.H_CSEQ))


def make_response(request: Request, status: int, reason: str | None = None, *,
                  to_tag: str | None = None, headers: Any = (), body: bytes = b"") -> Response:
    """The response to ``request`` (RFC 3261 §8.2.6), its header lines copied verbatim."""
    if not isinstance(request, Request):
        raise TypeError(f"expected a Request, not {type(request).__name__}")
    out = [_status_line(status, reason)]
    if to_tag is not None and (not isinstance(to_tag, str) or _NAME_STR.fullmatch(to_tag) is None):
        raise ValueError(f"a tag is a token, not {to_tag!r}")
    extra = _header_lines(headers)
    body = _body_bytes(body)
    request._sync()
    buf = request._data
    index = request._index
    blank = request._body_span[0] - (2 if buf[request._body_span[0] - 2] == 13 else 1)
    add_tag = to_tag is not None and not _to_has_tag(request)
    copy_rr = 100 < status < 300 and request.method in _DIALOG_METHODS
    route_set: list[bytes] = []
    core: list[bytes] = []
    for i, entry in enumerate(index):
        hid = entry[_ID]
        if hid == T.H_VIA or (hid == T.H_RECORD_ROUTE and copy_rr) or hid in _RESPONSE_COPIES:
            stop = index[i + 1][_NAME_START] if i + 1 < len(index) else blank
            if hid == T.H_TO and add_tag:
                line = (buf[entry[_NAME_START] : entry[_VALUE_END]] + b";tag="
                        + to_tag.encode("ascii") + b"\r\n")  # type: ignore[union-attr]
            else:
                line = buf[entry[_NAME_START] : stop]
            (out if hid == T.H_VIA else route_set if hid == T.H_RECORD_ROUTE else core).append(line)
    out += route_set
    out += core
    out += extra
    # Parsed when first read: a UAS that only sends it never pays for the parse.
    response = Response.__new__(Response)
    built = response._edit = _Edits(0)
    built.built = True
    built.out = _finish(out, body)
    return response


class _Edits:
    __slots__ = ("body", "built", "fields", "out", "uri")

    def __init__(self, count: int) -> None:
        self.fields: list[int | _Field] = list(range(count))
        self.uri: bytes | None = None
        self.body: bytes | None = None
        self.out: bytes | None = None
        self.built = False  # made by make_response, not parsed yet: out is the message


class Message:
    """What requests and responses share: the header index, the body, typed accessors."""

    __slots__ = (
        "__weakref__",
        "_body_span",
        "_cache",
        "_complete",
        "_content_length",
        "_data",
        "_edit",
        "_idx",
        "_start",
        "_version_span",
    )

    _data: bytes
    _start: int
    _idx: list[list[int]] | None  # None until first needed (see _frame_fast)
    _body_span: tuple[int, int]
    _content_length: int | None
    _cache: dict[str, Any]
    _version_span: tuple[int, int]
    _complete: bool
    _edit: _Edits | None

    is_request = False

    def __init__(self) -> None:
        raise TypeError("messages come from sipfast.parse() (builders arrive with issue 3)")

    def _raise(self, e: Bad) -> Any:
        # the error carries the message: a server answers it from Via, From, To ...
        raise ParseError.at(self._data, e.offset, e.reason, e.status, self) from None

    @property
    def _index(self) -> list[list[int]]:
        index = self._idx
        if index is None:
            buf = self._data
            first = buf.index(b"\n", self._start) + 1
            index = self._idx = _index_fields(buf, first, self._body_span[0], _BUILT_LIMITS)[0]
        return index

    def _spans(self, hid: int) -> list[list[int]]:
        self._sync()
        return [e for e in self._index if e[_ID] == hid]

    @property
    def version(self) -> str:
        self._sync()
        vs, ve = self._version_span
        return self._data[vs:ve].decode("ascii")

    @property
    def headers(self) -> Headers:
        return Headers(self)

    def to_bytes(self) -> bytes:
        """The message's own octets: start line to the end of its body (with the edits)."""
        if self._edit is not None:
            return self._serialize()
        be = self._body_span[1]
        if self._start == 0 and be == len(self._data):
            return self._data
        return self._data[self._start : be]

    def __bytes__(self) -> bytes:
        return self.to_bytes()

    def __reduce__(self) -> tuple[Any, ...]:
        # A message pickles as its octets (edits included); unpickling parses them.
        return (parse, (self.to_bytes(),))

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
        if self._edit is not None:
            self._materialize()
        if self._complete:
            return self._cache.get(key)
        return self._partial(key)

    # --- editing ---------------------------------------------------------------------

    def _sync(self) -> None:
        """Before reading: parse the edited message again (see the section comment)."""
        if self._edit is not None:
            self._materialize()

    def _materialize(self) -> None:
        self._adopt(_parse_lenient(self._serialize()))

    def _adopt(self, other: Message) -> None:
        for cls in type(self).__mro__:
            for slot in getattr(cls, "__slots__", ()):
                if slot != "__weakref__":
                    setattr(self, slot, getattr(other, slot))

    def _edits(self) -> _Edits:
        edit = self._edit
        if edit is not None and edit.built:  # not parsed yet
            self._materialize()
            edit = None
        if edit is None:
            edit = self._edit = _Edits(len(self._index))
        edit.out = None
        return edit

    def _matches(self, item: int | _Field, hid: int, key: bytes) -> bool:
        if isinstance(item, int):
            entry = self._index[item]
            if hid:
                return entry[_ID] == hid
            name = self._data[entry[_NAME_START] : entry[_NAME_END]]
            return entry[_ID] == 0 and name.lower() == key
        return item[0] == hid if hid else (item[0] == 0 and item[1] == key)

    def _put(self, field: _Field, where: int) -> None:
        fields = self._edits().fields
        hid, key = field[0], field[1]
        found = [i for i, item in enumerate(fields) if self._matches(item, hid, key)]
        if where == _AFTER_LAST:
            fields.insert(found[-1] + 1 if found else len(fields), field)
        elif where == _BEFORE_FIRST:
            fields.insert(found[0] if found else 0, field)
        elif found:
            fields[found[0]] = field
            for i in reversed(found[1:]):
                del fields[i]
        else:
            fields.append(field)

    def _remove(self, hid: int, key: bytes) -> int:
        edit = self._edits()
        kept = [item for item in edit.fields if not self._matches(item, hid, key)]
        removed = len(edit.fields) - len(kept)
        edit.fields = kept
        return removed

    def _first(self, hid: int) -> tuple[int, bytes] | None:
        """Position and (unfolded) value of the first field with this id, edits included."""
        fields = self._edits().fields
        for i, item in enumerate(fields):
            if isinstance(item, int):
                entry = self._index[item]
                if entry[_ID] == hid:
                    return i, _unfold(self._data, entry).encode("utf-8", "surrogateescape")
            elif item[0] == hid:
                return i, _field_value(item[2])
        return None

    def _name_of(self, item: int | _Field) -> bytes:
        if isinstance(item, int):
            entry = self._index[item]
            return self._data[entry[_NAME_START] : entry[_NAME_END]]
        line = item[2]
        return line[: line.index(b":")]

    def _pop_first_value(self, hid: int, scan: Any) -> tuple[bytes, tuple[Any, ...]] | None:
        """Remove the first element of the first field with this id (the field itself when
        it was the only one); the value and the element's scan item."""
        first = self._first(hid)
        if first is None:
            return None
        i, value = first
        try:
            items = scan(value, 0, len(value))
        except Bad as e:
            raise ParseError.at(value, e.offset, e.reason, e.status) from None
        fields = self._edit.fields  # type: ignore[union-attr]
        if len(items) == 1:
            del fields[i]
        else:
            rest = value[items[1][0] :]
            fields[i] = _field(hid, T.HEADER_NAMES[hid].lower().encode(),
                               self._name_of(fields[i]), rest)
        return value, items[0]

    def push_via(self, via: Via | str) -> None:
        """A new topmost Via field."""
        if isinstance(via, Via):
            value = _value_bytes(str(via))
        else:
            if not isinstance(via, str):
                Via.parse(via)  # raises the TypeError of a value class
            value = _value_bytes(via)
            Via.parse(via)
        self._put(_field(T.H_VIA, b"via", b"Via", value), _BEFORE_FIRST)

    def pop_via(self) -> Via:
        """Remove the topmost Via value (the first of a comma list) and return it."""
        popped = self._pop_first_value(T.H_VIA, scan_vias)
        if popped is None:
            raise ValueError("no Via to pop")
        return Via._from_item(*popped)

    def decrement_max_forwards(self) -> int:
        """Max-Forwards minus one; 70 added when absent (RFC 3261 §16.6 step 3)."""
        first = self._first(T.H_MAX_FORWARDS)
        if first is None:
            self._put(_field(T.H_MAX_FORWARDS, b"max-forwards", b"Max-Forwards", b"70"),
                      _AFTER_LAST)
            return 70
        i, value = first
        m = _DIGITS.fullmatch(value.strip(b" \t"))
        if m is None or len(m.group()) > 18:
            raise ValueError(f"invalid Max-Forwards {value!r}")
        hops = int(m.group())
        if hops == 0:
            raise ValueError("Max-Forwards is 0: answer 483 (Too Many Hops)")
        fields = self._edit.fields  # type: ignore[union-attr]
        fields[i] = _field(T.H_MAX_FORWARDS, b"max-forwards", self._name_of(fields[i]),
                           str(hops - 1).encode())
        return hops - 1

    def push_record_route(self, value: NameAddr | URI | str) -> None:
        """A new topmost Record-Route field; a URI is written as ``<uri>``."""
        self._put(_field(T.H_RECORD_ROUTE, b"record-route", b"Record-Route",
                         _route_bytes(value)), _BEFORE_FIRST)

    def pop_route(self) -> NameAddr | None:
        """Remove the first Route value (the first of a comma list) and return it."""
        popped = self._pop_first_value(
            T.H_ROUTE, lambda b, s, e: scan_name_addrs(b, s, e, True))
        return None if popped is None else NameAddr._from_item(*popped)

    def _get_body(self) -> bytes:
        self._sync()
        cache = self._cache
        if "body" not in cache:
            bs, be = self._body_span
            cache["body"] = self._data[bs:be]
        return cache["body"]  # type: ignore[no-any-return]

    def _set_body(self, body: bytes) -> None:
        if not isinstance(body, (bytes, bytearray, memoryview)):
            raise TypeError(f"a body is bytes, not {type(body).__name__}")
        body = bytes(body)
        length = str(len(body)).encode()
        self._put(_field(T.H_CONTENT_LENGTH, b"content-length", b"Content-Length", length),
                  _REPLACE)
        self._edit.body = body  # type: ignore[union-attr]

    body = property(_get_body, _set_body, doc="The body; setting it sets Content-Length.")

    def _serialize(self) -> bytes:
        edit = self._edit
        assert edit is not None
        if edit.out is not None:
            return edit.out
        buf = self._data
        index = self._index
        head_start = buf.index(b"\n", self._start) + 1
        body_s, body_e = self._body_span
        blank = body_s - 2 if buf[body_s - 2] == 13 else body_s - 1
        out = [buf[self._start : head_start] if edit.uri is None else self._start_line(edit.uri)]
        for item in edit.fields:
            if isinstance(item, int):
                stop = index[item + 1][_NAME_START] if item + 1 < len(index) else blank
                out.append(buf[index[item][_NAME_START] : stop])
            else:
                out.append(item[2])
        out.append(buf[blank:body_s])
        out.append(buf[body_s:body_e] if edit.body is None else edit.body)
        edit.out = b"".join(out)
        return edit.out

    def _start_line(self, uri: bytes) -> bytes:
        raise TypeError("only a request has a Request-URI")

    call_id = property(lambda self: self._core("call_id"), doc="Call-ID / i.")
    cseq = property(lambda self: self._core("cseq"), doc="CSeq.")
    max_forwards = property(lambda self: self._core("max_forwards"))

    # _frame_fast leaves the matches of the fast patterns in the cache: the value
    # objects are made from them when first read.

    @property
    def via(self) -> list[Via]:
        """All Via values, top first."""
        if self._edit is not None:
            self._materialize()
        if not self._complete:
            return self._partial("via")  # type: ignore[no-any-return]
        vias = self._cache["via"]
        for i, via in enumerate(vias):
            if type(via) is not Via:
                vias[i] = Via._from_match(via)
        return list(vias)

    @property
    def top_via(self) -> Via | None:
        """The topmost Via value."""
        if self._edit is not None:
            self._materialize()
        if not self._complete:
            return (self._partial("via") or [None])[0]  # type: ignore[no-any-return]
        vias = self._cache["via"]
        top = vias[0]
        if type(top) is not Via:
            top = vias[0] = Via._from_match(top)
        return top

    def _name_addr(self, key: str) -> NameAddr | None:
        if self._edit is not None:
            self._materialize()
        if not self._complete:
            return self._partial(key)  # type: ignore[no-any-return]
        value = self._cache[key]
        if type(value) is not NameAddr:
            value = self._cache[key] = NameAddr._from_match(value)
        return value

    from_ = property(lambda self: self._name_addr("from_"), doc="From / f.")
    to = property(lambda self: self._name_addr("to"), doc="To / t.")
    content_length = property(lambda self: self._sync() or self._content_length,
                              doc="Content-Length / l; None when absent.")

    def _name_addrs(self, hid: int) -> list[NameAddr]:
        buf = self._data
        out: list[NameAddr] = []
        try:
            for e in self._spans(hid):
                items = scan_name_addrs(buf, e[_VALUE_START], e[_VALUE_END], True)
                out.extend(NameAddr._from_item(buf, item) for item in items)
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
        self._sync()
        cache = self._cache
        if key not in cache:
            cache[key] = self._auth(hid)
        return list(cache[key])

    def _elements(self, hid: int, kind: Any) -> list[str]:
        """The elements of the list header `hid`, each checked (message/lists.py)."""
        spans = self._spans(hid)
        buf = self._data
        return list_elements(buf, [(e[_VALUE_START], _unfold(buf, e)) for e in spans], kind,
                             self)

    require = property(lambda self: self._elements(T.H_REQUIRE, OPTION_TAGS))
    proxy_require = property(lambda self: self._elements(T.H_PROXY_REQUIRE, OPTION_TAGS))
    supported = property(lambda self: self._elements(T.H_SUPPORTED, OPTION_TAGS))
    unsupported = property(lambda self: self._elements(T.H_UNSUPPORTED, OPTION_TAGS))
    allow = property(lambda self: self._elements(T.H_ALLOW, METHODS))
    accept = property(lambda self: self._elements(T.H_ACCEPT, ACCEPT))


class Request(Message):
    __slots__ = ("_method_span", "_uri_span")

    _method_span: tuple[int, int]
    _uri_span: tuple[int, int]

    is_request = True

    def __init__(self, method: str, uri: URI | str, headers: Any = (), body: bytes = b"") -> None:
        """A new request: the start line, ``headers`` in order, Content-Length, ``body``."""
        if not isinstance(method, str) or _NAME_STR.fullmatch(method) is None:
            raise ValueError(f"a method is a token, not {method!r}")
        text = str(uri) if isinstance(uri, URI) else str(URI.parse(uri))
        lines = [b"%s %s SIP/2.0\r\n" % (method.encode("ascii"), _value_bytes(text))]
        lines += _header_lines(headers)
        self._adopt(_parse_built(_finish(lines, _body_bytes(body))))

    @_cached
    def method(self) -> str:
        ms, me = self._method_span
        return self._data[ms:me].decode("ascii")

    def _get_uri(self) -> URI:
        self._sync()
        cache = self._cache
        if "uri" not in cache:
            us, ue = self._uri_span
            cache["uri"] = URI._from_span(self._data, us, ue)
        return cache["uri"]  # type: ignore[no-any-return]

    def _set_uri(self, uri: URI | str) -> None:
        text = str(uri) if isinstance(uri, URI) else str(URI.parse(uri))
        self._edits().uri = _value_bytes(text)

    uri = property(_get_uri, _set_uri, doc="The Request-URI; setting it rewrites the start line.")

    def _start_line(self, uri: bytes) -> bytes:
        ms, me = self._method_span
        vs, ve = self._version_span
        return self._data[ms:me] + b" " + uri + b" " + self._data[vs:ve] + b"\r\n"

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.uri}>"


class Response(Message):
    __slots__ = ("_reason_span", "_status")

    _status: int
    _reason_span: tuple[int, int]

    def __init__(self, status: int, reason: str | None = None, headers: Any = (),
                 body: bytes = b"") -> None:
        """A new response: the status line, ``headers`` in order, Content-Length, ``body``."""
        lines = [_status_line(status, reason)]
        lines += _header_lines(headers)
        self._adopt(_parse_built(_finish(lines, _body_bytes(body))))

    @property
    def status(self) -> int:
        self._sync()
        return self._status

    @_cached
    def reason(self) -> str:
        rs, re_ = self._reason_span
        return self._data[rs:re_].decode("utf-8", "surrogateescape")

    def __repr__(self) -> str:
        return f"<Response {self.status} {self.reason}>"
