"""The benchmark corpus: eight messages of one call, a registration and a keepalive probe.

Each ``<name>.sip`` is one datagram as it appears on the wire (CRLF line ends, exact
Content-Length).  The call goes Alice (softphone, 192.0.2.15) -> proxy (203.0.113.1,
record-routing) -> Bob (desk phone, 198.51.100.20).
"""

from __future__ import annotations

from pathlib import Path

#: File stems in the order of the issue: INVITE with SDP, REGISTER with digest
#: credentials, 200 OK with SDP, 180, ACK, BYE, 100, OPTIONS.
NAMES = ("invite", "register", "ok", "ringing", "ack", "bye", "trying", "options")

DIRECTORY = Path(__file__).parent


def load() -> dict[str, bytes]:
    """Every corpus message by name, in NAMES order."""
    return {name: (DIRECTORY / f"{name}.sip").read_bytes() for name in NAMES}


CORPUS: dict[str, bytes] = load()
