"""Retained memory per parsed INVITE beyond its own bytes, for both sipfast twins.

N distinct copies of the INVITE are made first; then each is parsed and every message kept
alive.  Two counts, per message:

* ``traced``: what tracemalloc saw the heap grow by (bytes requested through Python's
  allocators);
* ``heap``: the growth of glibc's in-use bytes (mallinfo2) in a child process run with
  PYTHONMALLOC=malloc, so that every allocation, plain C malloc included, goes through
  glibc.  ``untraced`` is ``heap`` minus what glibc would charge for the traced blocks
  (their sizes rounded up to malloc chunks): memory tracemalloc cannot see.

Both are taken right after parsing and again after reading the bench_parse (b) fields,
which the twins cache.  The issue's target, asserted for the Cython twin: traced +
untraced right after parsing <= 1 KiB.  Run alone: ``python -m benchmarks.bench_memory``.
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
import subprocess
import sys
import tracemalloc

import pytest

from benchmarks import compare
from benchmarks.corpus import CORPUS

N = 10_000
N_TEST = 500  # per-message figures within ~1% of N's; tracemalloc makes parsing slow
TWINS = ("sipfast-cython", "sipfast-python")
TARGET = 1024  # bytes per INVITE, Cython twin


def read(msg) -> tuple:
    """The (b) fields of bench_parse.py, through the accessors (which cache)."""
    cseq = msg.cseq
    return (msg.method, msg.uri, msg.top_via.branch, msg.from_.tag, msg.to.tag,
            msg.call_id, cseq.seq, cseq.method)


def _chunk(size: int) -> int:
    """Bytes glibc malloc (64-bit) takes for a request of `size`."""
    return max(32, (size + 8 + 15) & ~15)


def _prepare(parse, n: int) -> tuple[list[bytes], list]:
    """N distinct copies of the INVITE and a list to keep the messages, made beforehand."""
    datas = [bytes(bytearray(CORPUS["invite"])) for _ in range(n)]
    read(parse(datas[0]))  # first-use caches, if any, are not the messages' cost
    gc.collect()
    return datas, [None] * n


def _grow(parse, datas: list[bytes], msgs: list, usage) -> tuple:
    """Parse and keep every message; `usage()` before, after parsing, after reading."""
    before = usage()
    for i, data in enumerate(datas):
        msgs[i] = parse(data)
    parsed = usage()
    for msg in msgs:
        read(msg)
    return before, parsed, usage()


def _traced() -> tuple[int, int]:
    """Bytes traced, and what glibc would charge for the same blocks."""
    size = tracemalloc.get_traced_memory()[0]
    return size, sum(_chunk(trace.size) for trace in tracemalloc.take_snapshot().traces)


def measure_traced(parse, n: int = N) -> tuple[dict[str, float], dict[str, float]]:
    """Traced growth per message; and as glibc chunks (for measure_all's cross-check)."""
    datas, msgs = _prepare(parse, n)
    tracemalloc.start()
    try:
        (t0, c0), (t1, c1), (t2, c2) = _grow(parse, datas, msgs, _traced)
    finally:
        tracemalloc.stop()
    return ({"traced": (t1 - t0) / n, "traced_after_read": (t2 - t0) / n},
            {"heap": (c1 - c0) / n, "heap_after_read": (c2 - c0) / n})


class _Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
        "uordblks", "fordblks", "keepcost")]


def _heap_in_use() -> int:
    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype = _Mallinfo2
    info = libc.mallinfo2()
    return info.uordblks + info.hblkhd


def measure_heap(parse, n: int = N) -> dict[str, float]:
    """Only meaningful with PYTHONMALLOC=malloc (see measure_all)."""
    datas, msgs = _prepare(parse, n)
    _heap_in_use()  # load libc and build the ctypes objects before the first count
    before, parsed, after_read = _grow(parse, datas, msgs, _heap_in_use)
    return {"heap": (parsed - before) / n, "heap_after_read": (after_read - before) / n}


def measure_all(impl: str, n: int = N) -> dict[str, float]:
    result, chunks = measure_traced(compare.load(impl).parse, n)
    if not hasattr(ctypes.CDLL(None), "mallinfo2"):  # not glibc >= 2.33: no cross-check
        return result
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_memory", "--heap", impl, str(n)],
        env={**os.environ, "PYTHONMALLOC": "malloc"}, capture_output=True, text=True,
        check=True, cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    heap = json.loads(child.stdout)
    result.update(heap)
    result["untraced"] = max(0.0, heap["heap"] - chunks["heap"])
    result["untraced_after_read"] = max(0.0, heap["heap_after_read"] - chunks["heap_after_read"])
    return result


@pytest.mark.parametrize("impl", TWINS)
def test_retained_memory_per_invite(impl, record_property):
    """Reported in the terminal summary (conftest.py); asserted for the Cython twin only."""
    try:
        compare.load(impl)
    except ImportError as exc:
        pytest.skip(f"{impl} unavailable: {exc}")
    result = measure_all(impl, N_TEST)
    record_property("retained memory", f"{impl} per INVITE: " + ", ".join(
        f"{key} {value:.0f} B" for key, value in result.items()))
    if impl == "sipfast-cython":
        # The target is on a parsed INVITE; after the reads is reported only.
        assert result["traced"] + result.get("untraced", 0.0) <= TARGET, result


if __name__ == "__main__":
    if sys.argv[1:2] == ["--heap"]:
        impl, n = sys.argv[2], int(sys.argv[3])
        print(json.dumps(measure_heap(compare.load(impl).parse, n)))
    else:
        for impl in TWINS:
            try:
                print(impl, json.dumps(measure_all(impl), indent=1))
            except ImportError as exc:
                print(impl, "unavailable:", exc)
