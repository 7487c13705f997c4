# Inline helpers over (const char*, offsets): the character classes of RFC 3261's
# grammar and the small scanners both Cython modules use.  Every function returns the
# offset where its element stops; the caller decides whether that is an error.
# The Python twin does the same walk with anchored regexes (_values_py.py).

from libc.string cimport memchr

cdef extern from *:
    """
    /* Character classes as bit flags in one 256-entry table. */
    #define SF_TOKEN   1   /* alphanum - . ! % * _ + ` ' ~ */
    #define SF_WS      2   /* SP HT CR LF: LWS inside a header value */
    #define SF_USER    4   /* unreserved / user-unreserved (not escapes) */
    #define SF_PASS    8   /* unreserved / & = + $ , */
    #define SF_PARAM  16   /* unreserved / param-unreserved */
    #define SF_HNV    32   /* unreserved / hnv-unreserved */
    #define SF_URIC   64   /* reserved / unreserved / [ ] */
    #define SF_HOST  128   /* alphanum - . _ */
    #define SF_WORD  256   /* word: what a Call-ID is made of, around its "@" */
    #define SF_GENVALUE 512  /* token / ":" / "[" / "]": an unquoted parameter value */
    static unsigned short sf_class[256];
    static unsigned char sf_lower[256];
    static int sf_tables_ready = 0;
    static void sf_init_tables(void) {
        int c;
        const char *p;
        if (sf_tables_ready) return;
        for (c = 0; c < 256; c++) {
            sf_lower[c] = (unsigned char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
                sf_class[c] |= SF_TOKEN | SF_USER | SF_PASS | SF_PARAM | SF_HNV | SF_URIC | SF_HOST
                               | SF_WORD | SF_GENVALUE;
        }
        for (p = "-.!%*_+`'~"; *p; p++) sf_class[(unsigned char)*p] |= SF_TOKEN | SF_GENVALUE;
        for (p = ":[]"; *p; p++) sf_class[(unsigned char)*p] |= SF_GENVALUE;
        for (p = " \\t\\r\\n"; *p; p++) sf_class[(unsigned char)*p] |= SF_WS;
        /* unreserved = alphanum / mark; mark = - _ . ! ~ * ' ( ) */
        for (p = "-_.!~*'()"; *p; p++)
            sf_class[(unsigned char)*p] |= SF_USER | SF_PASS | SF_PARAM | SF_HNV | SF_URIC;
        for (p = "&=+$,;?/"; *p; p++) sf_class[(unsigned char)*p] |= SF_USER;
        for (p = "&=+$,"; *p; p++) sf_class[(unsigned char)*p] |= SF_PASS;
        for (p = "[]/:&+$"; *p; p++) sf_class[(unsigned char)*p] |= SF_PARAM;
        for (p = "[]/?:+$"; *p; p++) sf_class[(unsigned char)*p] |= SF_HNV;
        for (p = ";/?:@&=+$,[]"; *p; p++) sf_class[(unsigned char)*p] |= SF_URIC;
        for (p = "-._"; *p; p++) sf_class[(unsigned char)*p] |= SF_HOST;
        /* word = 1*( alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" /
           "~" / "(" / ")" / "<" / ">" / ":" / "\\" / DQUOTE / "/" / "[" / "]" / "?" /
           "{" / "}" ) (RFC 3261 §25.1) */
        for (p = "-.!%*_+`'~()<>:\\\\\\\"/[]?{}"; *p; p++) sf_class[(unsigned char)*p] |= SF_WORD;
        sf_tables_ready = 1;
    }
    static inline int sf_is(unsigned char c, int flag) { return sf_class[c] & flag; }

    /* Where the run of alphanumerics, '-' and '.' starting at p stops (end if it does
       not): the octets most of a message is made of, and common to every class above
       but SF_WS.  Sixteen octets are tested at once, so that the scanners' per-octet
       loops only see the rarer octets; no load reaches before s or past end (the last
       block is the one that ends at end, when the buffer is long enough). */
    static inline Py_ssize_t sf_skip_alnum_octets(const char *s, Py_ssize_t p, Py_ssize_t end) {
        while (p < end && (sf_class[(unsigned char)s[p]] & SF_HOST) && s[p] != '_') p++;
        return p;
    }
    static inline int sf_ascii_octets(const char *s, Py_ssize_t a, Py_ssize_t b) {
        for (; a < b; a++) if ((unsigned char)s[a] >= 0x80) return 0;
        return 1;
    }
    #if defined(_MSC_VER)
    #include <intrin.h>
    static inline unsigned sf_ctz(unsigned x) {  /* x != 0 */
        unsigned long i;
        _BitScanForward(&i, x);
        return (unsigned)i;
    }
    #else
    #define sf_ctz(x) ((unsigned)__builtin_ctz(x))
    #endif
    #if defined(__SSE2__) || defined(_M_X64)
    #include <emmintrin.h>
    static inline unsigned sf_alnum_mask16(const char *q) {
        __m128i x = _mm_loadu_si128((const __m128i *)q);
        __m128i folded = _mm_or_si128(x, _mm_set1_epi8(0x20));
        /* c in [lo, hi] <=> (signed)(c + 128 - lo) < -128 + (hi - lo + 1) */
        __m128i letter = _mm_cmplt_epi8(_mm_add_epi8(folded, _mm_set1_epi8((char)(128 - 'a'))),
                                        _mm_set1_epi8((char)(-128 + 26)));
        __m128i digit = _mm_cmplt_epi8(_mm_add_epi8(x, _mm_set1_epi8((char)(128 - '0'))),
                                       _mm_set1_epi8((char)(-128 + 10)));
        __m128i mark = _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('-')),
                                    _mm_cmpeq_epi8(x, _mm_set1_epi8('.')));
        return (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(letter, digit), mark));
    }
    static inline Py_ssize_t sf_skip_alnum(const char *s, Py_ssize_t p, Py_ssize_t end) {
        unsigned stop;
        while (end - p >= 16) {
            stop = ~sf_alnum_mask16(s + p) & 0xffffu;
            if (stop) return p + sf_ctz(stop);
            p += 16;
        }
        if (p >= end) return end;
        if (end < 16) return sf_skip_alnum_octets(s, p, end);
        stop = (~sf_alnum_mask16(s + end - 16) & 0xffffu) >> (p - (end - 16));
        return stop ? p + sf_ctz(stop) : end;
    }
    /* Whether s[a:b] is all ASCII (no octet with the high bit set). */
    static inline int sf_ascii(const char *s, Py_ssize_t a, Py_ssize_t b) {
        while (b - a >= 16) {
            if (_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(s + a)))) return 0;
            a += 16;
        }
        if (a >= b) return 1;
        if (b < 16) return sf_ascii_octets(s, a, b);
        return ((unsigned)_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(s + b - 16)))
                >> (a - (b - 16))) == 0;
    }
    #else
    #define sf_skip_alnum sf_skip_alnum_octets
    #define sf_ascii sf_ascii_octets
    #endif
    static inline int sf_hex(unsigned char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
    """
    int SF_TOKEN, SF_WS, SF_USER, SF_PASS, SF_PARAM, SF_HNV, SF_URIC, SF_HOST, SF_WORD, SF_GENVALUE
    unsigned char sf_lower[256]
    void sf_init_tables() nogil
    bint sf_is(unsigned char c, int flag) nogil
    bint sf_hex(unsigned char c) nogil
    Py_ssize_t sf_skip_alnum(const char* s, Py_ssize_t p, Py_ssize_t end) nogil
    bint sf_ascii(const char* s, Py_ssize_t a, Py_ssize_t b) nogil


