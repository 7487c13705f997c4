"""The RFC 4475 / RFC 5118 conformance corpus and what its manifest's `fields` mean.

`check_fields(msg, fields)` maps every manifest field key to the sipfast API; a key it
does not know fails the test (never skipped), so a new manifest key forces a new mapping.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

__all__ = [
    "CONFORMANCE_DIR",
    "CORPUS_MISSING",
    "FIELD_CHECKS",
    "acceptable_responses",
    "check_fields",
    "collapse_lws",
    "entry_bytes",
    "manifest",
    "manifest_entries",
    "multipart_part_types",
]

CONFORMANCE_DIR = Path(
    os.environ.get("SIPFAST_CONFORMANCE_DIR")
    or Path(__file__).resolve().parents[2] / "shared" / "conformance"
)
# The corpus lives beside the repository (../shared), not in it nor in the sdist: where it
# is not there (GitHub's runners, a wheel's tests) the conformance tests are skipped,
# unless SIPFAST_CONFORMANCE_DIR names it, when a missing corpus fails them (.ci/run).
CORPUS_MISSING = not (CONFORMANCE_DIR / "manifest.json").is_file() and not os.environ.get(
    "SIPFAST_CONFORMANCE_DIR"
)


@cache
def manifest() -> dict[str, Any]:
    with open(CONFORMANCE_DIR / "manifest.json", encoding="utf-8") as f:
        return json.load(f)


def manifest_entries() -> list[dict[str, Any]]:
    """The manifest's messages, or [] when the corpus is not there (collection-safe)."""
    try:
        return list(manifest()["messages"])
    except FileNotFoundError:
        return []


def entry_bytes(entry: dict[str, Any]) -> bytes:
    """The octets to hand the parser, checked against the manifest's SHA-256 and size."""
    data = (CONFORMANCE_DIR / entry["file"]).read_bytes()
    assert len(data) == entry["size"], f"{entry['file']}: size changed (line-end conversion?)"
    assert hashlib.sha256(data).hexdigest() == entry["sha256"], f"{entry['file']}: sha256"
    return data


_ALTERNATIVE = re.compile(r"\b([1-6]\d\d) is an acceptable alternative")


def acceptable_responses(entry: dict[str, Any]) -> set[int]:
    """`response` plus any alternative code the entry's notes allow (mismatch02: 400)."""
    codes = {entry["response"]}
    codes.update(int(c) for c in _ALTERNATIVE.findall(entry.get("notes", "")))
    return codes


_LWS_RUN = re.compile(r"[ \t\r\n]+")


def collapse_lws(value: str) -> str:
    """Each run of LWS (including a fold) replaced by one SP."""
    return _LWS_RUN.sub(" ", value)


def multipart_part_types(body: bytes, boundary: str) -> list[str]:
    """Content-Type of each body part of a multipart body (RFC 2046 §5.1), read here."""
    delimiter = b"--" + boundary.encode("ascii")
    chunks = body.split(delimiter)
    types = []
    for chunk in chunks[1:]:  # chunks[0] is the preamble
        if chunk.startswith(b"--"):  # close-delimiter: the epilogue follows
            break
        part = chunk[2:] if chunk.startswith(b"\r\n") else chunk
        head, sep, _ = part.partition(b"\r\n\r\n")
        assert sep, "body part without a blank line after its headers"
        content_type = None
        for line in head.split(b"\r\n"):
            name, colon, value = line.partition(b":")
            if colon and name.strip().lower() in (b"content-type", b"c"):
                content_type = value.split(b";")[0].strip().decode("ascii")
        assert content_type is not None, f"body part without Content-Type: {head!r}"
        types.append(content_type)
    return types


# field key -> function(msg, expected) that asserts.  Each compares with the value the
# manifest gives; `None` in the manifest means "absent" and is compared as such.


def _eq(getter: Callable[[Any], Any]) -> Callable[[Any, Any], None]:
    def check(msg: Any, expected: Any) -> None:
        got = getter(msg)
        assert got == expected, f"got {got!r}, expected {expected!r}"

    return check


def _casefold_eq(getter: Callable[[Any], Any]) -> Callable[[Any, Any], None]:
    def fold(v: Any) -> Any:
        if isinstance(v, str):
            return v.lower()
        if isinstance(v, list):
            return [fold(x) for x in v]
        return v

    def check(msg: Any, expected: Any) -> None:
        got = getter(msg)
        assert fold(got) == fold(expected), f"got {got!r}, expected {expected!r}"

    return check


