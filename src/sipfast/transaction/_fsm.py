"""The four transaction state machines of RFC 3261 §17, with RFC 6026's Accepted state.

Sans-I/O: a transaction is told what happened (a message arrived, the TU sends a
response, a timer fired, the transport failed), each at a time `now` in seconds, and
answers with a list of actions (`_actions`).  It never reads a clock, sends, or
schedules anything itself, and nothing here imports asyncio.

Figures (RFC 3261 §17.1.1.2, §17.1.2.2, §17.2.1, §17.2.2; RFC 6026 §7):

- INVITE client (fig. 5, RFC 6026 fig. 3): Calling, Proceeding, Completed, Accepted.
- non-INVITE client (fig. 6): Trying, Proceeding, Completed.
- INVITE server (fig. 7, RFC 6026 fig. 5): Proceeding, Completed, Confirmed, Accepted.
- non-INVITE server (fig. 8): Trying, Proceeding, Completed.

On a reliable transport timers A, E and G are not started and timers D, I, J and K are
zero: the transaction goes from Completed (Confirmed) to Terminated at once.

Each timer a transaction runs is in an attribute (`timer_a` ... `timer_m`) holding its
deadline, None when it is not running; a stale "fired" for a timer that is not running
is ignored.  Every timer started is either fired or cancelled before `Terminated`.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

from . import _build
from ._actions import (
    TERMINATED,
    TRANSPORT_FAILURE,
    Action,
    CancelTimer,
    PassToTU,
    Send,
    StartTimer,
    Timeout,
)
from ._matching import MAGIC_COOKIE, ServerKey, server_key
from ._timers import DEFAULT_TIMERS, TimerSettings

if TYPE_CHECKING:
    from ..message import Request, Response

__all__ = [
    "ClientTransaction",
    "InviteClientTransaction",
    "InviteServerTransaction",
    "NonInviteClientTransaction",
    "NonInviteServerTransaction",
    "ServerTransaction",
    "State",
    "is_reliable",
]


class State(enum.Enum):
    """Transaction states, named as in the RFC's figures."""

    CALLING = "Calling"
    TRYING = "Trying"
    PROCEEDING = "Proceeding"
    COMPLETED = "Completed"
    CONFIRMED = "Confirmed"
    ACCEPTED = "Accepted"
    TERMINATED = "Terminated"

    def __repr__(self) -> str:
        return f"State.{self.name}"


# module globals: a state test is then one global load and an identity check
CALLING = State.CALLING
TRYING = State.TRYING
PROCEEDING = State.PROCEEDING
COMPLETED = State.COMPLETED
CONFIRMED = State.CONFIRMED
ACCEPTED = State.ACCEPTED
TERMINATED_STATE = State.TERMINATED

# actions are never changed once made, so the cancellations can be shared
_CANCEL_A = CancelTimer("A")
_CANCEL_B = CancelTimer("B")
_CANCEL_D = CancelTimer("D")
_CANCEL_E = CancelTimer("E")
_CANCEL_F = CancelTimer("F")
_CANCEL_G = CancelTimer("G")
_CANCEL_H = CancelTimer("H")
_CANCEL_I = CancelTimer("I")
_CANCEL_J = CancelTimer("J")
_CANCEL_K = CancelTimer("K")
_CANCEL_L = CancelTimer("L")
_CANCEL_M = CancelTimer("M")
_CANCEL_TRYING = CancelTimer("Trying")

_RELIABLE = frozenset({"TCP", "TLS", "SCTP", "TLS-SCTP", "WS", "WSS"})


def is_reliable(transport: str) -> bool:
    """True for the transports on which SIP does not retransmit (§17.1.1.2, §18).

    Anything not known to be reliable counts as unreliable: retransmitting over a
    reliable transport wastes a little; not retransmitting over UDP loses calls.
    """
    return transport.upper() in _RELIABLE


