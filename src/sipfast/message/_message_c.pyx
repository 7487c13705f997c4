# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Message framing, the header index and lazy accessors: the Cython twin of _message_py.py.

parse() walks the datagram once as a ``const char*``: start line, then one index
entry per header field (id, name and value offsets, folded?), Content-Length, then
the values every element needs (Via, From, To, Call-ID, CSeq, Max-Forwards) checked
in place.  No Python object is made for a header until it is read.  The steps, their
order, the reasons and offsets of errors are those of the Python twin.
"""

cimport cython
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from cpython.buffer cimport PyObject_GetBuffer, PyBuffer_Release, PyBUF_SIMPLE
from cpython.mem cimport PyMem_Malloc, PyMem_Free, PyMem_Realloc
from libc.string cimport memchr, memcpy
from libc.stdint cimport uint32_t, uint8_t

from ..errors import MessageTooLarge, ParseError, VersionNotSupported
from . import tables as T
from .keepalive import Keepalive
from .limits import DEFAULT_LIMITS
from ._message_py import split_commas

from ._scan cimport (
    SF_TOKEN, SF_WS, sf_init_tables, sf_is, sf_lower, skip_ws, skip_class, eq_lower, bytes_eq,
)
from ._values_c cimport (
    Err, UriParts, NameAddrParts, ViaParts, URI, NameAddr, Via, CSeq, Auth,
    scan_uri, scan_name_addr, next_list_item, scan_via, scan_params, scan_cseq,
    scan_digits_value, raise_at, decode, ascii_str, known_method, params_list,
    make_uri, make_name_addr, make_via, make_cseq, parse_auth,
)

sf_init_tables()

cdef extern from *:
    """
    typedef struct {
        uint32_t name_s, name_e, value_s, value_e;
        uint8_t hid, folded;
    } sf_entry;
    """
    ctypedef struct sf_entry:
        uint32_t name_s, name_e, value_s, value_e
        uint8_t hid, folded

DEF STACK_ENTRIES = 48

cdef enum:
    H_VIA = 1
    H_FROM = 2
    H_TO = 3
    H_CALL_ID = 4
    H_CSEQ = 5
    H_MAX_FORWARDS = 6
    H_CONTENT_LENGTH = 7
    H_CONTACT = 8
    H_ROUTE = 9
    H_RECORD_ROUTE = 10
    H_CONTENT_TYPE = 11
    H_EXPIRES = 24

# --- header name -> id: open addressing over the lower-cased names ---------------------

cdef bytes _NAMES_BLOB
cdef const char* _names[512]
cdef Py_ssize_t _name_lens[512]
cdef uint8_t _name_ids[512]


cdef inline unsigned int name_hash(const char* s, Py_ssize_t n) noexcept nogil:
    return (<unsigned int>n * 31u + sf_lower[<unsigned char>s[0]] * 7u
            + sf_lower[<unsigned char>s[n - 1]] * 3u + (sf_lower[<unsigned char>s[n // 2]] << 4)) & 511u


cdef void _build_names() except *:
    global _NAMES_BLOB
    cdef unsigned int h
    cdef Py_ssize_t i
    cdef const char* base
    items = sorted(T.HEADER_IDS.items())
    _NAMES_BLOB = b"".join(k.encode("ascii") for k, _ in items)
    base = PyBytes_AS_STRING(_NAMES_BLOB)
    for i in range(512):
        _name_lens[i] = 0
    cdef Py_ssize_t off = 0
    for key, hid in items:
        n = len(key)
        h = name_hash(base + off, n)
        while _name_lens[h]:
            h = (h + 1) & 511u
        _names[h] = base + off
        _name_lens[h] = n
        _name_ids[h] = hid
        off += n


_build_names()


cdef inline uint8_t header_id(const char* s, Py_ssize_t n) noexcept nogil:
    cdef unsigned int h = name_hash(s, n)
    while _name_lens[h]:
        if eq_lower(s, n, _names[h], _name_lens[h]):
            return _name_ids[h]
        h = (h + 1) & 511u
    return 0


# --- limits ----------------------------------------------------------------------------

cdef class _Limits:
    cdef Py_ssize_t max_size, max_line
    cdef int max_headers


cdef _Limits _DEFAULT = _Limits.__new__(_Limits)
_DEFAULT.max_size = DEFAULT_LIMITS.max_size
_DEFAULT.max_line = DEFAULT_LIMITS.max_line_length
_DEFAULT.max_headers = DEFAULT_LIMITS.max_headers


cdef _Limits c_limits(object limits):
    if limits is None or limits is DEFAULT_LIMITS:
        return _DEFAULT
    cdef _Limits l = _Limits.__new__(_Limits)
    l.max_size = limits.max_size
    l.max_line = limits.max_line_length
    l.max_headers = limits.max_headers
    return l


# --- parse -----------------------------------------------------------------------------

cdef bytes as_bytes(object data):
    if type(data) is bytes:
        return <bytes>data
    if isinstance(data, (bytearray, memoryview)) or isinstance(data, bytes):
        return bytes(data)
    raise TypeError(f"expected bytes, bytearray or memoryview, not {type(data).__name__}")


cdef object keepalive_of(const char* s, Py_ssize_t start, Py_ssize_t end):
    cdef Py_ssize_t n = end - start, i
    if n < 2 or n % 2:
        return None
    i = start
    while i < end:
        if s[i] != b'\r' or s[i + 1] != b'\n':
            return None
        i += 2
    return Keepalive.PONG if n == 2 else Keepalive.PING


def is_keepalive(data):
    """True for an RFC 5626 CRLF keepalive: CRLF (pong) or CRLF CRLF (ping)."""
    cdef bytes buf = as_bytes(data)
    return keepalive_of(PyBytes_AS_STRING(buf), 0, PyBytes_GET_SIZE(buf)) is not None


def parse(data, limits=None):
    """Parse one datagram (or one framed stream message)."""
    cdef bytes buf = as_bytes(data)
    cdef const char* s = PyBytes_AS_STRING(buf)
    cdef Py_ssize_t n = PyBytes_GET_SIZE(buf)
    cdef Py_ssize_t body_end
    if n <= 4 and n >= 2:
        ka = keepalive_of(s, 0, n)
        if ka is not None:
            return ka
    elif n > 4 and s[0] == b'\r':
        ka = keepalive_of(s, 0, n)
        if ka is not None:
            return ka
    return parse_message(buf, 0, n, c_limits(limits), False, &body_end)


cdef inline Py_ssize_t fail(Err* err, Py_ssize_t offset, const char* reason, int status) noexcept nogil:
    err.offset = offset
    err.reason = reason
    err.status = status
    return -1


cdef inline Py_ssize_t start_version(const char* s, Py_ssize_t pos, Py_ssize_t end) noexcept nogil:
    """``SIP/1*DIGIT.1*DIGIT`` ("SIP" in any case); its end, or -1."""
    cdef Py_ssize_t p, q
    if end - pos < 4 or not eq_lower(s + pos, 4, "sip/", 4):
        return -1
    p = pos + 4
    q = p
    while q < end and b'0' <= s[q] <= b'9':
        q += 1
    if q == p or q >= end or s[q] != b'.':
        return -1
    p = q + 1
    q = p
    while q < end and b'0' <= s[q] <= b'9':
        q += 1
    if q == p:
        return -1
    return q


cdef class _Index:
    """A growable array of entries while the header section is scanned."""
    cdef sf_entry* items
    cdef int count, cap
    cdef sf_entry stack[STACK_ENTRIES]

    cdef inline sf_entry* add(self) except NULL:
        cdef sf_entry* grown
        if self.count == self.cap:
            if self.items == self.stack:
                grown = <sf_entry*>PyMem_Malloc(self.cap * 2 * sizeof(sf_entry))
                if grown != NULL:
                    memcpy(grown, self.stack, self.count * sizeof(sf_entry))
            else:
                grown = <sf_entry*>PyMem_Realloc(self.items, self.cap * 2 * sizeof(sf_entry))
            if grown == NULL:
                raise MemoryError()
            self.items = grown
            self.cap *= 2
        self.count += 1
        return &self.items[self.count - 1]

    def __dealloc__(self):
        if self.items != self.stack and self.items != NULL:
            PyMem_Free(self.items)


cdef _Index _scratch = None


cdef object parse_message(bytes data, Py_ssize_t start, Py_ssize_t end, _Limits limits,
                          bint stream, Py_ssize_t* body_end_out):
    """Parse the message at ``start``; sets the offset after its body.

    ``stream``: Content-Length is mandatory; a body that is not all there yet gives
    back a message that is not checked (the caller waits and parses again).
    """
    global _scratch
    cdef const char* s = PyBytes_AS_STRING(data)
    cdef Err err
    cdef Py_ssize_t pos = start, nl_, line_end, p, q, version_end, uri_start, stop
    cdef Py_ssize_t head_end, body_start, body_end
    cdef const char* nlp
    cdef int status = 0, digits
    cdef sf_entry* cur = NULL
    cdef sf_entry* e
    cdef Message msg
    cdef Request req
    cdef Response resp
    cdef UriParts u
    cdef long long content_length = -1, i
    cdef int first_cl = -1
    cdef Py_ssize_t size_end, scan_end
    cdef bint over
    cdef unsigned long long number
    cdef _Index index = _scratch
    if index is None:
        index = _Index.__new__(_Index)
    else:
        _scratch = None
    index.items = index.stack
    index.count = 0
    index.cap = STACK_ENTRIES
    try:
        err.status = 400
        while pos < end and (s[pos] == b'\r' or s[pos] == b'\n'):  # RFC 3261 §7.5
            pos += 1
        if pos >= end:
            fail(&err, pos, "empty message", 400)
            raise_at(data, &err, None)
        start = pos  # the message's own octets begin at its start line
        # Past max_size only a body may lie, and only as far as Content-Length allows (413).
        size_end = pos + limits.max_size
        over = end > size_end
        scan_end = size_end if over else end

        # 1. start line
        nlp = <const char*>memchr(s + pos, b'\n', scan_end - pos)
        nl_ = -1 if nlp == NULL else nlp - s
        if nl_ < 0:
            line_end = scan_end
        elif nl_ > pos and s[nl_ - 1] == b'\r':
            line_end = nl_ - 1
        else:
            line_end = nl_
        if line_end - pos > limits.max_line:
            fail(&err, pos + limits.max_line, "line too long", 513)
            raise_at(data, &err, None)
        if end - pos >= 4 and eq_lower(s + pos, 4, "sip/", 4):
            resp = Response.__new__(Response)
            msg = resp
            version_end = start_version(s, pos, line_end)
            if version_end < 0:
                fail(&err, pos, "invalid SIP-Version", 400)
                raise_at(data, &err, None)
            p = version_end
            if p >= line_end or s[p] != b' ':
                fail(&err, p, "expected SP after SIP-Version", 400)
                raise_at(data, &err, None)
            q = p + 1
            status = 0
            while q < line_end and b'0' <= s[q] <= b'9':
                if q - p <= 3:
                    status = status * 10 + (s[q] - 48)
                q += 1
            if q - p - 1 != 3 or status < 100 or status > 699:
                fail(&err, p + 1, "invalid status code", 400)
                raise_at(data, &err, None)
            resp._status = status
            p = q
            if p < line_end and s[p] != b' ':
                fail(&err, p, "expected SP after status code", 400)
                raise_at(data, &err, None)
            resp._reason_s = p + 1 if p + 1 < line_end else line_end
            resp._reason_e = line_end
            msg._version_s = pos
            msg._version_e = version_end
        else:
            req = Request.__new__(Request)
            msg = req
            p = skip_class(s, pos, line_end, SF_TOKEN)
            if p == pos:
                fail(&err, pos, "invalid method", 400)
                raise_at(data, &err, None)
            req._method_s = pos
            req._method_e = p
            if p >= line_end or s[p] != b' ':
                fail(&err, p, "expected SP after method", 400)
                raise_at(data, &err, None)
            uri_start = p = p + 1
            while p < line_end and s[p] != b' ':
                p += 1
            if scan_uri(s, uri_start, p, &u, &err) < 0:
                raise_at(data, &err, None)
            req._u = u
            if p >= line_end:
                fail(&err, p, "expected SP after Request-URI", 400)
                raise_at(data, &err, None)
            version_end = start_version(s, p + 1, line_end)
            if version_end < 0:
                fail(&err, p + 1, "invalid SIP-Version", 400)
                raise_at(data, &err, None)
            if version_end != line_end:
                fail(&err, version_end, "unexpected character after SIP-Version", 400)
                raise_at(data, &err, None)
            msg._version_s = p + 1
            msg._version_e = version_end
        if nl_ < 0:
            if over:
                fail(&err, size_end, "message too large", 513)
            else:
                fail(&err, end, "incomplete start line", 400)
            raise_at(data, &err, None)

        # 2. header index
        pos = nl_ + 1
        while True:
            nlp = <const char*>memchr(s + pos, b'\n', scan_end - pos)
            if nlp == NULL:
                if scan_end - pos > limits.max_line:
                    fail(&err, pos + limits.max_line, "line too long", 513)
                elif over:
                    fail(&err, size_end, "message too large", 513)
                else:
                    fail(&err, end, "header section not terminated", 400)
                raise_at(data, &err, None)
            nl_ = nlp - s
            line_end = nl_ - 1 if (nl_ > pos and s[nl_ - 1] == b'\r') else nl_
            if line_end - pos > limits.max_line:
                fail(&err, pos + limits.max_line, "line too long", 513)
                raise_at(data, &err, None)
            if line_end == pos:
                break
            if s[pos] == b' ' or s[pos] == b'\t':  # a fold continues the current value
                if cur == NULL:
                    fail(&err, pos, "continuation line before the first header", 400)
                    raise_at(data, &err, None)
                stop = line_end
                while stop > pos and (s[stop - 1] == b' ' or s[stop - 1] == b'\t'):
                    stop -= 1
                if stop > pos:
                    if cur.value_s >= cur.value_e:
                        p = pos
                        while s[p] == b' ' or s[p] == b'\t':
                            p += 1
                        cur.value_s = <uint32_t>p
                    else:
                        cur.folded = 1
                    cur.value_e = <uint32_t>stop
            else:
                p = skip_class(s, pos, line_end, SF_TOKEN)
                q = p
                while q < line_end and (s[q] == b' ' or s[q] == b'\t'):
                    q += 1
                if p == pos or q >= line_end or s[q] != b':':
                    fail(&err, p if p == pos else q, "invalid header name", 400)
                    raise_at(data, &err, None)
                if index.count >= limits.max_headers:
                    fail(&err, pos, "too many headers", 513)
                    raise_at(data, &err, None)
                cur = index.add()
                cur.hid = header_id(s + pos, p - pos)
                cur.name_s = <uint32_t>pos
                cur.name_e = <uint32_t>p
                cur.folded = 0
                q += 1
                while q < line_end and (s[q] == b' ' or s[q] == b'\t'):
                    q += 1
                stop = line_end
                while stop > q and (s[stop - 1] == b' ' or s[stop - 1] == b'\t'):
                    stop -= 1
                cur.value_s = <uint32_t>q
                cur.value_e = <uint32_t>stop
            pos = nl_ + 1
        head_end = pos
        body_start = nl_ + 1

        # 3. Content-Length and the body
        for i in range(index.count):
            e = &index.items[i]
            if e.hid == H_CONTENT_LENGTH:
                if content_length >= 0:
                    fail(&err, e.name_s, "duplicate Content-Length header", 400)
                    raise_at(data, &err, None)
                if scan_digits_value(s, e.value_s, e.value_e, 2147483648ULL, &number,
                                     "invalid Content-Length", "Content-Length out of range", &err) < 0:
                    raise_at(data, &err, None)
                content_length = <long long>number
                first_cl = i
                if content_length > limits.max_size - (body_start - start):
                    fail(&err, e.value_s, "Content-Length too large", 413)
                    raise_at(data, &err, None)
        if content_length < 0:
            if stream:
                fail(&err, head_end, "missing Content-Length header", 400)
                raise_at(data, &err, None)
            if over:
                fail(&err, size_end, "message too large", 513)
                raise_at(data, &err, None)
            body_end = end
        else:
            body_end = body_start + content_length
            if body_end > end and not stream:
                fail(&err, index.items[first_cl].value_s, "Content-Length larger than the body", 400)
                raise_at(data, &err, None)
        msg._data = data
        msg._start = start
        msg._head_end = head_end
        msg._body_s = body_start
        msg._body_e = body_end
        msg._content_length = content_length
        msg._take_index(index)
        body_end_out[0] = body_end
        if stream and body_end > end:
            return msg

        # 4. values of the headers every element needs, in header order
        if msg._check_values(s, &err) < 0:
            raise_at(data, &err, msg)

        # 5. rules checked after parsing
        if not eq_lower(s + msg._version_s, msg._version_e - msg._version_s, "sip/2.0", 7):
            fail(&err, msg._version_s, "unsupported SIP version", 505)
            raise_at(data, &err, msg)
        msg._check_rules()
        msg._complete = True
        return msg
    finally:
        if index.items != index.stack:
            PyMem_Free(index.items)
        index.items = index.stack
        _scratch = index


def _parse_stream(bytes data, Py_ssize_t end, limits):
    """For the stream parser: (message, offset after its body); Content-Length mandatory."""
    cdef Py_ssize_t body_end
    msg = parse_message(data, 0, end, c_limits(limits), True, &body_end)
    return msg, body_end


# --- the message -------------------------------------------------------------------------

cdef int _REQUIRED[5]
_REQUIRED[:] = [H_VIA, H_FROM, H_TO, H_CALL_ID, H_CSEQ]
cdef frozenset _KNOWN_METHODS = frozenset(T.METHODS)


cdef inline bint is_single(uint8_t hid) noexcept nogil:
    return hid == H_FROM or hid == H_TO or hid == H_CALL_ID or hid == H_CSEQ or hid == H_MAX_FORWARDS


# A message refers only to its bytes, its index and the values made from them (handed
# out as copies where mutable): no reference cycle can pass through it, so it needs no
# garbage-collector tracking, which costs time on every allocation.
@cython.no_gc
cdef class Message:
    """What requests and responses share: the header index, the body, typed accessors."""

    cdef bytes _data
    cdef sf_entry* _index
    cdef int _count
    cdef int _start, _head_end, _body_s, _body_e, _version_s, _version_e
    cdef long long _content_length
    cdef int _max_forwards
    cdef unsigned long long _cseq_seq
    cdef int _cseq_ms, _cseq_me
    cdef int _i_via, _i_from, _i_to, _i_call_id, _i_cseq
    cdef ViaParts _top_v                 # parts found while checking, kept for the accessors
    cdef NameAddrParts _from_p, _to_p
    cdef object _body, _via, _top_via, _from, _to, _call_id, _cseq
    cdef dict _cache                     # the accessors read less often
    cdef bint _complete                  # every check passed (else: carried by a ParseError)
    cdef object __weakref__

    is_request = False

    def __init__(self):
        raise TypeError("messages come from sipfast.parse() (builders arrive with issue 3)")

    def __dealloc__(self):
        if self._index != NULL:
            PyMem_Free(self._index)

    cdef int _take_index(self, _Index index) except -1:
        cdef size_t size = index.count * sizeof(sf_entry)
        self._index = <sf_entry*>PyMem_Malloc(size if size else 1)
        if self._index == NULL:
            raise MemoryError()
        memcpy(self._index, index.items, size)
        self._count = index.count
        self._max_forwards = -1
        self._i_via = self._i_from = self._i_to = self._i_call_id = self._i_cseq = -1
        return 0

    cdef int _check_values(self, const char* s, Err* err) noexcept:
        cdef int i
        cdef sf_entry* e
        cdef Py_ssize_t vs, ve, p
        cdef ViaParts v
        cdef NameAddrParts na
        cdef unsigned long long number, seq
        cdef Py_ssize_t ms, me
        for i in range(self._count):
            e = &self._index[i]
            if e.hid == 0 or e.hid > H_MAX_FORWARDS:
                continue
            vs = e.value_s
            ve = e.value_e
            if e.hid == H_VIA:
                p = vs
                while True:
                    if scan_via(s, p, ve, &v, err) < 0:
                        return -1
                    if self._i_via < 0 and p == vs:
                        self._top_v = v
                    p = next_list_item(s, v.stop, ve, True, "unexpected character in Via", err)
                    if p == -1:
                        return -1
                    if p == -2:
                        break
                if self._i_via < 0:
                    self._i_via = i
            elif e.hid == H_FROM or e.hid == H_TO:
                if scan_name_addr(s, vs, ve, False, &na, err) < 0:
                    return -1
                if next_list_item(s, na.stop, ve, False, "unexpected character after address", err) == -1:
                    return -1
                if e.hid == H_FROM:
                    if self._i_from < 0:
                        self._i_from = i
                        self._from_p = na
                elif self._i_to < 0:
                    self._i_to = i
                    self._to_p = na
            elif e.hid == H_CALL_ID:
                if vs == ve:
                    return fail(err, vs, "invalid Call-ID", 400)
                p = vs
                while p < ve:
                    if <unsigned char>s[p] <= 0x20 or s[p] == 0x7f:
                        return fail(err, p, "invalid Call-ID", 400)
                    p += 1
                if self._i_call_id < 0:
                    self._i_call_id = i
            elif e.hid == H_CSEQ:
                if scan_cseq(s, vs, ve, &seq, &ms, &me, err) < 0:
                    return -1
                if self._i_cseq < 0:
                    self._i_cseq = i
                    self._cseq_seq = seq
                    self._cseq_ms = ms
                    self._cseq_me = me
            else:
                if scan_digits_value(s, vs, ve, 255, &number, "invalid Max-Forwards",
                                     "Max-Forwards out of range", err) < 0:
                    return -1
                if self._max_forwards < 0:
                    self._max_forwards = <int>number
        return 0

    cdef int _check_rules(self) except -1:
        cdef int i, k
        cdef unsigned int seen = 0
        cdef sf_entry* e
        cdef const char* s = PyBytes_AS_STRING(self._data)
        for i in range(self._count):
            e = &self._index[i]
            if is_single(e.hid):
                if seen & (1u << e.hid):
                    raise ParseError.at(self._data, e.name_s,
                                        f"duplicate {T.HEADER_NAMES[e.hid]} header", 400, self)
                seen |= 1u << e.hid
            elif e.hid == H_VIA:
                seen |= 1u << e.hid
        for k in range(5):
            if not seen & (1u << _REQUIRED[k]):
                raise ParseError.at(self._data, self._head_end,
                                    f"missing {T.HEADER_NAMES[_REQUIRED[k]]} header", 400, self)
        if isinstance(self, Request):
            req = <Request>self
            if (req._method_e - req._method_s != self._cseq_me - self._cseq_ms
                    or not bytes_eq(s + req._method_s, s + self._cseq_ms, self._cseq_me - self._cseq_ms)):
                method = req.method
                raise ParseError.at(self._data, self._cseq_ms,
                                    "CSeq method does not match the request method",
                                    400 if method in _KNOWN_METHODS else 501, self)
        return 0

    # A message carried by a ParseError stopped being checked part way: its accessors
    # parse their header on demand (ParseError if malformed, None / [] if absent).

    cdef object _partial_name_addr(self, uint8_t hid):
        cdef int i = self._first(hid)
        cdef NameAddrParts na
        cdef Err err
        cdef const char* s = PyBytes_AS_STRING(self._data)
        if i < 0:
            return None
        if (scan_name_addr(s, self._index[i].value_s, self._index[i].value_e, False, &na, &err) < 0
                or next_list_item(s, na.stop, self._index[i].value_e, False,
                                  "unexpected character after address", &err) == -1):
            self._raise(&err)
        return make_name_addr(self._data, &na)

    cdef list _partial_vias(self):
        cdef const char* s = PyBytes_AS_STRING(self._data)
        cdef ViaParts v
        cdef Err err
        cdef Py_ssize_t p
        cdef int i
        cdef list out = []
        for i in range(self._count):
            if self._index[i].hid != H_VIA:
                continue
            p = self._index[i].value_s
            while True:
                if scan_via(s, p, self._index[i].value_e, &v, &err) < 0:
                    self._raise(&err)
                out.append(make_via(self._data, &v))
                p = next_list_item(s, v.stop, self._index[i].value_e, True, "unexpected character in Via", &err)
                if p == -1:
                    self._raise(&err)
                if p == -2:
                    break
        return out

    cdef inline int _first(self, uint8_t hid):
        cdef int i
        for i in range(self._count):
            if self._index[i].hid == hid:
                return i
        return -1

    cdef object _raise(self, Err* err):
        raise_at(self._data, err, None)

    @property
    def version(self):
        return ascii_str(PyBytes_AS_STRING(self._data), self._version_s, self._version_e)

    @property
    def headers(self):
        # A fresh view each time: a cached one would make a reference cycle, and
        # messages stay out of the garbage collector's sight.
        cdef Headers h = Headers.__new__(Headers)
        h._msg = self
        return h

    @property
    def body(self):
        if self._body is None:
            self._body = self._data[self._body_s:self._body_e]
        return self._body

    def to_bytes(self):
        """The message's own octets: start line to the end of its body."""
        if self._start == 0 and self._body_e == PyBytes_GET_SIZE(self._data):
            return self._data
        return self._data[self._start:self._body_e]

    def __bytes__(self):
        return self.to_bytes()

    @property
    def call_id(self):
        """Call-ID / i."""
        cdef sf_entry* e
        cdef Py_ssize_t p
        cdef Err err
        cdef const char* s = PyBytes_AS_STRING(self._data)
        if self._call_id is None:
            if not self._complete:
                i = self._first(H_CALL_ID)
                if i < 0:
                    return None
                e = &self._index[i]
                p = e.value_s
                while p < e.value_e and not (<unsigned char>s[p] <= 0x20 or s[p] == 0x7f):
                    p += 1
                if e.value_s == e.value_e or p < e.value_e:
                    fail(&err, p, "invalid Call-ID", 400)
                    self._raise(&err)
                return decode(s, e.value_s, e.value_e)
            e = &self._index[self._i_call_id]
            self._call_id = decode(PyBytes_AS_STRING(self._data), e.value_s, e.value_e)
        return self._call_id

    @property
    def cseq(self):
        cdef unsigned long long seq
        cdef Py_ssize_t ms, me
        cdef Err err
        cdef int i
        if not self._complete and self._cseq is None:
            i = self._first(H_CSEQ)
            if i < 0:
                return None
            if scan_cseq(PyBytes_AS_STRING(self._data), self._index[i].value_s, self._index[i].value_e,
                         &seq, &ms, &me, &err) < 0:
                self._raise(&err)
            return make_cseq(seq, known_method(PyBytes_AS_STRING(self._data), ms, me))
        if self._cseq is None:
            self._cseq = make_cseq(self._cseq_seq,
                                   known_method(PyBytes_AS_STRING(self._data), self._cseq_ms, self._cseq_me))
        return self._cseq

    cdef list _vias(self):
        cdef const char* s = PyBytes_AS_STRING(self._data)
        cdef ViaParts v
        cdef Err err
        cdef Py_ssize_t p
        cdef int i
        cdef sf_entry* e
        cdef list out
        if self._via is None:
            out = []
            for i in range(self._i_via, self._count):
                e = &self._index[i]
                if e.hid != H_VIA:
                    continue
                p = e.value_s
                while True:
                    scan_via(s, p, e.value_e, &v, &err)
                    if not out and self._top_via is not None:
                        out.append(self._top_via)
                    else:
                        out.append(make_via(self._data, &v))
                    p = next_list_item(s, v.stop, e.value_e, True, "", &err)
                    if p < 0:
                        break
            self._via = out
        return self._via

    @property
    def via(self):
        """All Via values, top first."""
        if not self._complete:
            return self._partial_vias()
        return list(self._vias())

    @property
    def top_via(self):
        """The topmost Via value."""
        cdef ViaParts v
        cdef Err err
        cdef sf_entry* e
        if not self._complete:
            vias = self._partial_vias()
            return vias[0] if vias else None
        if self._top_via is None:
            if self._via is not None:
                self._top_via = self._via[0]
            else:
                self._top_via = make_via(self._data, &self._top_v)
        return self._top_via

    @property
    def from_(self):
        """From / f."""
        if not self._complete:
            return self._partial_name_addr(H_FROM)
        if self._from is None:
            self._from = make_name_addr(self._data, &self._from_p)
        return self._from

    @property
    def to(self):
        """To / t."""
        if not self._complete:
            return self._partial_name_addr(H_TO)
        if self._to is None:
            self._to = make_name_addr(self._data, &self._to_p)
        return self._to

    @property
    def max_forwards(self):
        cdef unsigned long long number
        cdef Err err
        cdef int i
        if not self._complete:
            i = self._first(H_MAX_FORWARDS)
            if i < 0:
                return None
            if scan_digits_value(PyBytes_AS_STRING(self._data), self._index[i].value_s,
                                 self._index[i].value_e, 255, &number, "invalid Max-Forwards",
                                 "Max-Forwards out of range", &err) < 0:
                self._raise(&err)
            return <int>number
        return None if self._max_forwards < 0 else self._max_forwards

    @property
    def content_length(self):
        """Content-Length / l; None when absent."""
        return None if self._content_length < 0 else self._content_length

    cdef list _name_addrs(self, uint8_t hid):
        cdef const char* s = PyBytes_AS_STRING(self._data)
        cdef NameAddrParts na
        cdef Err err
        cdef Py_ssize_t p
        cdef int i
        cdef sf_entry* e
        cdef list out = []
        for i in range(self._count):
            e = &self._index[i]
            if e.hid != hid:
                continue
            p = e.value_s
            while True:
                if scan_name_addr(s, p, e.value_e, True, &na, &err) < 0:
                    self._raise(&err)
                out.append(make_name_addr(self._data, &na))
                p = next_list_item(s, na.stop, e.value_e, True, "unexpected character after address", &err)
                if p == -1:
                    self._raise(&err)
                if p == -2:
                    break
        return out

    cdef tuple _contacts(self):
        cdef const char* s = PyBytes_AS_STRING(self._data)
        cdef int i, n = 0
        cdef sf_entry* e
        cdef Err err
        for i in range(self._count):
            if self._index[i].hid == H_CONTACT:
                n += 1
        for i in range(self._count):
            e = &self._index[i]
            if e.hid == H_CONTACT and e.value_e - e.value_s == 1 and s[e.value_s] == b'*':
                if n > 1:
                    err.offset = e.value_s
                    err.reason = "Contact: * with other contacts"
                    err.status = 400
                    self._raise(&err)
                return True, []
        return False, self._name_addrs(H_CONTACT)

    cdef dict _rare(self):
        if self._cache is None:
            self._cache = {}
        return self._cache

    @property
    def contact(self):
        """Contact / m values; empty for ``Contact: *``."""
        cache = self._rare()
        if "contact" not in cache:
            cache["contact"] = self._contacts()[1]
        return list(cache["contact"])

    @property
    def contact_star(self):
        """True for ``Contact: *`` (a REGISTER that removes every binding)."""
        return self._contacts()[0]

    @property
    def route(self):
        cache = self._rare()
        if "route" not in cache:
            cache["route"] = self._name_addrs(H_ROUTE)
        return list(cache["route"])

    @property
    def record_route(self):
        cache = self._rare()
        if "record_route" not in cache:
            cache["record_route"] = self._name_addrs(H_RECORD_ROUTE)
        return list(cache["record_route"])

    cdef object _content_type(self):
        cdef int i = self._first(H_CONTENT_TYPE)
        cdef const char* s = PyBytes_AS_STRING(self._data)
        cdef Py_ssize_t vs, ve, m, p, q, m2, pos, rest
        cdef Err err
        if i < 0:
            return None
        vs = self._index[i].value_s
        ve = self._index[i].value_e
        err.status = 400
        err.reason = "invalid Content-Type"
        m = skip_class(s, vs, ve, SF_TOKEN)
        if m == vs:
            err.offset = vs
            self._raise(&err)
        p = skip_ws(s, m, ve)
        if p >= ve or s[p] != b'/':
            err.offset = p
            self._raise(&err)
        q = skip_ws(s, p + 1, ve)
        m2 = skip_class(s, q, ve, SF_TOKEN)
        if m2 == q:
            err.offset = q
            self._raise(&err)
        pos = scan_params(s, m2, ve, "invalid Content-Type parameter",
                          "invalid Content-Type parameter value", &err)
        if pos < 0:
            self._raise(&err)
        rest = skip_ws(s, pos, ve)
        if rest != ve:
            err.offset = rest
            err.reason = "invalid Content-Type"
            self._raise(&err)
        mime = ascii_str(s, vs, m) + "/" + ascii_str(s, q, m2)
        return mime, dict(params_list(s, m2, pos))

    cdef tuple _ct(self):
        cache = self._rare()
        if "content_type" not in cache:
            cache["content_type"] = self._content_type() or (None, {})
        return cache["content_type"]

    @property
    def content_type(self):
        """Content-Type / c: ``type/subtype`` as written, without parameters."""
        return self._ct()[0]

    @property
    def content_type_params(self):
        return dict(self._ct()[1])

    @property
    def expires(self):
        cdef int i
        cdef unsigned long long number
        cdef Err err
        cdef sf_entry* e
        cache = self._rare()
        if "expires" not in cache:
            i = self._first(H_EXPIRES)
            if i < 0:
                return None
            e = &self._index[i]
            if scan_digits_value(PyBytes_AS_STRING(self._data), e.value_s, e.value_e, 4294967295ULL,
                                 &number, "invalid Expires", "Expires out of range", &err) < 0:
                self._raise(&err)
            cache["expires"] = <object>number
        return cache["expires"]

    cdef list _auth_list(self, str key, uint8_t hid):
        cdef int i
        cdef Err err
        cdef sf_entry* e
        cache = self._rare()
        found = cache.get(key)
        if found is not None:
            return list(found)
        out = []
        for i in range(self._count):
            e = &self._index[i]
            if e.hid == hid:
                auth = parse_auth(self._data, e.value_s, e.value_e, &err)
                if auth is None:
                    self._raise(&err)
                out.append(auth)
        cache[key] = out
        return list(out)

    @property
    def authorization(self):
        return self._auth_list("authorization", T.H_AUTHORIZATION)

    @property
    def proxy_authorization(self):
        return self._auth_list("proxy_authorization", T.H_PROXY_AUTHORIZATION)

    @property
    def www_authenticate(self):
        return self._auth_list("www_authenticate", T.H_WWW_AUTHENTICATE)

    @property
    def proxy_authenticate(self):
        return self._auth_list("proxy_authenticate", T.H_PROXY_AUTHENTICATE)

    @property
    def require(self):
        return self.headers.getlist("Require")

    @property
    def proxy_require(self):
        return self.headers.getlist("Proxy-Require")

    @property
    def supported(self):
        return self.headers.getlist("Supported")

    @property
    def unsupported(self):
        return self.headers.getlist("Unsupported")

    @property
    def allow(self):
        return self.headers.getlist("Allow")

    @property
    def accept(self):
        return self.headers.getlist("Accept")


