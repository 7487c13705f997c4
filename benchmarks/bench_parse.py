"""Parse time over the corpus: (a) parse, (b) parse + read the fields every stack reads.

(b) reads method or status, Request-URI, top Via branch, From tag, To tag, Call-ID and
CSeq (see compare/__init__.py).  One round parses all 8 corpus messages, so
µs per message = round time / 8 (report.py does the division).
"""

from __future__ import annotations

from collections import deque

import pytest

from benchmarks.corpus import CORPUS

MESSAGES = tuple(CORPUS.values())
_consume = deque(maxlen=0).extend  # drains an iterator, keeps nothing


def _each_message(function) -> None:
    _consume(map(function, MESSAGES))


@pytest.mark.benchmark(group="(a) parse")
def test_parse(benchmark, adapter):
    benchmark.extra_info["messages_per_round"] = len(MESSAGES)
    benchmark(_each_message, adapter.parse)


@pytest.mark.benchmark(group="(b) parse + read")
def test_parse_and_read(benchmark, adapter):
    benchmark.extra_info["messages_per_round"] = len(MESSAGES)
    benchmark(_each_message, adapter.parse_and_read)
