"""The transaction layer on asyncio: the state machines of `_fsm` driven by a
`TransportLayer`, the event loop's clock and one loop timer.

Every running timer of every transaction sits in one `TimerHeap`; the loop holds a
single handle, armed for the heap's earliest deadline, so 100 000 live transactions
cost 100 000 heap entries and not 100 000 loop handles.

The transaction user (TU) is a `TransactionUser`: it is handed new requests as
`ServerTransactionHandle`s and answers through them; it sends requests with
`TransactionLayer.send_request` and awaits the `ClientTransactionHandle`.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

from ..errors import ParseError, TransactionTimeout, TransportError
from ..message import new_tag
from ..transport import RELIABLE, Address, Reply, TransportLayer, response_address
from ..transport._routing import too_big_for_udp, via_over
from ._actions import CancelTimer, PassToTU, Send, StartTimer, Terminated, Timeout, TransportFailure
from ._fsm import (
    ClientTransaction,
    InviteClientTransaction,
    InviteServerTransaction,
    NonInviteClientTransaction,
    NonInviteServerTransaction,
    ServerTransaction,
    State,
)
from ._matching import server_key
from ._table import TransactionTable
from ._timers import DEFAULT_TIMERS, TimerHeap, TimerSettings

if TYPE_CHECKING:
    from ..message import Request, Response
    from ..transport import Flow

__all__ = [
    "ClientTransactionHandle",
    "ServerTransactionHandle",
    "TUTimer",
    "TransactionLayer",
    "TransactionUser",
]

log = logging.getLogger("sipfast.transaction")

FIRE_SLICE = 0.005
"""Seconds of timer work done in one go before other callbacks get the loop."""


class TUTimer:
    """A timer of the TU's own (`TransactionLayer.call_at`), in the same heap."""

    __slots__ = ("callback", "when")

    def __init__(self, when: float, callback: Callable[[], object]) -> None:
        self.when = when
        self.callback = callback


class TransactionUser:
    """What the transaction layer passes up; override what you need.

    `request_received` gets every new request but ACK (the 100 (Trying) to an INVITE
    is the transaction's business); it may be a coroutine function.  A TU that
    leaves a request without any response after the handler has run, or raised,
    has a 500 sent for it, so no client waits for timer F for nothing; one that
    sent a provisional response (a 180 before a delayed 200) answers later.
    """

    answers_for_itself = False
    """True when the TU answers later, outside `request_received` (a proxy): then an
    unanswered request gets no automatic 500."""

    def request_received(self, transaction: ServerTransactionHandle) -> object:
        """A new request: answer it with `transaction.respond(...)`."""
        transaction.respond(501)
        return None

    def ack_received(self, ack: Request, transaction: ServerTransactionHandle | None) -> None:
        """The ACK for a 2xx: from an INVITE transaction in Accepted, or a stray one."""

    def stray_response_received(self, response: Response, source: Address) -> None:
        """A response no client transaction matches (a 2xx retransmitted after its
        transaction ended: the UA core acknowledges it again, §13.2.2.4)."""

    def server_terminated(self, transaction: ServerTransactionHandle) -> None:
        """A server transaction ended (`transaction.timed_out` says if by timer H)."""


