# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Message framing, the header index and lazy accessors: the Cython twin of _message_py.py.

parse() walks the datagram once as a ``const char*``: start line, then one index
entry per header field (id, name and value offsets, folded?), Content-Length, then
the values every element needs (Via, From, To, Call-ID, CSeq, Max-Forwards) checked
in place.  No Python object is made for a header until it is read.  The steps, their
order, the reasons and offsets of errors are those of the Python twin.
"""

cimport cython
from cpython.bytes cimport (
    PyBytes_AS_STRING, PyBytes_FromFormat, PyBytes_FromStringAndSize, PyBytes_GET_SIZE,
)
from cpython.unicode cimport PyUnicode_1BYTE_DATA
from cpython.buffer cimport PyObject_GetBuffer, PyBuffer_Release, PyBUF_SIMPLE
from cpython.mem cimport PyMem_Malloc, PyMem_Free, PyMem_Realloc
from libc.string cimport memchr, memcpy, memset
from libc.stdint cimport uint32_t, uint64_t, uint8_t

from ..errors import MessageTooLarge, ParseError, VersionNotSupported
from . import tables as T
from .keepalive import Keepalive
from .limits import DEFAULT_LIMITS, limits_or_default
from . import lists as L
from ._message_py import split_commas
from collections.abc import Mapping

from ._attrs cimport fast_getattr
from ._scan cimport (
    SF_TOKEN, SF_WORD, SF_WS, sf_init_tables, sf_is, sf_lower, sf_skip_alnum, skip_ws, skip_class, eq_lower, bytes_eq,
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

# Header ids, from tables.py (the one place that numbers them).
cdef uint8_t H_VIA = T.H_VIA
cdef uint8_t H_FROM = T.H_FROM
cdef uint8_t H_TO = T.H_TO
cdef uint8_t H_CALL_ID = T.H_CALL_ID
cdef uint8_t H_CSEQ = T.H_CSEQ
cdef uint8_t H_MAX_FORWARDS = T.H_MAX_FORWARDS
cdef uint8_t H_CONTENT_LENGTH = T.H_CONTENT_LENGTH
cdef uint8_t H_CONTACT = T.H_CONTACT
cdef uint8_t H_ROUTE = T.H_ROUTE
cdef uint8_t H_RECORD_ROUTE = T.H_RECORD_ROUTE
cdef uint8_t H_CONTENT_TYPE = T.H_CONTENT_TYPE
cdef uint8_t H_EXPIRES = T.H_EXPIRES

# --- header name -> id: three folded words, one perfect-hash probe ------------------------
#
# A name is read as three 64-bit words (24 octets, zero past its end) with bit 0x20 set
# in every octet, which lower-cases a letter and leaves '-' and digits alone; of a
# token's octets only an upper-case letter turns into a letter and only '-' into '-',
# so no other token can match.  (CR would turn into '-': callers pass tokens only.)
# A multiplier found at import puts every known name in a slot of its own, so a lookup
# is one probe and one three-word compare, with no loop over names or octets.

DEF MAX_NAME = 24          # three words; the longest known name has 19 octets
DEF MAX_NAMES = 127
DEF SLOT_BITS = 10

cdef uint64_t _word_mask[MAX_NAME + 1][3]  # [n][k]: the octets of word k inside n octets
cdef uint64_t _name_words[MAX_NAMES + 1][3]  # entry 0 is empty: all-zero words match no name
cdef uint8_t _name_ids[MAX_NAMES + 1]
cdef uint8_t _slots[1 << SLOT_BITS]        # hash -> entry
cdef uint8_t _compact_ids[256]             # one-letter names, both cases
cdef uint64_t _multiplier
cdef uint64_t FOLD = 0x2020202020202020ULL


cdef inline void name_words(const char* s, Py_ssize_t n, Py_ssize_t avail, uint64_t* w) noexcept nogil:
    """The folded words of s[:n] (2 <= n <= MAX_NAME); ``avail`` octets may be read from s."""
    cdef char buf[MAX_NAME]
    if avail < MAX_NAME:  # near the end of the buffer: copy, so that no load runs past it
        memset(buf, 0, MAX_NAME)
        memcpy(buf, s, n)
        s = buf
    memcpy(&w[0], s, 8)
    memcpy(&w[1], s + 8, 8)
    memcpy(&w[2], s + 16, 8)
    w[0] = (w[0] | FOLD) & _word_mask[n][0]
    w[1] = (w[1] | FOLD) & _word_mask[n][1]
    w[2] = (w[2] | FOLD) & _word_mask[n][2]


cdef inline unsigned int name_slot(const uint64_t* w, uint64_t multiplier) noexcept nogil:
    return <unsigned int>(((w[0] ^ (w[1] * 31u) ^ (w[2] * 131u)) * multiplier) >> (64 - SLOT_BITS))


cdef void _build_names() except *:
    global _multiplier
    cdef char octets[MAX_NAME]
    cdef Py_ssize_t n, k, i, count
    cdef uint64_t candidate = 0x9E3779B97F4A7C15ULL
    cdef unsigned int h
    cdef bytes b
    for n in range(MAX_NAME + 1):
        memset(octets, 0, MAX_NAME)
        memset(octets, 0xff, n)
        for k in range(3):
            memcpy(&_word_mask[n][k], octets + 8 * k, 8)
    memset(_compact_ids, 0, 256)
    memset(_name_words, 0, sizeof(_name_words))
    count = 0
    for key, hid in sorted(T.HEADER_IDS.items()):
        b = key.encode("ascii")
        assert len(b) <= MAX_NAME and count < MAX_NAMES
        if len(b) == 1:
            _compact_ids[<unsigned char>b[0]] = hid
            _compact_ids[<unsigned char>b.upper()[0]] = hid
            continue
        count += 1
        name_words(b, len(b), len(b), _name_words[count])
        _name_ids[count] = hid
    for k in range(10000):  # a few dozen tries find one; the sequence is fixed
        memset(_slots, 0, sizeof(_slots))
        for i in range(1, count + 1):
            h = name_slot(_name_words[i], candidate)
            if _slots[h]:
                break
            _slots[h] = <uint8_t>i
        else:
            _multiplier = candidate
            return
        candidate = candidate * 6364136223846793005ULL + 1442695040888963407ULL
        candidate |= 1u
    raise RuntimeError("no collision-free multiplier for the header names")


_build_names()


cdef inline uint8_t header_id(const char* s, Py_ssize_t n, Py_ssize_t avail) noexcept nogil:
    """The id of the header named by the token s[:n], 0 for names sipfast does not know."""
    cdef uint64_t w[3]
    cdef uint8_t i
    if n == 1:
        return _compact_ids[<unsigned char>s[0]]
    if n > MAX_NAME:
        return 0
    name_words(s, n, avail, w)
    i = _slots[name_slot(w, _multiplier)]
    if _name_words[i][0] == w[0] and _name_words[i][1] == w[1] and _name_words[i][2] == w[2]:
        return _name_ids[i]
    return 0


cdef inline Py_ssize_t call_id_fault(const char* s, Py_ssize_t vs, Py_ssize_t ve) noexcept nogil:
    """Where s[vs:ve] stops being a Call-ID, callid = word [ "@" word ] (§25.1); -1 when
    it is one."""
    cdef Py_ssize_t p = vs, at = -1
    while True:
        p = sf_skip_alnum(s, p, ve)
        if p >= ve:
            break
        if s[p] == b'@' and at < 0 and p > vs:
            at = p
        elif not sf_is(<unsigned char>s[p], SF_WORD):
            return p
        p += 1
    if vs == ve or at == ve - 1:
        return ve
    return -1


# --- limits ----------------------------------------------------------------------------

cdef class _Limits:
    cdef Py_ssize_t max_size, max_line
    cdef int max_headers


cdef _Limits _DEFAULT = _Limits.__new__(_Limits)
_DEFAULT.max_size = DEFAULT_LIMITS.max_size
_DEFAULT.max_line = DEFAULT_LIMITS.max_line_length
_DEFAULT.max_headers = DEFAULT_LIMITS.max_headers


cdef object _DEFAULT_LIMITS = DEFAULT_LIMITS


cdef _Limits c_limits(object limits):
    if limits is None or limits is _DEFAULT_LIMITS:
        return _DEFAULT
    limits = limits_or_default(limits)
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


@cython.final
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
    cdef const char* sp
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
    cdef int dup = -1
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
            uri_start = p + 1
            sp = <const char*>memchr(s + uri_start, b' ', line_end - uri_start)
            p = line_end if sp == NULL else sp - s
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
                cur.hid = header_id(s + pos, p - pos, end - pos)
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
        if msg._check_values(s, &err, &dup) < 0:
            raise_at(data, &err, msg)

        # 5. rules checked after parsing
        if not eq_lower(s + msg._version_s, msg._version_e - msg._version_s, "sip/2.0", 7):
            fail(&err, msg._version_s, "unsupported SIP version", 505)
            raise_at(data, &err, msg)
        msg._check_rules(dup)
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

cdef frozenset _KNOWN_METHODS = frozenset(T.METHODS)


# --- building and editing ----------------------------------------------------------------
#
# The model of _message_py.py: an edited message keeps its octets and index and records
# its header section as a list of fields, an int for an original field (its lines are
# copied verbatim) and a (hid, lower-case name, line) tuple for a new one.  bytes(msg)
# writes them in one pass; reading an accessor first parses the written message again.

cdef enum:
    AFTER_LAST = 0
    BEFORE_FIRST = 1
    REPLACE = 2

# Built and edited messages are the caller's own: only the grammar limits them.
cdef _Limits _BUILT_LIMITS = _Limits.__new__(_Limits)
_BUILT_LIMITS.max_size = 2**31 - 1
_BUILT_LIMITS.max_line = 2**31 - 1
_BUILT_LIMITS.max_headers = 2**31 - 1


# 0, 1, 2 ...: an unedited message's field list is a slice of this when it is long enough
# (the default limit on header fields is 256)
cdef list _POSITIONS = list(range(256))


@cython.final
cdef class _Edits:
    cdef list fields
    cdef bytes uri, body, out


cdef extern from "Python.h":
    bint PyUnicode_IS_ASCII(object o)


cdef inline const char* token_octets(object text, Py_ssize_t* n) noexcept:
    """The octets of ``text`` when it is a str and a token, else NULL."""
    cdef const char* p
    if not isinstance(text, str) or not PyUnicode_IS_ASCII(text):
        return NULL
    p = <const char*>PyUnicode_1BYTE_DATA(text)
    n[0] = len(<str>text)
    return p if n[0] and skip_class(p, 0, n[0], SF_TOKEN) == n[0] else NULL


cdef const char* header_name(object name, Py_ssize_t* n) except NULL:
    """The octets of a header name given to an edit or a builder: a token, and not
    Content-Length (which follows the body)."""
    cdef const char* p = token_octets(name, n)
    if p == NULL:
        if not isinstance(name, str):
            raise TypeError(f"header names are str, not {type(name).__name__}")
        raise ValueError(f"invalid header name {name!r}")
    if header_id(p, n[0], n[0]) == H_CONTENT_LENGTH:
        raise ValueError("Content-Length follows the body: set msg.body instead")
    return p


cdef tuple field_key(object name):
    """(hid, lower-case name) of a header name given to an edit."""
    cdef Py_ssize_t n
    cdef bytes key = PyBytes_FromStringAndSize(header_name(name, &n), n).lower()
    return header_id(PyBytes_AS_STRING(key), n, n), key


cdef inline const char* octets(object text, Py_ssize_t* n):
    """The octets of an ASCII str or of bytes (what checked_value returns)."""
    if type(text) is bytes:
        n[0] = PyBytes_GET_SIZE(text)
        return PyBytes_AS_STRING(text)
    n[0] = len(<str>text)
    return <const char*>PyUnicode_1BYTE_DATA(text)


cdef object checked_value(object value):
    """A header value without CR, LF or NUL: the str itself when ASCII (its octets are
    copied where they go, no bytes object made), else its UTF-8 encoding."""
    cdef Py_ssize_t n
    cdef const char* p
    if not isinstance(value, str):
        raise TypeError(f"header values are str, not {type(value).__name__}")
    out = value if PyUnicode_IS_ASCII(value) else (<str>value).encode("utf-8", "surrogateescape")
    p = octets(out, &n)
    if memchr(p, b'\r', n) != NULL or memchr(p, b'\n', n) != NULL or memchr(p, 0, n) != NULL:
        raise ValueError(f"CR, LF or NUL in header value {value!r}")
    return out


cdef bytes value_bytes(object value):
    """checked_value as bytes."""
    cdef Py_ssize_t n
    out = checked_value(value)
    if type(out) is bytes:
        return <bytes>out
    return PyBytes_FromStringAndSize(octets(out, &n), n)


cdef bytes field_line(bytes name, bytes value):
    """``name: value CRLF`` in one allocation."""
    cdef Py_ssize_t nn = PyBytes_GET_SIZE(name), vn = PyBytes_GET_SIZE(value)
    cdef bytes line = PyBytes_FromStringAndSize(NULL, nn + vn + 4)
    cdef char* o = PyBytes_AS_STRING(line)
    memcpy(o, PyBytes_AS_STRING(name), nn)
    o[nn] = b':'
    o[nn + 1] = b' '
    memcpy(o + nn + 2, PyBytes_AS_STRING(value), vn)
    o[nn + 2 + vn] = b'\r'
    o[nn + 3 + vn] = b'\n'
    return line


cdef inline tuple new_field(int hid, bytes key, bytes name, bytes value):
    """A new field: its id, its lower-case name and its line."""
    return (hid, key, field_line(name, value))


cdef inline bytes span(bytes data, Py_ssize_t a, Py_ssize_t b):
    return PyBytes_FromStringAndSize(PyBytes_AS_STRING(data) + a, b - a)


cdef bytes checked_via(object via):
    """The octets of a Via value to push, checked as one via-parm."""
    cdef bytes b
    cdef Err err
    cdef ViaParts v
    if isinstance(via, Via):
        return value_bytes(str(via))
    if not isinstance(via, str):
        Via.parse(via)  # raises the TypeError of a value class
    b = value_bytes(via)
    if (scan_via(PyBytes_AS_STRING(b), 0, PyBytes_GET_SIZE(b), &v, &err) < 0
            or next_list_item(PyBytes_AS_STRING(b), v.stop, PyBytes_GET_SIZE(b), False,
                              "unexpected character in Via", &err) == -1):
        raise_at(b, &err, None)
    return b


cdef tuple field_of(object name, object value):
    hid, key = field_key(name)
    return new_field(hid, key, PyBytes_FromStringAndSize(<const char*>PyUnicode_1BYTE_DATA(name),
                                                         len(<str>name)), value_bytes(value))


cdef bytes line_value(bytes line):
    """The value of a line made by new_field."""
    return line[line.index(b":") + 2:PyBytes_GET_SIZE(line) - 2]


cdef inline object header_pairs(object headers):
    if type(headers) is not tuple and type(headers) is not list and isinstance(headers, Mapping):
        return headers.items()
    return headers


cdef list header_lines(object headers):
    """The lines of the headers given to a builder, each checked as an edit's would be."""
    cdef Py_ssize_t n
    cdef const char* p
    cdef list out = []
    for name, value in header_pairs(headers):
        p = header_name(name, &n)
        out.append(field_line(PyBytes_FromStringAndSize(p, n), value_bytes(value)))
    return out


