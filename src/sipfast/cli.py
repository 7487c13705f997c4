"""The ``sipfast`` command line.

``sipfast parse [FILE|-] [--json|--text] [--datagram]`` prints the core fields of every SIP
message in FILE (``-`` is standard input).  With no FILE it parses the sample messages bundled with
the package and prints them as JSON.

A file holds one message, or several back to back, each framed by its Content-Length as
on a TCP stream; blank lines between messages are skipped.  A file whose first message
has no Content-Length is one datagram: its body is the rest of the file.  ``--datagram``
takes the whole input as one datagram (octets after the Content-Length body are ignored,
as RFC 3261 §18.3 says for UDP).

JSON output is an array with one object per message, always with these keys (``null``
where a field does not apply or the header is absent)::

    source, offset, kind, method, request_uri, status, reason,
    via: [{transport, sent_by, branch}], from: {display_name, uri, tag}, to: {...},
    call_id, cseq: {seq, method}, contact: [{display_name, uri, params}], contact_star,
    max_forwards, content_type, content_length, body_length

Exit status: 0 on success, 1 when the input is not valid SIP (the reason, the line with a
caret under the fault and its byte offset go to standard error), 2 for usage errors.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections.abc import Sequence
from importlib import resources
from typing import Any, TextIO

from . import (
    DEFAULT_LIMITS,
    IMPLEMENTATION,
    Keepalive,
    Limits,
    ParseError,
    StreamParser,
    __version__,
    parse,
)

__all__ = ["main", "read_datagram", "read_messages", "summarize"]

_LINE_ENDS = b"\r\n"


class NoMessage(Exception):
    """The input holds no SIP message (it is empty or only line ends)."""


def read_messages(data: bytes, limits: Limits = DEFAULT_LIMITS) -> list[tuple[int, Any]]:
    """Split ``data`` into messages; returns (byte offset, message) pairs.

    Each message is parsed on its own (``sipfast.parse`` over at most ``limits.max_size``
    octets from its start), so its Content-Length frames it and the octets after its body
    are the next message.  A ``ParseError`` raised here has its ``offset`` in ``data``.
    """
    n = len(data)
    pos = _skip_line_ends(data, 0)
    if pos >= n:
        raise NoMessage("no SIP message in the input")
    found: list[tuple[int, Any]] = []
    while pos < n:
        window = data[pos : pos + limits.max_size]
        msg = _parse_at(pos, window, limits)
        if msg.content_length is None:
            if found:
                # Between messages, Content-Length is mandatory (RFC 3261 §18.3): the
                # stream framer says so, with the offset of the end of the header section.
                _missing_content_length(pos, window, limits)
            if len(window) < n - pos:
                msg = _parse_at(pos, data[pos:], limits)  # the rest is its body
            found.append((pos, msg))
            break
        found.append((pos, msg))
        pos = _skip_line_ends(data, pos + len(msg.to_bytes()))
    return found


def read_datagram(data: bytes, limits: Limits = DEFAULT_LIMITS) -> list[tuple[int, Any]]:
    """The whole of ``data`` as one datagram: [(0, message)]."""
    msg = parse(data, limits=limits)
    if isinstance(msg, Keepalive):
        raise NoMessage("no SIP message in the input (a CRLF keepalive)")
    return [(0, msg)]


def _skip_line_ends(data: bytes, pos: int) -> int:
    n = len(data)
    while pos < n and data[pos] in _LINE_ENDS:
        pos += 1
    return pos


def _parse_at(pos: int, window: bytes, limits: Limits) -> Any:
    try:
        return parse(window, limits=limits)
    except ParseError as e:
        raise _moved(e, pos) from None


def _missing_content_length(pos: int, window: bytes, limits: Limits) -> None:
    try:
        StreamParser(limits=limits).feed(window)
    except ParseError as e:
        raise _moved(e, pos) from None
    # Not reached while the stream framer enforces Content-Length; never take the rest of
    # the file as a body here all the same.
    raise ParseError("missing Content-Length header", pos)  # pragma: no cover


def _moved(e: ParseError, pos: int) -> ParseError:
    """The same error with its offset counted from the start of the whole input."""
    if pos == 0:
        return e
    moved = type(e)(e.reason, e.offset + pos, e.status_code, e.line, e.column, e.message)
    moved.__cause__ = e.__cause__
    return moved


# -- what gets printed -------------------------------------------------------------------


def _clean(text: str | None) -> str | None:
    """Text safe to print: invalid UTF-8 (kept by the parser as surrogates) becomes U+FFFD."""
    if text is None:
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return text


def _name_addr(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    return {
        "display_name": _clean(value.display_name),
        "uri": _clean(str(value.uri)),
        "tag": _clean(value.tag),
    }


def summarize(msg: Any, source: str = "", offset: int = 0) -> dict[str, Any]:
    """The core fields of one message as a JSON-ready dict (the keys ``parse --json`` prints).

    Reading a header that ``sipfast.parse`` does not check up front (Contact,
    Content-Type) may raise ``ParseError``.
    """
    request = msg.is_request
    cseq = msg.cseq
    return {
        "source": source,
        "offset": offset,
        "kind": "request" if request else "response",
        "method": msg.method if request else None,
        "request_uri": _clean(str(msg.uri)) if request else None,
        "status": None if request else msg.status,
        "reason": None if request else _clean(msg.reason),
        "via": [
            {"transport": _clean(v.transport), "sent_by": _clean(v.sent_by),
             "branch": _clean(v.branch)}
            for v in msg.via
        ],
        "from": _name_addr(msg.from_),
        "to": _name_addr(msg.to),
        "call_id": _clean(msg.call_id),
        "cseq": {"seq": cseq.seq, "method": cseq.method},
        "contact": [
            {"display_name": _clean(c.display_name), "uri": _clean(str(c.uri)),
             "params": {_clean(k): _clean(v) for k, v in c.params.items()}}
            for c in msg.contact
        ],
        "contact_star": msg.contact_star,
        "max_forwards": msg.max_forwards,
        "content_type": _clean(msg.content_type),
        "content_length": msg.content_length,
        "body_length": len(msg.body),
    }


def _summarize_at(pos: int, msg: Any, source: str) -> dict[str, Any]:
    try:
        return summarize(msg, source, pos)
    except ParseError as e:  # a lazily parsed header (Contact, Content-Type) is malformed
        raise _moved(e, pos) from None


def _printable(text: str) -> str:
    """Control and format characters (ESC, tab, bidi overrides, ...) shown as '?'."""
    return "".join(
        "?" if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") else ch
        for ch in text
    )


def _width(text: str) -> int:
    """Terminal columns ``text`` takes (wide East Asian characters take two)."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _show_name_addr(value: dict[str, Any] | None) -> str:
    if value is None:
        return "-"
    text = f"<{value['uri']}>"
    if value["display_name"] is not None:
        text = f"{_quote(value['display_name'])} {text}"
    if value["tag"] is not None:
        text += f"  tag={value['tag']}"
    return text


