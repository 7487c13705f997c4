"""`sipfast.ua.send_request` over RFC 3263 targets (§4.3 failover), and ``sipfast send``
resolving a name with a real DNS server (dnsmasq) and failing over to the next target."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Any

import pytest
from _dnsmasq import serve
from _net import free_port
from _twins import twin_env

from sipfast.errors import TransactionTimeout, TransportError
from sipfast.transaction import TimerSettings, TransactionLayer, TransactionUser
from sipfast.transport import Address, TransportLayer
from sipfast.ua import AutoAnswer, send_request

FAST = TimerSettings(t1=0.01, t2=0.04, t4=0.05)
TIMEOUT = 5.0


class Busy(TransactionUser):
    """Answers everything 503 (Service Unavailable)."""

    def __init__(self) -> None:
        self.seen: list[Any] = []

    def request_received(self, transaction: Any) -> None:
        self.seen.append(transaction.request)
        transaction.respond(503)


async def server(impl: Any, tu: Any, transport: str = "UDP") -> tuple[TransactionLayer, Address]:
    layer = TransactionLayer(TransportLayer(core=impl), tu, timers=FAST)
    if isinstance(tu, AutoAnswer):
        tu.attach(layer)
    bound = await layer.transport.listen(Address(transport, "127.0.0.1", 0))
    return layer, bound


async def client(impl: Any, *transports: str) -> TransactionLayer:
    layer = TransactionLayer(TransportLayer(core=impl), timers=FAST)
    for transport in transports:
        await layer.transport.listen(Address(transport, "127.0.0.1", 0))
    return layer


def test_a_transport_error_goes_on_to_the_next_target(impl: Any, run: Any) -> None:
    async def main() -> None:
        uas, live = await server(impl, AutoAnswer())
        uac = await client(impl, "UDP", "TCP")
        dead = Address("TCP", "127.0.0.1", free_port())  # connection refused
        sent: list[Any] = []
        outcome = await asyncio.wait_for(
            send_request(uac, "OPTIONS", impl.URI.parse("sip:svc@example.test"), [dead, live],
                         on_request=sent.append),
            TIMEOUT,
        )
        assert outcome.error is None
        assert outcome.final is not None
        assert outcome.final.status == 200
        # the same request (From tag, Call-ID, CSeq) twice, with a new branch and the
        # Via transport of each target
        first, second = sent
        assert [r.top_via.transport for r in sent] == ["TCP", "UDP"]
        assert first.top_via.branch != second.top_via.branch
        assert (first.from_.tag, first.call_id, str(first.cseq)) == (
            second.from_.tag, second.call_id, str(second.cseq)
        )
        await uac.close()
        await uas.close()

    run(main())


def test_a_503_and_a_timeout_go_on_to_the_next_target(impl: Any, run: Any) -> None:
    async def main() -> None:
        busy = Busy()
        busy_layer, busy_at = await server(impl, busy)
        uas, live = await server(impl, AutoAnswer())
        uac = await client(impl, "UDP")
        # a UDP port that reads nothing: timer F (64*T1 = 0.64 s) ends that attempt
        silent = await asyncio.get_running_loop().create_datagram_endpoint(
            asyncio.DatagramProtocol, local_addr=("127.0.0.1", 0)
        )
        mute = Address("UDP", "127.0.0.1", silent[0].get_extra_info("sockname")[1])
        outcome = await asyncio.wait_for(
            send_request(uac, "OPTIONS", impl.URI.parse("sip:svc@example.test"),
                         [busy_at, mute, live]),
            TIMEOUT,
        )
        assert [r.status for r in outcome.responses] == [503, 200]
        assert outcome.final is not None
        assert outcome.final.status == 200
        assert outcome.error is None
        assert len(busy.seen) == 1
        silent[0].close()
        for layer in (uac, busy_layer, uas):
            await layer.close()

    run(main())


def test_the_last_targets_outcome_is_the_outcome(impl: Any, run: Any) -> None:
    async def main() -> None:
        busy_layer, busy_at = await server(impl, Busy())
        uac = await client(impl, "UDP", "TCP")
        uri = impl.URI.parse("sip:svc@example.test")
        outcome = await asyncio.wait_for(send_request(uac, "OPTIONS", uri, [busy_at]), TIMEOUT)
        assert outcome.final is not None
        assert outcome.final.status == 503
        dead = Address("TCP", "127.0.0.1", free_port())
        outcome = await asyncio.wait_for(send_request(uac, "OPTIONS", uri, [dead]), TIMEOUT)
        assert outcome.final is None
        assert isinstance(outcome.error, TransportError)
        with pytest.raises(ValueError, match="no destination"):
            await send_request(uac, "OPTIONS", uri, [])
        await uac.close()
        await busy_layer.close()

    run(main())


def test_a_timeout_alone_is_reported(impl: Any, run: Any) -> None:
    async def main() -> None:
        uac = await client(impl, "UDP")
        silent = await asyncio.get_running_loop().create_datagram_endpoint(
            asyncio.DatagramProtocol, local_addr=("127.0.0.1", 0)
        )
        mute = Address("UDP", "127.0.0.1", silent[0].get_extra_info("sockname")[1])
        outcome = await asyncio.wait_for(
            send_request(uac, "MESSAGE", impl.URI.parse("sip:svc@example.test"), mute), TIMEOUT
        )
        assert outcome.final is None
        assert isinstance(outcome.error, TransactionTimeout)
        silent[0].close()
        await uac.close()

    run(main())


def test_sipfast_send_resolves_srv_and_fails_over(impl: Any) -> None:
    """SRV for _sip._tcp.svc.test names a dead port first (priority 1) and `sipfast serve`
    second (priority 2): the OPTIONS is refused at the first and answered by the second."""
    live, dead = free_port(), free_port()
    records = [
        "--host-record=host.test,127.0.0.1",
        f"--srv-host=_sip._tcp.svc.test,host.test,{dead},1,0",
        f"--srv-host=_sip._tcp.svc.test,host.test,{live},2,0",
    ]
    serving = subprocess.Popen(
        [sys.executable, "-m", "sipfast", "serve", "--listen", f"tcp:127.0.0.1:{live}"],
        env=twin_env(impl), stderr=subprocess.PIPE, text=True,
    )
    try:
        assert serving.stderr is not None
        assert "listening on" in serving.stderr.readline()
        with serve(records, probe="host.test") as dns_port:
            result = subprocess.run(
                [sys.executable, "-m", "sipfast", "send", "OPTIONS", "sip:svc.test",
                 "--transport", "tcp", "--dns", f"127.0.0.1:{dns_port}", "-v"],
                check=False, env=twin_env(impl), capture_output=True, text=True, timeout=30,
            )
    finally:
        serving.terminate()
        serving.communicate(timeout=10)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SIP/2.0 200 OK" in result.stdout
    # two attempts were written out (-v), the second one answered
    assert result.stdout.count("OPTIONS sip:svc.test SIP/2.0") == 2
