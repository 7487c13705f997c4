"""Transaction keys: what a message shares with the transaction it belongs to.

§17.1.3 for client transactions, §17.2.3 for server transactions (with the RFC 2543
fallback), §9.2 for the INVITE a CANCEL cancels, §8.2.2.2 for merged requests.  Keys are
tuples of strings and numbers, so a table finds a transaction with one dict look-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..message import Request, Response

__all__ = ["MAGIC_COOKIE", "ServerKey", "client_key", "merge_key", "server_key"]

MAGIC_COOKIE = "z9hG4bK"
"""What an RFC 3261 branch starts with (§8.1.1.7)."""

ServerKey = tuple[Any, ...]


def client_key(message: Request | Response) -> tuple[str | None, str]:
    """(branch of the top Via, CSeq method): what a response shares with its request.

    The method is needed because a CANCEL carries the branch of the INVITE it cancels.
    """
    return (message.top_via.branch, message.cseq.method)


def server_key(request: Request, method: str | None = None) -> ServerKey:
    """The key of the server transaction `request` belongs to (§17.2.3).

    With a branch that starts with the magic cookie: (branch, sent-by, method), an ACK
    standing for the INVITE it acknowledges.  Otherwise (RFC 2543 peers): Request-URI,
    From tag, Call-ID, CSeq number, method and top Via; the To tag, which must match too,
    is checked by the table (an ACK's against the To tag of the response it acknowledges).
    Hosts in sent-by compare case-insensitively; the RFC 2543 fields compare as written.
    `method` overrides the request's own (a CANCEL looks for its INVITE).
    """
    via = request.top_via
    branch = via.branch
    if method is None:
        method = request.method
        if method == "ACK":
            method = "INVITE"
    if branch is not None and branch.startswith(MAGIC_COOKIE):
        return (branch, via.sent_by.lower(), method)
    return (
        str(request.uri),
        request.from_.tag,
        request.call_id,
        request.cseq.seq,
        method,
        str(via),
    )


def merge_key(request: Request) -> tuple[str | None, str, int, str]:
    """From tag, Call-ID and CSeq: what a merged request shares with the first copy."""
    cseq = request.cseq
    return (request.from_.tag, request.call_id, cseq.seq, cseq.method)
