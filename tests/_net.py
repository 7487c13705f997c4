"""Loopback helpers for the socket tests: free ports, skipping where ::1 is missing, and
waiting for a condition."""

from __future__ import annotations

import asyncio
import itertools
import socket
from collections.abc import Callable

import pytest

__all__ = ["free_port", "need", "until"]


def need(host: str) -> None:
    """Skip an IPv6 case where ::1 cannot be bound."""
    if ":" not in host:
        return
    if not socket.has_ipv6:
        pytest.skip("no IPv6 support")
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        pytest.skip("cannot bind ::1")


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on over either UDP or TCP (bound, then closed): for a peer
    that listens on both, or a TCP port that refuses connections."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    for _ in range(50):
        with socket.socket(family, socket.SOCK_DGRAM) as probe:
            probe.bind((host, 0))
            port: int = probe.getsockname()[1]
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
        return port
    raise RuntimeError(f"no port free for both UDP and TCP on {host}")


async def until(condition: Callable[[], object], within: float = 2.0) -> None:
    """Poll `condition` (at once at first, then every 2 ms); fail after `within` s."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    for spin in itertools.count():
        if condition():
            return
        if loop.time() > deadline:
            raise AssertionError(f"not within {within} s")
        await asyncio.sleep(0 if spin < 50 else 0.002)
