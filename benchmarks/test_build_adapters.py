"""Every build adapter does what compare/__init__.py says, checked on its output as read
back by sipfast's Python twin (the reference reader here)."""

from __future__ import annotations

import pytest

from benchmarks import compare
from benchmarks.bench_build import FORWARDED_INVITE, LARGE_INVITE
from benchmarks.compare import (
    NEW_INVITE_BODY,
    NEW_INVITE_HEADERS,
    NEW_INVITE_URI,
    PROXY_RECORD_ROUTE,
    PROXY_VIA,
    TO_TAG,
)
from benchmarks.corpus import CORPUS
from sipfast.message import ViaPy, parse_py

PROXY_BRANCH = ViaPy.parse(PROXY_VIA).branch
# aiosipua's Dialog.create_response copies no Record-Route (see compare/aiosipua.py).
NO_RECORD_ROUTE_IN_RESPONSES = {"aiosipua"}


def builder(name: str):
    try:
        module = compare.load(name)
    except ImportError as exc:
        pytest.skip(f"{name} unavailable: {exc}")
    if not hasattr(module, "forward"):
        pytest.skip(f"{name}: no build adapter")
    return module


def test_forwarded_invite_is_the_corpus_invite_with_a_route():
    msg = parse_py(FORWARDED_INVITE)
    assert [str(r) for r in msg.route] == [compare.PROXY_ROUTE]
    assert parse_py(LARGE_INVITE).body.startswith(NEW_INVITE_BODY)
    assert len(parse_py(LARGE_INVITE).body) >= 32 * 1024 - 100


@pytest.mark.parametrize("name", compare.NAMES)
def test_forward(name):
    module = builder(name)
    before = parse_py(FORWARDED_INVITE)
    msg = parse_py(module.forward(module.parse(FORWARDED_INVITE)))
    assert (msg.method, str(msg.uri)) == (before.method, str(before.uri))
    assert [v.branch for v in msg.via] == [PROXY_BRANCH] + [v.branch for v in before.via]
    assert msg.max_forwards == before.max_forwards - 1
    assert [str(r) for r in msg.record_route] == [PROXY_RECORD_ROUTE] + [
        str(r) for r in before.record_route]
    assert msg.route == []
    assert (msg.call_id, str(msg.cseq), msg.from_.tag) == (
        before.call_id, str(before.cseq), before.from_.tag)
    assert msg.body == before.body


@pytest.mark.parametrize("status", [200, 180])
@pytest.mark.parametrize("name", compare.NAMES)
def test_respond(name, status):
    module = builder(name)
    request = parse_py(CORPUS["invite"])
    msg = parse_py(module.respond(module.parse(CORPUS["invite"]), status, TO_TAG))
    assert (msg.status, msg.reason) == (status, compare.REASONS[status])
    assert [str(v) for v in msg.via] == [str(v) for v in request.via]
    assert msg.to.tag == TO_TAG
    assert str(msg.to.uri) == str(request.to.uri)
    assert (msg.from_.tag, msg.call_id, str(msg.cseq)) == (
        request.from_.tag, request.call_id, str(request.cseq))
    expected_rr = [] if name in NO_RECORD_ROUTE_IN_RESPONSES else [
        str(r) for r in request.record_route]
    assert [str(r) for r in msg.record_route] == expected_rr
    assert msg.body == b""


@pytest.mark.parametrize("name", compare.NAMES)
def test_build_invite(name):
    module = builder(name)
    msg = parse_py(module.build_invite())
    assert (msg.method, str(msg.uri)) == ("INVITE", NEW_INVITE_URI)
    for header, value in NEW_INVITE_HEADERS:
        assert msg.headers.get(header) == value, header
    assert (msg.body, msg.content_length) == (NEW_INVITE_BODY, len(NEW_INVITE_BODY))


@pytest.mark.parametrize("data", [CORPUS["invite"], CORPUS["ok"], LARGE_INVITE],
                         ids=["invite", "ok", "large"])
@pytest.mark.parametrize("name", compare.NAMES)
def test_serialize(name, data):
    module = builder(name)
    out = module.serialize(module.parse(data))
    assert compare.load("sipfast-python").parse_and_read(out) == (
        compare.load("sipfast-python").parse_and_read(data))
    assert parse_py(out).body == parse_py(data).body
    if name.startswith("sipfast"):
        assert out == data
