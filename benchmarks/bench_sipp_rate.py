"""Calls per second that ``sipfast serve --mode uas`` sustains under SIPp, and its CPU per call.

SIPp's built-in ``uac`` scenario (INVITE, 180, 200, ACK, BYE, 200) runs against
``sipfast serve --mode uas`` over UDP on loopback at rising call rates, DURATION seconds
each.  A rate is sustained when SIPp counts fewer than 0.1 % failed calls, every call
it created finished, and the step took at most 2 s longer than planned (a server that
falls behind slows SIPp's call creation down instead of failing calls).  The server's
CPU time comes from /proc/PID/stat (user + system) over each step, so CPU per call =
CPU seconds / successful calls.

SIPp itself needs about half a core at these rates; on a 2-core machine the server
has one core.  For reference (the issue): Kamailio with one worker forwards 4 300
calls/s statelessly at 97 % of a core (about 225 us of CPU per call).

    python -m benchmarks.bench_sipp_rate [--uvloop] [--python] [RATE ...]

prints one JSON line per rate.  Under pytest it runs one short step (20 calls/s) to
check that the harness works.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from typing import Any

import pytest

RATES = (500, 1000, 1500, 2000, 2500, 3000, 3500, 4000)
DURATION = 10
MAX_FAILED = 0.001


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _stat(output: str, name: str) -> int:
    found = re.findall(rf"{name}\s*\|[^|]*\|\s*(\d+)", output)
    return int(found[-1]) if found else 0


def start_server(
    *, uvloop: bool = False, python: bool = False
) -> tuple[subprocess.Popen[str], int]:
    port = _free_port()
    env = dict(os.environ)
    if python:
        env["SIPFAST_NO_EXTENSIONS"] = "1"
        env.pop("SIPFAST_REQUIRE_EXTENSIONS", None)
    command = [sys.executable, "-m", "sipfast", "serve", "--mode", "uas",
               "--listen", f"udp:127.0.0.1:{port}"]
    if uvloop:
        command.append("--uvloop")
    server = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    assert server.stderr is not None
    line = server.stderr.readline()
    if "listening on" not in line:
        server.kill()
        raise RuntimeError(f"sipfast serve did not start: {line}{server.stderr.read()}")
    return server, port


def step(sipp: str, server: subprocess.Popen[str], port: int, rate: int,
         duration: float) -> dict[str, Any]:
    calls = int(rate * duration)
    cpu = _cpu_seconds(server.pid)
    started = time.perf_counter()
    result = subprocess.run(
        [sipp, "-sn", "uac", f"127.0.0.1:{port}", "-i", "127.0.0.1", "-p", str(_free_port()),
         "-r", str(rate), "-m", str(calls), "-d", "0", "-nostdin",
         "-timeout", str(int(duration * 3 + 40)), "-timeout_error",
         "-max_socket", "1000"],
        check=False, capture_output=True, text=True,
    )
    wall = time.perf_counter() - started
    cpu = _cpu_seconds(server.pid) - cpu
    ok = _stat(result.stdout, "Successful call")
    failed = _stat(result.stdout, "Failed call")
    return {
        "rate": rate,
        "calls": calls,
        "successful": ok,
        "failed": failed,
        # every call done, < 0.1 % failed, and no falling behind the rate
        "sustained": ok == calls and failed <= MAX_FAILED * calls and wall <= duration + 2,
        "wall_seconds": round(wall, 2),
        "server_cpu_seconds": round(cpu, 2),
        "server_cpu_share": round(cpu / wall, 2),
        "cpu_us_per_call": round(cpu / ok * 1e6, 1) if ok else None,
    }


def test_sipp_rate_harness(benchmark: Any) -> None:
    sipp = shutil.which("sipp")
    if sipp is None:
        if os.environ.get("CI"):
            pytest.fail("sipp is not installed: apt-get install sip-tester")
        pytest.skip("sipp is not installed")
    server, port = start_server()
    try:
        result = benchmark.pedantic(step, (sipp, server, port, 20, 1.0), rounds=1, iterations=1)
    finally:
        server.terminate()
        server.communicate(timeout=10)
    benchmark.extra_info.update(result)
    assert result["successful"] == 20
    assert result["failed"] == 0
    assert result["cpu_us_per_call"] is not None


def main(argv: list[str]) -> None:
    sipp = shutil.which("sipp")
    if sipp is None:
        raise SystemExit("sipp is not installed: apt-get install sip-tester")
    uvloop = "--uvloop" in argv
    python = "--python" in argv
    rates = [int(a) for a in argv if a.isdigit()] or list(RATES)
    server, port = start_server(uvloop=uvloop, python=python)
    try:
        for rate in rates:
            result = step(sipp, server, port, rate, DURATION)
            result["loop"] = "uvloop" if uvloop else "asyncio"
            result["twin"] = "python" if python else "cython"
            print(json.dumps(result), flush=True)
            if not result["sustained"]:
                break
            time.sleep(2)  # let the last calls' transactions end (timer K, J)
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
        print(err.strip(), file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