@cython.no_gc
@cython.freelist(8)
cdef class Request(Message):
    cdef int _method_s, _method_e
    cdef UriParts _u
    cdef object _method, _uri

    is_request = True

    @property
    def method(self):
        if self._method is None:
            self._method = known_method(PyBytes_AS_STRING(self._data), self._method_s, self._method_e)
        return self._method

    @property
    def uri(self):
        if self._uri is None:
            self._uri = make_uri(self._data, &self._u)
        return self._uri

    def __repr__(self):
        return f"<Request {self.method} {self.uri}>"


@cython.no_gc
@cython.freelist(8)
cdef class Response(Message):
    cdef int _status
    cdef Py_ssize_t _reason_s, _reason_e
    cdef object _reason

    @property
    def status(self):
        return self._status

    @property
    def reason(self):
        if self._reason is None:
            self._reason = decode(PyBytes_AS_STRING(self._data), self._reason_s, self._reason_e)
        return self._reason

    def __repr__(self):
        return f"<Response {self._status} {self.reason}>"


# --- headers view --------------------------------------------------------------------------

cdef str unfold(const char* s, sf_entry* e):
    """The value with each fold (``*WSP [CR] LF 1*WSP``) replaced by one SP."""
    if not e.folded:
        return decode(s, e.value_s, e.value_e)
    cdef Py_ssize_t a = e.value_s, b = e.value_e, i = a, n = 0, floor = 0
    cdef bytes out = PyBytes_FromStringAndSize(NULL, b - a)
    cdef char* o = PyBytes_AS_STRING(out)
    while i < b:
        if s[i] == b'\n':
            if n > floor and o[n - 1] == b'\r':
                n -= 1
            while n > floor and (o[n - 1] == b' ' or o[n - 1] == b'\t'):
                n -= 1
            o[n] = b' '
            n += 1
            floor = n
            i += 1
            while i < b and (s[i] == b' ' or s[i] == b'\t'):
                i += 1
        else:
            o[n] = s[i]
            n += 1
            i += 1
    return decode(o, 0, n)