def _show_params(params: dict[str, Any]) -> str:
    return "".join(f";{k}" if v is None else f";{k}={v}" for k, v in params.items())


def _text_lines(number: int, item: dict[str, Any]) -> list[str]:
    where = f"{item['source']}, " if item["source"] else ""
    head = f"message {number} ({where}offset {item['offset']}): {item['kind']}"
    if item["kind"] == "request":
        rows: list[tuple[str, str]] = [("Request", f"{item['method']} {item['request_uri']}")]
    else:
        rows = [("Status", f"{item['status']} {item['reason']}")]
    for via in item["via"]:
        text = f"{via['transport']} {via['sent_by']}"
        if via["branch"] is not None:
            text += f"  branch={via['branch']}"
        rows.append(("Via", text))
    rows.append(("From", _show_name_addr(item["from"])))
    rows.append(("To", _show_name_addr(item["to"])))
    rows.append(("Call-ID", item["call_id"]))
    rows.append(("CSeq", f"{item['cseq']['seq']} {item['cseq']['method']}"))
    if item["contact_star"]:
        rows.append(("Contact", "*"))
    for contact in item["contact"]:
        text = f"<{contact['uri']}>{_show_params(contact['params'])}"
        if contact["display_name"] is not None:
            text = f"{_quote(contact['display_name'])} {text}"
        rows.append(("Contact", text))
    if not item["contact"] and not item["contact_star"]:
        rows.append(("Contact", "-"))
    for label, key in (("Max-Forwards", "max_forwards"), ("Content-Type", "content_type"),
                       ("Content-Length", "content_length")):
        rows.append((label, "-" if item[key] is None else str(item[key])))
    rows.append(("Body", f"{item['body_length']} bytes"))
    return [head] + [f"  {label:<15}{_printable(value)}" for label, value in rows]


