"""Event-loop lag with 100 000 live INVITE server transactions whose timers run.

A real `TransactionLayer` on a real UDP socket (loopback): LIVE INVITEs are handed to it
as the transport would (in batches of 1 000 per loop iteration, each parsed), and its TU
answers every one at once, so each transaction sits in a state with running timers:

- ``accepted``: 200 OK, Accepted with timer L (64*T1) running;
- ``completed``: 486 Busy Here, Completed with timers G (retransmitting the 486 at T1,
  2*T1, 4*T1, then every T2, over UDP) and H (64*T1) running.  Each retransmission
  is a real ``sendto`` to a loopback port nobody reads.

Then a probe coroutine sleeps 10 ms at a time for WINDOW seconds and records how late it
wakes: that is the lag every other callback would see.  The issue's target: under 50 ms
with 100 000 live transactions.  Run ``python -m benchmarks.bench_loop_lag`` for the
numbers on both loops; under ``pytest --benchmark-disable`` it runs with 2 000.

It also prints the memory per live server transaction on the asyncio layer (tracemalloc,
beyond the parsed request): the target is <= 2 KiB.
"""

from __future__ import annotations

import asyncio
import gc
import json
import socket
import sys
import time
import tracemalloc
from typing import Any

import pytest

import sipfast.message as sm
from sipfast.transaction import State, TimerSettings, TransactionLayer, TransactionUser
from sipfast.transport import TransportLayer

LIVE = 100_000
TARGET_LAG = 0.050
TARGET_BYTES = 2048
TICK = 0.010
WINDOW = 5.0  # seconds: timer G fires at 0.5, 1.5, 3.5 and 7.5 s after the 486


def _invite(i: int) -> bytes:
    return (
        f"INVITE sip:bob@127.0.0.1 SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-lag-{i}\r\n"
        "Max-Forwards: 70\r\n"
        "From: <sip:alice@127.0.0.1>;tag=a\r\n"
        "To: <sip:bob@127.0.0.1>\r\n"
        f"Call-ID: lag-{i}@127.0.0.1\r\n"
        "CSeq: 1 INVITE\r\n"
        "Content-Length: 0\r\n\r\n"
    ).encode()


class _Answer(TransactionUser):
    def __init__(self, status: int) -> None:
        self.status = status

    def request_received(self, transaction: Any) -> None:
        transaction.respond(self.status)


async def measure(state: str, live: int, window: float, core: Any = sm) -> dict[str, Any]:
    status = {"accepted": 200, "completed": 486}[state]
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(("127.0.0.1", 0))  # never read: retransmissions land here (or are dropped)
    sink_port = sink.getsockname()[1]
    transport = TransportLayer(core=core)
    layer = TransactionLayer(transport, _Answer(status), timers=TimerSettings(trying=None))
    await transport.listen("udp:127.0.0.1:0")
    flow = transport.listeners[0]
    source = type(flow.local)("UDP", "127.0.0.1", sink_port)
    parse = core.parse
    loop = asyncio.get_running_loop()
    gc.collect()
    started = loop.time()
    for first in range(0, live, 1000):
        for i in range(first, min(first + 1000, live)):
            transport._message_received(parse(_invite(i)), source, flow)
        await asyncio.sleep(0)
    fed = loop.time() - started
    expected = {"accepted": State.ACCEPTED, "completed": State.COMPLETED}[state]
    alive = sum(1 for tx in layer.table if tx.state is expected)
    timers = len(layer.heap)
    lags = []
    end = loop.time() + window
    while loop.time() < end:
        before = loop.time()
        await asyncio.sleep(TICK)
        lags.append(loop.time() - before - TICK)
    lags.sort()
    result = {
        "state": state,
        "loop": type(loop).__module__.split(".")[0],
        "live": live,
        "in_state": alive,
        "running_timers": timers,
        "feed_seconds": round(fed, 3),
        "lag_max_ms": round(lags[-1] * 1000, 2),
        "lag_p99_ms": round(lags[int(len(lags) * 0.99)] * 1000, 2),
        "lag_median_ms": round(lags[len(lags) // 2] * 1000, 2),
    }
    await layer.close()
    sink.close()
    return result


async def memory(state: str, live: int, core: Any = sm) -> float:
    """tracemalloc growth per live server transaction on the asyncio layer (the FSM,
    its handle, table and timer entries, the response octets kept for retransmission),
    beyond its parsed request with the accessors matching reads already read."""
    status = {"accepted": 200, "completed": 486}[state]
    transport = TransportLayer(core=core)
    layer = TransactionLayer(transport, _Answer(status), timers=TimerSettings(trying=None))
    await transport.listen("udp:127.0.0.1:0")
    flow = transport.listeners[0]
    source = type(flow.local)("UDP", "127.0.0.1", 9)
    requests = [core.parse(_invite(i)) for i in range(live)]
    for r in requests:
        _ = (r.to.tag, r.from_.tag, r.cseq.seq, r.call_id, r.top_via.branch, r.top_via.sent_by)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for r in requests:
        transport._message_received(r, source, flow)
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert len(layer) == live
    await layer.close()
    return grown / live


def _run(state: str, live: int, window: float, loop_name: str) -> dict[str, Any]:
    factory = None
    if loop_name == "uvloop":
        import uvloop

        factory = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(measure(state, live, window))


@pytest.mark.parametrize("state", ["accepted", "completed"])
def test_loop_lag(benchmark: Any, state: str) -> None:
    live, window = (LIVE, WINDOW) if not benchmark.disabled else (2000, 0.6)
    result = benchmark.pedantic(_run, (state, live, window, "asyncio"), rounds=1, iterations=1)
    benchmark.extra_info.update(result)
    assert result["in_state"] == live  # every transaction is live, in the state asked for
    assert result["running_timers"] >= live


@pytest.mark.parametrize("state", ["accepted", "completed"])
def test_memory_per_live_transaction(state: str) -> None:
    per = asyncio.run(memory(state, 2000))
    assert 0 < per <= TARGET_BYTES


def main() -> None:
    loops = ["asyncio"]
    try:
        import uvloop  # noqa: F401

        loops.append("uvloop")
    except ImportError:
        pass
    live = int(sys.argv[1]) if len(sys.argv) > 1 else LIVE
    for loop_name in loops:
        for state in ("accepted", "completed"):
            t = time.perf_counter()
            result = _run(state, live, WINDOW, loop_name)
            result["wall_seconds"] = round(time.perf_counter() - t, 1)
            result["target_met"] = result["lag_max_ms"] < TARGET_LAG * 1000
            print(json.dumps(result), flush=True)
    for state in ("accepted", "completed"):
        per = asyncio.run(memory(state, 20_000))
        print(json.dumps({"state": state, "bytes_per_live_transaction": round(per)}))


if __name__ == "__main__":
    main()
