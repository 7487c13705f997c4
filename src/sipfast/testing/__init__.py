"""Fakes for testing SIP code without sockets or an event loop.

`ManualClock` is time that moves only when told to.  `FakeNetwork` carries datagrams
between attached nodes with seeded loss, duplication and reordering and, in `run`,
delivers them and fires the nodes' timers in time order, moving the clock.  `Endpoint`
is such a node: the transaction layer (table, timer heap, the four state machines)
with the TU as methods to override.
"""

from __future__ import annotations

from ._endpoint import Endpoint, TUTimer
from ._network import Datagram, FakeNetwork, Fate, ManualClock, Node

__all__ = ["Datagram", "Endpoint", "FakeNetwork", "Fate", "ManualClock", "Node", "TUTimer"]