cdef class Headers:
    """A case-insensitive, order-preserving multi-map view of a message's header fields."""

    cdef Message _msg

    def __init__(self, msg):
        self._msg = msg

    cdef list _matches(self, str name):
        cdef bytes key = name.lower().encode("utf-8", "surrogateescape")
        cdef const char* k = PyBytes_AS_STRING(key)
        cdef Py_ssize_t kn = PyBytes_GET_SIZE(key)
        cdef uint8_t hid = header_id(k, kn) if kn else 0
        cdef Message msg = self._msg
        cdef const char* s = PyBytes_AS_STRING(msg._data)
        cdef int i
        cdef sf_entry* e
        cdef list out = []
        for i in range(msg._count):
            e = &msg._index[i]
            if hid:
                if e.hid == hid:
                    out.append(i)
            elif e.hid == 0 and eq_lower(s + e.name_s, e.name_e - e.name_s, k, kn):
                out.append(i)
        return out

    cdef str _value(self, int i):
        return unfold(PyBytes_AS_STRING(self._msg._data), &self._msg._index[i])

    cdef str _name(self, int i):
        cdef sf_entry* e = &self._msg._index[i]
        return ascii_str(PyBytes_AS_STRING(self._msg._data), e.name_s, e.name_e)

    def get(self, str name, default=None):
        cdef list found = self._matches(name)
        if not found:
            return default
        return self._value(found[0])

    def getall(self, str name):
        return [self._value(i) for i in self._matches(name)]

    def getlist(self, str name):
        return [item for value in self.getall(name) for item in split_commas(value)]

    def __getitem__(self, str name):
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def __contains__(self, name):
        return isinstance(name, str) and len(self._matches(name)) > 0

    def keys(self):
        return [self._name(i) for i in range(self._msg._count)]

    def values(self):
        return [self._value(i) for i in range(self._msg._count)]

    def items(self):
        return [(self._name(i), self._value(i)) for i in range(self._msg._count)]

    def __iter__(self):
        return iter(self.keys())

    def __len__(self):
        return self._msg._count

    def __repr__(self):
        return f"<Headers {self.items()!r}>"
