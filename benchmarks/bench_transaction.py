"""Transaction pairs per second in-process, and memory per live transaction.

Throughput: a client `Endpoint` and a server `Endpoint` of `sipfast.testing` on a
lossless `FakeNetwork` (no sockets, a manual clock).  One round starts PAIRS client
transactions at the same instant and runs the network until nothing is left: every
request parsed by both sides, matched, answered by the server's TU, the response parsed
and matched, and every timer (E, F, J, K; A, B, D, G, H, I, L, M) fired or cancelled and
every transaction terminated and out of its table.  Pairs per second = PAIRS / round time.

- non-INVITE: OPTIONS answered 200 at once, over UDP (timers E, F, K, J) and TCP.
- INVITE: answered 200 (Accepted on both sides, then the UAC TU's ACK, a request of its
  own) or 486 (the client transaction's ACK, Completed / Confirmed).

The requests and responses are written before the round; each side parses what it
gets, and the server's TU parses the response it hands over (standing in for the
message builder, which does not exist yet).  The issue's target: >= 50 000 non-INVITE
pairs per second (Cython twin).

Memory: tracemalloc growth per live transaction with its timers running, in a table
and a TimerHeap, beyond its parsed request (counted apart) and the request's octets:
the target is <= 2 KiB.  Both are printed by ``python -m benchmarks.bench_transaction``.
"""

from __future__ import annotations

import gc
import json
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest

import sipfast.message as sm
from sipfast.testing import Endpoint, FakeNetwork
from sipfast.transaction import (
    InviteClientTransaction,
    InviteServerTransaction,
    NonInviteClientTransaction,
    NonInviteServerTransaction,
    StartTimer,
    TimerHeap,
    TransactionTable,
)

PAIRS = 1000
UAC, UAS = ("192.0.2.1", 5060), ("192.0.2.2", 5060)
TARGET_PAIRS_PER_SECOND = 50_000
TARGET_BYTES_PER_TRANSACTION = 2048


def _request(
    method: str, i: int, transport: str, to_tag: str | None = None, call_id: str | None = None
) -> bytes:
    if call_id is None:
        call_id = f"{i:07d}-{method}@192.0.2.1"
    return (
        f"{method} sip:bob@192.0.2.2 SIP/2.0\r\n"
        f"Via: SIP/2.0/{transport} 192.0.2.1:5060;branch=z9hG4bK-{i:07d}-{method[:3]}\r\n"
        "Max-Forwards: 70\r\n"
        f"To: Bob <sip:bob@example.com>{';tag=' + to_tag if to_tag else ''}\r\n"
        f"From: Alice <sip:alice@example.com>;tag=a{i:07d}\r\n"
        f"Call-ID: {call_id}\r\n"
        f"CSeq: 1 {method}\r\n"
        "Contact: <sip:alice@192.0.2.1:5060>\r\n"
        "Content-Length: 0\r\n\r\n"
    ).encode()


def _response(request: bytes, status: int, reason: str) -> bytes:
    head, _ = request.split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    keep = [line for line in lines[1:] if line.split(b":", 1)[0] in
            (b"Via", b"From", b"To", b"Call-ID", b"CSeq")]
    keep = [line + b";tag=b1" if line.startswith(b"To:") else line for line in keep]
    return b"\r\n".join([b"SIP/2.0 %d %s" % (status, reason.encode()), *keep,
                         b"Content-Length: 0", b"", b""])


class Answering(Endpoint):
    """A server TU that answers every new request with its prepared response."""

    answers: dict[str, bytes]

    def request_received(self, transaction: Any, request: Any) -> None:
        self.send_response(transaction, self.answers[request.call_id])


class Acknowledging(Endpoint):
    """A client TU that sends the ACK for a 2xx to an INVITE (outside the transaction)."""

    acks: dict[str, bytes]

    def response_received(self, transaction: Any, response: Any) -> None:
        if transaction.method == "INVITE" and 200 <= response.status < 300:
            self.send_stateless(self.acks[response.call_id], UAS)


def prepare(method: str, answer: int, transport: str, n: int = PAIRS) -> dict[str, Any]:
    reason = {200: "OK", 486: "Busy Here"}[answer]
    requests = [_request(method, i, transport) for i in range(n)]
    answers = {}
    acks = {}
    for i, data in enumerate(requests):
        call_id = f"{i:07d}-{method}@192.0.2.1"
        answers[call_id] = _response(data, answer, reason)
        acks[call_id] = _request("ACK", i, transport, to_tag="b1", call_id=call_id)
    return {"requests": requests, "answers": answers, "acks": acks,
            "reliable": transport != "UDP"}