class Transaction:
    """What the four state machines share."""

    # context: whatever the driver attaches (the asyncio layer's handle), None here
    __slots__ = (
        "context", "destination", "key", "reliable", "request", "started", "state", "timers"
    )
    is_client: bool
    request: Request
    destination: object
    reliable: bool
    timers: TimerSettings
    started: bool
    key: tuple[object, ...]
    state: State

    # (slot, its CancelTimer) of each timer a state machine runs: what terminating cancels
    _TIMER_SLOTS: tuple[tuple[str, CancelTimer], ...] = ()

    def _terminate(self, actions: list[Action], inform: Action | None) -> None:
        """Cancel every running timer, tell the TU `inform` (if any), then Terminated."""
        for slot, cancel in self._TIMER_SLOTS:
            if getattr(self, slot) is not None:
                setattr(self, slot, None)
                actions.append(cancel)
        if inform is not None:
            actions.append(inform)
        self.state = TERMINATED_STATE
        actions.append(TERMINATED)

    def _start(self) -> None:
        if self.started:
            raise RuntimeError(f"{self!r} was already started")
        self.started = True

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__} {self.key!r} {self.state.value}>"


class ClientTransaction(Transaction):
    """Base of the client transactions; `key` is (branch, method) (§17.1.3).

    `request` is the parsed request the TU sends and `data` its octets, which are
    what goes to the transport, retransmissions included.  `destination` is where the
    transport sends them (any hashable the driver understands).
    """

    __slots__ = ("branch", "data", "method")
    is_client = True
    key: tuple[str, str]

    # The constructors assign every slot themselves, with no super().__init__ chain:
    # a transaction is made per request, on the hot path.
    def _set(
        self, request: Request, data: bytes, destination: object, reliable: bool,
        timers: TimerSettings,
    ) -> None:
        branch = request.top_via.branch
        if branch is None or not branch.startswith(MAGIC_COOKIE):
            raise ValueError(
                f"a client transaction needs a top Via branch starting with {MAGIC_COOKIE} "
                f"(RFC 3261 §8.1.1.7), not {branch!r}"
            )
        self.context: Any = None
        self.request = request
        self.data = data
        self.destination = destination
        self.reliable = reliable
        self.timers = timers
        self.started = False
        self.branch = branch
        self.method = method = request.method
        self.key = (branch, method)


