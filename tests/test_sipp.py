"""Interop with SIPp (Debian's sip-tester), a real SIP implementation, over loopback.

- ``sipp -sn uac`` calls ``sipfast serve --mode uas`` over UDP and TCP: every call must
  succeed (INVITE, 180, 200, ACK, pause, BYE, 200) with none failed;
- ``sipfast send`` and an in-process client transaction call ``sipp -sn uas``.

Each runs on both message-core twins (the server process is started with
SIPFAST_NO_EXTENSIONS=1 for the Python one) and on both event loops.
SIPp missing fails the run under CI (``.ci/run`` installs it) and skips it elsewhere.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from _net import free_port
from _twins import twin_env

from sipfast.transaction import TransactionLayer
from sipfast.transport import Address, TransportLayer
from sipfast.ua import send_request

SIPP = shutil.which("sipp")
CALLS = 40


@pytest.fixture(scope="module")
def sipp() -> str:
    if SIPP is None:
        if os.environ.get("CI"):
            pytest.fail("sipp is not installed: apt-get install sip-tester")
        pytest.skip("sipp is not installed (apt-get install sip-tester)")
    return SIPP


def sipfast_command(*args: str, loop: str = "asyncio") -> list[str]:
    command = [sys.executable, "-m", "sipfast", *args]
    if loop == "uvloop":
        command.append("--uvloop")
    return command


@pytest.fixture
def uas_server(impl: Any, request: pytest.FixtureRequest) -> Iterator[tuple[int, str]]:
    """``sipfast serve --mode uas`` on udp: and tcp: of one free port; yields (port, loop)."""
    loop = request.param
    port = free_port()
    process = subprocess.Popen(
        sipfast_command(
            "serve", "--mode", "uas",
            "--listen", f"udp:127.0.0.1:{port}", "--listen", f"tcp:127.0.0.1:{port}",
            loop=loop,
        ),
        env=twin_env(impl), stderr=subprocess.PIPE, text=True,
    )
    assert process.stderr is not None
    lines = []
    try:
        for _ in range(2):
            line = process.stderr.readline()
            lines.append(line)
            assert "listening on" in line, "".join(lines) + process.stderr.read()
        yield port, loop
    finally:
        process.terminate()
        _, rest = process.communicate(timeout=10)
    # the summary line it prints on SIGTERM: nothing malformed came in
    assert process.returncode == 0, rest
    assert "0 malformed messages" in rest, rest


def sipp_stats(output: str) -> dict[str, int]:
    """The cumulative counters of SIPp's final statistics screen."""
    stats = {}
    for name in ("Successful call", "Failed call", "Total Calls created"):
        found = re.findall(rf"{name}\s*\|[^|]*\|\s*(\d+)", output)
        assert found, output[-2000:]
        stats[name] = int(found[-1])
    return stats


@pytest.mark.parametrize("uas_server", ["asyncio", "uvloop"], indirect=True)
@pytest.mark.parametrize("transport", ["u1", "t1"])
def test_sipp_uac_calls_sipfast_serve(
    sipp: str, impl: Any, uas_server: tuple[int, str], transport: str
) -> None:
    port, _ = uas_server
    result = subprocess.run(
        [
            sipp, "-sn", "uac", f"127.0.0.1:{port}", "-t", transport,
            "-i", "127.0.0.1", "-p", str(free_port()),
            "-m", str(CALLS), "-r", "100", "-d", "10",
            "-nostdin", "-timeout", "30", "-timeout_error",
        ],
        check=False, capture_output=True, text=True, timeout=60,
    )
    stats = sipp_stats(result.stdout)
    assert stats == {"Successful call": CALLS, "Failed call": 0, "Total Calls created": CALLS}
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr


def start_sipp_uas(sipp: str, transport: str) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    process = subprocess.Popen(
        [sipp, "-sn", "uas", "-t", transport, "-i", "127.0.0.1", "-p", str(port),
         "-m", "1", "-nostdin", "-timeout", "30", "-timeout_error"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    # SIPp has no ready signal: wait until its port is bound
    kind = socket.SOCK_DGRAM if transport == "u1" else socket.SOCK_STREAM
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket(socket.AF_INET, kind) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                return process, port
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    process.kill()
    raise AssertionError("sipp -sn uas did not start")


def finish(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate(timeout=30)
    stats = sipp_stats(out)
    assert stats == {"Successful call": 1, "Failed call": 0, "Total Calls created": 1}, out
    assert process.returncode == 0, out[-2000:] + err
    return out


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
def test_sipfast_send_calls_sipp_uas(sipp: str, impl: Any, loop: str) -> None:
    process, port = start_sipp_uas(sipp, "u1")
    try:
        result = subprocess.run(
            sipfast_command("send", "INVITE", f"sip:service@127.0.0.1:{port}", loop=loop),
            check=False, env=twin_env(impl), capture_output=True, text=True, timeout=30,
        )
    finally:
        finish(process)
    assert result.stdout.splitlines() == [
        "SIP/2.0 180 Ringing",
        "SIP/2.0 200 OK",
        "SIP/2.0 200 OK (BYE)",
    ], result.stdout + result.stderr
    assert result.returncode == 0


def test_client_transaction_calls_sipp_uas_over_tcp(sipp: str, impl: Any, run: Any) -> None:
    """The connection stays open until SIPp has finished (it counts a peer that hangs
    up during its final pause as a failed call)."""
    process, port = start_sipp_uas(sipp, "t1")

    async def main() -> Any:
        transport = TransportLayer(core=impl)
        layer = TransactionLayer(transport)
        await transport.listen("tcp:127.0.0.1:0")
        try:
            outcome = await asyncio.wait_for(
                send_request(
                    layer, "INVITE", impl.URI.parse(f"sip:service@127.0.0.1:{port}"),
                    Address("TCP", "127.0.0.1", port),
                ),
                20,
            )
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, process.wait, 30)
        finally:
            await layer.close()
        return outcome

    try:
        outcome = run(main())
    finally:
        finish(process)
    assert [r.status for r in outcome.responses] == [180, 200]
    assert outcome.error is None
    assert outcome.bye is not None
    assert outcome.bye.status == 200
    assert outcome.final.to.tag is not None