def one_round(prepared: dict[str, Any], parse: Callable[[bytes], Any]) -> tuple[Any, ...]:
    """Run PAIRS pairs to the end; returns the endpoints for checking."""
    network = FakeNetwork()
    reliable = prepared["reliable"]
    uac = Acknowledging(network, UAC, reliable=reliable, parse=parse)
    uas = Answering(network, UAS, reliable=reliable, parse=parse)
    uac.acks = prepared["acks"]
    uas.answers = prepared["answers"]
    send = uac.send_request
    for data in prepared["requests"]:
        send(data, UAS)
    network.run()
    return network, uac, uas


def check(network: FakeNetwork, uac: Endpoint, uas: Endpoint) -> None:
    assert len(uac.table) == len(uas.table) == 0
    assert len(uac.timer_heap) == len(uas.timer_heap) == 0
    assert network.in_flight == 0
    assert uas.malformed == 0


TWINS = {"c": sm.parse_c, "py": sm.parse_py}
CASES = {
    "non-INVITE UDP": ("OPTIONS", 200, "UDP"),
    "non-INVITE TCP": ("OPTIONS", 200, "TCP"),
    "INVITE 200 UDP": ("INVITE", 200, "UDP"),
    "INVITE 486 UDP": ("INVITE", 486, "UDP"),
}


@pytest.fixture(params=list(TWINS))
def twin(request: pytest.FixtureRequest) -> Callable[[bytes], Any]:
    parse = TWINS[request.param]
    if parse is None:
        pytest.skip("Cython twin not built")
    return parse


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.benchmark(group="transaction pairs (round of 1000)")
def test_transaction_pairs(benchmark: Any, twin: Callable[[bytes], Any], case: str) -> None:
    prepared = prepare(*CASES[case])
    benchmark.extra_info["pairs_per_round"] = PAIRS
    result = benchmark.pedantic(one_round, args=(prepared, twin), rounds=10, warmup_rounds=1)
    check(*result)


# --- memory ----------------------------------------------------------------------------------

KINDS = ("INVITE server", "non-INVITE server", "INVITE client", "non-INVITE client")


def measure_memory(parse: Callable[[bytes], Any], kind: str, n: int = 10_000) -> dict[str, float]:
    """Bytes per live transaction (timers running, in a table and a heap), and per
    parsed request, by tracemalloc; the request's octets are made beforehand."""
    method = "INVITE" if kind.startswith("INVITE") else "OPTIONS"
    datas = [_request(method, i, "UDP") for i in range(n)]
    destination = ("udp", "192.0.2.1", 5060)
    table, heap, keep = TransactionTable(), TimerHeap(), []
    gc.collect()
    tracemalloc.start()
    try:
        t0 = tracemalloc.get_traced_memory()[0]
        messages = [parse(data) for data in datas]
        t1 = tracemalloc.get_traced_memory()[0]
        for message, data in zip(messages, datas, strict=True):
            tx: Any
            if kind == "INVITE server":
                tx = InviteServerTransaction(message, destination, reliable=False)
            elif kind == "non-INVITE server":
                tx = NonInviteServerTransaction(message, destination, reliable=False)
            elif kind == "INVITE client":
                tx = InviteClientTransaction(message, data, destination, reliable=False)
            else:
                tx = NonInviteClientTransaction(message, data, destination, reliable=False)
            table.add(tx)
            for action in tx.start(0.0):
                if isinstance(action, StartTimer):
                    heap.schedule(action.deadline, tx, action.name)
            keep.append(tx)
        t2 = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert len(table) == n
    return {"transaction": (t2 - t1) / n, "parsed request": (t1 - t0) / n,
            "request octets": sum(map(len, datas)) / n}


@pytest.mark.parametrize("kind", KINDS)
def test_memory_per_live_transaction(twin: Callable[[bytes], Any], kind: str,
                                     record_property: Any) -> None:
    result = measure_memory(twin, kind, 2000)
    name = "sipfast-cython" if twin is TWINS["c"] else "sipfast-python"
    record_property("retained memory", f"{name} per live {kind} transaction: " + ", ".join(
        f"{key} {value:.0f} B" for key, value in result.items()))
    assert result["transaction"] <= TARGET_BYTES_PER_TRANSACTION, result


def main() -> None:
    rounds = int(sys.argv[1]) if sys.argv[1:] else 20
    for twin_name, parse in TWINS.items():
        if parse is None:
            continue
        for case, args in CASES.items():
            prepared = prepare(*args)
            one_round(prepared, parse)  # warm-up
            times = []
            for _ in range(rounds if twin_name == "c" else max(2, rounds // 10)):
                start = time.perf_counter()
                result = one_round(prepared, parse)
                times.append(time.perf_counter() - start)
                check(*result)
            times.sort()
            median = times[len(times) // 2]
            print(f"{twin_name:2} {case:16} {PAIRS / median:9.0f} pairs/s (median of "
                  f"{len(times)}; best {PAIRS / times[0]:.0f})")
        for kind in KINDS:
            print(f"{twin_name:2} {kind:18} memory", json.dumps(
                {k: round(v) for k, v in measure_memory(parse, kind).items()}))


if __name__ == "__main__":
    main()