class InviteClientTransaction(ClientTransaction):
    """RFC 3261 fig. 5 as RFC 6026 fig. 3 corrects it.

    Calling: timer A retransmits the INVITE (T1, 2*T1, 4*T1, ... unreliable only);
    timer B (64*T1) gives up.  A 1xx stops both.  A 2xx goes to Accepted, where further
    2xx (other forks, retransmissions) go to the TU until timer M (64*T1).  A 300-699
    goes to Completed: the transaction sends the ACK (`ack`) and sends it again for
    each retransmission of the response until timer D.
    """

    __slots__ = ("_interval_a", "ack", "timer_a", "timer_b", "timer_d", "timer_m")
    _TIMER_SLOTS = (
        ("timer_a", _CANCEL_A), ("timer_b", _CANCEL_B), ("timer_d", _CANCEL_D),
        ("timer_m", _CANCEL_M),
    )

    def __init__(
        self,
        request: Request,
        data: bytes,
        destination: object,
        *,
        reliable: bool,
        timers: TimerSettings = DEFAULT_TIMERS,
    ) -> None:
        if request.method != "INVITE":
            raise ValueError(f"an INVITE client transaction sends an INVITE, not {request.method}")
        self._set(request, data, destination, reliable, timers)
        self.state = CALLING
        self.ack: bytes | None = None
        self.timer_a: float | None = None
        self.timer_b: float | None = None
        self.timer_d: float | None = None
        self.timer_m: float | None = None
        self._interval_a = timers.t1

    def start(self, now: float) -> list[Action]:
        """The TU initiates the transaction: send the INVITE, start timers A and B."""
        self._start()
        actions: list[Action] = [Send(self.data, self.destination)]
        if not self.reliable:
            self.timer_a = now + self._interval_a
            actions.append(StartTimer("A", self.timer_a))
        self.timer_b = now + self.timers.t1x64
        actions.append(StartTimer("B", self.timer_b))
        return actions

    def receive_response(self, response: Response, now: float) -> list[Action]:
        """A response matched this transaction."""
        status = response.status
        state = self.state
        if state is CALLING or state is PROCEEDING:
            if status >= 300:
                try:
                    ack = _build.ack(self.request, response)
                except ValueError:  # a To we can't copy: treat the response as garbage
                    return []
            actions: list[Action] = []
            if self.timer_a is not None:
                self.timer_a = None
                actions.append(_CANCEL_A)
            if self.timer_b is not None:
                self.timer_b = None
                actions.append(_CANCEL_B)
            if status < 200:
                self.state = PROCEEDING
                actions.append(PassToTU(response))
            elif status < 300:
                self.state = ACCEPTED
                self.timer_m = now + self.timers.t1x64
                actions.append(StartTimer("M", self.timer_m))
                actions.append(PassToTU(response))
            else:
                self.state = COMPLETED
                self.ack = ack
                actions.append(Send(ack, self.destination))
                if self.reliable:
                    actions.append(PassToTU(response))
                    self._terminate(actions, None)
                else:
                    self.timer_d = now + self.timers.d
                    actions.append(StartTimer("D", self.timer_d))
                    actions.append(PassToTU(response))
            return actions
        if state is COMPLETED:
            # a retransmission of the final response: ACK again, the TU had it already
            if status >= 300 and self.ack is not None:
                return [Send(self.ack, self.destination)]
        elif state is ACCEPTED and 200 <= status < 300:
            return [PassToTU(response)]
        return []

    def timer_fired(self, name: str, now: float) -> list[Action]:
        """Timer `name` reached its deadline."""
        actions: list[Action]
        if name == "A":
            if self.timer_a is None:
                return []
            self._interval_a *= 2
            self.timer_a = now + self._interval_a
            return [Send(self.data, self.destination), StartTimer("A", self.timer_a)]
        if name == "B":
            if self.timer_b is None:
                return []
            self.timer_b = None
            actions = []
            self._terminate(actions, Timeout("B"))
            return actions
        if name == "D":
            if self.timer_d is None:
                return []
            self.timer_d = None
        elif name == "M":
            if self.timer_m is None:
                return []
            self.timer_m = None
        else:
            raise ValueError(f"an INVITE client transaction has no timer {name!r}")
        actions = []
        self._terminate(actions, None)
        return actions

    def transport_error(self, now: float) -> list[Action]:
        """The transport failed to send the INVITE or the ACK (§17.1.4: inform the TU and
        terminate; in Proceeding too, where the failure can only concern the connection
        the final response would have come over).  Nothing is sent in Accepted."""
        state = self.state
        if state is CALLING or state is PROCEEDING or state is COMPLETED:
            actions: list[Action] = []
            self._terminate(actions, TRANSPORT_FAILURE)
            return actions
        return []



