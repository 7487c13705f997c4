"""One request through a client transaction, as ``sipfast send`` (or sipsak) sends it.

An INVITE that is answered 2xx is acknowledged (§13.2.2.4) and the call is ended with a
BYE at once, so a call is set up and torn down completely.  Given the targets of an
RFC 3263 lookup, a request that fails at one goes to the next (§4.3).  No route set is kept: the
ACK and BYE go to the 2xx's Contact when it is an address, else where the INVITE went.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import SipError
from ..message import new_branch, new_call_id, new_tag
from ..transport import DEFAULT_PORTS, Address, is_ip, unbracket

if TYPE_CHECKING:
    from ..message import Request, Response
    from ..transaction import TransactionLayer

__all__ = ["Outcome", "send_request"]

# header fields the UAC writes itself; one given by the caller replaces its own
_OWN = ("via", "max-forwards", "from", "to", "call-id", "cseq", "contact")


class Outcome(NamedTuple):
    """How it went: every response in order, the final one (None when there was
    none), and the error that ended it without one (timeout, transport)."""

    responses: list[Response]
    final: Response | None
    error: SipError | None
    bye: Response | None  # the final response to the BYE after a 2xx to an INVITE


def destination_of(uri: Any, transport: str | None = None) -> Address:
    """Where a request to `uri` goes without DNS SRV (§19.1.4 defaults): the URI's
    transport parameter (or `transport`), host and port (5060, 5061 for sips/TLS)."""
    chosen = (transport or uri.params.get("transport") or "udp").upper()
    if uri.scheme == "sips" and chosen in ("UDP", "TCP"):
        chosen = "TLS"
    return Address(chosen, unbracket(uri.host or ""), uri.port or DEFAULT_PORTS.get(chosen, 5060))


def _local(layer: TransactionLayer, transport: str) -> str:
    """host[:port] this element names in Via and Contact for `transport`."""
    try:
        return layer.transport.local_address(transport).hostport
    except LookupError:
        if transport not in ("WS", "WSS"):
            raise
        # RFC 7118 §5.2: a WebSocket client that cannot be reached but over its own
        # connection names a made-up .invalid host in Via and Contact
        host = f"{secrets.token_hex(6)}.invalid"
        layer.transport.alias(host)
        return host


async def send_request(
    layer: TransactionLayer,
    method: str,
    uri: Any,
    destination: Address | Sequence[Address],
    *,
    headers: Iterable[tuple[str, str]] = (),
    body: bytes = b"",
    on_response: Callable[[Response], object] | None = None,
    on_request: Callable[[Request], object] | None = None,
) -> Outcome:
    """Send `method` to `uri` at `destination` and wait for the outcome.

    `destination` may be the targets of an RFC 3263 lookup, in order: when one fails
    (a transport error, a timeout, or a 503), the request goes to the next with a new
    branch (§4.3), until one answers otherwise or none is left.
    """
    core = layer.transport._core
    targets = [destination] if isinstance(destination, Address) else list(destination)
    if not targets:
        raise ValueError("no destination to send to")
    method = method.upper()
    first = _local(layer, targets[0].transport)
    own = {
        "from": f"<sip:sipfast@{first}>;tag={new_tag()}",
        "to": f"<{uri}>",
        "call-id": new_call_id(),
        "max-forwards": "70",
    }
    extra: list[tuple[str, str]] = []
    for name, value in headers:
        if name.lower() in _OWN and name.lower() not in ("via", "cseq"):
            own[name.lower()] = value
        else:
            extra.append((name, value))
    named = {name.lower() for name, _ in headers}
    seq = 1

    def build(method: str, target: Any, to: str, seq: int, via: Address,
              content: bytes = b"") -> Request:
        hostport = _local(layer, via.transport)
        fields = [
            ("Via", f"SIP/2.0/{via.transport} {hostport};branch={new_branch()};rport"),
            ("Max-Forwards", own["max-forwards"]),
            ("From", own["from"]),
            ("To", to),
            ("Call-ID", own["call-id"]),
            ("CSeq", f"{seq} {method}"),
        ]
        if method in ("INVITE", "SUBSCRIBE", "REFER", "REGISTER") or "contact" in named:
            transport = "" if via.transport == "UDP" else f";transport={via.transport.lower()}"
            fields.append(("Contact", own.get("contact", f"<sip:sipfast@{hostport}{transport}>")))
        request: Request = core.Request(method, target, fields + extra, content)
        if on_request is not None:
            on_request(request)
        return request

    responses: list[Response] = []
    final: Response | None = None
    error: SipError | None = None
    hop = targets[0]
    for index, hop in enumerate(targets):
        handle = layer.send_request(build(method, uri, own["to"], seq, hop, body), hop)
        final, error = None, None
        try:
            async for response in handle:
                responses.append(response)
                if on_response is not None:
                    on_response(response)
                if response.status >= 200:
                    final = response
                    break
        except SipError as exc:
            error = exc
        if index + 1 < len(targets) and (final is None or final.status == 503):
            continue  # §4.3: the next target
        break
    bye = None
    if method == "INVITE" and final is not None and 200 <= final.status < 300:
        to = final.headers.get("To") or own["to"]
        target = uri
        remote = hop
        contacts = final.contact
        if contacts:
            target = contacts[0].uri
            if target.host and is_ip(target.host):
                remote = destination_of(target, hop.transport)
        ack = build("ACK", target, to, seq, remote)
        layer.send_stateless(bytes(ack), remote)
        bye_handle = layer.send_request(build("BYE", target, to, seq + 1, remote), remote)
        try:
            bye = await bye_handle.final_response()
            if on_response is not None:
                on_response(bye)
        except SipError as exc:
            error = exc
    return Outcome(responses, final, error, bye)