cdef inline Py_ssize_t skip_ws(const char* s, Py_ssize_t p, Py_ssize_t end) noexcept nogil:
    while p < end and sf_is(<unsigned char>s[p], SF_WS):
        p += 1
    return p


cdef inline Py_ssize_t skip_class(const char* s, Py_ssize_t p, Py_ssize_t end, int flag) noexcept nogil:
    """A run of ``flag`` octets; every class but SF_WS holds the alphanumerics, '-' and '.'."""
    while True:
        p = sf_skip_alnum(s, p, end)
        if p >= end or not sf_is(<unsigned char>s[p], flag):
            return p
        p += 1


cdef inline Py_ssize_t skip_escaped(const char* s, Py_ssize_t p, Py_ssize_t end, int flag) noexcept nogil:
    """A run of ``flag`` characters and %HH escapes (a lone '%' stops the run)."""
    cdef unsigned char c
    while True:
        p = sf_skip_alnum(s, p, end)
        if p >= end:
            return p
        c = <unsigned char>s[p]
        if c == b'%':
            if p + 2 < end and sf_hex(<unsigned char>s[p + 1]) and sf_hex(<unsigned char>s[p + 2]):
                p += 3
                continue
            return p
        if not sf_is(c, flag):
            return p
        p += 1
    return p


cdef inline Py_ssize_t skip_quoted_body(const char* s, Py_ssize_t p, Py_ssize_t end) noexcept nogil:
    """From after an opening DQUOTE: to the closing DQUOTE (or ``end``)."""
    cdef unsigned char c
    while p < end:
        c = <unsigned char>s[p]
        if c == b'"':
            return p
        if c == b'\\':
            if p + 1 < end and s[p + 1] != b'\r' and s[p + 1] != b'\n':
                p += 2
                continue
            return p
        p += 1
    return p


cdef inline bint eq_lower(const char* s, Py_ssize_t n, const char* lower_word, Py_ssize_t wn) noexcept nogil:
    """Case-insensitive compare of s[:n] with an already lower-case word."""
    cdef Py_ssize_t i
    if n != wn:
        return False
    for i in range(n):
        if sf_lower[<unsigned char>s[i]] != <unsigned char>lower_word[i]:
            return False
    return True


cdef inline bint bytes_eq(const char* a, const char* b, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(n):
        if a[i] != b[i]:
            return False
    return True