class NonInviteClientTransaction(ClientTransaction):
    """RFC 3261 fig. 6.

    Trying: timer E retransmits the request at T1, then doubling up to T2 (unreliable
    only); in Proceeding (after a 1xx) every T2.  Timer F (64*T1) gives up.  A final
    response goes to the TU and to Completed, where retransmissions of it are absorbed
    until timer K (T4; zero on reliable transports).
    """

    __slots__ = ("_interval_e", "timer_e", "timer_f", "timer_k")
    _TIMER_SLOTS = (("timer_e", _CANCEL_E), ("timer_f", _CANCEL_F), ("timer_k", _CANCEL_K))

    def __init__(
        self,
        request: Request,
        data: bytes,
        destination: object,
        *,
        reliable: bool,
        timers: TimerSettings = DEFAULT_TIMERS,
    ) -> None:
        if request.method in ("INVITE", "ACK"):
            raise ValueError(f"a non-INVITE client transaction can't send {request.method}")
        self._set(request, data, destination, reliable, timers)
        self.state = TRYING
        self.timer_e: float | None = None
        self.timer_f: float | None = None
        self.timer_k: float | None = None
        self._interval_e = timers.t1

    def start(self, now: float) -> list[Action]:
        """The TU initiates the transaction: send the request, start timers E and F."""
        self._start()
        actions: list[Action] = [Send(self.data, self.destination)]
        if not self.reliable:
            self.timer_e = now + self._interval_e
            actions.append(StartTimer("E", self.timer_e))
        self.timer_f = now + self.timers.t1x64
        actions.append(StartTimer("F", self.timer_f))
        return actions

    def receive_response(self, response: Response, now: float) -> list[Action]:
        """A response matched this transaction."""
        state = self.state
        if state is not TRYING and state is not PROCEEDING:
            return []  # Completed absorbs retransmissions of the final response
        if response.status < 200:
            self.state = PROCEEDING
            return [PassToTU(response)]
        actions: list[Action] = []
        if self.timer_e is not None:
            self.timer_e = None
            actions.append(_CANCEL_E)
        self.timer_f = None
        actions.append(_CANCEL_F)
        self.state = COMPLETED
        if self.reliable:
            actions.append(PassToTU(response))
            self._terminate(actions, None)
        else:
            self.timer_k = now + self.timers.t4
            actions.append(StartTimer("K", self.timer_k))
            actions.append(PassToTU(response))
        return actions

    def timer_fired(self, name: str, now: float) -> list[Action]:
        """Timer `name` reached its deadline."""
        actions: list[Action]
        if name == "E":
            if self.timer_e is None:
                return []
            if self.state is TRYING:
                interval = self._interval_e * 2
                t2 = self.timers.t2
                self._interval_e = min(t2, interval)
            else:  # Proceeding
                self._interval_e = self.timers.t2
            self.timer_e = now + self._interval_e
            return [Send(self.data, self.destination), StartTimer("E", self.timer_e)]
        if name == "F":
            if self.timer_f is None:
                return []
            self.timer_f = None
            actions = []
            self._terminate(actions, Timeout("F"))
            return actions
        if name == "K":
            if self.timer_k is None:
                return []
            self.timer_k = None
            actions = []
            self._terminate(actions, None)
            return actions
        raise ValueError(f"a non-INVITE client transaction has no timer {name!r}")

    def transport_error(self, now: float) -> list[Action]:
        """The transport failed to send the request."""
        state = self.state
        if state is TRYING or state is PROCEEDING:
            actions: list[Action] = []
            self._terminate(actions, TRANSPORT_FAILURE)
            return actions
        return []



class ServerTransaction(Transaction):
    """Base of the server transactions; `key` is `server_key(request)` (§17.2.3).

    `request` is the request that created the transaction; `destination` is where its
    responses go (the driver works it out from the top Via and the source, §18.2.2).
    `last_response` holds the octets of the last response sent, for retransmission.
    `key` may be given when the caller has just computed `server_key(request)`.
    """

    __slots__ = ("last_response", "merge_key")
    is_client = False

    def _set(
        self, request: Request, destination: object, reliable: bool, timers: TimerSettings,
        key: ServerKey | None,
    ) -> None:
        self.context: Any = None
        self.request = request
        self.destination = destination
        self.reliable = reliable
        self.timers = timers
        self.started = False
        self.key = server_key(request) if key is None else key
        self.last_response: bytes | None = None
        self.merge_key: tuple[str | None, str, int, str] | None = None  # the table's