def _report(err: ParseError, data: bytes, source: str, out: TextIO) -> None:
    """``error: <reason> (status <code>)``, the line with a caret, and where it is."""
    line = _printable(err.line)
    column = min(max(err.column, 0), len(line))
    out.write(f"error: {err.reason} (status {err.status_code})\n")
    out.write(f"  {line}\n")
    out.write(f"  {' ' * _width(line[:column])}^\n")
    line_number = data.count(b"\n", 0, min(err.offset, len(data))) + 1
    where = f" of {source}" if source else ""
    out.write(f"  at byte offset {err.offset} (line {line_number}){where}\n")


# -- the commands ------------------------------------------------------------------------


def _samples() -> list[tuple[str, bytes]]:
    """The sample messages shipped in sipfast/samples/*.sip, by file name."""
    folder = resources.files("sipfast").joinpath("samples")
    found = sorted(
        (entry.name, entry.read_bytes())
        for entry in folder.iterdir()
        if entry.name.endswith(".sip") and entry.is_file()
    )
    return [(f"samples/{name}", data) for name, data in found]


def _parse_command(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.file is None:
        inputs = _samples()
        as_json = not args.text
    else:
        as_json = args.json
        if args.file == "-":
            inputs = [("-", sys.stdin.buffer.read())]
        else:
            try:
                with open(args.file, "rb") as f:
                    inputs = [(args.file, f.read())]
            except OSError as e:
                parser.error(f"can't read {args.file!r}: {e.strerror}")

    read = read_datagram if args.datagram else read_messages
    items: list[dict[str, Any]] = []
    for source, data in inputs:
        try:
            for pos, msg in read(data):
                items.append(_summarize_at(pos, msg, source))
        except NoMessage as e:
            sys.stderr.write(f"error: {e} ({source})\n")
            return 1
        except ParseError as e:
            _report(e, data, source, sys.stderr)
            return 1

    if as_json:
        sys.stdout.write(json.dumps(items, indent=2, ensure_ascii=False) + "\n")
    else:
        blocks = ["\n".join(_text_lines(i, item)) for i, item in enumerate(items, 1)]
        sys.stdout.write("\n\n".join(blocks) + "\n")
    return 0


def _argument_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sipfast",
        description="A fast, RFC-exact SIP (RFC 3261) engine: parse messages, "
                    "send a request, serve.",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"sipfast {__version__} (message core: {IMPLEMENTATION})",
        help="print the version and which message core twin is in use (cython or python)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    p = commands.add_parser(
        "parse",
        help="parse SIP messages and print their core fields",
        description=(
            "Parse the SIP messages in FILE and print their core fields. FILE holds one "
            "message, or several back to back each framed by its Content-Length; a file "
            "whose first message has no Content-Length is one datagram. Without FILE, "
            "parse the sample messages bundled with sipfast and print JSON."
        ),
        epilog="Exit status: 0 parsed, 1 invalid SIP (details on stderr), 2 usage error.",
    )
    p.add_argument("file", nargs="?", metavar="FILE", help="a file of SIP messages, - for stdin")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true",
                     help="print a JSON array, one object per message")
    fmt.add_argument("--text", action="store_true",
                     help="print one block of text per message (the default with a FILE)")
    p.add_argument("--datagram", action="store_true",
                   help="take the input as one UDP datagram: octets after the body "
                        "that Content-Length frames are ignored")
    p.set_defaults(run=_parse_command, parser=p)

    p = commands.add_parser(
        "serve",
        help="run a SIP server",
        description=(
            "Run a SIP server until interrupted.  --mode uas answers OPTIONS with 200, "
            "INVITE with 180 then 200 (with an SDP answer when offered), takes the ACK "
            "and answers BYE with 200: the counterpart of SIPp's built-in uac scenario."
        ),
        epilog="Exit status: 0 after SIGINT/SIGTERM, 2 usage error, 1 when it cannot listen.",
    )
    p.add_argument("--mode", choices=["uas"], default="uas", help="what to serve (uas)")
    p.add_argument("--listen", action="append", metavar="TRANSPORT:HOST:PORT",
                   help="where to listen, e.g. udp:127.0.0.1:5090 or tcp:[::1]:5090; "
                        "repeat for more (default udp:127.0.0.1:5060)")
    p.add_argument("--ring", type=float, default=0.0, metavar="SECONDS",
                   help="seconds between the 180 and the 200 (default 0)")
    p.add_argument("--tls-cert", metavar="PEM",
                   help="certificate chain for tls: and wss: listeners")
    p.add_argument("--tls-key", metavar="PEM", help="private key for --tls-cert")
    _loop_options(p)
    p.set_defaults(run=_serve_command, parser=p)

    p = commands.add_parser(
        "send",
        help="send one request and print the responses (like sipsak)",
        description=(
            "Send one request through a client transaction and print each response's "
            "status line as it arrives.  An INVITE answered 2xx is acknowledged and "
            "ended with a BYE at once."
        ),
        epilog="Exit status: 0 on a 2xx, 1 on a 3xx-6xx, 3 when no final response came "
               "(timeout or transport failure), 2 usage error.",
    )
    p.add_argument("method", metavar="METHOD", help="OPTIONS, INVITE, MESSAGE, ...")
    p.add_argument("uri", metavar="URI", help="the Request-URI, e.g. sip:alice@127.0.0.1:5090")
    p.add_argument("--transport", choices=["udp", "tcp", "tls"],
                   help="transport (default: the URI's transport parameter, else udp)")
    p.add_argument("--to", metavar="TRANSPORT:HOST:PORT", dest="destination",
                   help="send there instead of where the URI says (an outbound proxy)")
    p.add_argument("--dns", metavar="HOST[:PORT]",
                   help="the DNS server for the RFC 3263 lookup (default: the system's)")
    p.add_argument("--header", "-H", action="append", default=[], metavar="'NAME: VALUE'",
                   help="add a header field; repeat for more")
    p.add_argument("--body", metavar="TEXT", default="", help="message body")
    p.add_argument("--verbose", "-v", action="store_true",
                   help="print whole messages, not only status lines")
    p.add_argument("--insecure", action="store_true",
                   help="tls: do not check the server's certificate")
    _loop_options(p)
    p.set_defaults(run=_send_command, parser=p)
    return parser