cdef bytes body_bytes(object body):
    if type(body) is bytes:
        return <bytes>body
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise TypeError(f"a body is bytes, not {type(body).__name__}")
    return bytes(body)


cdef dict _STATUS_LINES = {}


cdef bytes status_line(object status, object reason):
    cdef bytes line
    if type(status) is not int or not 100 <= status <= 699:
        raise ValueError(f"a status code is an int from 100 to 699, not {status!r}")
    if reason is None:
        line = _STATUS_LINES.get(status)
        if line is None:
            line = _STATUS_LINES[status] = b"SIP/2.0 %d %s\r\n" % (
                status, value_bytes(T.REASON_PHRASES.get(status, "")))
        return line
    return b"SIP/2.0 %d %s\r\n" % (status, value_bytes(reason))


cdef bytes build_message(bytes first, object headers, bytes body):
    """The first line, the headers (checked as header_lines does), Content-Length and the
    body, written into one bytes object without a bytes object per line."""
    cdef bytes cl = b"Content-Length: %d\r\n\r\n" % PyBytes_GET_SIZE(body)
    cdef list names = [], values = []
    cdef Py_ssize_t total, nn, vn, k
    cdef const char* np
    cdef const char* vp
    cdef bytes out
    cdef char* o
    total = PyBytes_GET_SIZE(first) + PyBytes_GET_SIZE(cl) + PyBytes_GET_SIZE(body)
    for name, value in header_pairs(headers):
        header_name(name, &nn)
        names.append(name)
        values.append(checked_value(value))
        octets(values[len(values) - 1], &vn)
        total += nn + vn + 4
    out = PyBytes_FromStringAndSize(NULL, total)
    o = PyBytes_AS_STRING(out)
    memcpy(o, PyBytes_AS_STRING(first), PyBytes_GET_SIZE(first))
    o += PyBytes_GET_SIZE(first)
    for k in range(len(names)):
        np = octets(names[k], &nn)
        vp = octets(values[k], &vn)
        memcpy(o, np, nn)
        o[nn] = b':'
        o[nn + 1] = b' '
        memcpy(o + nn + 2, vp, vn)
        o[nn + 2 + vn] = b'\r'
        o[nn + 3 + vn] = b'\n'
        o += nn + vn + 4
    memcpy(o, PyBytes_AS_STRING(cl), PyBytes_GET_SIZE(cl))
    o += PyBytes_GET_SIZE(cl)
    memcpy(o, PyBytes_AS_STRING(body), PyBytes_GET_SIZE(body))
    return out


