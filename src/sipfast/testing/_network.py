"""A manual clock and an in-memory datagram network with seeded loss, duplication and
reordering, for driving transactions without sockets or an event loop."""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Hashable
from typing import NamedTuple, Protocol

__all__ = ["Datagram", "FakeNetwork", "Fate", "ManualClock", "Node"]


class ManualClock:
    """Time that moves only when told to (seconds, a float, from `start`)."""

    __slots__ = ("now",)

    def __init__(self, start: float = 0.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError(f"time does not go back ({seconds} s)")
        self.now += seconds
        return self.now

    def set(self, when: float) -> None:
        if when < self.now:
            raise ValueError(f"time does not go back (from {self.now} to {when})")
        self.now = when

    def __repr__(self) -> str:
        return f"ManualClock(now={self.now!r})"


class Node(Protocol):
    """What the network delivers to and drives the timers of (an `Endpoint`)."""

    def datagram_received(self, data: bytes, source: Hashable) -> None: ...
    def next_deadline(self) -> float | None: ...
    def fire_timers(self, now: float) -> None: ...


class Fate(NamedTuple):
    """What the network does with one datagram: lost, or delivered once per delay."""

    lost: bool
    delays: tuple[float, ...]


class Datagram(NamedTuple):
    """One send, as the network's log keeps it (`FakeNetwork(record=True)`)."""

    time: float
    source: Hashable
    destination: Hashable
    data: bytes
    fate: Fate


_TWO_64 = float(2**64)


class FakeNetwork:
    """Datagrams between attached nodes, delivered in time order by `run`.

    Each datagram is lost with probability `loss`; otherwise it arrives after
    `latency`, or `latency + reorder_delay` with probability `reorder` (later datagrams
    overtake it), and with probability `duplicate` a second copy arrives
    `duplicate_delay` after the first.  The draws for a datagram come from a hash of
    (seed, source, destination, its octets, how many times the same octets went the same
    way before), so a retransmission gets fresh draws, and what happens to one
    transaction's messages does not depend on what other transactions do: `fate()`
    tells it in advance.

    Sending to an address in `unreachable` fails at once (`send` returns False: the
    driver reports a transport error); sending to an address nobody attached is a loss.
    """

    def __init__(
        self,
        clock: ManualClock | None = None,
        *,
        seed: int = 0,
        loss: float = 0.0,
        duplicate: float = 0.0,
        reorder: float = 0.0,
        latency: float = 0.01,
        reorder_delay: float = 0.05,
        duplicate_delay: float = 0.02,
        record: bool = False,
    ) -> None:
        for name, p in (("loss", loss), ("duplicate", duplicate), ("reorder", reorder)):
            if not 0.0 <= p <= 1.0:
                raise ValueError(f"{name} must be a probability in [0, 1], not {p!r}")
        if latency < 0 or reorder_delay < 0 or duplicate_delay < 0:
            raise ValueError("delays must be >= 0")
        self.clock = clock if clock is not None else ManualClock()
        self.seed = seed
        self.loss = loss
        self.duplicate = duplicate
        self.reorder = reorder
        self.latency = latency
        self.reorder_delay = reorder_delay
        self.duplicate_delay = duplicate_delay
        self.unreachable: set[Hashable] = set()
        self.log: list[Datagram] | None = [] if record else None
        self.sent = 0
        self.delivered = 0
        self.lost = 0
        self._nodes: dict[Hashable, Node] = {}
        self._in_flight: list[tuple[float, int, Hashable, Hashable, bytes]] = []
        self._seq = 0
        self._occurrences: dict[tuple[Hashable, Hashable, bytes], int] = {}
        self._random = loss > 0 or duplicate > 0 or reorder > 0
        self._sure = Fate(False, (latency,))

    def attach(self, address: Hashable, node: Node) -> None:
        if address in self._nodes:
            raise ValueError(f"{address!r} is already attached")
        self._nodes[address] = node

    def detach(self, address: Hashable) -> None:
        del self._nodes[address]

    def fate(self, source: Hashable, destination: Hashable, data: bytes, occurrence: int) -> Fate:
        """What happens to the `occurrence`-th (from 0) send of `data` from source to
        destination."""
        if not self._random:
            return self._sure
        digest = hashlib.blake2b(
            repr((self.seed, source, destination, occurrence)).encode(), digest_size=24
        )
        digest.update(data)
        d = digest.digest()
        u_loss = int.from_bytes(d[0:8], "big") / _TWO_64
        u_reorder = int.from_bytes(d[8:16], "big") / _TWO_64
        u_duplicate = int.from_bytes(d[16:24], "big") / _TWO_64
        if u_loss < self.loss:
            return Fate(True, ())
        first = self.latency + (self.reorder_delay if u_reorder < self.reorder else 0.0)
        if u_duplicate < self.duplicate:
            return Fate(False, (first, first + self.duplicate_delay))
        return Fate(False, (first,))

    def send(self, data: bytes, source: Hashable, destination: Hashable) -> bool:
        """Put a datagram on the wire; False when the destination is unreachable."""
        if destination in self.unreachable:
            return False
        self.sent += 1
        if self._random:
            key = (source, destination, data)
            occurrence = self._occurrences.get(key, 0)
            self._occurrences[key] = occurrence + 1
            fate = self.fate(source, destination, data, occurrence)
        else:
            fate = self._sure
        now = self.clock.now
        if self.log is not None:
            self.log.append(Datagram(now, source, destination, data, fate))
        if fate.lost:
            self.lost += 1
            return True
        for delay in fate.delays:
            self._seq += 1
            heapq.heappush(self._in_flight, (now + delay, self._seq, destination, source, data))
        return True

    def next_event(self) -> float | None:
        """When the next datagram arrives or the next timer of a node fires."""
        soonest = self._in_flight[0][0] if self._in_flight else None
        for node in self._nodes.values():
            deadline = node.next_deadline()
            if deadline is not None and (soonest is None or deadline < soonest):
                soonest = deadline
        return soonest

    def run(self, until: float | None = None) -> None:
        """Deliver datagrams and fire timers in time order, moving the clock, until
        nothing is left to happen or the next thing is after `until` (then the clock
        stops at `until`).  At one instant datagrams are delivered before timers fire.
        """
        clock = self.clock
        in_flight = self._in_flight
        nodes = self._nodes
        while True:
            when = self.next_event()
            if when is None or (until is not None and when > until):
                break
            if when > clock.now:
                clock.now = when
            now = clock.now
            while in_flight and in_flight[0][0] <= now:
                _, _, destination, source, data = heapq.heappop(in_flight)
                node = nodes.get(destination)
                if node is None:
                    self.lost += 1
                    continue
                self.delivered += 1
                node.datagram_received(data, source)
            for node in list(nodes.values()):
                node.fire_timers(now)
        if until is not None and clock.now < until:
            clock.now = until

    @property
    def in_flight(self) -> int:
        """Datagrams sent and not yet delivered."""
        return len(self._in_flight)
