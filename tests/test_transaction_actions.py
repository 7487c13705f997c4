"""Actions are plain values; is_reliable names the transports SIP does not retransmit on."""

from __future__ import annotations

import pytest

from sipfast.transaction import (
    TERMINATED,
    TRANSPORT_FAILURE,
    CancelTimer,
    PassToTU,
    Send,
    StartTimer,
    Terminated,
    Timeout,
    TransportFailure,
    is_reliable,
)


def test_actions_compare_hash_and_print_as_values() -> None:
    assert Send(b"x", ("udp", "h", 5060)) == Send(b"x", ("udp", "h", 5060))
    assert Send(b"x", "a") != Send(b"x", "b")
    assert StartTimer("A", 0.5) != CancelTimer("A")
    assert StartTimer("A", 0.5) != ("A", 0.5)
    assert len({StartTimer("A", 0.5), StartTimer("A", 0.5), StartTimer("B", 0.5)}) == 2
    assert Terminated() == TERMINATED
    assert TransportFailure() == TRANSPORT_FAILURE
    assert repr(StartTimer("E", 1.5)) == "StartTimer(name='E', deadline=1.5)"
    assert repr(Timeout("B")) == "Timeout(timer='B')"
    assert repr(TERMINATED) == "Terminated()"
    assert PassToTU("m").message == "m"


def test_actions_match_positionally() -> None:
    seen = []
    for action in (Send(b"x", "d"), StartTimer("F", 32.0), CancelTimer("E"), Timeout("F")):
        match action:
            case Send(data, destination):
                seen.append(("send", data, destination))
            case StartTimer(name, deadline):
                seen.append(("start", name, deadline))
            case CancelTimer(name):
                seen.append(("cancel", name))
            case Timeout(timer):
                seen.append(("timeout", timer))
    assert seen == [("send", b"x", "d"), ("start", "F", 32.0), ("cancel", "E"),
                    ("timeout", "F")]


@pytest.mark.parametrize(
    ("transport", "reliable"),
    [("UDP", False), ("udp", False), ("TCP", True), ("tls", True), ("SCTP", True),
     ("TLS-SCTP", True), ("WS", True), ("wss", True), ("DTLS", False), ("x-new", False)],
)
def test_is_reliable(transport: str, reliable: bool) -> None:
    assert is_reliable(transport) is reliable