cdef Message parse_built(bytes data):
    cdef Py_ssize_t body_end
    return <Message>parse_message(data, 0, PyBytes_GET_SIZE(data), _BUILT_LIMITS, False, &body_end)


cdef Message parse_lenient(bytes data):
    """Like parse_built, but a message whose header values break the rules (say, the
    last Via popped) is kept as a ParseError carries it: its accessors read on demand."""
    try:
        return parse_built(data)
    except ParseError as e:
        if e.message is None:
            raise
        return <Message>e.message


cdef bint to_has_tag(Request request) except -1:
    if request._complete:
        return request._to_p.tag_s >= 0
    try:
        to = request.to
    except ParseError:
        return True  # a To that does not parse is copied as it is
    return to is not None and to.tag is not None


cdef bytes route_bytes(object value):
    """The octets of a Record-Route value to push: a name-addr, a URI as ``<uri>``."""
    cdef bytes b
    cdef Err err
    cdef NameAddrParts na
    cdef UriParts u
    if isinstance(value, NameAddr):
        return value_bytes(str(value))
    if isinstance(value, URI):
        return value_bytes(f"<{value}>")
    if not isinstance(value, str):
        raise TypeError(f"expected NameAddr, URI or str, not {type(value).__name__}")
    b = value_bytes(value)
    if "<" in <str>value:
        if (scan_name_addr(PyBytes_AS_STRING(b), 0, PyBytes_GET_SIZE(b), False, &na, &err) < 0
                or next_list_item(PyBytes_AS_STRING(b), na.stop, PyBytes_GET_SIZE(b), False,
                                  "unexpected character after address", &err) == -1):
            raise_at(b, &err, None)
        return b
    if scan_uri(PyBytes_AS_STRING(b), 0, PyBytes_GET_SIZE(b), &u, &err) < 0:
        raise_at(b, &err, None)
    return b"<" + b + b">"