def _check_unknown_header_values(msg: Any, expected: dict[str, str]) -> None:
    for name, value in expected.items():
        got = msg.headers.get(name)
        assert got is not None, f"header {name!r} missing"
        assert collapse_lws(got) == collapse_lws(value), f"{name}: got {got!r}"


def _check_multipart_part_types(msg: Any, expected: list[str]) -> None:
    boundary = msg.content_type_params["boundary"]
    got = multipart_part_types(msg.body, boundary)
    assert [t.lower() for t in got] == [t.lower() for t in expected], got


FIELD_CHECKS: dict[str, Callable[[Any, Any], None]] = {
    # start line
    "method": _eq(lambda m: m.method),
    "request_uri": _eq(lambda m: str(m.uri)),
    "request_uri_scheme": _eq(lambda m: m.uri.scheme),
    "request_uri_user": _eq(lambda m: m.uri.user),
    "request_uri_host": _eq(lambda m: m.uri.host),
    "request_uri_port": _eq(lambda m: m.uri.port),
    "sip_version": _eq(lambda m: m.version),
    "status_code": _eq(lambda m: m.status),
    "reason_phrase": _eq(lambda m: m.reason),
    # the headers parse() checks
    "call_id": _eq(lambda m: m.call_id),
    "cseq_seq": _eq(lambda m: m.cseq.seq),
    "cseq_method": _eq(lambda m: m.cseq.method),
    "max_forwards": _eq(lambda m: m.max_forwards),
    "content_length": _eq(lambda m: m.content_length),
    "body_len": _eq(lambda m: len(m.body)),
    "via_count": _eq(lambda m: len(m.via)),
    "via_transports": _casefold_eq(lambda m: [v.transport for v in m.via]),
    "via_hosts": _eq(lambda m: [v.host for v in m.via]),
    "top_via_transport": _casefold_eq(lambda m: m.via[0].transport),
    "top_via_host": _eq(lambda m: m.via[0].host),
    "top_via_port": _eq(lambda m: m.via[0].port),
    "top_via_branch": _eq(lambda m: m.via[0].branch),
    "top_via_received": _eq(lambda m: m.via[0].received),
    "from_uri": _eq(lambda m: str(m.from_.uri)),
    "from_user": _eq(lambda m: m.from_.uri.user),
    "from_tag": _eq(lambda m: m.from_.tag),
    "from_display_name": _eq(lambda m: m.from_.display_name),
    "to_uri": _eq(lambda m: str(m.to.uri)),
    "to_user": _eq(lambda m: m.to.uri.user),
    "to_tag": _eq(lambda m: m.to.tag),
    "to_display_name": _eq(lambda m: m.to.display_name),
    # headers parsed on first use
    "contact_count": _eq(lambda m: len(m.contact)),
    "contact_uris": _eq(lambda m: [str(c.uri) for c in m.contact]),
    "contact_user": _eq(lambda m: m.contact[0].uri.user),
    "contact_display_name": _eq(lambda m: m.contact[0].display_name),
    "contact_uri_params": _eq(lambda m: m.contact[0].uri.params),
    "contact_header_params": _eq(lambda m: m.contact[0].params),
    "contact_uri_headers": _eq(lambda m: m.contact[0].uri.headers),
    "require": _eq(lambda m: m.require),
    "proxy_require": _eq(lambda m: m.proxy_require),
    "accept": _eq(lambda m: m.accept),
    "authorization_scheme": _eq(lambda m: m.authorization[0].scheme),
    "subject": _eq(lambda m: m.headers.get("Subject")),
    "unknown_header_values": _check_unknown_header_values,
    "content_type": _casefold_eq(lambda m: m.content_type),
    "multipart_boundary": _eq(lambda m: m.content_type_params["boundary"]),
    "multipart_part_types": _check_multipart_part_types,
}


def check_fields(msg: Any, fields: dict[str, Any]) -> None:
    """Assert every manifest field on `msg`; collect all mismatches into one failure."""
    failures = []
    for key, expected in fields.items():
        check = FIELD_CHECKS.get(key)
        if check is None:
            failures.append(f"{key}: manifest field sipfast's tests don't know how to check")
            continue
        try:
            check(msg, expected)
        except AssertionError as exc:
            failures.append(f"{key}: {exc}")
        except Exception as exc:  # noqa: BLE001 -- an accessor that raises is a mismatch
            failures.append(f"{key}: raised {exc!r}")
    assert not failures, "fields differ:\n  " + "\n  ".join(failures)


def iter_entries(outcome: str | None = None) -> Iterator[dict[str, Any]]:
    for entry in manifest_entries():
        if outcome is None or entry["outcome"] == outcome:
            yield entry
