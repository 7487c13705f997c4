# C-level interface of _values_c: scanners over (const char*, offsets) and the value
# classes, cimported by _message_c.

cdef struct Err:
    Py_ssize_t offset
    const char* reason
    int status

cdef struct UriParts:
    int start, end, colon
    int kind                       # 0 other absolute URI, 1 sip/sips, 2 tel
    int user_s, user_e      # user_s < 0: no user
    int pass_s, pass_e      # pass_s < 0: no password
    int host_s, host_e
    int port                       # -1: none
    int params_s, params_e  # ";a=b;c" region
    int headers_s, headers_e  # "?h=v&..." region (after '?'); headers_s < 0: none

cdef struct NameAddrParts:
    int start, stop
    int display                    # 0 none, 1 quoted-string, 2 tokens
    int disp_s, disp_e
    int uri_s, uri_e
    int params_s, params_e
    int tag_s, tag_e               # value of the last tag param; -1: none

cdef struct ViaParts:
    int start, stop
    int name_s, name_e, version_s, version_e
    int transport_s, transport_e
    int host_s, host_e
    int port
    int params_s, params_e
    int branch_s, branch_e         # value of the last branch param; -1: none

cdef Py_ssize_t scan_uri(const char* s, Py_ssize_t start, Py_ssize_t end, UriParts* u, Err* err) noexcept nogil
cdef Py_ssize_t scan_name_addr(const char* s, Py_ssize_t pos, Py_ssize_t end, bint in_list,
                               NameAddrParts* na, Err* err) noexcept nogil
cdef Py_ssize_t next_list_item(const char* s, Py_ssize_t stop, Py_ssize_t end, bint in_list,
                               const char* reason, Err* err) noexcept nogil
cdef Py_ssize_t scan_via(const char* s, Py_ssize_t pos, Py_ssize_t end, ViaParts* v, Err* err) noexcept nogil
cdef Py_ssize_t scan_params(const char* s, Py_ssize_t pos, Py_ssize_t end, const char* bad_name,
                            const char* bad_value, Err* err) noexcept nogil
cdef Py_ssize_t scan_cseq(const char* s, Py_ssize_t start, Py_ssize_t end, unsigned long long* seq,
                          Py_ssize_t* method_s, Py_ssize_t* method_e, Err* err) noexcept nogil
cdef Py_ssize_t scan_digits_value(const char* s, Py_ssize_t vs, Py_ssize_t ve,
                                  unsigned long long limit, unsigned long long* out,
                                  const char* bad, const char* too_big, Err* err) noexcept nogil

cdef object raise_at(object data, Err* err, object message)
cdef str decode(const char* s, Py_ssize_t a, Py_ssize_t b)
cdef str ascii_str(const char* s, Py_ssize_t a, Py_ssize_t b)
cdef str known_method(const char* s, Py_ssize_t a, Py_ssize_t b)
cdef list params_list(const char* s, Py_ssize_t a, Py_ssize_t b)
cdef object find_param_span(const char* s, Py_ssize_t a, Py_ssize_t b, const char* name, Py_ssize_t n)

cdef class URI:
    cdef bytes _src
    cdef UriParts _u
    cdef object _text
    cdef object _params
    cdef object _headers

cdef class NameAddr:
    cdef bytes _src
    cdef NameAddrParts _p
    cdef object _text
    cdef object _uri
    cdef object _plist
    cdef list _params_list(self)

cdef class Via:
    cdef bytes _src
    cdef ViaParts _v
    cdef object _text
    cdef object _plist
    cdef list _params_list(self)

cdef class CSeq:
    cdef readonly unsigned long long seq
    cdef readonly str method

cdef class Auth:
    cdef readonly str scheme
    cdef dict _params
    cdef object _text

cdef URI make_uri(bytes src, UriParts* u)
cdef NameAddr make_name_addr(bytes src, NameAddrParts* p)
cdef Via make_via(bytes src, ViaParts* v)
cdef CSeq make_cseq(unsigned long long seq, str method)
cdef Auth parse_auth(bytes src, Py_ssize_t start, Py_ssize_t end, Err* err)
