"""A user agent server that answers every call: the counterpart of SIPp's ``uac``.

OPTIONS gets 200; INVITE gets 180 (Ringing) and, `ring` seconds later, 200 with an SDP
answer; the ACK confirms the dialog; BYE ends it with 200.  What the UAS core of
RFC 3261 §8.2 and §13.3 owes its peers is done: a To tag per dialog, 481 for requests
outside any dialog, CANCEL (§9.2: 200, then 487 for the INVITE), 405 with Allow for
methods it does not handle, and the 2xx to an INVITE retransmitted over unreliable
transports until its ACK arrives (§13.3.1.4: T1 doubling up to T2; after 64*T1
without one, the call is ended with a BYE).  It sends no media: the SDP answer names a
port nobody listens on.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from ..errors import ParseError
from ..message import new_branch, new_tag
from ..transaction import State, TransactionUser
from ..transport import is_ip, sent_by
from ._uac import destination_of

if TYPE_CHECKING:
    from ..message import Request, Response
    from ..transaction import ServerTransactionHandle, TransactionLayer, TUTimer

__all__ = ["AutoAnswer"]

ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS"

log = logging.getLogger("sipfast.ua")


class _Dialog:
    """What the UAS keeps of a call: its 2xx until the ACK, then nothing but the ids."""

    __slots__ = ("interval", "invite", "ok", "ok_data", "reply", "retransmit", "started")

    def __init__(self) -> None:
        self.invite: Request | None = None
        self.ok: Response | None = None
        self.ok_data = b""
        self.reply: Any = None
        self.retransmit: TUTimer | None = None
        self.interval = 0.0
        self.started = 0.0  # when the 2xx went out; 0 while ringing


class AutoAnswer(TransactionUser):
    """Answer as described above.  `layer` is set by `attach`; `ring` is the seconds
    between the 180 and the 200 (0: both at once)."""

    def __init__(self, *, ring: float = 0.0, sdp_address: str | None = None) -> None:
        self.ring = ring
        self.sdp_address = sdp_address
        self.layer: TransactionLayer | None = None
        self.dialogs: dict[tuple[str, str], _Dialog] = {}
        self.calls = 0  # INVITEs answered 200
        self.completed = 0  # dialogs ended by BYE
        self.cancelled = 0
        self.ack_timeouts = 0

    def attach(self, layer: TransactionLayer) -> None:
        self.layer = layer
        layer.tu = self

    # --- requests -------------------------------------------------------------------

    def request_received(self, transaction: ServerTransactionHandle) -> None:
        request = transaction.request
        method = request.method
        to_tag = request.to.tag
        if method == "CANCEL":
            self._cancel(transaction)
        elif method == "OPTIONS" and to_tag is None:
            transaction.respond(200, headers=(("Allow", ALLOW), ("Accept", "application/sdp")))
        elif to_tag is not None:
            self._in_dialog(transaction, request, to_tag)
        elif method == "INVITE":
            self._invite(transaction)
        elif method == "BYE":
            transaction.respond(481)
        else:
            transaction.respond(405, headers=(("Allow", ALLOW),))

    def _in_dialog(self, transaction: ServerTransactionHandle, request: Request, tag: str) -> None:
        key = (request.call_id, tag)
        dialog = self.dialogs.get(key)
        if dialog is None:
            transaction.respond(481)
            return
        method = request.method
        if method == "BYE":
            self._forget(key, dialog)
            self.completed += 1
            transaction.respond(200)
        elif method == "INVITE":  # a re-INVITE: the same answer again
            self._answer(transaction, tag, ringing=False)
        elif method == "OPTIONS":
            transaction.respond(200, headers=(("Allow", ALLOW),))
        else:
            transaction.respond(405, headers=(("Allow", ALLOW),))

    def _invite(self, transaction: ServerTransactionHandle) -> None:
        tag = new_tag()
        self.dialogs[(transaction.request.call_id, tag)] = _Dialog()
        self._answer(transaction, tag, ringing=True)

    def _answer(self, transaction: ServerTransactionHandle, tag: str, *, ringing: bool) -> None:
        if ringing:
            transaction.respond(180, to_tag=tag)
            if self.ring > 0:
                assert self.layer is not None
                self.layer.call_at(
                    self.layer.loop.time() + self.ring, lambda: self._accept(transaction, tag)
                )
                return
        self._accept(transaction, tag)

    def _accept(self, transaction: ServerTransactionHandle, tag: str) -> None:
        request = transaction.request
        key = (request.call_id, tag)
        dialog = self.dialogs.get(key)
        if dialog is None or transaction.state is not State.PROCEEDING:
            return  # cancelled while ringing
        local = transaction.flow.local
        contact = f"<sip:sipfast@{sent_by(local.host, local.port)}"
        if local.transport != "UDP":
            contact += f";transport={local.transport.lower()}"
        fields: list[tuple[str, str]] = [("Contact", contact + ">"), ("Allow", ALLOW)]
        body = b""
        if request.body and "sdp" in (request.headers.get("Content-Type") or "").lower():
            fields.append(("Content-Type", "application/sdp"))
            body = self._sdp_answer(self.sdp_address or local.host)
        ok = transaction.respond(200, to_tag=tag, headers=fields, body=body)
        self.calls += 1
        layer = self.layer
        assert layer is not None
        dialog.started = now = layer.loop.time()
        if transaction.transaction.reliable:
            return
        dialog.invite = request
        dialog.ok = ok
        dialog.ok_data = bytes(ok)
        dialog.reply = transaction.transaction.destination
        dialog.interval = layer.timers.t1
        dialog.retransmit = layer.call_at(now + dialog.interval, lambda: self._again(key))

    def _again(self, key: tuple[str, str]) -> None:
        """§13.3.1.4: the 2xx again, until the ACK; after 64*T1 the session is ended
        with a BYE."""
        dialog = self.dialogs.get(key)
        layer = self.layer
        if dialog is None or dialog.ok is None or layer is None:
            return
        now = layer.loop.time()
        if now - dialog.started >= layer.timers.t1x64:
            self.ack_timeouts += 1
            self._forget(key, dialog)
            self._bye(dialog)
            return
        layer.send_stateless(dialog.ok_data, dialog.reply)
        dialog.interval = min(2 * dialog.interval, layer.timers.t2)
        dialog.retransmit = layer.call_at(now + dialog.interval, lambda: self._again(key))

    def _bye(self, dialog: _Dialog) -> None:
        """The BYE of §13.3.1.4 (and §15.1.1): to the caller's Contact, through the
        Record-Route set in order, from our To to its From, in our own CSeq space."""
        layer, invite, ok, reply = self.layer, dialog.invite, dialog.ok, dialog.reply
        if layer is None or invite is None or ok is None or reply is None:
            return
        local = reply.flow.local
        contacts = invite.contact
        target = contacts[0].uri if contacts else invite.from_.uri
        routes = invite.headers.getall("Record-Route")
        hop = invite.record_route[0].uri if routes else target
        destination = reply.address
        if hop.host and is_ip(hop.host):
            destination = destination_of(hop, local.transport)
        fields: list[tuple[str, Any]] = [
            ("Via", f"SIP/2.0/{local.transport} {local.hostport};branch={new_branch()};rport"),
            ("Max-Forwards", "70"),
            ("From", ok.headers.get("To")),
            ("To", invite.headers.get("From")),
            ("Call-ID", invite.call_id),
            ("CSeq", "1 BYE"),
        ]
        fields += [("Route", value) for value in routes]
        try:
            bye = invite.__class__("BYE", target, fields)
            layer.send_request(bye, destination)
        except (ParseError, ValueError) as exc:
            log.debug("cannot send the BYE for %s: %s", invite.call_id, exc)

    def _forget(self, key: tuple[str, str], dialog: _Dialog) -> None:
        if dialog.retransmit is not None and self.layer is not None:
            self.layer.cancel_call(dialog.retransmit)
        del self.dialogs[key]

    def ack_received(self, ack: Request, transaction: ServerTransactionHandle | None) -> None:
        tag = ack.to.tag
        if tag is None:
            return
        dialog = self.dialogs.get((ack.call_id, tag))
        # only the ACK of this 2xx stops it (its CSeq number is the INVITE's)
        if dialog is not None and dialog.ok is not None and ack.cseq.seq == dialog.ok.cseq.seq:
            if dialog.retransmit is not None and self.layer is not None:
                self.layer.cancel_call(dialog.retransmit)
            dialog.retransmit = None
            dialog.ok = None
            dialog.ok_data = b""

    def _cancel(self, transaction: ServerTransactionHandle) -> None:
        layer = self.layer
        assert layer is not None
        invite = layer.table.match_cancel(transaction.request)
        if invite is None:
            transaction.respond(481)
            return
        transaction.respond(200)
        handle = layer.handle_of(invite)
        if handle is not None and invite.state is State.PROCEEDING:
            tag = None
            for (call_id, dialog_tag), dialog in list(self.dialogs.items()):
                if call_id == invite.request.call_id and not dialog.started:
                    tag = dialog_tag
                    del self.dialogs[(call_id, dialog_tag)]
                    break
            handle.respond(487, to_tag=tag)
            self.cancelled += 1

    def _sdp_answer(self, host: str) -> bytes:
        family = "IP6" if ":" in host else "IP4"
        return (
            f"v=0\r\no=sipfast 1 1 IN {family} {host}\r\ns=-\r\nc=IN {family} {host}\r\n"
            "t=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
        ).encode()