cdef inline Py_ssize_t blank_line(const char* s, Py_ssize_t body_s) noexcept nogil:
    """Where the empty line that ends the header section starts."""
    return body_s - 2 if s[body_s - 2] == b'\r' else body_s - 1


cdef frozenset _DIALOG_METHODS = frozenset(("INVITE", "SUBSCRIBE", "REFER"))


def make_response(Request request not None, status, reason=None, *, to_tag=None, headers=(),
                  body=b""):
    """The response to ``request`` (RFC 3261 §8.2.6), its header lines copied verbatim."""
    cdef bytes first = status_line(status, reason)
    cdef bytes tag = None
    cdef list extra
    cdef bytes content
    cdef bytes cl
    cdef const char* s
    cdef const char* p
    cdef sf_entry* e
    cdef Py_ssize_t total, blank, stop, n
    cdef int i, step
    cdef bint add_tag, copy_rr
    cdef uint8_t hid
    cdef bytes out
    cdef char* o = NULL
    if to_tag is not None:
        p = token_octets(to_tag, &n)
        if p == NULL:
            raise ValueError(f"a tag is a token, not {to_tag!r}")
        tag = PyBytes_FromStringAndSize(p, n)
    extra = header_lines(headers) if headers else []
    content = body_bytes(body)
    sync(request)
    s = PyBytes_AS_STRING(request._data)
    blank = blank_line(s, request._body_s)
    add_tag = tag is not None and not to_has_tag(request)
    copy_rr = 100 < status < 300 and request.method in _DIALOG_METHODS
    cl = b"Content-Length: %d\r\n\r\n" % PyBytes_GET_SIZE(content)
    # Two passes: the size, then the copy.  Via lines first, then the route set, then
    # From, To, Call-ID and CSeq in the request's order.
    total = PyBytes_GET_SIZE(first) + PyBytes_GET_SIZE(cl) + PyBytes_GET_SIZE(content)
    for line in extra:
        total += PyBytes_GET_SIZE(<bytes>line)
    for step in range(2):
        if step == 1:
            out = PyBytes_FromStringAndSize(NULL, total)
            o = PyBytes_AS_STRING(out)
            n = PyBytes_GET_SIZE(first)
            memcpy(o, PyBytes_AS_STRING(first), n)
            o += n
        for group in range(3):
            for i in range(request._count):
                e = &request._index[i]
                hid = e.hid
                if group == 0:
                    if hid != H_VIA:
                        continue
                elif group == 1:
                    if hid != H_RECORD_ROUTE or not copy_rr:
                        continue
                elif not (hid == H_FROM or hid == H_TO or hid == H_CALL_ID or hid == H_CSEQ):
                    continue
                stop = request._index[i + 1].name_s if i + 1 < request._count else blank
                if hid == H_TO and add_tag:
                    n = e.value_e - e.name_s
                    if step == 0:
                        total += n + 5 + PyBytes_GET_SIZE(tag) + 2
                    else:
                        memcpy(o, s + e.name_s, n)
                        memcpy(o + n, b";tag=", 5)
                        memcpy(o + n + 5, PyBytes_AS_STRING(tag), PyBytes_GET_SIZE(tag))
                        o += n + 5 + PyBytes_GET_SIZE(tag)
                        memcpy(o, b"\r\n", 2)
                        o += 2
                    continue
                n = stop - e.name_s
                if step == 0:
                    total += n
                else:
                    memcpy(o, s + e.name_s, n)
                    o += n
    for line in extra:
        n = PyBytes_GET_SIZE(<bytes>line)
        memcpy(o, PyBytes_AS_STRING(<bytes>line), n)
        o += n
    memcpy(o, PyBytes_AS_STRING(cl), PyBytes_GET_SIZE(cl))
    o += PyBytes_GET_SIZE(cl)
    memcpy(o, PyBytes_AS_STRING(content), PyBytes_GET_SIZE(content))
    # Parsed when first read: a UAS that only sends it never pays for the parse.
    cdef Response response = Response.__new__(Response)
    cdef _Edits edit = _Edits.__new__(_Edits)
    edit.out = out
    response._edit = edit
    return response


