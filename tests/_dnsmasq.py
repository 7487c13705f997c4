"""A real DNS server for the tests: dnsmasq on 127.0.0.1 at a free port, serving only the
records it is given (no /etc/hosts, no resolv.conf, no upstream).

Names under `LOCAL_DOMAIN` that no record mentions get NXDOMAIN; names outside it get
REFUSED (there is no upstream to forward them to).  dnsmasq is Debian's dnsmasq-base;
without it the tests skip, or fail under CI (CI set), which must install it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import dns.exception
import dns.message
import dns.query
import dns.rcode
import pytest
from _net import free_port

__all__ = ["LOCAL_DOMAIN", "command", "serve"]

LOCAL_DOMAIN = "test"  # RFC 2606: never a real name
DNSMASQ = shutil.which("dnsmasq", path="/usr/sbin:/usr/bin:/sbin:/bin") or "/usr/sbin/dnsmasq"


def command(port: int, records: Sequence[str]) -> list[str]:
    """The dnsmasq command line serving `records` (dnsmasq options) on 127.0.0.1:`port`."""
    return [
        DNSMASQ,
        "--no-daemon",  # stay in the foreground, a child we can kill
        "--conf-file=/dev/null",  # nothing from /etc/dnsmasq.conf or /etc/dnsmasq.d
        "--no-resolv",  # no upstream servers from /etc/resolv.conf
        "--no-hosts",  # nothing from /etc/hosts
        "--pid-file=",  # no pid file
        "--listen-address=127.0.0.1",
        "--bind-interfaces",  # bind only there, so another dnsmasq on :53 does not clash
        f"--port={port}",
        "--user=root",  # keep running as whoever started it (dnsmasq drops root otherwise)
        f"--local=/{LOCAL_DOMAIN}/",  # answer NXDOMAIN for unknown names under it
        *records,
    ]


def _answers(port: int, probe: str) -> bool:
    query = dns.message.make_query(probe, "A")
    try:
        reply = dns.query.udp(query, "127.0.0.1", port=port, timeout=0.2)
    except (dns.exception.Timeout, OSError):
        return False
    return reply.rcode() == dns.rcode.NOERROR and bool(reply.answer)


@contextmanager
def serve(records: Sequence[str], probe: str) -> Iterator[int]:
    """Run dnsmasq with `records`; yield its port once it answers an A query for `probe`."""
    if not os.path.exists(DNSMASQ):
        message = "dnsmasq is not installed: apt-get install dnsmasq-base"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    for _attempt in range(3):  # the free port may be taken (TCP too) before dnsmasq binds it
        port = free_port()
        # A file, not a pipe: a pipe nobody reads could fill and stall the server.
        with tempfile.TemporaryFile("w+") as log:
            process = subprocess.Popen(
                command(port, records), stdin=subprocess.DEVNULL, stdout=log, stderr=log
            )
            try:
                deadline = time.monotonic() + 10
                while process.poll() is None and time.monotonic() < deadline:
                    if _answers(port, probe):
                        yield port
                        return
                    time.sleep(0.05)
            finally:
                if process.poll() is None:
                    process.terminate()
                    try:
                        process.wait(5)
                    except subprocess.TimeoutExpired:
                        process.kill()
                        process.wait()
            log.seek(0)
            output = log.read()
        if "Address already in use" not in output:
            break
    pytest.fail(f"dnsmasq did not answer on 127.0.0.1:{port}:\n"
                f"{' '.join(command(port, records))}\n{output}")
