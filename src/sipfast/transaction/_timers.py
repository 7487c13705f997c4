"""RFC 3261 timer values (§17.1.1.1, table 4) and one timer structure for all transactions.

Timers are data: a transaction asks for "timer E at 1.5" with a `StartTimer` action and
is told "timer E fired" by a call; nothing here calls back into an event loop.  The
`TimerHeap` holds every running timer of every transaction, so the asyncio glue needs one
loop timer (for `next_deadline()`), not one handle per retransmission.
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Iterator
from typing import Any

__all__ = ["DEFAULT_TIMERS", "TimerHeap", "TimerSettings"]


class TimerSettings:
    """T1, T2, T4 and the values derived from them, in seconds.

    t1: RTT estimate (500 ms).  t2: the longest interval between retransmissions of a
    non-INVITE request or an INVITE response (4 s).  t4: how long a message may stay in
    the network (5 s).  d: timer D on unreliable transports, "at least 32 seconds"
    (§17.1.1.2); by default max(32 s, 64*T1), so that it never ends before the server's
    timer H.  trying: how long an INVITE server transaction waits for the TU's first
    response before it sends a 100 (Trying) itself (§17.2.1's 200 ms); 0 sends it at
    once, None never (for a TU that always answers within 200 ms).  t1x64 is 64*T1:
    timers B, F, H, L, M, and J on unreliable transports.
    """

    __slots__ = ("d", "t1", "t1x64", "t2", "t4", "trying")

    def __init__(
        self,
        t1: float = 0.5,
        t2: float = 4.0,
        t4: float = 5.0,
        d: float | None = None,
        trying: float | None = 0.2,
    ) -> None:
        for name, value in (("t1", t1), ("t2", t2), ("t4", t4)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ValueError(f"{name} must be a positive number of seconds, not {value!r}")
        if t2 < t1:
            raise ValueError(f"t2 ({t2}) must not be less than t1 ({t1})")
        if d is not None and not d >= 0:
            raise ValueError(f"d must be a number of seconds >= 0, not {d!r}")
        if trying is not None and not trying >= 0:
            raise ValueError(f"trying must be None or a number of seconds >= 0, not {trying!r}")
        self.t1 = t1
        self.t2 = t2
        self.t4 = t4
        self.d: float = max(32.0, 64 * t1) if d is None else d
        self.trying = trying
        self.t1x64 = 64 * t1

    def __repr__(self) -> str:
        return (
            f"TimerSettings(t1={self.t1!r}, t2={self.t2!r}, t4={self.t4!r}, d={self.d!r}, "
            f"trying={self.trying!r})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TimerSettings):
            return NotImplemented
        return (self.t1, self.t2, self.t4, self.d, self.trying) == (
            other.t1, other.t2, other.t4, other.d, other.trying
        )

    def __hash__(self) -> int:
        return hash((self.t1, self.t2, self.t4, self.d, self.trying))


DEFAULT_TIMERS = TimerSettings()


class TimerHeap:
    """Running timers of many owners, each named, ordered by deadline.

    An owner (a transaction) has at most one running timer of each name: scheduling
    (owner, name) again replaces it.  `cancel` is O(1): it marks the entry dead and the
    heap is rebuilt without dead entries when they outnumber the live ones, so memory
    stays proportional to the running timers.  Timers due at the same instant fire in
    the order they were scheduled.
    """

    __slots__ = ("_dead", "_entries", "_heap", "_seq")

    def __init__(self) -> None:
        # heap items are [deadline, seq, (owner, name)]; the key None marks a cancelled
        # one.  The key tuple is made once and is what pop_due yields.
        self._heap: list[list[Any]] = []
        self._entries: dict[tuple[Hashable, str], list[Any]] = {}
        self._seq = 0
        self._dead = 0

    def schedule(self, deadline: float, owner: Hashable, name: str) -> None:
        key = (owner, name)
        entries = self._entries
        old = entries.get(key)
        if old is not None:
            old[2] = None
            self._dead += 1
        self._seq = seq = self._seq + 1
        entries[key] = entry = [deadline, seq, key]
        heapq.heappush(self._heap, entry)
        if self._dead > 64 and self._dead * 2 > len(self._heap):
            self._compact()

    def cancel(self, owner: Hashable, name: str) -> bool:
        """Stop a running timer; False when (owner, name) is not running."""
        entry = self._entries.pop((owner, name), None)
        if entry is None:
            return False
        entry[2] = None
        self._dead = dead = self._dead + 1
        if dead > 64 and dead * 2 > len(self._heap):
            self._compact()
        return True

    def deadline(self, owner: Hashable, name: str) -> float | None:
        """When (owner, name) fires, or None when it is not running."""
        entry = self._entries.get((owner, name))
        return None if entry is None else entry[0]

    def pop_due(self, now: float) -> Iterator[tuple[Hashable, str]]:
        """Yield (owner, name) of each timer due at `now`, earliest first, removing it.

        Entries are taken one at a time, so a timer cancelled (or one scheduled for
        `now` or earlier) while the caller handles an earlier one is honoured.
        """
        entries = self._entries
        while self._heap:  # not a local: a cancel may compact (replace) the list
            heap = self._heap
            entry = heap[0]
            if entry[2] is None:
                heapq.heappop(heap)
                self._dead -= 1
                continue
            if entry[0] > now:
                return
            heapq.heappop(heap)
            key = entry[2]
            del entries[key]
            yield key

    def next_deadline(self) -> float | None:
        """The earliest deadline of a running timer, None when there is none."""
        heap = self._heap
        while heap and heap[0][2] is None:
            heapq.heappop(heap)
            self._dead -= 1
        return heap[0][0] if heap else None

    def __len__(self) -> int:
        """Running timers."""
        return len(self._entries)

    def _compact(self) -> None:
        self._heap = [entry for entry in self._heap if entry[2] is not None]
        heapq.heapify(self._heap)
        self._dead = 0
