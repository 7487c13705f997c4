"""Header names, compact forms, methods and reason phrases: the one source of truth.

Both twins take their tables from here.  A header id is a small integer; 0 means
"not a header we know", which is still indexed and found by case-insensitive name.
"""

from __future__ import annotations

# (id, long name, compact form or "").  Ids are stable: the Cython twin keeps them in
# C arrays and the builder (issue 3) stores them in its edit records.
HEADERS: tuple[tuple[int, str, str], ...] = (
    (1, "Via", "v"),
    (2, "From", "f"),
    (3, "To", "t"),
    (4, "Call-ID", "i"),
    (5, "CSeq", ""),
    (6, "Max-Forwards", ""),
    (7, "Content-Length", "l"),
    (8, "Contact", "m"),
    (9, "Route", ""),
    (10, "Record-Route", ""),
    (11, "Content-Type", "c"),
    (12, "Content-Encoding", "e"),
    (13, "Subject", "s"),
    (14, "Supported", "k"),
    (15, "Event", "o"),
    (16, "Allow-Events", "u"),
    (17, "Refer-To", "r"),
    (18, "Referred-By", "b"),
    (19, "Session-Expires", "x"),
    (20, "Identity", "y"),
    (21, "Accept-Contact", "a"),
    (22, "Reject-Contact", "j"),
    (23, "Request-Disposition", "d"),
    (24, "Expires", ""),
    (25, "Authorization", ""),
    (26, "Proxy-Authorization", ""),
    (27, "WWW-Authenticate", ""),
    (28, "Proxy-Authenticate", ""),
    (29, "Require", ""),
    (30, "Proxy-Require", ""),
    (31, "Unsupported", ""),
    (32, "Allow", ""),
    (33, "Accept", ""),
    (34, "User-Agent", ""),
    (35, "Server", ""),
    (36, "Path", ""),
    (37, "Min-Expires", ""),
    (38, "Retry-After", ""),
    (39, "Date", ""),
    (40, "Timestamp", ""),
    (41, "Warning", ""),
    (42, "Authentication-Info", ""),
    (43, "Accept-Encoding", ""),
    (44, "Accept-Language", ""),
    (45, "Content-Disposition", ""),
    (46, "Organization", ""),
    (47, "Priority", ""),
    (48, "Reply-To", ""),
    (49, "In-Reply-To", ""),
    (50, "Alert-Info", ""),
    (51, "Call-Info", ""),
    (52, "Error-Info", ""),
    (53, "MIME-Version", ""),
    (54, "RAck", ""),
    (55, "RSeq", ""),
    (56, "Subscription-State", ""),
    (57, "P-Asserted-Identity", ""),
    (58, "Privacy", ""),
    (59, "Reason", ""),
    (60, "Replaces", ""),
    (61, "SIP-ETag", ""),
    (62, "SIP-If-Match", ""),
    (63, "Service-Route", ""),
    (64, "Content-Language", ""),
)

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
H_AUTHORIZATION = 25
H_PROXY_AUTHORIZATION = 26
H_WWW_AUTHENTICATE = 27
H_PROXY_AUTHENTICATE = 28
H_REQUIRE = 29
H_PROXY_REQUIRE = 30
H_UNSUPPORTED = 31
H_ALLOW = 32
H_ACCEPT = 33
H_SUPPORTED = 14

# Lower-cased long and compact names -> id.
HEADER_IDS: dict[str, int] = {}
# id -> long name as the RFCs spell it.
HEADER_NAMES: dict[int, str] = {}
for _id, _long, _compact in HEADERS:
    HEADER_IDS[_long.lower()] = _id
    HEADER_NAMES[_id] = _long
    if _compact:
        HEADER_IDS[_compact] = _id
del _id, _long, _compact

# Headers that RFC 3261 §7.3.1 allows at most once; a second one is refused (400).
SINGLE_HEADERS: frozenset[int] = frozenset(
    {H_FROM, H_TO, H_CALL_ID, H_CSEQ, H_MAX_FORWARDS, H_CONTENT_LENGTH}
)

# Methods an RFC 3261 element may implement (RFC 3261, 3262, 3265/6665, 3311, 3428,
# 3515, 3903, 6086).  A CSeq/Request-Line mismatch on any other method is 501.
METHODS: tuple[str, ...] = (
    "INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "PRACK", "SUBSCRIBE",
    "NOTIFY", "PUBLISH", "INFO", "REFER", "MESSAGE", "UPDATE",
)

REASON_PHRASES: dict[int, str] = {
    100: "Trying", 180: "Ringing", 181: "Call Is Being Forwarded", 182: "Queued",
    183: "Session Progress", 199: "Early Dialog Terminated",
    200: "OK", 202: "Accepted", 204: "No Notification",
    300: "Multiple Choices", 301: "Moved Permanently", 302: "Moved Temporarily",
    305: "Use Proxy", 380: "Alternative Service",
    400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden",
    404: "Not Found", 405: "Method Not Allowed", 406: "Not Acceptable",
    407: "Proxy Authentication Required", 408: "Request Timeout", 410: "Gone",
    412: "Conditional Request Failed", 413: "Request Entity Too Large",
    414: "Request-URI Too Long", 415: "Unsupported Media Type",
    416: "Unsupported URI Scheme", 417: "Unknown Resource-Priority", 420: "Bad Extension",
    421: "Extension Required", 422: "Session Interval Too Small", 423: "Interval Too Brief",
    428: "Use Identity Header", 429: "Provide Referrer Identity", 430: "Flow Failed",
    433: "Anonymity Disallowed", 436: "Bad Identity-Info", 437: "Unsupported Certificate",
    438: "Invalid Identity Header", 439: "First Hop Lacks Outbound Support",
    440: "Max-Breadth Exceeded", 469: "Bad Info Package", 470: "Consent Needed",
    480: "Temporarily Unavailable", 481: "Call/Transaction Does Not Exist",
    482: "Loop Detected", 483: "Too Many Hops", 484: "Address Incomplete",
    485: "Ambiguous", 486: "Busy Here", 487: "Request Terminated",
    488: "Not Acceptable Here", 489: "Bad Event", 491: "Request Pending",
    493: "Undecipherable", 494: "Security Agreement Required",
    500: "Server Internal Error", 501: "Not Implemented", 502: "Bad Gateway",
    503: "Service Unavailable", 504: "Server Time-out", 505: "Version Not Supported",
    513: "Message Too Large", 555: "Push Notification Service Not Supported",
    580: "Precondition Failure",
    600: "Busy Everywhere", 603: "Decline", 604: "Does Not Exist Anywhere",
    606: "Not Acceptable", 607: "Unwanted", 608: "Rejected",
}