class InviteServerTransaction(ServerTransaction):
    """RFC 3261 fig. 7 as RFC 6026 fig. 5 corrects it.

    Proceeding: the INVITE goes to the TU; a 100 (Trying) is sent if the TU has sent
    nothing after `timers.trying`; INVITE retransmissions get the last provisional
    response again.  A 2xx from the TU goes to Accepted (timer L, 64*T1), where INVITE
    retransmissions are absorbed, ACKs go to the TU and the TU's 2xx retransmissions go
    out.  A 300-699 goes to Completed: timer G retransmits it (T1, doubling up to T2,
    unreliable only) and INVITE retransmissions get it again, until the ACK (Confirmed,
    then timer I: T4, zero on reliable transports) or timer H (64*T1, the TU is told).

    A transport error is passed to the TU and changes no state (RFC 6026 fig. 5).
    """

    __slots__ = (
        "_interval_g",
        "timer_g",
        "timer_h",
        "timer_i",
        "timer_l",
        "timer_trying",
        "to_tag",
    )
    _TIMER_SLOTS = (
        ("timer_g", _CANCEL_G), ("timer_h", _CANCEL_H), ("timer_i", _CANCEL_I),
        ("timer_l", _CANCEL_L), ("timer_trying", _CANCEL_TRYING),
    )

    def __init__(
        self,
        request: Request,
        destination: object,
        *,
        reliable: bool,
        timers: TimerSettings = DEFAULT_TIMERS,
        key: ServerKey | None = None,
    ) -> None:
        if request.method != "INVITE":
            raise ValueError(f"an INVITE server transaction takes an INVITE, not {request.method}")
        self._set(request, destination, reliable, timers, key)
        self.state = PROCEEDING
        self.timer_g: float | None = None
        self.timer_h: float | None = None
        self.timer_i: float | None = None
        self.timer_l: float | None = None
        self.timer_trying: float | None = None
        self.to_tag: str | None = None  # of the final response: RFC 2543 ACK matching
        self._interval_g = timers.t1

    def start(self, now: float) -> list[Action]:
        """The INVITE created the transaction: pass it to the TU, arrange the 100."""
        self._start()
        actions: list[Action] = []
        trying = self.timers.trying
        if trying == 0:
            self.last_response = _build.trying(self.request)
            actions.append(Send(self.last_response, self.destination))
        elif trying is not None:
            self.timer_trying = now + trying
            actions.append(StartTimer("Trying", self.timer_trying))
        actions.append(PassToTU(self.request))
        return actions

    def receive_request(self, request: Request, now: float) -> list[Action]:
        """A retransmission of the INVITE, or an ACK, matched this transaction."""
        state = self.state
        if request.method == "ACK":
            if state is COMPLETED:
                actions: list[Action] = []
                if self.timer_g is not None:
                    self.timer_g = None
                    actions.append(_CANCEL_G)
                self.timer_h = None
                actions.append(_CANCEL_H)
                self.state = CONFIRMED
                if self.reliable:
                    self._terminate(actions, None)
                else:
                    self.timer_i = now + self.timers.t4
                    actions.append(StartTimer("I", self.timer_i))
                return actions
            if state is ACCEPTED:
                return [PassToTU(request)]
            return []  # Confirmed absorbs ACK retransmissions
        if (state is PROCEEDING or state is COMPLETED) and self.last_response is not None:
            return [Send(self.last_response, self.destination)]
        return []  # Accepted (and Confirmed) absorb INVITE retransmissions

    def send_response(
        self, response: Response, data: bytes | None = None, *, now: float
    ) -> list[Action]:
        """The TU sends `response` (its octets `data`, by default `bytes(response)`).

        A response the state machine has no transition for (a 1xx after the final, a
        second non-2xx, anything after Terminated) is discarded: [] is returned.
        """
        status = response.status
        state = self.state
        if data is None:
            data = bytes(response)
        if state is PROCEEDING:
            actions: list[Action] = []
            if self.timer_trying is not None:
                self.timer_trying = None
                actions.append(_CANCEL_TRYING)
            self.last_response = data
            actions.append(Send(data, self.destination))
            if status < 200:
                return actions
            if len(self.key) != 3:
                self.to_tag = response.to.tag
            if status < 300:
                self.state = ACCEPTED
                self.timer_l = now + self.timers.t1x64
                actions.append(StartTimer("L", self.timer_l))
            else:
                self.state = COMPLETED
                if not self.reliable:
                    self.timer_g = now + self._interval_g
                    actions.append(StartTimer("G", self.timer_g))
                self.timer_h = now + self.timers.t1x64
                actions.append(StartTimer("H", self.timer_h))
            return actions
        if state is ACCEPTED and 200 <= status < 300:
            return [Send(data, self.destination)]  # the TU retransmits its 2xx
        return []

    def timer_fired(self, name: str, now: float) -> list[Action]:
        """Timer `name` reached its deadline."""
        actions: list[Action]
        if name == "G":
            if self.timer_g is None or self.last_response is None:
                return []
            interval = self._interval_g * 2
            t2 = self.timers.t2
            self._interval_g = min(t2, interval)
            self.timer_g = now + self._interval_g
            return [Send(self.last_response, self.destination), StartTimer("G", self.timer_g)]
        if name == "Trying":
            if self.timer_trying is None:
                return []
            self.timer_trying = None
            self.last_response = _build.trying(self.request)
            return [Send(self.last_response, self.destination)]
        inform: Action | None = None
        if name == "H":
            if self.timer_h is None:
                return []
            self.timer_h = None
            # the ACK never came: §17.2.1 has the TU told of a transaction failure
            inform = Timeout("H")
        elif name == "I":
            if self.timer_i is None:
                return []
            self.timer_i = None
        elif name == "L":
            if self.timer_l is None:
                return []
            self.timer_l = None
        else:
            raise ValueError(f"an INVITE server transaction has no timer {name!r}")
        actions = []
        self._terminate(actions, inform)
        return actions

    def transport_error(self, now: float) -> list[Action]:
        """The transport failed to send a response: the TU is told.

        RFC 6026 fig. 5 makes this a loop in Proceeding, Completed and Accepted (RFC 3261
        fig. 7 went to Terminated): the TU still answers, timer H or L still ends it.
        """
        state = self.state
        if state is PROCEEDING or state is COMPLETED or state is ACCEPTED:
            return [TRANSPORT_FAILURE]
        return []