cdef inline int sync(Message msg) except -1:
    """Bring an edited message's parse up to date before an accessor reads it (a plain
    function: a method of a class with subclasses is called through its vtable)."""
    if msg._edit is not None:
        msg._materialize()
    return 0


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
    cdef _Edits _edit                    # None until the message is edited
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

    cdef int _check_values(self, const char* s, Err* err, int* dup) noexcept:
        """Check the values every element needs; ``dup``: the first field that repeats a
        header allowed once (From, To, Call-ID, CSeq, Max-Forwards), for _check_rules."""
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
                    elif dup[0] < 0:
                        dup[0] = i
                elif self._i_to < 0:
                    self._i_to = i
                    self._to_p = na
                elif dup[0] < 0:
                    dup[0] = i
            elif e.hid == H_CALL_ID:
                p = call_id_fault(s, vs, ve)
                if p >= 0:
                    return fail(err, p, "invalid Call-ID", 400)
                if self._i_call_id < 0:
                    self._i_call_id = i
                elif dup[0] < 0:
                    dup[0] = i
            elif e.hid == H_CSEQ:
                if scan_cseq(s, vs, ve, &seq, &ms, &me, err) < 0:
                    return -1
                if self._i_cseq < 0:
                    self._i_cseq = i
                    self._cseq_seq = seq
                    self._cseq_ms = ms
                    self._cseq_me = me
                elif dup[0] < 0:
                    dup[0] = i
            else:
                if scan_digits_value(s, vs, ve, 255, &number, "invalid Max-Forwards",
                                     "Max-Forwards out of range", err) < 0:
                    return -1
                if self._max_forwards < 0:
                    self._max_forwards = <int>number
                elif dup[0] < 0:
                    dup[0] = i
        return 0

    cdef int _check_rules(self, int dup) except -1:
        cdef uint8_t missing
        cdef sf_entry* e
        cdef const char* s = PyBytes_AS_STRING(self._data)
        if dup >= 0:
            e = &self._index[dup]
            raise ParseError.at(self._data, e.name_s,
                                f"duplicate {T.HEADER_NAMES[e.hid]} header", 400, self)
        missing = (H_VIA if self._i_via < 0 else H_FROM if self._i_from < 0 else H_TO if self._i_to < 0
                   else H_CALL_ID if self._i_call_id < 0 else H_CSEQ if self._i_cseq < 0 else 0)
        if missing:
            raise ParseError.at(self._data, self._head_end,
                                f"missing {T.HEADER_NAMES[missing]} header", 400, self)
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
        # the error carries the message: a server answers it from Via, From, To ...
        raise_at(self._data, err, self)

    # --- editing (see the section comment above _Edits) --------------------------------


    cdef int _materialize(self) except -1:
        self._adopt(parse_lenient(self._serialize()))
        return 0

    cdef int _adopt(self, Message o) except -1:
        """Take over the state of ``o`` (a parse of this message's edited octets)."""
        cdef sf_entry* index = self._index
        self._index = o._index
        o._index = index
        o._count, self._count = self._count, o._count
        self._data = o._data
        self._start = o._start
        self._head_end = o._head_end
        self._body_s = o._body_s
        self._body_e = o._body_e
        self._version_s = o._version_s
        self._version_e = o._version_e
        self._content_length = o._content_length
        self._max_forwards = o._max_forwards
        self._cseq_seq = o._cseq_seq
        self._cseq_ms = o._cseq_ms
        self._cseq_me = o._cseq_me
        self._i_via = o._i_via
        self._i_from = o._i_from
        self._i_to = o._i_to
        self._i_call_id = o._i_call_id
        self._i_cseq = o._i_cseq
        self._top_v = o._top_v
        self._from_p = o._from_p
        self._to_p = o._to_p
        self._body = o._body
        self._via = o._via
        self._top_via = o._top_via
        self._from = o._from
        self._to = o._to
        self._call_id = o._call_id
        self._cseq = o._cseq
        self._cache = o._cache
        self._complete = o._complete
        self._edit = None
        return 0

    cdef _Edits _edits(self):
        cdef _Edits edit = self._edit
        if edit is not None and edit.fields is None:  # built, not parsed yet
            self._materialize()
            edit = None
        if edit is None:
            edit = _Edits.__new__(_Edits)
            edit.fields = (_POSITIONS[:self._count] if self._count <= 256
                           else list(range(self._count)))
            self._edit = edit
        edit.out = None
        return edit

    cdef bint _field_matches(self, object item, int hid, bytes key):
        cdef sf_entry* e
        cdef tuple t
        if type(item) is int:
            e = &self._index[<Py_ssize_t>item]
            if hid:
                return e.hid == hid
            return e.hid == 0 and eq_lower(PyBytes_AS_STRING(self._data) + e.name_s, e.name_e - e.name_s,
                                           PyBytes_AS_STRING(key), PyBytes_GET_SIZE(key))
        t = <tuple>item
        if hid:
            return <int>t[0] == hid
        return <int>t[0] == 0 and <bytes>t[1] == key

    cdef int _put(self, tuple field, int where) except -1:
        cdef list fields = self._edits().fields
        cdef int hid = field[0]
        cdef bytes key = field[1]
        cdef Py_ssize_t i, first = -1, last = -1, n = len(fields)
        if where == BEFORE_FIRST:  # only the first match matters: stop there
            for i in range(n):
                if self._field_matches(fields[i], hid, key):
                    fields.insert(i, field)
                    return 0
            fields.insert(0, field)
            return 0
        if where == AFTER_LAST:  # only the last: look from the end
            for i in range(n - 1, -1, -1):
                if self._field_matches(fields[i], hid, key):
                    fields.insert(i + 1, field)
                    return 0
            fields.append(field)
            return 0
        for i in range(n):
            if self._field_matches(fields[i], hid, key):
                if first < 0:
                    first = i
                last = i
        if first >= 0:
            fields[first] = field
            for i in range(last, first, -1):
                if self._field_matches(fields[i], hid, key):
                    del fields[i]
        else:
            fields.append(field)
        return 0

    cdef int _remove(self, int hid, bytes key) except -1:
        cdef _Edits edit = self._edits()
        cdef list kept = [item for item in edit.fields if not self._field_matches(item, hid, key)]
        cdef int removed = len(edit.fields) - len(kept)
        edit.fields = kept
        return removed

    cdef tuple _first_field(self, int hid):
        """(position, unfolded value) of the first field with this id, edits included."""
        cdef list fields = self._edits().fields
        cdef Py_ssize_t i
        cdef sf_entry* e
        for i in range(len(fields)):
            item = fields[i]
            if type(item) is int:
                e = &self._index[<Py_ssize_t>item]
                if e.hid == hid:
                    if e.folded:
                        return i, unfold(PyBytes_AS_STRING(self._data), e).encode("utf-8", "surrogateescape")
                    return i, span(self._data, e.value_s, e.value_e)
            elif <int>(<tuple>item)[0] == hid:
                return i, line_value((<tuple>item)[2])
        return None

    cdef bytes _name_of(self, object item):
        cdef sf_entry* e
        if type(item) is int:
            e = &self._index[<Py_ssize_t>item]
            return span(self._data, e.name_s, e.name_e)
        line = <bytes>(<tuple>item)[2]
        return line[:line.index(b":")]

    cdef object _pop_first_value(self, int hid):
        """Remove the first element of the first field with this id (the field when it was
        the only one); that element as a Via or NameAddr, None when there is no field."""
        cdef list fields = self._edits().fields
        cdef Py_ssize_t i, a, b
        cdef sf_entry* e
        for i in range(len(fields)):
            item = fields[i]
            if type(item) is int:
                e = &self._index[<Py_ssize_t>item]
                if e.hid != hid:
                    continue
                if not e.folded:  # scanned in place, the element refers to the message
                    popped = self._pop_from(i, hid, self._data, e.value_s, e.value_e, False)
                    if popped is not None:
                        return popped
                value = unfold(PyBytes_AS_STRING(self._data), e).encode("utf-8", "surrogateescape")
            elif <int>(<tuple>item)[0] == hid:
                value = line_value((<tuple>item)[2])
            else:
                continue
            return self._pop_from(i, hid, value, 0, PyBytes_GET_SIZE(value), True)
        return None

    cdef object _pop_from(self, Py_ssize_t i, int hid, bytes src, Py_ssize_t a, Py_ssize_t b,
                          bint raise_errors):
        """_pop_first_value over src[a:b]; None on a grammar error unless raise_errors (the
        error's offsets are those of the value on its own, as in the Python twin)."""
        cdef const char* s = PyBytes_AS_STRING(src)
        cdef Py_ssize_t p = a, rest = -1
        cdef Err err
        cdef ViaParts v, v0
        cdef NameAddrParts na, na0
        cdef bint first = True
        cdef list fields
        while True:  # every element, as the Python twin's scan does
            if hid == H_VIA:
                if scan_via(s, p, b, &v, &err) < 0:
                    break
                if first:
                    v0 = v
                p = next_list_item(s, v.stop, b, True, "unexpected character in Via", &err)
            else:
                if scan_name_addr(s, p, b, True, &na, &err) < 0:
                    break
                if first:
                    na0 = na
                p = next_list_item(s, na.stop, b, True, "unexpected character after address", &err)
            first = False
            if p == -1:
                break
            if p == -2:
                fields = self._edit.fields
                if rest < 0:
                    del fields[i]
                else:
                    fields[i] = new_field(hid, b"", self._name_of(fields[i]), span(src, rest, b))
                if hid == H_VIA:
                    return make_via(src, &v0)
                return make_name_addr(src, &na0)
            if rest < 0:
                rest = skip_ws(s, p, b)
        if raise_errors:
            raise_at(src, &err, None)
        return None

    def push_via(self, via):
        """A new topmost Via field."""
        self._put(new_field(H_VIA, b"via", b"Via", checked_via(via)), BEFORE_FIRST)

    def pop_via(self):
        """Remove the topmost Via value (the first of a comma list) and return it."""
        popped = self._pop_first_value(H_VIA)
        if popped is None:
            raise ValueError("no Via to pop")
        return popped

    def decrement_max_forwards(self):
        """Max-Forwards minus one; 70 added when absent (RFC 3261 §16.6 step 3)."""
        cdef list fields = self._edits().fields
        cdef Py_ssize_t i, k = -1, a = 0, b = 0, a0, b0, p
        cdef sf_entry* e = NULL
        cdef const char* s = NULL
        cdef bytes value = None
        cdef long long hops = 0
        for i in range(len(fields)):
            item = fields[i]
            if type(item) is int:
                e = &self._index[<Py_ssize_t>item]
                if e.hid != H_MAX_FORWARDS:
                    continue
                if e.folded:
                    value = unfold(PyBytes_AS_STRING(self._data), e).encode("utf-8", "surrogateescape")
                else:  # the digits where they are, without a copy
                    s, a, b = PyBytes_AS_STRING(self._data), e.value_s, e.value_e
            elif <int>(<tuple>item)[0] == H_MAX_FORWARDS:
                value = line_value((<tuple>item)[2])
            else:
                continue
            k = i
            break
        if k < 0:
            self._put(new_field(H_MAX_FORWARDS, b"max-forwards", b"Max-Forwards", b"70"), AFTER_LAST)
            return 70
        if s == NULL:
            s, a, b = PyBytes_AS_STRING(value), 0, PyBytes_GET_SIZE(value)
        a0, b0 = a, b
        while a < b and (s[a] == b' ' or s[a] == b'\t'):
            a += 1
        while b > a and (s[b - 1] == b' ' or s[b - 1] == b'\t'):
            b -= 1
        if a == b or b - a > 18:
            raise ValueError(f"invalid Max-Forwards {PyBytes_FromStringAndSize(s + a0, b0 - a0)!r}")
        for p in range(a, b):
            if not b'0' <= s[p] <= b'9':
                raise ValueError(
                    f"invalid Max-Forwards {PyBytes_FromStringAndSize(s + a0, b0 - a0)!r}")
            hops = hops * 10 + (s[p] - 48)
        if hops == 0:
            raise ValueError("Max-Forwards is 0: answer 483 (Too Many Hops)")
        fields[k] = new_field(H_MAX_FORWARDS, b"max-forwards", self._name_of(fields[k]),
                              PyBytes_FromFormat("%ld", <long>(hops - 1)))
        return hops - 1

    def push_record_route(self, value):
        """A new topmost Record-Route field; a URI is written as ``<uri>``."""
        self._put(new_field(H_RECORD_ROUTE, b"record-route", b"Record-Route", route_bytes(value)),
                  BEFORE_FIRST)

    def pop_route(self):
        """Remove the first Route value (the first of a comma list) and return it."""
        return self._pop_first_value(H_ROUTE)

    cdef bytes _start_line(self, bytes uri):
        raise TypeError("only a request has a Request-URI")

    cdef bytes _serialize(self):
        cdef _Edits edit = self._edit
        cdef const char* s
        cdef Py_ssize_t head_start, blank, total, n, i, k
        cdef bytes first, out, body
        cdef char* o
        cdef list fields
        cdef Py_ssize_t count
        if edit.out is not None:
            return edit.out
        s = PyBytes_AS_STRING(self._data)
        fields = edit.fields
        count = len(fields)
        head_start = <const char*>memchr(s + self._start, b'\n', self._body_s - self._start) - s + 1
        blank = blank_line(s, self._body_s)
        first = b"" if edit.uri is None else self._start_line(edit.uri)
        body = b"" if edit.body is None else edit.body
        total = ((head_start - self._start if edit.uri is None else PyBytes_GET_SIZE(first))
                 + (self._body_s - blank)
                 + (self._body_e - self._body_s if edit.body is None else PyBytes_GET_SIZE(body)))
        for k in range(count):
            item = fields[k]
            if type(item) is int:
                i = <Py_ssize_t>item
                total += (self._index[i + 1].name_s if i + 1 < self._count else blank) - self._index[i].name_s
            else:
                total += PyBytes_GET_SIZE(<bytes>(<tuple>item)[2])
        out = PyBytes_FromStringAndSize(NULL, total)
        o = PyBytes_AS_STRING(out)
        if edit.uri is None:
            memcpy(o, s + self._start, head_start - self._start)
            o += head_start - self._start
        else:
            memcpy(o, PyBytes_AS_STRING(first), PyBytes_GET_SIZE(first))
            o += PyBytes_GET_SIZE(first)
        for k in range(count):
            item = fields[k]
            if type(item) is int:
                i = <Py_ssize_t>item
                n = (self._index[i + 1].name_s if i + 1 < self._count else blank) - self._index[i].name_s
                memcpy(o, s + self._index[i].name_s, n)
            else:
                line = <bytes>(<tuple>item)[2]
                n = PyBytes_GET_SIZE(line)
                memcpy(o, PyBytes_AS_STRING(line), n)
            o += n
        memcpy(o, s + blank, self._body_s - blank)
        o += self._body_s - blank
        if edit.body is None:
            memcpy(o, s + self._body_s, self._body_e - self._body_s)
        else:
            memcpy(o, PyBytes_AS_STRING(body), PyBytes_GET_SIZE(body))
        edit.out = out
        return out

    @property
    def version(self):
        sync(self)
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
        """The body; setting it sets Content-Length."""
        sync(self)
        if self._body is None:
            self._body = self._data[self._body_s:self._body_e]
        return self._body

    @body.setter
    def body(self, body):
        cdef bytes content = body_bytes(body)
        self._put(new_field(H_CONTENT_LENGTH, b"content-length", b"Content-Length",
                            str(PyBytes_GET_SIZE(content)).encode("ascii")), REPLACE)
        self._edit.body = content

    def to_bytes(self):
        """The message's own octets: start line to the end of its body (with the edits)."""
        if self._edit is not None:
            return self._serialize()
        if self._start == 0 and self._body_e == PyBytes_GET_SIZE(self._data):
            return self._data
        return self._data[self._start:self._body_e]

    def __bytes__(self):
        return self.to_bytes()

    def __reduce__(self):
        # A message pickles as its octets (edits included); unpickling parses them.
        return (parse, (self.to_bytes(),))

    @property
    def call_id(self):
        """Call-ID / i."""
        cdef sf_entry* e
        cdef Py_ssize_t p
        cdef Err err
        sync(self)
        cdef const char* s = PyBytes_AS_STRING(self._data)
        if self._call_id is None:
            if not self._complete:
                i = self._first(H_CALL_ID)
                if i < 0:
                    return None
                e = &self._index[i]
                p = call_id_fault(s, e.value_s, e.value_e)
                if p >= 0:
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
        sync(self)
        if not self._complete and self._cseq is None:
            i = self._first(H_CSEQ)
            if i < 0:
                return None
            if scan_cseq(PyBytes_AS_STRING(self._data), self._index[i].value_s, self._index[i].value_e,
                         &seq, &ms, &me, &err) < 0:
                self._raise(&err)
            return make_cseq(seq, known_method(PyBytes_AS_STRING(self._data), ms, me))
        if self._cseq is None:
            self._cseq = make_cseq(self._cseq_seq, self._cseq_method())
        return self._cseq

    cdef str _cseq_method(self):
        return known_method(PyBytes_AS_STRING(self._data), self._cseq_ms, self._cseq_me)

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
        sync(self)
        if not self._complete:
            return self._partial_vias()
        return list(self._vias())

    @property
    def top_via(self):
        """The topmost Via value."""
        cdef ViaParts v
        cdef Err err
        cdef sf_entry* e
        sync(self)
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
        sync(self)
        if not self._complete:
            return self._partial_name_addr(H_FROM)
        if self._from is None:
            self._from = make_name_addr(self._data, &self._from_p)
        return self._from

    @property
    def to(self):
        """To / t."""
        sync(self)
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
        sync(self)
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
        sync(self)
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
        sync(self)
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
        sync(self)
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

    cdef list _elements(self, uint8_t hid, tuple kind):
        """The elements of the list header `hid`, each checked (message/lists.py)."""
        sync(self)
        cdef const char* s = PyBytes_AS_STRING(self._data)
        cdef int i
        fields = [(self._index[i].value_s, unfold(s, &self._index[i]))
                  for i in range(self._count) if self._index[i].hid == hid]
        return L.elements(self._data, fields, kind, self)

    @property
    def require(self):
        return self._elements(T.H_REQUIRE, L.OPTION_TAGS)

    @property
    def proxy_require(self):
        return self._elements(T.H_PROXY_REQUIRE, L.OPTION_TAGS)

    @property
    def supported(self):
        return self._elements(T.H_SUPPORTED, L.OPTION_TAGS)

    @property
    def unsupported(self):
        return self._elements(T.H_UNSUPPORTED, L.OPTION_TAGS)

    @property
    def allow(self):
        return self._elements(T.H_ALLOW, L.METHODS)

    @property
    def accept(self):
        return self._elements(T.H_ACCEPT, L.ACCEPT)


