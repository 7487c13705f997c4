"""The `sipfast` command line: in-process on both twins, and once as `python -m sipfast`."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import types
from importlib import resources
from pathlib import Path

import pytest

import sipfast
import sipfast.message as sm
from sipfast import cli

KEYS = [
    "source", "offset", "kind", "method", "request_uri", "status", "reason", "via", "from",
    "to", "call_id", "cseq", "contact", "contact_star", "max_forwards", "content_type",
    "content_length", "body_length",
]


def sample(name: str) -> bytes:
    return resources.files("sipfast").joinpath("samples", name).read_bytes()


SAMPLE_NAMES = ["01-invite.sip", "02-ok.sip", "03-register.sip", "04-options.sip"]

# A message that sipfast.parse accepts, built here so each test can break one thing in it.
GOOD = (
    b"MESSAGE sip:bob@biloxi.example.com SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP 192.0.2.8:5060;branch=z9hG4bK776sgdkse\r\n"
    b"Max-Forwards: 70\r\n"
    b"From: sip:alice@atlanta.example.com;tag=49583\r\n"
    b"To: sip:bob@biloxi.example.com\r\n"
    b"Call-ID: asd88asd77a@192.0.2.8\r\n"
    b"CSeq: 1 MESSAGE\r\n"
    b"Content-Type: text/plain\r\n"
    b"Content-Length: 18\r\n"
    b"\r\n"
    b"Watson, come here."
)


@pytest.fixture
def twin(impl: types.SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> types.SimpleNamespace:
    """Run the command line on one twin of the message core."""
    monkeypatch.setattr(cli, "parse", impl.parse)
    monkeypatch.setattr(cli, "StreamParser", impl.StreamParser)
    return impl


def run(
    capsys: pytest.CaptureFixture[str], *argv: str, stdin: bytes | None = None,
    monkeypatch: pytest.MonkeyPatch | None = None,
) -> tuple[int, str, str]:
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, data: bytes, name: str = "in.sip") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


# -- the bundled samples ------------------------------------------------------------------


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_samples_are_framed_crlf_messages(name: str) -> None:
    data = sample(name)
    head, sep, body = data.partition(b"\r\n\r\n")
    assert sep, "no CRLF CRLF after the header section"
    assert b"\n" not in head.replace(b"\r\n", b""), "a bare LF in the header section"
    msg = sipfast.parse(data)
    assert msg.content_length == len(body) == len(msg.body)


def test_no_file_prints_the_samples_as_json(
    twin: types.SimpleNamespace, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "parse")
    assert (code, err) == (0, "")
    items = json.loads(out)
    assert [i["source"] for i in items] == [f"samples/{n}" for n in SAMPLE_NAMES]
    assert [i["method"] or i["status"] for i in items] == ["INVITE", 200, "REGISTER", "OPTIONS"]
    for item in items:
        assert list(item) == KEYS
        assert item["content_length"] == item["body_length"]
    invite = items[0]
    assert invite["content_type"] == "application/sdp"
    assert invite["body_length"] > 0
    assert len(invite["via"]) == 2


def test_no_file_text_prints_one_block_per_sample(
    twin: types.SimpleNamespace, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "parse", "--text")
    assert (code, err) == (0, "")
    blocks = out.strip().split("\n\n")
    assert len(blocks) == 4
    assert blocks[1].splitlines()[:2] == [
        "message 2 (samples/02-ok.sip, offset 0): response",
        "  Status         200 OK",
    ]


# -- files and stdin ----------------------------------------------------------------------


def test_json_fields_of_one_message(
    twin: types.SimpleNamespace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, GOOD)
    code, out, err = run(capsys, "parse", path, "--json")
    assert (code, err) == (0, "")
    assert json.loads(out) == [{
        "source": path,
        "offset": 0,
        "kind": "request",
        "method": "MESSAGE",
        "request_uri": "sip:bob@biloxi.example.com",
        "status": None,
        "reason": None,
        "via": [{"transport": "UDP", "sent_by": "192.0.2.8:5060", "branch": "z9hG4bK776sgdkse"}],
        "from": {"display_name": None, "uri": "sip:alice@atlanta.example.com", "tag": "49583"},
        "to": {"display_name": None, "uri": "sip:bob@biloxi.example.com", "tag": None},
        "call_id": "asd88asd77a@192.0.2.8",
        "cseq": {"seq": 1, "method": "MESSAGE"},
        "contact": [],
        "contact_star": False,
        "max_forwards": 70,
        "content_type": "text/plain",
        "content_length": 18,
        "body_length": 18,
    }]


def test_response_and_contact_params(
    twin: types.SimpleNamespace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "parse", write(tmp_path, sample("03-register.sip")), "--json")
    assert code == 0
    [register] = json.loads(out)
    assert register["contact"] == [{
        "display_name": None,
        "uri": "sip:bob@198.51.100.7:5062;transport=udp",
        "params": {"expires": "3600", "q": "0.8"},
    }]
    code, out, _ = run(capsys, "parse", write(tmp_path, sample("02-ok.sip")), "--json")
    [ok] = json.loads(out)
    assert (ok["kind"], ok["status"], ok["reason"], ok["method"]) == ("response", 200, "OK", None)
    assert ok["to"]["tag"] == "8321234356"
    assert ok["cseq"] == {"seq": 31862, "method": "INVITE"}


def test_file_with_two_messages(
    twin: types.SimpleNamespace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    first, second = sample("01-invite.sip"), sample("02-ok.sip")
    # Blank lines before, between and after the messages are skipped.
    path = write(tmp_path, b"\r\n" + first + b"\r\n" + second + b"\n\n")
    code, out, err = run(capsys, "parse", path, "--json")
    assert (code, err) == (0, "")
    items = json.loads(out)
    assert [i["kind"] for i in items] == ["request", "response"]
    assert [i["offset"] for i in items] == [2, 2 + len(first) + 2]
    assert items[1]["body_length"] == sipfast.parse(second).content_length


def test_file_is_text_by_default(
    twin: types.SimpleNamespace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "parse", write(tmp_path, GOOD + GOOD))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("message 1 (")
    assert lines[0].endswith(", offset 0): request")
    assert "  Request        MESSAGE sip:bob@biloxi.example.com" in lines
    assert "  From           <sip:alice@atlanta.example.com>  tag=49583" in lines
    assert "  Via            UDP 192.0.2.8:5060  branch=z9hG4bK776sgdkse" in lines
    assert "  Body           18 bytes" in lines
    assert sum(line.startswith("message ") for line in lines) == 2


def test_stdin(
    twin: types.SimpleNamespace, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = sample("04-options.sip") + sample("03-register.sip")
    code, out, err = run(capsys, "parse", "-", "--json", stdin=data, monkeypatch=monkeypatch)
    assert (code, err) == (0, "")
    items = json.loads(out)
    assert [(i["source"], i["method"]) for i in items] == [("-", "OPTIONS"), ("-", "REGISTER")]
    assert items[0]["via"][0]["sent_by"] == "[2001:db8::10]:5061"  # compact form v:


def test_one_datagram_without_content_length(
    twin: types.SimpleNamespace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    head = GOOD[: GOOD.index(b"Content-Length")] + b"\r\n"
    code, out, _ = run(capsys, "parse", write(tmp_path, head + b"one\r\ntwo\r\n"), "--json")
    assert code == 0
    [item] = json.loads(out)
    assert item["content_length"] is None
    assert item["body_length"] == len(b"one\r\ntwo\r\n")  # the rest of the file


def test_datagram_ignores_octets_after_the_body(
    twin: types.SimpleNamespace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, GOOD + b"INVITE is not read")
    code, out, _ = run(capsys, "parse", path, "--datagram", "--json")
    assert code == 0
    [item] = json.loads(out)
    assert (item["method"], item["body_length"]) == ("MESSAGE", 18)
    code, _, err = run(capsys, "parse", path)  # as a stream, the octets are a message
    assert code == 1
    assert err.startswith("error: ")
    code, _, err = run(capsys, "parse", write(tmp_path, b"\r\n\r\n"), "--datagram")
    assert code == 1
    assert err.startswith("error: no SIP message")


# -- bad input ----------------------------------------------------------------------------


def error_lines(err: str) -> list[str]:
    lines = err.splitlines()
    assert len(lines) == 4, err
    return lines


def test_bad_message_shows_reason_line_caret_and_offset(
    twin: types.SimpleNamespace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = GOOD.replace(b"CSeq: 1 MESSAGE", b"CSeq: 1x MESSAGE")
    with pytest.raises(sipfast.ParseError) as info:
        twin.parse(bad)
    expected = info.value
    data = GOOD + bad  # the fault is in the second message
    code, out, err = run(capsys, "parse", write(tmp_path, data), "--json")
    assert (code, out) == (1, "")
    first, shown, caret, where = error_lines(err)
    assert first == f"error: {expected.reason} (status {expected.status_code})"
    assert expected.status_code == 400
    assert shown == "  CSeq: 1x MESSAGE"
    offset = len(GOOD) + expected.offset
    assert data[offset : offset + 1] == b"x"
    assert caret == "  " + " " * len("CSeq: 1") + "^"
    line_number = data[:offset].count(b"\n") + 1
    assert where.startswith(f"  at byte offset {offset} (line {line_number})")


def test_control_characters_in_the_shown_line_keep_the_caret_aligned(
    twin: types.SimpleNamespace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = GOOD.replace(b"CSeq: 1 MESSAGE", b"CSeq:\t\x1b[0m 1 MESSAGE")
    with pytest.raises(sipfast.ParseError) as info:
        twin.parse(bad)
    assert bad[info.value.offset] == 0x1B  # the fault is the ESC after the tab
    code, _, err = run(capsys, "parse", write(tmp_path, bad))
    assert code == 1
    _, shown, caret, _ = error_lines(err)
    assert shown == "  CSeq:??[0m 1 MESSAGE"
    assert "\x1b" not in err
    assert "\t" not in err
    assert caret == "  " + " " * len("CSeq:?") + "^"  # under the ESC's '?'


def test_fault_in_a_header_read_lazily(
    twin: types.SimpleNamespace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = GOOD.replace(b"Max-Forwards: 70\r\n", b"Max-Forwards: 70\r\nContact: <sip:a@\r\n")
    code, _, err = run(capsys, "parse", write(tmp_path, GOOD + bad))
    assert code == 1
    first, shown, _, where = error_lines(err)
    assert first.startswith("error: ")
    assert first.endswith("(status 400)")
    assert shown == "  Contact: <sip:a@"
    offset = int(where.split("offset ")[1].split()[0])
    assert len(GOOD) < offset < len(GOOD) + bad.index(b"\r\n", bad.index(b"Contact"))


def test_content_length_is_required_between_messages(
    twin: types.SimpleNamespace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    no_length = GOOD.replace(b"Content-Length: 18\r\n", b"")
    code, _, err = run(capsys, "parse", write(tmp_path, GOOD + no_length))
    assert code == 1
    assert err.startswith("error: missing Content-Length header (status 400)\n")


def test_truncated_body(
    twin: types.SimpleNamespace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, "parse", write(tmp_path, GOOD + GOOD[:-5]))
    assert code == 1
    first, shown, _, _ = error_lines(err)
    assert first.endswith("(status 400)")
    assert shown == "  Content-Length: 18"


@pytest.mark.parametrize("data", [b"", b"\r\n\r\n"])
def test_no_message(
    twin: types.SimpleNamespace, capsys: pytest.CaptureFixture[str], tmp_path: Path,
    data: bytes,
) -> None:
    code, out, err = run(capsys, "parse", write(tmp_path, data))
    assert (code, out) == (1, "")
    assert err.startswith("error: no SIP message")


# -- usage --------------------------------------------------------------------------------


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out == f"sipfast {sipfast.__version__} (message core: {sipfast.IMPLEMENTATION})\n"


@pytest.mark.parametrize(
    "argv", [[], ["frobnicate"], ["parse", "--json", "--text"], ["parse", "a", "b"]]
)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert "usage: sipfast" in err


def test_unreadable_file_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, "parse", str(tmp_path / "missing.sip"))
    assert code == 2
    assert "can't read" in err


# -- as a program -------------------------------------------------------------------------


def program_env(twin_name: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SIPFAST_NO_EXTENSIONS"}
    if twin_name == "py":
        env["SIPFAST_NO_EXTENSIONS"] = "1"
    return env


@pytest.mark.parametrize("twin_name", ["built", "py"])
def test_python_m_sipfast(
    twin_name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = program_env(twin_name)

    def program(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [sys.executable, "-m", "sipfast", *args], input=stdin, env=env, cwd=tmp_path,
            capture_output=True, timeout=60, check=False,
        )

    expected = "python" if twin_name == "py" or sm.parse_c is None else "cython"
    version = program("--version")
    assert version.returncode == 0
    assert version.stdout.decode().strip() == (
        f"sipfast {sipfast.__version__} (message core: {expected})"
    )

    samples = program("parse")
    assert (samples.returncode, samples.stderr) == (0, b"")
    assert cli.main(["parse"]) == 0  # the same output in-process
    assert json.loads(samples.stdout) == json.loads(capsys.readouterr().out)

    piped = program("parse", "-", "--json", stdin=GOOD + GOOD)
    assert piped.returncode == 0
    assert [i["offset"] for i in json.loads(piped.stdout)] == [0, len(GOOD)]

    bad = program("parse", "-", stdin=GOOD.replace(b"SIP/2.0\r\n", b"SIP/2.0 \r\n", 1))
    assert (bad.returncode, bad.stdout) == (1, b"")
    assert bad.stderr.decode().startswith("error: ")
    assert bad.stderr.decode().splitlines()[1] == "  MESSAGE sip:bob@biloxi.example.com SIP/2.0 "