class ClientTransactionHandle:
    """A request on its way: ``await handle.final_response()``, or ``async for`` over
    every response until the transaction ends (a 2xx to an INVITE leaves it open
    for timer M, for the 2xx of other forks)."""

    __slots__ = ("_done", "_error", "_final", "_layer", "_waiters", "responses", "transaction")

    def __init__(self, layer: TransactionLayer, transaction: ClientTransaction) -> None:
        self._layer = layer
        self.transaction = transaction
        self.responses: list[Response] = []
        self._final: asyncio.Future[Response] | None = None
        self._waiters: list[asyncio.Future[None]] = []
        self._done = False
        self._error: Exception | None = None

    @property
    def request(self) -> Request:
        return self.transaction.request

    @property
    def state(self) -> State:
        return self.transaction.state

    def _final_future(self) -> asyncio.Future[Response]:
        if self._final is None:
            self._final = self._layer.loop.create_future()
            for response in self.responses:
                if response.status >= 200:
                    self._final.set_result(response)
                    break
            else:
                if self._error is not None:
                    self._final.set_exception(self._error)
        return self._final

    async def final_response(self) -> Response:
        """The first final response; TransactionTimeout (timer B/F) or TransportError."""
        return await self._final_future()

    def __aiter__(self) -> AsyncIterator[Response]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Response]:
        index = 0
        while True:
            while index < len(self.responses):
                yield self.responses[index]
                index += 1
            if self._done:
                if self._error is not None:
                    raise self._error
                return
            waiter: asyncio.Future[None] = self._layer.loop.create_future()
            self._waiters.append(waiter)
            await waiter

    def _wake(self) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def _response(self, response: Response) -> None:
        self.responses.append(response)
        if response.status >= 200 and self._final is not None and not self._final.done():
            self._final.set_result(response)
        self._wake()

    def _fail(self, error: Exception) -> None:
        if self._error is None:
            self._error = error
        final = self._final
        if final is not None and not final.done():
            final.set_exception(error)
            final.exception()  # retrieved: nobody may be awaiting it
        self._wake()

    def _failed_later(self) -> None:
        self._layer._transport_error(self)

    def _terminated(self) -> None:
        self._done = True
        if self._error is None and not any(r.status >= 200 for r in self.responses):
            self._fail(TransportError("the transaction ended without a final response"))
        self._wake()

    def __repr__(self) -> str:
        return f"<ClientTransactionHandle {self.transaction!r}>"


class ServerTransactionHandle:
    """A request that came in, and the way to answer it."""

    __slots__ = (
        "_layer", "answered", "flow", "responded", "source", "tag", "timed_out", "transaction"
    )

    def __init__(self, layer: TransactionLayer, transaction: ServerTransaction,
                 source: Address, flow: Flow) -> None:
        self._layer = layer
        self.transaction = transaction
        self.source = source
        self.flow = flow
        self.answered = False  # a final response was sent
        self.responded = False  # the TU sent a response, provisional or final
        self.timed_out = False
        self.tag: str | None = None  # the To tag `respond` adds (§8.2.6.2)

    @property
    def request(self) -> Request:
        return self.transaction.request

    @property
    def state(self) -> State:
        return self.transaction.state

    def respond(
        self,
        status: int,
        reason: str | None = None,
        *,
        to_tag: str | None = None,
        headers: Any = (),
        body: bytes = b"",
    ) -> Response:
        """Build a response with `make_response` and send it; returns it.

        §8.2.6.2: when the request has no To tag, every response but a 100 gets one:
        `to_tag`, or one made for this transaction and kept in `tag`.
        """
        if to_tag is None and status > 100 and self.request.to.tag is None:
            if self.tag is None:
                self.tag = new_tag()
            to_tag = self.tag
        elif to_tag is not None:
            self.tag = to_tag
        response: Response = self._layer._make_response(
            self.request, status, reason, to_tag=to_tag, headers=headers, body=body
        )
        self.send_response(response)
        return response

    def send_response(self, response: Response, data: bytes | None = None) -> None:
        """Send a response built by the TU (its octets `data`, or `bytes(response)`)."""
        if response.status >= 200:
            self.answered = True
        self.responded = True
        layer = self._layer
        transaction = self.transaction
        assert isinstance(transaction, (InviteServerTransaction, NonInviteServerTransaction))
        layer._carry_out(self, transaction.send_response(response, data, now=layer.loop.time()))

    def _failed_later(self) -> None:
        self._layer._transport_error(self)

    def __repr__(self) -> str:
        return f"<ServerTransactionHandle {self.transaction!r} from {self.source}>"