@cython.no_gc
cdef class Request(Message):
    cdef int _method_s, _method_e
    cdef UriParts _u
    cdef object _method, _uri

    is_request = True

    def __init__(self, method, uri, headers=(), body=b""):
        """A new request: the start line, ``headers`` in order, Content-Length, ``body``."""
        cdef Py_ssize_t n
        cdef const char* p = token_octets(method, &n)
        if p == NULL:
            raise ValueError(f"a method is a token, not {method!r}")
        cdef bytes b
        cdef UriParts u
        cdef Err err
        if isinstance(uri, URI):
            b = value_bytes(str(uri))
        else:  # checked as URI.parse checks it, without making the object
            if not isinstance(uri, str):
                raise TypeError(f"expected str, not {type(uri).__name__}")
            b = (<str>uri).encode("utf-8", "surrogateescape")
            if scan_uri(PyBytes_AS_STRING(b), 0, PyBytes_GET_SIZE(b), &u, &err) < 0:
                raise_at(b, &err, None)
        first = PyBytes_FromStringAndSize(p, n) + b" " + b + b" SIP/2.0\r\n"
        self._adopt(parse_built(build_message(first, headers, body_bytes(body))))

    cdef int _adopt(self, Message o) except -1:
        cdef Request r = <Request>o
        Message._adopt(self, o)
        self._method_s = r._method_s
        self._method_e = r._method_e
        self._u = r._u
        self._method = r._method
        self._uri = r._uri
        return 0

    cdef str _cseq_method(self):
        # a complete request's CSeq method is its own (_check_rules): one str for both
        if self._method is None:
            self._method = known_method(PyBytes_AS_STRING(self._data), self._method_s, self._method_e)
        return self._method

    cdef bytes _start_line(self, bytes uri):
        cdef bytes data = self._data
        return (data[self._method_s:self._method_e] + b" " + uri + b" "
                + data[self._version_s:self._version_e] + b"\r\n")

    @property
    def method(self):
        sync(self)
        if self._method is None:
            self._method = known_method(PyBytes_AS_STRING(self._data), self._method_s, self._method_e)
        return self._method

    @property
    def uri(self):
        """The Request-URI; setting it rewrites the start line."""
        sync(self)
        if self._uri is None:
            self._uri = make_uri(self._data, &self._u)
        return self._uri

    @uri.setter
    def uri(self, uri):
        text = str(uri) if isinstance(uri, URI) else str(URI.parse(uri))
        self._edits().uri = value_bytes(text)

    def __repr__(self):
        return f"<Request {self.method} {self.uri}>"


