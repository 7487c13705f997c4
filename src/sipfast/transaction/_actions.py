"""What a transaction asks of whoever drives it, in the RFC's words.

Every event method of a transaction returns a list of these, in the order they must be
carried out: timers are cancelled, octets handed to the transport and timers started
before anything is passed to the TU, and `Terminated` comes last.  So a TU that answers
synchronously from inside `PassToTU` finds the transaction's timers already in place.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "TERMINATED",
    "TRANSPORT_FAILURE",
    "Action",
    "CancelTimer",
    "PassToTU",
    "Send",
    "StartTimer",
    "Terminated",
    "Timeout",
    "TransportFailure",
]


class Action:
    """Base of the actions; equal when of the same class with equal fields."""

    __slots__ = ()
    __match_args__: tuple[str, ...] = ()

    def _fields(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__match_args__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Action)
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash((self.__class__, self._fields()))

    def __repr__(self) -> str:
        args = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__match_args__)
        return f"{self.__class__.__name__}({args})"


class Send(Action):
    """Pass `data` to the transport layer for `destination` (§17: "pass to the transport")."""

    __slots__ = ("data", "destination")
    __match_args__ = ("data", "destination")

    def __init__(self, data: bytes, destination: object) -> None:
        self.data = data
        self.destination = destination


class StartTimer(Action):
    """Start timer `name` ("A" ... "M", or "Trying") to fire at `deadline`.

    A timer of the same name that is still running is replaced.
    """

    __slots__ = ("deadline", "name")
    __match_args__ = ("name", "deadline")

    def __init__(self, name: str, deadline: float) -> None:
        self.name = name
        self.deadline = deadline


class CancelTimer(Action):
    """Timer `name` is no longer wanted."""

    __slots__ = ("name",)
    __match_args__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


class PassToTU(Action):
    """Pass `message` (a request or a response) up to the transaction user."""

    __slots__ = ("message",)
    __match_args__ = ("message",)

    def __init__(self, message: Any) -> None:
        self.message = message


class Timeout(Action):
    """Inform the TU that a timeout has occurred: timer B, F or H fired."""

    __slots__ = ("timer",)
    __match_args__ = ("timer",)

    def __init__(self, timer: str) -> None:
        self.timer = timer


class TransportFailure(Action):
    """Inform the TU that the transport failed to send (§17.1.4, §17.2.4)."""

    __slots__ = ()


class Terminated(Action):
    """The transaction is over: remove it from the table (its timers were cancelled)."""

    __slots__ = ()


TERMINATED = Terminated()
TRANSPORT_FAILURE = TransportFailure()