def _host_port(text: str, default: int) -> tuple[str, int]:
    """HOST, HOST:PORT, [V6] or [V6]:PORT (a bare IPv6 address has no port)."""
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest[1:]
    elif text.count(":") == 1:
        host, port = text.split(":")
    else:
        host, port = text, ""
    if port and not (port.isascii() and port.isdigit()):
        raise ValueError(f"bad port in {text!r}")
    return host, int(port) if port else default


def _loop_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--uvloop", action="store_true", help="run on uvloop (pip install uvloop)")


def _run(args: argparse.Namespace, main: Any) -> int:
    """Run the coroutine function `main` on asyncio, or uvloop with --uvloop."""
    import asyncio

    if args.uvloop:
        try:
            import uvloop  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            args.parser.error("--uvloop needs uvloop: pip install 'sipfast[uvloop]'")
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            return int(runner.run(main()))
    return int(asyncio.run(main()))


def _serve_command(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    import asyncio
    import signal
    import ssl

    from .transaction import TransactionLayer
    from .transport import Address, TransportLayer
    from .ua import AutoAnswer

    try:
        listen = [Address.parse(text) for text in args.listen or ["udp:127.0.0.1:5060"]]
    except ValueError as e:
        parser.error(str(e))
    server_ssl = None
    if any(a.transport in ("TLS", "WSS") for a in listen):
        if not args.tls_cert:
            parser.error("tls: and wss: listeners need --tls-cert (and --tls-key)")
        server_ssl = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        server_ssl.load_cert_chain(args.tls_cert, args.tls_key)

    async def main() -> int:
        transport = TransportLayer(server_ssl=server_ssl)
        uas = AutoAnswer(ring=args.ring)
        layer = TransactionLayer(transport, uas)
        uas.attach(layer)
        try:
            for address in listen:
                bound = await transport.listen(address)
                print(f"sipfast serve --mode {args.mode}: listening on {bound}",
                      file=sys.stderr, flush=True)
        except OSError as e:
            print(f"sipfast serve: cannot listen: {e}", file=sys.stderr)
            await layer.close()
            return 1
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        await layer.close()
        print(
            f"sipfast serve: {uas.calls} calls answered, {uas.completed} ended by BYE, "
            f"{uas.cancelled} cancelled, {uas.ack_timeouts} without ACK; "
            f"{transport.malformed} malformed messages "
            f"({transport.answered_malformed} answered)",
            file=sys.stderr,
        )
        return 0

    return _run(args, main)


def _send_command(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    import socket
    import ssl

    from . import URI
    from .transaction import TransactionLayer
    from .transport import Address, Resolver, TransportLayer, is_ip
    from .ua import send_request
    from .ua._uac import destination_of

    try:
        uri = URI.parse(args.uri)
    except ParseError as e:
        parser.error(f"bad URI {args.uri!r}: {e.reason}")
    headers = []
    for text in args.header:
        name, sep, value = text.partition(":")
        if not sep:
            parser.error(f"--header takes 'NAME: VALUE', not {text!r}")
        headers.append((name.strip(), value.strip()))
    destination = None
    if args.destination:
        try:
            destination = Address.parse(args.destination)
        except ValueError as e:
            parser.error(str(e))
    dns_server: tuple[list[str] | None, int] = (None, 53)
    if args.dns:
        try:
            host, port = _host_port(args.dns, 53)
        except ValueError as e:
            parser.error(str(e))
        dns_server = ([host], port)
    client_ssl = ssl.create_default_context()
    if args.insecure:
        client_ssl.check_hostname = False
        client_ssl.verify_mode = ssl.CERT_NONE

    def show(message: Any) -> None:
        if args.verbose:
            sys.stdout.write(bytes(message).decode("utf-8", "replace") + "\n")
        elif message.is_request:
            return
        else:
            method = message.cseq.method
            also = "" if method == args.method.upper() else f" ({method})"
            sys.stdout.write(f"SIP/2.0 {message.status} {message.reason}{also}\n")
        sys.stdout.flush()

    async def main() -> int:
        if destination is not None:
            targets = [destination]
        elif uri.host and is_ip(uri.host):
            targets = [destination_of(uri, args.transport)]
        else:
            try:
                targets = await Resolver(
                    *dns_server,
                    supported=[args.transport.upper()] if args.transport else ("UDP", "TCP", "TLS"),
                ).resolve(uri)
            except LookupError as e:
                print(f"sipfast send: {e}", file=sys.stderr)
                return 3
        transport = TransportLayer(client_ssl=client_ssl)
        layer = TransactionLayer(transport)
        try:
            # a listener per transport and address family the targets need, on the
            # local address routing picks towards them (what Via and Contact name)
            listening = set()
            for target in targets:
                family = socket.AF_INET6 if ":" in target.host else socket.AF_INET
                if (target.transport, family) in listening:
                    continue
                listening.add((target.transport, family))
                with socket.socket(family, socket.SOCK_DGRAM) as probe:
                    probe.connect((target.host, target.port))
                    local_host = probe.getsockname()[0]
                await transport.listen(Address(target.transport, local_host, 0))
            outcome = await send_request(
                layer, args.method, uri, targets, headers=headers,
                body=args.body.encode(), on_response=show,
                on_request=show if args.verbose else None,
            )
        finally:
            await layer.close()
        if outcome.error is not None and outcome.final is None:
            print(f"sipfast send: {outcome.error}", file=sys.stderr)
            return 3
        assert outcome.final is not None
        return 0 if outcome.final.status < 300 else 1

    return _run(args, main)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _argument_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, --version, usage errors
        return e.code if isinstance(e.code, int) else 2
    try:
        return int(args.run(args, args.parser))
    except SystemExit as e:  # parser.error() from a command
        return e.code if isinstance(e.code, int) else 2
    except BrokenPipeError:  # `sipfast parse big.sip | head`
        _quiet_stdout()
        return 1


def _quiet_stdout() -> None:
    """After a closed pipe, point stdout at /dev/null so the exit does not fail again."""
    import os

    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