@cython.no_gc
cdef class Response(Message):
    cdef int _status
    cdef Py_ssize_t _reason_s, _reason_e
    cdef object _reason

    def __init__(self, status, reason=None, headers=(), body=b""):
        """A new response: the status line, ``headers`` in order, Content-Length, ``body``."""
        self._adopt(parse_built(build_message(status_line(status, reason), headers,
                                              body_bytes(body))))

    cdef int _adopt(self, Message o) except -1:
        cdef Response r = <Response>o
        Message._adopt(self, o)
        self._status = r._status
        self._reason_s = r._reason_s
        self._reason_e = r._reason_e
        self._reason = r._reason
        return 0

    @property
    def status(self):
        sync(self)
        return self._status

    @property
    def reason(self):
        sync(self)
        if self._reason is None:
            self._reason = decode(PyBytes_AS_STRING(self._data), self._reason_s, self._reason_e)
        return self._reason

    def __repr__(self):
        return f"<Response {self.status} {self.reason}>"


# --- attribute lookup (see _attrs.pxd) ---------------------------------------------------

_READ_OFTEN = ("via", "top_via", "from_", "to", "call_id", "cseq", "is_request", "headers", "body")
fast_getattr(Request, ("method", "uri") + _READ_OFTEN)
fast_getattr(Response, ("status", "reason") + _READ_OFTEN)


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
        if name is None:
            raise TypeError("header names are str, not NoneType")
        sync(self._msg)
        cdef bytes key = name.lower().encode("utf-8", "surrogateescape")
        cdef const char* k = PyBytes_AS_STRING(key)
        cdef Py_ssize_t kn = PyBytes_GET_SIZE(key)
        # header_id takes tokens only; a name that is not one names no known header
        cdef uint8_t hid = header_id(k, kn, kn) if kn and skip_class(k, 0, kn, SF_TOKEN) == kn else 0
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
        sync(self._msg)
        return [self._name(i) for i in range(self._msg._count)]

    def values(self):
        sync(self._msg)
        return [self._value(i) for i in range(self._msg._count)]

    def items(self):
        sync(self._msg)
        return [(self._name(i), self._value(i)) for i in range(self._msg._count)]

    def __iter__(self):
        return iter(self.keys())

    def __len__(self):
        sync(self._msg)
        return self._msg._count

    # Edits: recorded on the message, written by bytes(msg).
    def add(self, name, value):
        """A new field after the last field of that name, else at the end."""
        self._msg._put(field_of(name, value), AFTER_LAST)

    def insert(self, name, value):
        """A new field before the first field of that name, else first."""
        self._msg._put(field_of(name, value), BEFORE_FIRST)

    def set(self, name, value):
        """One field of that name with this value, in place of the first one (else last)."""
        self._msg._put(field_of(name, value), REPLACE)

    def remove(self, name):
        """Remove every field of that name; how many there were."""
        hid, key = field_key(name)
        return self._msg._remove(hid, key)

    def __repr__(self):
        return f"<Headers {self.items()!r}>"
