# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""URI, name-addr, Via, CSeq and auth values: the Cython twin of _values_py.py.

The scanners walk the RFC 3261 grammar over a ``const char*`` and stop at the first
byte that does not fit, recording offsets only; value objects keep a reference to
the source bytes and those offsets, and make Python strings when an attribute is
first read.  Reasons and offsets of errors are those of the Python twin.
"""

cimport cython
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from cpython.unicode cimport PyUnicode_DecodeUTF8, PyUnicode_New, PyUnicode_1BYTE_DATA
from libc.stdint cimport uint8_t, uint32_t, uint64_t
from libc.string cimport memchr, memcpy, memset

from collections.abc import Mapping

from ..errors import MessageTooLarge, ParseError, VersionNotSupported
from . import tables as _tables
from ._values_py import render_auth

from ._attrs cimport fast_getattr
from ._scan cimport (
    SF_TOKEN, SF_WS, SF_USER, SF_PASS, SF_PARAM, SF_HNV, SF_URIC, SF_HOST, SF_GENVALUE,
    sf_init_tables, sf_is, sf_hex, sf_skip_alnum, sf_ascii, sf_lower, skip_ws, skip_class, skip_escaped,
    skip_quoted_body, eq_lower, bytes_eq,
)

sf_init_tables()

cdef unsigned long long CSEQ_MAX = 4294967295ULL


# --- errors and strings ---------------------------------------------------------------

cdef object raise_at(object data, Err* err, object message):
    cdef int status = err.status if err.status else 400
    cls = ParseError
    if status == 413 or status == 513:
        cls = MessageTooLarge
    elif status == 505:
        cls = VersionNotSupported
    raise cls.at(data, err.offset, err.reason.decode("ascii"), status, message)


cdef inline Py_ssize_t fail(Err* err, Py_ssize_t offset, const char* reason) noexcept nogil:
    err.offset = offset
    err.reason = reason
    err.status = 400
    return -1


cdef inline str ascii_new(const char* s, Py_ssize_t n):
    # The cheapest str there is: one allocation and a copy, no decoding.
    cdef str out = PyUnicode_New(n, 127)
    memcpy(PyUnicode_1BYTE_DATA(out), s, n)
    return out


cdef str decode(const char* s, Py_ssize_t a, Py_ssize_t b):
    if sf_ascii(s, a, b):
        return ascii_new(s + a, b - a)
    return PyUnicode_DecodeUTF8(s + a, b - a, "surrogateescape")


cdef str ascii_str(const char* s, Py_ssize_t a, Py_ssize_t b):
    # Spans the grammar has already limited to ASCII.
    return ascii_new(s + a, b - a)


# The methods sipfast knows, as shared str objects: reading a method allocates nothing.
# No two of them share both length and first letter, so (length, first letter) picks
# the one candidate to compare.
cdef tuple _METHOD_OBJECTS = tuple(_tables.METHODS)
cdef bytes _METHOD_BLOB = "".join(_tables.METHODS).encode("ascii")
cdef const char* _method_text[64]
cdef uint8_t _method_slot[16][64]  # [length][octet & 63] -> method index + 1


cdef int _init_methods() except -1:
    cdef Py_ssize_t off = 0, n
    cdef int i
    cdef unsigned char first
    assert len(_METHOD_OBJECTS) < 64
    memset(_method_slot, 0, sizeof(_method_slot))
    for i, method in enumerate(_METHOD_OBJECTS):
        n = len(method)
        first = <unsigned char>_METHOD_BLOB[off]
        assert n < 16 and not _method_slot[n][first & 63], f"{method}: slot taken"
        _method_text[i] = PyBytes_AS_STRING(_METHOD_BLOB) + off
        _method_slot[n][first & 63] = i + 1
        off += n
    return 0


_init_methods()


cdef str known_method(const char* s, Py_ssize_t a, Py_ssize_t b):
    """The method as a shared str: no allocation for the methods sipfast knows."""
    cdef Py_ssize_t n = b - a
    cdef int i
    if 0 < n < 16:
        i = _method_slot[n][<unsigned char>s[a] & 63] - 1
        if i >= 0 and bytes_eq(s + a, _method_text[i], n):
            return <str>_METHOD_OBJECTS[i]
    return ascii_str(s, a, b)


cdef inline int hexval(unsigned char c) noexcept nogil:
    if c <= b'9':
        return c - 48
    if c <= b'F':
        return c - 55
    return c - 87


cdef str unescape(const char* s, Py_ssize_t a, Py_ssize_t b):
    """Percent-decode once (RFC 3261 §19.1.2)."""
    if memchr(s + a, b'%', b - a) == NULL:
        return decode(s, a, b)
    cdef bytes out = PyBytes_FromStringAndSize(NULL, b - a)
    cdef char* o = PyBytes_AS_STRING(out)
    cdef Py_ssize_t n = 0
    cdef Py_ssize_t i = a
    while i < b:
        if s[i] == b'%' and i + 2 < b and sf_hex(<unsigned char>s[i + 1]) and sf_hex(<unsigned char>s[i + 2]):
            o[n] = <char>(hexval(<unsigned char>s[i + 1]) * 16 + hexval(<unsigned char>s[i + 2]))
            i += 3
        else:
            o[n] = s[i]
            i += 1
        n += 1
    return PyUnicode_DecodeUTF8(o, n, "surrogateescape")


cdef str unquote(const char* s, Py_ssize_t a, Py_ssize_t b):
    """The text of the quoted-string s[a:b] (quotes included), quoted-pairs resolved."""
    a += 1
    b -= 1
    if memchr(s + a, b'\\', b - a) == NULL:
        return decode(s, a, b)
    cdef bytes out = PyBytes_FromStringAndSize(NULL, b - a)
    cdef char* o = PyBytes_AS_STRING(out)
    cdef Py_ssize_t n = 0
    cdef Py_ssize_t i = a
    while i < b:
        if s[i] == b'\\' and i + 1 < b:
            i += 1
        o[n] = s[i]
        n += 1
        i += 1
    return PyUnicode_DecodeUTF8(o, n, "surrogateescape")


cdef str param_value(const char* s, Py_ssize_t a, Py_ssize_t b):
    if a < b and s[a] == b'"':
        return unquote(s, a, b)
    return ascii_str(s, a, b)


# --- generic pieces -----------------------------------------------------------------

cdef inline Py_ssize_t scan_quoted(const char* s, Py_ssize_t pos, Py_ssize_t end, Err* err) noexcept nogil:
    cdef Py_ssize_t stop = skip_quoted_body(s, pos + 1, end)
    if stop >= end or s[stop] != b'"':
        return fail(err, pos, "unterminated quoted string")
    return stop + 1


cdef inline Py_ssize_t scan_genvalue(const char* s, Py_ssize_t p, Py_ssize_t end) noexcept nogil:
    return skip_class(s, p, end, SF_GENVALUE)


cdef Py_ssize_t scan_params_key(const char* s, Py_ssize_t pos, Py_ssize_t end, const char* bad_name,
                                const char* bad_value, Err* err, const char* key, Py_ssize_t key_n,
                                int* key_s, int* key_e) noexcept nogil:
    """``*( SEMI generic-param )`` with LWS; returns the offset after the last one.

    With ``key`` (lower-case), also records the value span of the last parameter of
    that name (-1 when absent or valueless), so that a branch or tag is found once.
    """
    cdef Py_ssize_t p, q
    cdef bint hit
    if key != NULL:
        key_s[0] = key_e[0] = -1
    while True:
        p = skip_ws(s, pos, end)
        if p >= end or s[p] != b';':
            return pos
        p = skip_ws(s, p + 1, end)
        q = skip_class(s, p, end, SF_TOKEN)
        if q == p:
            return fail(err, p, bad_name)
        hit = key != NULL and eq_lower(s + p, q - p, key, key_n)
        if hit:
            key_s[0] = key_e[0] = -1
        pos = q
        p = skip_ws(s, pos, end)
        if p < end and s[p] == b'=':
            p = skip_ws(s, p + 1, end)
            if p < end and s[p] == b'"':
                pos = scan_quoted(s, p, end, err)
                if pos < 0:
                    return -1
            else:
                q = scan_genvalue(s, p, end)
                if q == p:
                    return fail(err, p, bad_value)
                pos = q
            if hit:
                key_s[0] = <int>p
                key_e[0] = <int>pos


cdef Py_ssize_t scan_params(const char* s, Py_ssize_t pos, Py_ssize_t end, const char* bad_name,
                            const char* bad_value, Err* err) noexcept nogil:
    return scan_params_key(s, pos, end, bad_name, bad_value, err, NULL, 0, NULL, NULL)


cdef object span_value(const char* s, int a, int b):
    """A parameter value recorded by scan_params_key; None for -1."""
    if a < 0:
        return None
    return param_value(s, a, b)


cdef list params_list(const char* s, Py_ssize_t a, Py_ssize_t b):
    """The (name, value) pairs of a region scan_params accepted."""
    cdef list out = []
    cdef Py_ssize_t p = a, q, vs, ve
    while True:
        p = skip_ws(s, p, b)
        if p >= b:
            return out
        p = skip_ws(s, p + 1, b)  # ';'
        q = skip_class(s, p, b, SF_TOKEN)
        name = ascii_str(s, p, q)
        p = skip_ws(s, q, b)
        if p < b and s[p] == b'=':
            vs = skip_ws(s, p + 1, b)
            if s[vs] == b'"':
                ve = skip_quoted_body(s, vs + 1, b) + 1
            else:
                ve = scan_genvalue(s, vs, b)
            out.append((name, param_value(s, vs, ve)))
            p = ve
        else:
            out.append((name, None))
            p = q


cdef object find_param_span(const char* s, Py_ssize_t a, Py_ssize_t b, const char* name, Py_ssize_t n):
    """The value of the last parameter ``name`` (lower-case) in a region scan_params
    accepted, without building the list; None when absent or valueless."""
    cdef Py_ssize_t p = a, q, vs = 0, ve = -1, xs, xe
    cdef bint hit
    while True:
        p = skip_ws(s, p, b)
        if p >= b:
            break
        p = skip_ws(s, p + 1, b)  # ';'
        q = skip_class(s, p, b, SF_TOKEN)
        hit = eq_lower(s + p, q - p, name, n)
        p = skip_ws(s, q, b)
        if p < b and s[p] == b'=':
            xs = skip_ws(s, p + 1, b)
            if s[xs] == b'"':
                xe = skip_quoted_body(s, xs + 1, b) + 1
            else:
                xe = scan_genvalue(s, xs, b)
            if hit:
                vs = xs
                ve = xe
            p = xe
        else:
            if hit:
                ve = -1
            p = q
    if ve < 0:
        return None
    return param_value(s, vs, ve)


cdef object find_param(list plist, str name):
    """Case-insensitive lookup; the last one of that name wins, as in a dict."""
    value = None
    for k, v in plist:
        if k.lower() == name:
            value = v
    return value


cdef inline Py_ssize_t scan_port(const char* s, Py_ssize_t pos, Py_ssize_t end, int* port, Err* err) noexcept nogil:
    cdef Py_ssize_t p = pos
    cdef long value = 0
    while p < end and b'0' <= s[p] <= b'9':
        if value <= 65535:
            value = value * 10 + (s[p] - 48)
        p += 1
    if p == pos:
        return fail(err, pos, "invalid port")
    if value > 65535:
        return fail(err, pos, "port out of range")
    port[0] = <int>value
    return p


cdef inline Py_ssize_t scan_host(const char* s, Py_ssize_t pos, Py_ssize_t end, const char* bad, Err* err) noexcept nogil:
    cdef Py_ssize_t q
    cdef unsigned char c
    if pos < end and s[pos] == b'[':
        q = pos + 1
        while q < end:
            c = <unsigned char>s[q]
            if not (sf_hex(c) or c == b':' or c == b'.'):
                break
            q += 1
        if q == pos + 1 or q >= end or s[q] != b']':
            return fail(err, pos, bad)
        return q + 1
    q = skip_class(s, pos, end, SF_HOST)
    if q == pos:
        return fail(err, pos, bad)
    return q


# "sip:" and "SIP/2.0/" in any case, how nearly every URI and sent-protocol begins, each
# compared as one word: only the three letters are folded, so that no other octet can
# pass for ':', '/', '2' or '.'.
cdef uint32_t _SIP_WORD, _SIP_FOLD
cdef uint64_t _SIP_20_WORD, _SIP_20_FOLD


cdef int _init_words() except -1:
    global _SIP_WORD, _SIP_FOLD, _SIP_20_WORD, _SIP_20_FOLD
    memcpy(&_SIP_WORD, b"sip:", 4)
    memcpy(&_SIP_FOLD, b"\x20\x20\x20\0", 4)
    memcpy(&_SIP_20_WORD, b"sip/2.0/", 8)
    memcpy(&_SIP_20_FOLD, b"\x20\x20\x20\0\0\0\0\0", 8)
    return 0


_init_words()


# --- URI ------------------------------------------------------------------------------

cdef Py_ssize_t uri_params(const char* s, Py_ssize_t pos, Py_ssize_t end, Err* err) noexcept nogil:
    cdef Py_ssize_t p, q
    while pos < end and s[pos] == b';':
        p = skip_escaped(s, pos + 1, end, SF_PARAM)
        if p == pos + 1:
            return fail(err, pos + 1, "invalid URI parameter")
        if p < end and s[p] == b'=':
            q = skip_escaped(s, p + 1, end, SF_PARAM)
            if q == p + 1:
                return fail(err, p + 1, "invalid URI parameter value")
            pos = q
        else:
            pos = p
    return pos


cdef Py_ssize_t scan_uri(const char* s, Py_ssize_t start, Py_ssize_t end, UriParts* u, Err* err) noexcept nogil:
    """Validate and split the URI s[start:end]; the whole span must be the URI."""
    cdef Py_ssize_t pos, p, q, at, colon
    cdef unsigned char c
    cdef const char* found
    cdef uint32_t word
    cdef bint sip = False
    u.start = start
    u.end = end
    u.user_s = u.pass_s = u.headers_s = -1
    u.user_e = u.pass_e = u.headers_e = -1
    u.host_s = u.host_e = -1
    u.port = -1
    if end - start >= 4:
        memcpy(&word, s + start, 4)
        sip = word | _SIP_FOLD == _SIP_WORD  # "sip:" in any case, as one word
    if sip:
        colon = start + 3
    else:
        if start >= end or not ((b'a' <= s[start] <= b'z') or (b'A' <= s[start] <= b'Z')):
            return fail(err, start, "invalid URI scheme")
        colon = start + 1
        while colon < end:
            c = <unsigned char>s[colon]
            if not (sf_is(c, SF_HOST) and c != b'_' or c == b'+'):
                break
            colon += 1
        if colon >= end or s[colon] != b':':
            return fail(err, colon, "expected ':' after URI scheme")
        sip = eq_lower(s + start, colon - start, "sip", 3) or eq_lower(s + start, colon - start, "sips", 4)
    u.colon = colon
    pos = colon + 1
    if sip:
        u.kind = 1
        found = <const char*>memchr(s + pos, b'@', end - pos) if pos < end else NULL
        at = -1 if found == NULL else found - s
        if at >= 0:
            p = skip_escaped(s, pos, at, SF_USER)
            if p == pos:
                return fail(err, pos, "invalid URI user")
            u.user_s = pos
            u.user_e = p
            if p < at:
                if s[p] != b':':
                    return fail(err, p, "invalid URI user")
                q = skip_escaped(s, p + 1, at, SF_PASS)
                if q < at:
                    return fail(err, q, "invalid URI password")
                u.pass_s = p + 1
                u.pass_e = at
            pos = at + 1
        p = scan_host(s, pos, end, "invalid URI host", err)
        if p < 0:
            return -1
        u.host_s = pos
        u.host_e = p
        pos = p
        if pos < end and s[pos] == b':':
            pos = scan_port(s, pos + 1, end, &u.port, err)
            if pos < 0:
                return -1
        u.params_s = pos
        pos = uri_params(s, pos, end, err)
        if pos < 0:
            return -1
        u.params_e = pos
        if pos < end and s[pos] == b'?':
            u.headers_s = pos + 1
            while True:
                p = skip_escaped(s, pos + 1, end, SF_HNV)
                if p == pos + 1:
                    return fail(err, pos + 1, "invalid URI header")
                if p >= end or s[p] != b'=':
                    return fail(err, p, "invalid URI header")
                pos = skip_escaped(s, p + 1, end, SF_HNV)
                if pos >= end or s[pos] != b'&':
                    break
            u.headers_e = pos
    elif eq_lower(s + start, colon - start, "tel", 3):
        u.kind = 2
        p = pos
        while p < end:
            c = <unsigned char>s[p]
            if not (sf_hex(c) or c == b'*' or c == b'#' or c == b'+' or c == b'-' or c == b'.'
                    or c == b'(' or c == b')'):
                break
            p += 1
        if p == pos:
            return fail(err, pos, "invalid tel URI number")
        u.user_s = pos
        u.user_e = p
        u.params_s = p
        pos = uri_params(s, p, end, err)
        if pos < 0:
            return -1
        u.params_e = pos
    else:
        u.kind = 0
        p = skip_escaped(s, pos, end, SF_URIC)
        if p == pos:
            return fail(err, pos, "invalid URI")
        u.params_s = u.params_e = p
        pos = p
    if pos != end:
        return fail(err, pos, "invalid character in URI")
    return end


cdef bytes encode_text(object text):
    if not isinstance(text, str):
        raise TypeError(f"expected str, not {type(text).__name__}")
    return (<str>text).encode("utf-8", "surrogateescape")


cdef URI make_uri(bytes src, UriParts* u):
    cdef URI uri = URI.__new__(URI)
    uri._src = src
    uri._u = u[0]
    return uri


# Value objects hold only bytes, str and containers of them: no cycles, no GC.
@cython.no_gc
@cython.freelist(8)
cdef class URI:
    """A SIP, SIPS or tel URI, or any other absolute URI (RFC 3261 §19.1, RFC 3966)."""

    def __init__(self, text):
        cdef bytes src = encode_text(text)
        cdef Err err
        if scan_uri(PyBytes_AS_STRING(src), 0, len(src), &self._u, &err) < 0:
            raise_at(src, &err, None)
        self._src = src
        self._text = text

    @classmethod
    def parse(cls, text):
        return cls(text)

    @property
    def scheme(self):
        return ascii_str(PyBytes_AS_STRING(self._src), self._u.start, self._u.colon)

    @property
    def user(self):
        if self._u.user_s < 0:
            return None
        if self._u.kind == 2:
            return ascii_str(PyBytes_AS_STRING(self._src), self._u.user_s, self._u.user_e)
        return unescape(PyBytes_AS_STRING(self._src), self._u.user_s, self._u.user_e)

    @property
    def password(self):
        if self._u.pass_s < 0:
            return None
        return unescape(PyBytes_AS_STRING(self._src), self._u.pass_s, self._u.pass_e)

    @property
    def host(self):
        if self._u.host_s < 0:
            return None
        return ascii_str(PyBytes_AS_STRING(self._src), self._u.host_s, self._u.host_e)

    @property
    def port(self):
        return None if self._u.port < 0 else self._u.port

    @property
    def opaque(self):
        return decode(PyBytes_AS_STRING(self._src), self._u.colon + 1, self._u.end)

    @property
    def params(self):
        cdef const char* s
        cdef Py_ssize_t p, q, b
        if self._params is None:
            out = {}
            s = PyBytes_AS_STRING(self._src)
            p = self._u.params_s
            b = self._u.params_e
            while p < b:  # at a ';'
                q = skip_escaped(s, p + 1, b, SF_PARAM)
                name = unescape(s, p + 1, q)
                if q < b and s[q] == b'=':
                    p = skip_escaped(s, q + 1, b, SF_PARAM)
                    out[name] = unescape(s, q + 1, p)
                else:
                    out[name] = None
                    p = q
            self._params = out
        return dict(self._params)

    @property
    def headers(self):
        cdef const char* s
        cdef Py_ssize_t p, q, b
        if self._headers is None:
            out = {}
            if self._u.headers_s >= 0:
                s = PyBytes_AS_STRING(self._src)
                p = self._u.headers_s
                b = self._u.headers_e
                while True:
                    q = skip_escaped(s, p, b, SF_HNV)  # hname, then '='
                    name = unescape(s, p, q)
                    p = skip_escaped(s, q + 1, b, SF_HNV)
                    out[name] = unescape(s, q + 1, p)
                    if p >= b:
                        break
                    p += 1  # '&'
            self._headers = out
        return dict(self._headers)

    def __str__(self):
        if self._text is None:
            self._text = decode(PyBytes_AS_STRING(self._src), self._u.start, self._u.end)
        return self._text

    def __repr__(self):
        return f"URI({str(self)!r})"

    def __eq__(self, other):
        if isinstance(other, URI):
            return str(self) == str(other)
        return NotImplemented

    def __hash__(self):
        return hash(str(self))

    def __reduce__(self):
        return (URI, (str(self),))


# --- name-addr / addr-spec -----------------------------------------------------------

cdef Py_ssize_t scan_name_addr(const char* s, Py_ssize_t pos, Py_ssize_t end, bint in_list,
                               NameAddrParts* na, Err* err) noexcept nogil:
    """One ``(name-addr / addr-spec) *(SEMI param)``; returns the offset after it."""
    cdef Py_ssize_t p, last, q, stop
    cdef UriParts u
    cdef unsigned char c
    cdef const char* gt
    pos = skip_ws(s, pos, end)
    na.start = pos
    na.display = 0
    if pos < end and s[pos] == b'"':
        p = scan_quoted(s, pos, end, err)
        if p < 0:
            return -1
        na.display = 1
        na.disp_s = pos
        na.disp_e = p
        pos = skip_ws(s, p, end)
        if pos >= end or s[pos] != b'<':
            return fail(err, pos, "expected '<' after display name")
    elif pos < end and s[pos] != b'<':
        # *(token LWS) "<" is a name-addr with a token display name; else an addr-spec.
        p = pos
        last = pos
        while True:
            q = skip_class(s, p, end, SF_TOKEN)
            if q == p:
                break
            last = q
            p = skip_ws(s, last, end)
        if p < end and s[p] == b'<' and last > pos:
            na.display = 2
            na.disp_s = pos
            na.disp_e = last
            pos = p
    if pos < end and s[pos] == b'<':
        gt = <const char*>memchr(s + pos + 1, b'>', end - pos - 1)
        if gt == NULL:
            return fail(err, pos, "missing '>'")
        q = gt - s
        na.uri_s = pos + 1
        na.uri_e = q
        stop = q + 1
    else:
        p = pos
        while p < end:
            c = <unsigned char>s[p]
            if sf_is(c, SF_WS) or c == b';' or (in_list and c == b','):
                break
            p += 1
        na.uri_s = pos
        na.uri_e = p
        stop = p
    if scan_uri(s, na.uri_s, na.uri_e, &u, err) < 0:
        return -1
    na.params_s = stop
    stop = scan_params_key(s, stop, end, "invalid header parameter", "invalid header parameter value", err,
                           "tag", 3, &na.tag_s, &na.tag_e)
    if stop < 0:
        return -1
    na.params_e = stop
    na.stop = stop
    return stop


cdef Py_ssize_t next_list_item(const char* s, Py_ssize_t stop, Py_ssize_t end, bint in_list,
                               const char* reason, Err* err) noexcept nogil:
    """After an element: -2 at the end of the value, the next element's offset after a
    comma (in a list), else -1 (error)."""
    cdef Py_ssize_t pos = skip_ws(s, stop, end)
    if pos >= end:
        return -2
    if not in_list or s[pos] != b',':
        return fail(err, pos, reason)
    return pos + 1


cdef NameAddr make_name_addr(bytes src, NameAddrParts* p):
    cdef NameAddr na = NameAddr.__new__(NameAddr)
    na._src = src
    na._p = p[0]
    return na


@cython.no_gc
@cython.freelist(16)
cdef class NameAddr:
    """``[display-name] <URI> *(;param)`` or ``addr-spec *(;param)`` (From, To, Contact, ...)."""

    def __init__(self, text):
        cdef bytes src = encode_text(text)
        cdef Err err
        cdef const char* s = PyBytes_AS_STRING(src)
        cdef Py_ssize_t n = len(src)
        if (scan_name_addr(s, 0, n, False, &self._p, &err) < 0
                or next_list_item(s, self._p.stop, n, False, "unexpected character after address", &err) == -1):
            raise_at(src, &err, None)
        self._src = src
        self._text = text

    @classmethod
    def parse(cls, text):
        return cls(text)

    @property
    def display_name(self):
        cdef const char* s = PyBytes_AS_STRING(self._src)
        if self._p.display == 1:
            return unquote(s, self._p.disp_s, self._p.disp_e)
        if self._p.display == 2:
            return decode(s, self._p.disp_s, self._p.disp_e)
        return None

    @property
    def uri(self):
        cdef UriParts u
        cdef Err err
        if self._uri is None:
            scan_uri(PyBytes_AS_STRING(self._src), self._p.uri_s, self._p.uri_e, &u, &err)
            self._uri = make_uri(self._src, &u)
        return self._uri

    cdef list _params_list(self):
        if self._plist is None:
            self._plist = params_list(PyBytes_AS_STRING(self._src), self._p.params_s, self._p.params_e)
        return self._plist

    @property
    def params(self):
        return dict(self._params_list())

    @property
    def tag(self):
        return span_value(PyBytes_AS_STRING(self._src), self._p.tag_s, self._p.tag_e)

    def __str__(self):
        if self._text is None:
            self._text = decode(PyBytes_AS_STRING(self._src), self._p.start, self._p.stop)
        return self._text

    def __repr__(self):
        return f"NameAddr({str(self)!r})"

    def __eq__(self, other):
        if isinstance(other, NameAddr):
            return str(self) == str(other)
        return NotImplemented

    def __hash__(self):
        return hash(str(self))

    def __reduce__(self):
        return (NameAddr, (str(self),))


# --- Via -------------------------------------------------------------------------------

cdef inline Py_ssize_t via_slash(const char* s, Py_ssize_t pos, Py_ssize_t end, Err* err) noexcept nogil:
    cdef Py_ssize_t p = skip_ws(s, pos, end)
    if p >= end or s[p] != b'/':
        return fail(err, p, "expected '/' in Via sent-protocol")
    return skip_ws(s, p + 1, end)


cdef Py_ssize_t scan_via(const char* s, Py_ssize_t pos, Py_ssize_t end, ViaParts* v, Err* err) noexcept nogil:
    """One via-parm: ``sent-protocol LWS sent-by *(SEMI via-params)``."""
    cdef Py_ssize_t p, q
    cdef uint64_t word
    pos = skip_ws(s, pos, end)
    v.start = pos
    if end - pos >= 8:
        memcpy(&word, s + pos, 8)
        if word | _SIP_20_FOLD == _SIP_20_WORD:  # what the walk below would find
            v.name_s, v.name_e, v.version_s, v.version_e = pos, pos + 3, pos + 4, pos + 7
            return scan_via_transport(s, skip_ws(s, pos + 8, end), end, v, err)
    q = skip_class(s, pos, end, SF_TOKEN)
    if q == pos:
        return fail(err, pos, "invalid Via sent-protocol")
    v.name_s = pos
    v.name_e = q
    pos = via_slash(s, q, end, err)
    if pos < 0:
        return -1
    q = skip_class(s, pos, end, SF_TOKEN)
    if q == pos:
        return fail(err, pos, "invalid Via sent-protocol")
    v.version_s = pos
    v.version_e = q
    pos = via_slash(s, q, end, err)
    if pos < 0:
        return -1
    return scan_via_transport(s, pos, end, v, err)


cdef inline Py_ssize_t scan_via_transport(const char* s, Py_ssize_t pos, Py_ssize_t end, ViaParts* v,
                                          Err* err) noexcept nogil:
    """The rest of a via-parm, from its transport on."""
    cdef Py_ssize_t p, q
    q = skip_class(s, pos, end, SF_TOKEN)
    if q == pos:
        return fail(err, pos, "invalid Via transport")
    v.transport_s = pos
    v.transport_e = q
    p = skip_ws(s, q, end)
    if p == q:
        return fail(err, p, "expected LWS before Via sent-by")
    pos = scan_host(s, p, end, "invalid Via host", err)
    if pos < 0:
        return -1
    v.host_s = p
    v.host_e = pos
    v.port = -1
    q = skip_ws(s, pos, end)
    if q < end and s[q] == b':':
        pos = scan_port(s, skip_ws(s, q + 1, end), end, &v.port, err)
        if pos < 0:
            return -1
    v.params_s = pos
    pos = scan_params_key(s, pos, end, "invalid Via parameter", "invalid Via parameter value", err,
                          "branch", 6, &v.branch_s, &v.branch_e)
    if pos < 0:
        return -1
    v.params_e = pos
    v.stop = pos
    return pos


cdef Via make_via(bytes src, ViaParts* v):
    cdef Via via = Via.__new__(Via)
    via._src = src
    via._v = v[0]
    return via


cdef object int_param(list plist, str name):
    value = find_param(plist, name)
    # more digits than any port or TTL has: not a number worth reading (and int() refuses
    # more than 4300 of them)
    if value is None or not value.isdigit() or not value.isascii() or len(value) > 18:
        return None
    return int(value)


@cython.no_gc
@cython.freelist(16)
cdef class Via:
    """One via-parm: ``SIP/2.0/UDP host:port;branch=...`` (RFC 3261 §20.42)."""

    def __init__(self, text):
        cdef bytes src = encode_text(text)
        cdef Err err
        cdef const char* s = PyBytes_AS_STRING(src)
        cdef Py_ssize_t n = len(src)
        if (scan_via(s, 0, n, &self._v, &err) < 0
                or next_list_item(s, self._v.stop, n, False, "unexpected character in Via", &err) == -1):
            raise_at(src, &err, None)
        self._src = src
        self._text = text

    @classmethod
    def parse(cls, text):
        return cls(text)

    @property
    def protocol(self):
        cdef const char* s = PyBytes_AS_STRING(self._src)
        return (ascii_str(s, self._v.name_s, self._v.name_e) + "/"
                + ascii_str(s, self._v.version_s, self._v.version_e))

    @property
    def transport(self):
        return ascii_str(PyBytes_AS_STRING(self._src), self._v.transport_s, self._v.transport_e)

    @property
    def host(self):
        return ascii_str(PyBytes_AS_STRING(self._src), self._v.host_s, self._v.host_e)

    @property
    def port(self):
        return None if self._v.port < 0 else self._v.port

    @property
    def sent_by(self):
        host = self.host
        return host if self._v.port < 0 else f"{host}:{self._v.port}"

    cdef list _params_list(self):
        if self._plist is None:
            self._plist = params_list(PyBytes_AS_STRING(self._src), self._v.params_s, self._v.params_e)
        return self._plist

    @property
    def params(self):
        return dict(self._params_list())

    @property
    def branch(self):
        return span_value(PyBytes_AS_STRING(self._src), self._v.branch_s, self._v.branch_e)

    @property
    def received(self):
        return find_param_span(PyBytes_AS_STRING(self._src), self._v.params_s, self._v.params_e,
                               "received", 8)

    @property
    def maddr(self):
        return find_param_span(PyBytes_AS_STRING(self._src), self._v.params_s, self._v.params_e,
                               "maddr", 5)

    @property
    def rport(self):
        """The rport value; None when absent or valueless (see params)."""
        return int_param(self._params_list(), "rport")

    @property
    def ttl(self):
        return int_param(self._params_list(), "ttl")

    def __str__(self):
        if self._text is None:
            self._text = decode(PyBytes_AS_STRING(self._src), self._v.start, self._v.stop)
        return self._text

    def __repr__(self):
        return f"Via({str(self)!r})"

    def __eq__(self, other):
        if isinstance(other, Via):
            return str(self) == str(other)
        return NotImplemented

    def __hash__(self):
        return hash(str(self))

    def __reduce__(self):
        return (Via, (str(self),))


# --- CSeq ------------------------------------------------------------------------------

cdef Py_ssize_t scan_digits_value(const char* s, Py_ssize_t vs, Py_ssize_t ve,
                                  unsigned long long limit, unsigned long long* out,
                                  const char* bad, const char* too_big, Err* err) noexcept nogil:
    """``1*DIGIT LWS`` filling the span; leading zeros allowed, at most ``limit``."""
    cdef Py_ssize_t p = vs, z, q
    cdef unsigned long long value = 0
    while p < ve and b'0' <= s[p] <= b'9':
        p += 1
    if p == vs:
        return fail(err, vs, bad)
    q = skip_ws(s, p, ve)
    if q != ve:
        return fail(err, q, bad)
    z = vs
    while z < p and s[z] == b'0':
        z += 1
    if p - z > 10:
        return fail(err, vs, too_big)
    while z < p:
        value = value * 10 + <unsigned long long>(s[z] - 48)
        z += 1
    if value > limit:
        return fail(err, vs, too_big)
    out[0] = value
    return ve


cdef Py_ssize_t scan_cseq(const char* s, Py_ssize_t start, Py_ssize_t end, unsigned long long* seq,
                          Py_ssize_t* method_s, Py_ssize_t* method_e, Err* err) noexcept nogil:
    cdef Py_ssize_t pos = skip_ws(s, start, end)
    cdef Py_ssize_t p = pos, z, q
    cdef unsigned long long value = 0
    while p < end and b'0' <= s[p] <= b'9':
        p += 1
    if p == pos:
        return fail(err, pos, "invalid CSeq number")
    z = pos
    while z < p and s[z] == b'0':
        z += 1
    if p - z > 10:
        return fail(err, pos, "CSeq number out of range")
    while z < p:
        value = value * 10 + <unsigned long long>(s[z] - 48)
        z += 1
    if value > CSEQ_MAX:
        return fail(err, pos, "CSeq number out of range")
    q = skip_ws(s, p, end)
    if q == p:
        return fail(err, q, "expected LWS after CSeq number")
    p = skip_class(s, q, end, SF_TOKEN)
    if p == q:
        return fail(err, q, "invalid CSeq method")
    method_s[0] = q
    method_e[0] = p
    seq[0] = value
    q = skip_ws(s, p, end)
    if q != end:
        return fail(err, q, "unexpected character in CSeq")
    return end


cdef CSeq make_cseq(unsigned long long seq, str method):
    cdef CSeq c = CSeq.__new__(CSeq)
    c.seq = seq
    c.method = method
    return c


@cython.no_gc
@cython.freelist(8)
cdef class CSeq:
    """``CSeq: 4711 INVITE``: a sequence number and a method."""

    def __init__(self, seq, method):
        if not isinstance(seq, int) or not 0 <= seq <= CSEQ_MAX:
            raise ValueError(f"CSeq number must be in 0..2**32-1, not {seq!r}")
        cdef bytes m
        if isinstance(method, str):
            m = (<str>method).encode("utf-8", "replace")
            if len(m) and skip_class(PyBytes_AS_STRING(m), 0, len(m), SF_TOKEN) == len(m):
                self.seq = seq
                self.method = method
                return
        raise ValueError(f"CSeq method must be a token, not {method!r}")

    @classmethod
    def parse(cls, text):
        cdef bytes src = encode_text(text)
        cdef Err err
        cdef unsigned long long seq
        cdef Py_ssize_t ms, me
        if scan_cseq(PyBytes_AS_STRING(src), 0, len(src), &seq, &ms, &me, &err) < 0:
            raise_at(src, &err, None)
        return cls(seq, ascii_str(PyBytes_AS_STRING(src), ms, me))

    def __str__(self):
        return f"{self.seq} {self.method}"

    def __repr__(self):
        return f"CSeq({self.seq}, {self.method!r})"

    def __eq__(self, other):
        if isinstance(other, CSeq):
            return self.seq == (<CSeq>other).seq and self.method == (<CSeq>other).method
        return NotImplemented

    def __hash__(self):
        return hash((self.seq, self.method))

    def __reduce__(self):
        return (CSeq, (self.seq, self.method))


# --- Authorization / WWW-Authenticate ------------------------------------------------

cdef Auth parse_auth(bytes src, Py_ssize_t start, Py_ssize_t end, Err* err):
    """``auth-scheme LWS auth-param *(COMMA auth-param)`` (RFC 3261 §25.1); None on error."""
    cdef const char* s = PyBytes_AS_STRING(src)
    cdef Py_ssize_t pos = skip_ws(s, start, end)
    cdef Py_ssize_t p, q, m
    cdef dict params = {}
    m = skip_class(s, pos, end, SF_TOKEN)
    if m == pos:
        fail(err, pos, "invalid auth scheme")
        return None
    scheme = ascii_str(s, pos, m)
    pos = skip_ws(s, m, end)
    if pos != end:
        if pos == m:
            fail(err, pos, "expected LWS after auth scheme")
            return None
        while True:
            m = skip_class(s, pos, end, SF_TOKEN)
            if m == pos:
                fail(err, pos, "invalid auth parameter")
                return None
            p = skip_ws(s, m, end)
            if p >= end or s[p] != b'=':
                fail(err, p, "expected '=' in auth parameter")
                return None
            p = skip_ws(s, p + 1, end)
            if p < end and s[p] == b'"':
                q = scan_quoted(s, p, end, err)
                if q < 0:
                    return None
            else:
                q = scan_genvalue(s, p, end)
                if q == p:
                    fail(err, p, "invalid auth parameter value")
                    return None
            params[ascii_str(s, pos, m)] = param_value(s, p, q)
            pos = skip_ws(s, q, end)
            if pos == end:
                break
            if s[pos] != b',':
                fail(err, pos, "expected ',' between auth parameters")
                return None
            pos = skip_ws(s, pos + 1, end)
    cdef Auth auth = Auth.__new__(Auth)
    auth.scheme = scheme
    auth._params = params
    auth._text = decode(s, start, end)
    return auth


@cython.no_gc
cdef class Auth:
    """Credentials or a challenge: a scheme and its parameters (quoted values unquoted)."""

    def __init__(self, scheme, params=None):
        self.scheme = scheme
        self._params = dict(params or {})

    @classmethod
    def parse(cls, text):
        cdef bytes src = encode_text(text)
        cdef Err err
        auth = parse_auth(src, 0, len(src), &err)
        if auth is None:
            raise_at(src, &err, None)
        (<Auth>auth)._text = text
        return auth

    @property
    def params(self):
        return dict(self._params)

    def __getitem__(self, name):
        value = self._params.get(name)
        if value is None:
            for key, value in self._params.items():
                if key.lower() == name.lower():
                    return value
            raise KeyError(name)
        return value

    def get(self, name, default=None):
        try:
            return self[name]
        except KeyError:
            return default

    def __contains__(self, name):
        try:
            self[name]
        except KeyError:
            return False
        return True

    def keys(self):
        return self._params.keys()

    def items(self):
        return self._params.items()

    def values(self):
        return self._params.values()

    def __iter__(self):
        return iter(self._params)

    def __len__(self):
        return len(self._params)

    def __str__(self):
        """The text it was parsed from; built ones quote every value."""
        if self._text is not None:
            return self._text
        return render_auth(self.scheme, self._params)

    def __repr__(self):
        return f"Auth({self.scheme!r}, {self._params!r})"

    def __eq__(self, other):
        if isinstance(other, Auth):
            return self.scheme == (<Auth>other).scheme and self._params == (<Auth>other)._params
        return NotImplemented

    def __hash__(self):
        return hash((self.scheme, tuple(self._params.items())))


Mapping.register(Auth)


# The attributes read on every message, found without the generic lookup (_attrs.pxd).
fast_getattr(URI, ("scheme", "user", "host", "port", "params"))
fast_getattr(NameAddr, ("uri", "tag", "display_name", "params"))
fast_getattr(Via, ("branch", "host", "port", "transport", "received", "rport", "maddr",
                   "sent_by", "params"))
fast_getattr(CSeq, ("seq", "method"))
