"""The table of live transactions: O(1) matching of every message to its transaction."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ._fsm import ClientTransaction, ServerTransaction
from ._matching import ServerKey, merge_key, server_key

if TYPE_CHECKING:
    from ..message import Request, Response

__all__ = ["TransactionTable"]


class TransactionTable:
    """Live client and server transactions, found by the message that belongs to them."""

    __slots__ = ("_clients", "_merge", "_servers")

    def __init__(self) -> None:
        self._clients: dict[tuple[Any, ...], ClientTransaction] = {}
        self._servers: dict[ServerKey, ServerTransaction] = {}
        # server transactions whose request had no To tag, by merge_key (first one wins)
        self._merge: dict[tuple[str | None, str, int, str], ServerTransaction] = {}

    def add(self, transaction: ClientTransaction | ServerTransaction) -> None:
        """Put a new transaction in the table; ValueError if its key is taken.

        A client key is taken when the TU reuses a branch; a server key when the caller
        did not look the request up first (it was a retransmission).
        """
        key = transaction.key
        if isinstance(transaction, ClientTransaction):
            if key in self._clients:
                raise ValueError(f"a client transaction with key {key!r} is in the table")
            self._clients[key] = transaction
            return
        if key in self._servers:
            raise ValueError(f"a server transaction with key {key!r} is in the table")
        self._servers[key] = transaction
        request = transaction.request
        if request.to.tag is None:
            transaction.merge_key = mkey = merge_key(request)
            self._merge.setdefault(mkey, transaction)

    def remove(self, transaction: ClientTransaction | ServerTransaction) -> None:
        """Take a transaction out (it terminated); nothing happens if it is not there."""
        key = transaction.key
        if isinstance(transaction, ClientTransaction):
            if self._clients.get(key) is transaction:
                del self._clients[key]
            return
        if self._servers.get(key) is transaction:
            del self._servers[key]
        mkey = transaction.merge_key
        if mkey is not None and self._merge.get(mkey) is transaction:
            del self._merge[mkey]

    def match_response(self, response: Response) -> ClientTransaction | None:
        """The client transaction `response` belongs to (§17.1.3), or None."""
        return self._clients.get((response.top_via.branch, response.cseq.method))

    def match_request(
        self, request: Request, key: ServerKey | None = None
    ) -> ServerTransaction | None:
        """The server transaction `request` belongs to (§17.2.3), or None.

        An ACK matches the INVITE transaction it acknowledges; a CANCEL matches only a
        transaction of its own (see `match_cancel` for the INVITE it cancels).  `key` is
        `server_key(request)` when the caller has it (to make the new transaction with).
        """
        if key is None:
            key = server_key(request)
        transaction = self._servers.get(key)
        if transaction is None or len(key) == 3:
            return transaction
        # RFC 2543: the To tag must match too
        if request.method == "ACK":
            wanted = getattr(transaction, "to_tag", None)
        else:
            wanted = transaction.request.to.tag
        return transaction if request.to.tag == wanted else None

    def match_cancel(self, cancel: Request) -> ServerTransaction | None:
        """The INVITE server transaction a CANCEL cancels (§9.2), or None.

        The rules of §17.2.3 with the method taken as INVITE; for RFC 2543 peers the
        To tag of the CANCEL equals the INVITE's, as §9.1 builds it.
        """
        if cancel.method != "CANCEL":
            raise ValueError(f"match_cancel takes a CANCEL, not {cancel.method}")
        key = server_key(cancel, "INVITE")
        transaction = self._servers.get(key)
        if transaction is None or len(key) == 3:
            return transaction
        return transaction if cancel.to.tag == transaction.request.to.tag else None

    def find_merged(self, request: Request) -> ServerTransaction | None:
        """The transaction `request` was merged with (§8.2.2.2), or None.

        A request with no To tag whose From tag, Call-ID and CSeq equal those of a live
        server transaction that it does not match arrived over another path after a fork:
        the UAS core answers it with 482 (Loop Detected).
        """
        if request.to.tag is not None or request.method == "ACK":
            return None
        transaction = self._merge.get(merge_key(request))
        if transaction is None or transaction.key == server_key(request):
            return None
        return transaction

    def __len__(self) -> int:
        return len(self._clients) + len(self._servers)

    @property
    def client_count(self) -> int:
        return len(self._clients)

    @property
    def server_count(self) -> int:
        return len(self._servers)

    def __iter__(self) -> Iterator[ClientTransaction | ServerTransaction]:
        yield from self._clients.values()
        yield from self._servers.values()