class NonInviteServerTransaction(ServerTransaction):
    """RFC 3261 fig. 8.

    Trying: the request goes to the TU; retransmissions are absorbed.  A 1xx from the
    TU goes to Proceeding, where retransmissions get the last 1xx again.  A final
    response goes to Completed, where retransmissions get it again until timer J (64*T1;
    zero on reliable transports); later responses from the TU are discarded.
    """

    __slots__ = ("timer_j",)
    _TIMER_SLOTS = (("timer_j", _CANCEL_J),)

    def __init__(
        self,
        request: Request,
        destination: object,
        *,
        reliable: bool,
        timers: TimerSettings = DEFAULT_TIMERS,
        key: ServerKey | None = None,
    ) -> None:
        if request.method in ("INVITE", "ACK"):
            raise ValueError(f"a non-INVITE server transaction can't take {request.method}")
        self._set(request, destination, reliable, timers, key)
        self.state = TRYING
        self.timer_j: float | None = None

    def start(self, now: float) -> list[Action]:
        """The request created the transaction: pass it to the TU."""
        self._start()
        return [PassToTU(self.request)]

    def receive_request(self, request: Request, now: float) -> list[Action]:
        """A retransmission of the request matched this transaction."""
        state = self.state
        if (state is PROCEEDING or state is COMPLETED) and self.last_response is not None:
            return [Send(self.last_response, self.destination)]
        return []  # Trying absorbs it

    def send_response(
        self, response: Response, data: bytes | None = None, *, now: float
    ) -> list[Action]:
        """The TU sends `response` (its octets `data`, by default `bytes(response)`).

        In Completed (and Terminated) it is discarded: [] is returned (§17.2.2).
        """
        state = self.state
        if state is not TRYING and state is not PROCEEDING:
            return []
        if data is None:
            data = bytes(response)
        self.last_response = data
        if response.status < 200:
            self.state = PROCEEDING
            return [Send(data, self.destination)]
        self.state = COMPLETED
        actions: list[Action] = [Send(data, self.destination)]
        if self.reliable:
            self._terminate(actions, None)
        else:
            self.timer_j = now + self.timers.t1x64
            actions.append(StartTimer("J", self.timer_j))
        return actions

    def timer_fired(self, name: str, now: float) -> list[Action]:
        """Timer `name` reached its deadline."""
        if name != "J":
            raise ValueError(f"a non-INVITE server transaction has no timer {name!r}")
        if self.timer_j is None:
            return []
        self.timer_j = None
        actions: list[Action] = []
        self._terminate(actions, None)
        return actions

    def transport_error(self, now: float) -> list[Action]:
        """The transport failed to send a response."""
        state = self.state
        if state is PROCEEDING or state is COMPLETED:
            actions: list[Action] = []
            self._terminate(actions, TRANSPORT_FAILURE)
            return actions
        return []

