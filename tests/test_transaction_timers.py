"""TimerSettings and the TimerHeap that runs every transaction's timers."""

from __future__ import annotations

import random

import pytest

from sipfast.transaction import DEFAULT_TIMERS, TimerHeap, TimerSettings


def test_default_timer_settings() -> None:
    t = DEFAULT_TIMERS
    assert (t.t1, t.t2, t.t4, t.d, t.trying, t.t1x64) == (0.5, 4.0, 5.0, 32.0, 0.2, 32.0)
    assert TimerSettings() == t
    assert hash(TimerSettings()) == hash(t)
    assert repr(t) == "TimerSettings(t1=0.5, t2=4.0, t4=5.0, d=32.0, trying=0.2)"


def test_timer_settings_derived_values() -> None:
    assert TimerSettings(t1=1.0, t2=8.0).d == 64.0  # never shorter than timer H
    assert TimerSettings(t1=0.1).d == 32.0
    assert TimerSettings(d=40.0).d == 40.0
    assert TimerSettings(t1=0.25).t1x64 == 16.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"t1": 0}, "t1"),
        ({"t1": -1}, "t1"),
        ({"t2": 0.1}, "t2"),
        ({"t4": 0}, "t4"),
        ({"t1": True}, "t1"),
        ({"d": -1}, "d must"),
        ({"trying": -0.1}, "trying"),
    ],
)
def test_timer_settings_refuse_nonsense(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        TimerSettings(**kwargs)  # type: ignore[arg-type]


class Owner:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


def test_pop_due_in_deadline_order_ties_by_schedule_order() -> None:
    heap = TimerHeap()
    a, b, c = Owner("a"), Owner("b"), Owner("c")
    heap.schedule(2.0, a, "F")
    heap.schedule(1.0, b, "E")
    heap.schedule(2.0, c, "J")
    heap.schedule(2.0, a, "E")
    heap.schedule(3.0, b, "F")
    assert len(heap) == 5
    assert heap.next_deadline() == 1.0
    assert list(heap.pop_due(0.99)) == []
    assert list(heap.pop_due(2.0)) == [(b, "E"), (a, "F"), (c, "J"), (a, "E")]
    assert heap.next_deadline() == 3.0
    assert len(heap) == 1
    assert heap.deadline(b, "F") == 3.0
    assert heap.deadline(b, "E") is None


def test_schedule_replaces_a_running_timer_of_the_same_name() -> None:
    heap = TimerHeap()
    a = Owner("a")
    heap.schedule(1.0, a, "A")
    heap.schedule(3.0, a, "A")
    assert len(heap) == 1
    assert heap.next_deadline() == 3.0
    assert list(heap.pop_due(2.0)) == []
    assert list(heap.pop_due(3.0)) == [(a, "A")]


def test_cancel() -> None:
    heap = TimerHeap()
    a, b = Owner("a"), Owner("b")
    heap.schedule(1.0, a, "A")
    heap.schedule(1.0, b, "A")
    assert heap.cancel(a, "A") is True
    assert heap.cancel(a, "A") is False
    assert heap.cancel(a, "B") is False
    assert heap.next_deadline() == 1.0
    assert list(heap.pop_due(5.0)) == [(b, "A")]
    assert heap.next_deadline() is None
    assert len(heap) == 0


def test_cancel_and_schedule_while_popping_are_honoured() -> None:
    heap = TimerHeap()
    a, b, c = Owner("a"), Owner("b"), Owner("c")
    heap.schedule(1.0, a, "F")
    heap.schedule(1.0, b, "E")
    heap.schedule(2.0, c, "K")
    fired = []
    for owner, name in heap.pop_due(2.0):
        fired.append((owner, name))
        if (owner, name) == (a, "F"):
            heap.cancel(b, "E")  # e.g. a termination cancelling a timer also due
            heap.schedule(1.5, a, "X")  # due already: fires in this same pass
    assert fired == [(a, "F"), (a, "X"), (c, "K")]


def test_compaction_keeps_memory_proportional_to_running_timers() -> None:
    heap = TimerHeap()
    owners = [Owner(str(i)) for i in range(10000)]
    for i, owner in enumerate(owners):
        heap.schedule(float(i), owner, "F")
    for owner in owners[:9900]:
        heap.cancel(owner, "F")
    assert len(heap) == 100
    assert len(heap._heap) <= 2 * len(heap) + 65
    assert [o for o, _ in heap.pop_due(1e9)] == owners[9900:]


def test_a_hundred_thousand_transactions() -> None:
    rng = random.Random(7)
    heap = TimerHeap()
    owners = [Owner(str(i)) for i in range(100_000)]
    for owner in owners:
        heap.schedule(rng.uniform(0, 32), owner, "B")
        heap.schedule(rng.uniform(0, 4), owner, "A")
    assert len(heap) == 200_000
    last = -1.0
    count = 0
    now = 0.0
    while (deadline := heap.next_deadline()) is not None:
        now = deadline
        for owner, name in heap.pop_due(now):
            assert heap.deadline(owner, name) is None
            count += 1
        assert now >= last
        last = now
    assert count == 200_000
    assert len(heap) == 0


def test_against_a_reference_model() -> None:
    rng = random.Random(2024)
    heap = TimerHeap()
    model: dict[tuple[Owner, str], tuple[float, int]] = {}
    owners = [Owner(str(i)) for i in range(50)]
    seq = 0
    now = 0.0
    for _ in range(20000):
        op = rng.random()
        owner, name = rng.choice(owners), rng.choice("ABDEF")
        if op < 0.5:
            deadline = now + rng.choice([0.0, 0.5, 1.0, rng.uniform(0, 10)])
            seq += 1
            heap.schedule(deadline, owner, name)
            model[(owner, name)] = (deadline, seq)
        elif op < 0.8:
            assert heap.cancel(owner, name) == ((owner, name) in model)
            model.pop((owner, name), None)
        else:
            now += rng.uniform(0, 2)
            expected = sorted(
                (v, k) for k, v in model.items() if v[0] <= now
            )
            got = list(heap.pop_due(now))
            assert got == [k for _, k in expected]
            for k in got:
                del model[k]
        assert len(heap) == len(model)
        soonest = min((v[0] for v in model.values()), default=None)
        assert heap.next_deadline() == soonest


def test_compaction_while_popping() -> None:
    heap = TimerHeap()
    owners = [Owner(str(i)) for i in range(300)]
    for i, owner in enumerate(owners):
        heap.schedule(float(i), owner, "A")
    fired = []
    for owner, _ in heap.pop_due(1000.0):
        fired.append(owner)
        if owner is owners[0]:
            for other in owners[1:200]:  # enough dead entries to rebuild the heap
                heap.cancel(other, "A")
            assert len(heap._heap) < 200  # rebuilt under the running iteration
    assert fired == [owners[0], *owners[200:]]
    assert len(heap) == 0
    assert heap.next_deadline() is None
