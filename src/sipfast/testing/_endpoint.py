"""An element on the fake network: transactions, their table and one timer heap, driven
by datagrams and the manual clock, with the TU as methods to override."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any

from ..errors import ParseError
from ..message import Keepalive
from ..message import parse as default_parse
from ..transaction import (
    DEFAULT_TIMERS,
    Action,
    CancelTimer,
    ClientTransaction,
    InviteClientTransaction,
    InviteServerTransaction,
    NonInviteClientTransaction,
    NonInviteServerTransaction,
    PassToTU,
    Send,
    ServerTransaction,
    StartTimer,
    Terminated,
    Timeout,
    TimerHeap,
    TimerSettings,
    TransactionTable,
    TransportFailure,
    server_key,
)

if TYPE_CHECKING:
    from ..message import Request, Response
    from ._network import FakeNetwork

__all__ = ["Endpoint", "TUTimer"]

Transaction = ClientTransaction | ServerTransaction


class TUTimer:
    """A timer of the TU's own (`Endpoint.call_at`), kept in the same heap."""

    __slots__ = ("callback", "when")

    def __init__(self, when: float, callback: Callable[[], object]) -> None:
        self.when = when
        self.callback = callback


class Endpoint:
    """A SIP element at `address`: it parses what arrives, matches it to a transaction
    or makes a server transaction for a new request, and carries out the actions.

    The TU is this class's `*_received` / `timed_out` / `transport_failed` /
    `terminated` methods: override them (they do nothing here).  `parse` picks the
    message-core twin.  Everything runs when the network's `run` delivers or fires.
    """

    def __init__(
        self,
        network: FakeNetwork,
        address: Hashable,
        *,
        reliable: bool = False,
        timers: TimerSettings = DEFAULT_TIMERS,
        parse: Callable[[bytes], Any] = default_parse,
    ) -> None:
        self.network = network
        self.clock = network.clock
        self.address = address
        self.reliable = reliable
        self.timers = timers
        self.parse = parse
        self.table = TransactionTable()
        self.timer_heap = TimerHeap()
        self.malformed = 0
        self._send = network.send
        network.attach(address, self)

    # --- the TU: override these ---------------------------------------------------

    def request_received(self, transaction: ServerTransaction, request: Request) -> None:
        """A new request (or, in Accepted, an ACK) passed up by a server transaction."""

    def response_received(self, transaction: ClientTransaction, response: Response) -> None:
        """A response passed up by a client transaction."""

    def stray_received(self, message: Request | Response, source: Hashable) -> None:
        """A response or an ACK that matched no transaction (the ACK for a 2xx)."""

    def timed_out(self, transaction: Transaction, timer: str) -> None:
        """Timer B, F or H fired."""

    def transport_failed(self, transaction: Transaction) -> None:
        """The network could not send for `transaction`."""

    def terminated(self, transaction: Transaction) -> None:
        """`transaction` ended and left the table."""

    # --- what the TU does ---------------------------------------------------------

    def send_request(
        self, data: bytes, destination: Hashable, request: Request | None = None
    ) -> ClientTransaction:
        """Start a client transaction for the request `data` (parsed unless given)."""
        if request is None:
            request = self.parse(data)
        assert request is not None
        cls = InviteClientTransaction if request.method == "INVITE" else NonInviteClientTransaction
        transaction = cls(request, data, destination, reliable=self.reliable, timers=self.timers)
        self.table.add(transaction)
        self._carry_out(transaction, transaction.start(self.clock.now))
        return transaction

    def send_response(
        self, transaction: ServerTransaction, data: bytes, response: Response | None = None
    ) -> list[Action]:
        """Pass the response `data` (parsed unless given) to a server transaction."""
        if response is None:
            response = self.parse(data)
        assert response is not None
        assert isinstance(transaction, (InviteServerTransaction, NonInviteServerTransaction))
        actions = transaction.send_response(response, data, now=self.clock.now)
        self._carry_out(transaction, actions)
        return actions

    def send_stateless(self, data: bytes, destination: Hashable) -> bool:
        """Send outside any transaction (the ACK for a 2xx)."""
        return self.network.send(data, self.address, destination)

    def call_at(self, when: float, callback: Callable[[], object]) -> TUTimer:
        """Run `callback` when the clock reaches `when` (a TU timer)."""
        timer = TUTimer(when, callback)
        self.timer_heap.schedule(when, timer, "TU")
        return timer

    def cancel_call(self, timer: TUTimer) -> bool:
        return self.timer_heap.cancel(timer, "TU")

    # --- driven by the network -----------------------------------------------------

    def datagram_received(self, data: bytes, source: Hashable) -> None:
        try:
            message = self.parse(data)
        except ParseError:
            self.malformed += 1
            return
        if message.__class__ is Keepalive:
            return
        now = self.clock.now
        if message.is_request:
            key = server_key(message)
            server = self.table.match_request(message, key)
            if server is not None:
                assert isinstance(server, (InviteServerTransaction, NonInviteServerTransaction))
                self._carry_out(server, server.receive_request(message, now))
                return
            if message.method == "ACK":
                self.stray_received(message, source)
                return
            cls = (
                InviteServerTransaction
                if message.method == "INVITE"
                else NonInviteServerTransaction
            )
            # responses go back where the request came from: the fake has no Via routing
            new = cls(message, source, reliable=self.reliable, timers=self.timers, key=key)
            self.table.add(new)
            self._carry_out(new, new.start(now))
            return
        client = self.table.match_response(message)
        if client is None:
            self.stray_received(message, source)
            return
        assert isinstance(client, (InviteClientTransaction, NonInviteClientTransaction))
        self._carry_out(client, client.receive_response(message, now))

    def next_deadline(self) -> float | None:
        return self.timer_heap.next_deadline()

    def fire_timers(self, now: float) -> None:
        for owner, name in self.timer_heap.pop_due(now):
            if isinstance(owner, TUTimer):
                owner.callback()
            else:
                transaction: Any = owner
                self._carry_out(transaction, transaction.timer_fired(name, now))

    def _carry_out(self, transaction: Any, actions: list[Any]) -> None:
        failed = False
        heap = self.timer_heap
        for action in actions:
            kind = action.__class__  # an `is` chain: match/case is slower on this hot path
            if kind is Send:
                if not self._send(action.data, self.address, action.destination):
                    failed = True
            elif kind is StartTimer:
                heap.schedule(action.deadline, transaction, action.name)
            elif kind is CancelTimer:
                heap.cancel(transaction, action.name)
            elif kind is PassToTU:
                message = action.message
                if message.is_request:
                    self.request_received(transaction, message)
                else:
                    self.response_received(transaction, message)
            elif kind is Terminated:
                self.table.remove(transaction)
                self.terminated(transaction)
            elif kind is Timeout:
                self.timed_out(transaction, action.timer)
            elif kind is TransportFailure:
                self.transport_failed(transaction)
            else:
                raise TypeError(f"unknown action {action!r}")
        if failed:
            # reported after the whole list: the transaction has made its move by then
            self._carry_out(transaction, transaction.transport_error(self.clock.now))
