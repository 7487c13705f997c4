"""The transaction layer of RFC 3261 §17 with RFC 6026: sans-I/O state machines, and
their asyncio driver.

Four state machines (`InviteClientTransaction`, `NonInviteClientTransaction`,
`InviteServerTransaction`, `NonInviteServerTransaction`) take events with the time they
happen at and return actions (`Send`, `StartTimer`, `CancelTimer`, `PassToTU`,
`Timeout`, `TransportFailure`, `Terminated`).  `TransactionTable` matches messages to
transactions; `TimerHeap` runs the timers of all of them.  Whoever drives them owns the
clock, the sockets and the TU: `TransactionLayer` on asyncio and a `TransportLayer`, or
`sipfast.testing` on a fake network and a manual clock.
"""

from __future__ import annotations

from ._actions import (
    TERMINATED,
    TRANSPORT_FAILURE,
    Action,
    CancelTimer,
    PassToTU,
    Send,
    StartTimer,
    Terminated,
    Timeout,
    TransportFailure,
)
from ._fsm import (
    ClientTransaction,
    InviteClientTransaction,
    InviteServerTransaction,
    NonInviteClientTransaction,
    NonInviteServerTransaction,
    ServerTransaction,
    State,
    Transaction,
    is_reliable,
)
from ._layer import (
    ClientTransactionHandle,
    ServerTransactionHandle,
    TransactionLayer,
    TransactionUser,
    TUTimer,
)
from ._matching import MAGIC_COOKIE, client_key, merge_key, server_key
from ._table import TransactionTable
from ._timers import DEFAULT_TIMERS, TimerHeap, TimerSettings

__all__ = [
    "DEFAULT_TIMERS",
    "MAGIC_COOKIE",
    "TERMINATED",
    "TRANSPORT_FAILURE",
    "Action",
    "CancelTimer",
    "ClientTransaction",
    "ClientTransactionHandle",
    "InviteClientTransaction",
    "InviteServerTransaction",
    "NonInviteClientTransaction",
    "NonInviteServerTransaction",
    "PassToTU",
    "Send",
    "ServerTransaction",
    "ServerTransactionHandle",
    "StartTimer",
    "State",
    "TUTimer",
    "Terminated",
    "Timeout",
    "TimerHeap",
    "TimerSettings",
    "Transaction",
    "TransactionLayer",
    "TransactionTable",
    "TransactionUser",
    "TransportFailure",
    "client_key",
    "is_reliable",
    "merge_key",
    "server_key",
]