class TransactionLayer:
    """Transactions over a `TransportLayer`, for one `TransactionUser`."""

    def __init__(
        self,
        transport: TransportLayer,
        tu: TransactionUser | None = None,
        *,
        timers: TimerSettings = DEFAULT_TIMERS,
    ) -> None:
        self.transport = transport
        self.tu = tu if tu is not None else TransactionUser()
        self.timers = timers
        self.table = TransactionTable()
        self.heap = TimerHeap()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wakeup: asyncio.Handle | None = None
        self._armed: float | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._make_response = transport._core.make_response
        transport.receiver = self._received

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        return self._loop

    # --- what the TU does -------------------------------------------------------------

    def send_request(self, request: Request, destination: Address) -> ClientTransactionHandle:
        """Start a client transaction for `request` (its top Via carries a fresh branch)
        towards `destination`.

        §18.1.1: a request over 1300 bytes bound for UDP goes over TCP instead, its top
        Via changed to say so, when there is a TCP listener to name in it.
        """
        data = bytes(request)
        if destination.transport == "UDP" and too_big_for_udp(data):
            try:
                tcp = self.transport.local_address("TCP")
            except LookupError:
                tcp = None
            if tcp is not None:
                request.push_via(via_over(request.pop_via(), "TCP", tcp.hostport))
                destination = Address("TCP", destination.host, destination.port)
                data = bytes(request)
        cls = InviteClientTransaction if request.method == "INVITE" else NonInviteClientTransaction
        transaction = cls(request, data, destination,
                          reliable=destination.transport in RELIABLE, timers=self.timers)
        self.table.add(transaction)
        handle = ClientTransactionHandle(self, transaction)
        transaction.context = handle
        self._carry_out(handle, transaction.start(self.loop.time()))
        return handle

    def send_stateless(self, data: bytes, destination: Address | Reply) -> bool:
        """Send outside any transaction: the ACK for a 2xx, a stateless proxy's forward."""
        return self.transport.send(data, destination)

    def call_at(self, when: float, callback: Callable[[], object]) -> TUTimer:
        """Run `callback` at loop time `when`, from the same heap as the transactions'."""
        timer = TUTimer(when, callback)
        self.heap.schedule(when, timer, "TU")
        self._arm()
        return timer

    def handle_of(self, transaction: ClientTransaction | ServerTransaction) -> Any:
        """The handle of a live transaction (from `table`), None once it ended."""
        return transaction.context

    def cancel_call(self, timer: TUTimer) -> bool:
        return self.heap.cancel(timer, "TU")

    async def close(self) -> None:
        if self._wakeup is not None:
            self._wakeup.cancel()
            self._wakeup = None
        for task in list(self._tasks):
            task.cancel()
        await self.transport.close()

    def __len__(self) -> int:
        """Live transactions."""
        return len(self.table)

    # --- driven by the transport ----------------------------------------------------

    def _received(self, message: Any, source: Address, flow: Flow) -> None:
        now = self.loop.time()
        table = self.table
        if message.is_request:
            try:
                key = server_key(message)
            except (ParseError, ValueError) as exc:
                log.debug("request from %s without what matching needs: %s", source, exc)
                return
            server = table.match_request(message, key)
            if server is not None:
                assert isinstance(server, (InviteServerTransaction, NonInviteServerTransaction))
                self._carry_out(server.context, server.receive_request(message, now))
                return
            if message.method == "ACK":
                self.tu.ack_received(message, None)
                return
            cls = (
                InviteServerTransaction
                if message.method == "INVITE"
                else NonInviteServerTransaction
            )
            reply = Reply(response_address(message, source), flow)
            new = cls(message, reply, reliable=flow.transport != "UDP", timers=self.timers,
                      key=key)
            table.add(new)
            handle = ServerTransactionHandle(self, new, source, flow)
            new.context = handle
            self._carry_out(handle, new.start(now))
            return
        client = table.match_response(message)
        if client is None:
            self.tu.stray_response_received(message, source)
            return
        assert isinstance(client, (InviteClientTransaction, NonInviteClientTransaction))
        self._carry_out(client.context, client.receive_response(message, now))

    def _fire(self) -> None:
        self._wakeup = None
        armed = self._armed
        # while firing, _carry_out's StartTimers must not arm: this arms once at the end
        self._armed = float("-inf")
        loop = self.loop
        now = started = loop.time()
        # the loop may wake a hair early: what it was armed for is due
        if armed is not None and armed > now:
            now = armed
        count = 0
        try:
            for owner, name in self.heap.pop_due(now):
                if owner.__class__ is TUTimer:
                    try:
                        owner.callback()
                    except Exception:
                        log.exception("TU timer callback failed")
                else:
                    handle = owner.context  # type: ignore[attr-defined]
                    if handle is not None:
                        self._carry_out(handle, owner.timer_fired(name, now))  # type: ignore[attr-defined]
                count += 1
                if not count & 255 and loop.time() - started > FIRE_SLICE:
                    # 100 000 timers due at once would stall the loop: go on next iteration
                    self._armed = now
                    self._wakeup = loop.call_soon(self._fire)
                    return
        except BaseException:
            self._armed = None
            raise
        self._armed = None
        self._arm()

    def _arm(self) -> None:
        """Have the loop call `_fire` at the heap's earliest deadline (one handle)."""
        deadline = self.heap.next_deadline()
        if deadline is None:
            return
        armed = self._armed
        if armed is not None and armed <= deadline:
            return
        if self._wakeup is not None:
            self._wakeup.cancel()
        self._armed = deadline
        self._wakeup = self.loop.call_at(deadline, self._fire)

    def _carry_out(self, handle: Any, actions: list[Any]) -> None:
        transaction = handle.transaction
        failed = False
        timers = False
        heap = self.heap
        for action in actions:
            kind = action.__class__  # an `is` chain: match/case is slower on this hot path
            if kind is Send:
                if not self.transport.send(action.data, action.destination, handle._failed_later):
                    failed = True
            elif kind is StartTimer:
                heap.schedule(action.deadline, transaction, action.name)
                timers = True
            elif kind is CancelTimer:
                heap.cancel(transaction, action.name)
            elif kind is PassToTU:
                self._pass_up(handle, action.message)
            elif kind is Terminated:
                self.table.remove(transaction)
                transaction.context = None
                if transaction.is_client:
                    handle._terminated()
                else:
                    self._call_tu(self.tu.server_terminated, handle)
            elif kind is Timeout:
                if transaction.is_client:
                    handle._fail(TransactionTimeout(f"timer {action.timer} fired"))
                else:
                    handle.timed_out = True
            elif kind is TransportFailure:
                if transaction.is_client:
                    handle._fail(TransportError(f"cannot send to {transaction.destination}"))
            else:
                raise TypeError(f"unknown action {action!r}")
        if failed:
            # reported after the whole list: the transaction has made its move by then
            self._transport_error(handle)
        if timers:
            self._arm()

    def _transport_error(self, handle: Any) -> None:
        transaction = handle.transaction
        if transaction.state is State.TERMINATED:
            return
        self._carry_out(handle, transaction.transport_error(self.loop.time()))

    def _pass_up(self, handle: Any, message: Any) -> None:
        if handle.transaction.is_client:
            handle._response(message)
        elif message.method == "ACK":
            self._call_tu(self.tu.ack_received, message, handle)
        else:
            self._call_tu(self._request_received, handle)

    def _request_received(self, handle: ServerTransactionHandle) -> None:
        try:
            result = self.tu.request_received(handle)
        except Exception:
            log.exception("the TU failed on %s", handle)
            self._answer_for_tu(handle, failed=True)
            return
        if inspect.isawaitable(result):
            task = self.loop.create_task(self._await_tu(handle, result))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        elif not self.tu.answers_for_itself:
            self._answer_for_tu(handle)

    async def _await_tu(self, handle: ServerTransactionHandle, result: Any) -> None:
        try:
            await result
        except Exception:
            log.exception("the TU failed on %s", handle)
            self._answer_for_tu(handle, failed=True)
            return
        if not self.tu.answers_for_itself:
            self._answer_for_tu(handle)

    def _answer_for_tu(self, handle: ServerTransactionHandle, *, failed: bool = False) -> None:
        """500 for a request the TU failed on, or left without any response: one it
        sent a provisional response for (a 180 before a delayed 200) it answers later."""
        if handle.answered or (handle.responded and not failed):
            return
        if handle.state in (State.TRYING, State.PROCEEDING):
            try:
                handle.respond(500)
            except (ParseError, ValueError):
                log.exception("cannot answer %s", handle)

    def _call_tu(self, method: Callable[..., object], *args: Any) -> None:
        try:
            method(*args)
        except Exception:
            log.exception("the TU failed in %s", getattr(method, "__name__", method))
