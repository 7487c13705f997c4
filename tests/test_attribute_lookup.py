"""Accessors answer the same however they are looked up.

The Cython twin finds the accessors read on every message by the identity of the
interned name (_attrs.pxd); these tests read each one with a name that is not interned
(so through the generic lookup) and through its descriptor, and check that subclasses,
unknown names and errors behave as Python's own lookup does.  On the Python twin they
check the same contract of plain properties.
"""

from __future__ import annotations

from typing import Any

import pytest
from _messages import INVITE as SAMPLE_REQUEST
from _messages import OK_WITH_BODY as SAMPLE_RESPONSE

from sipfast import ParseError

MESSAGE_NAMES = (
    "via",
    "top_via",
    "from_",
    "to",
    "call_id",
    "cseq",
    "is_request",
    "headers",
    "body",
)
NAMES = {
    "request": ("method", "uri", *MESSAGE_NAMES),
    "response": ("status", "reason", *MESSAGE_NAMES),
    "uri": ("scheme", "user", "host", "port", "params"),
    "name_addr": ("uri", "tag", "display_name", "params"),
    "via": (
        "branch",
        "host",
        "port",
        "transport",
        "received",
        "rport",
        "maddr",
        "sent_by",
        "params",
    ),
    "cseq": ("seq", "method"),
}


def fresh(name: str) -> str:
    """The same name in a str object of its own, which the interpreter did not intern."""
    return "".join(list(name))


def comparable(value: Any) -> Any:
    if isinstance(value, list):
        return [comparable(v) for v in value]
    if hasattr(value, "items") and not isinstance(value, dict):  # the headers view
        return list(value.items())
    return value


def objects(impl: Any) -> dict[str, Any]:
    request = impl.parse(SAMPLE_REQUEST)
    return {
        "request": request,
        "response": impl.parse(SAMPLE_RESPONSE),
        "uri": request.uri,
        "name_addr": request.from_,
        "via": request.top_via,
        "cseq": request.cseq,
    }


@pytest.mark.parametrize("kind", sorted(NAMES))
def test_every_fast_name_answers_as_the_generic_lookup(impl: Any, kind: str) -> None:
    obj = objects(impl)[kind]
    for name in NAMES[kind]:
        assert fresh(name) is not name
        fast = getattr(obj, name)
        generic = getattr(objects(impl)[kind], fresh(name))  # a fresh object: nothing cached
        assert comparable(fast) == comparable(generic), name
        descriptor = next(vars(cls)[name] for cls in type(obj).__mro__ if name in vars(cls))
        via_descriptor = (
            descriptor.__get__(obj, type(obj)) if hasattr(descriptor, "__get__") else descriptor
        )
        assert comparable(via_descriptor) == comparable(fast), name


def test_is_request_is_a_class_attribute(impl: Any) -> None:
    request, response = impl.parse(SAMPLE_REQUEST), impl.parse(SAMPLE_RESPONSE)
    assert request.is_request is True
    assert response.is_request is False
    assert impl.Request.is_request is True
    assert impl.Response.is_request is False


def test_unknown_names_and_methods_take_the_generic_lookup(impl: Any) -> None:
    request = impl.parse(SAMPLE_REQUEST)
    with pytest.raises(AttributeError):
        request.no_such_accessor  # noqa: B018
    with pytest.raises(AttributeError):
        request.uri.no_such_part  # noqa: B018
    assert bytes(request) == request.to_bytes()
    assert request.cseq.__class__ is impl.CSeq


def test_a_subclass_overrides_an_accessor(impl: Any) -> None:
    class Rewritten(impl.URI):  # type: ignore[misc, name-defined]
        @property
        def host(self) -> str:
            return "rewritten.invalid"

    uri = Rewritten("sip:alice@atlanta.com")
    assert uri.host == "rewritten.invalid"
    assert uri.user == "alice"
    assert impl.URI("sip:alice@atlanta.com").host == "atlanta.com"


def test_errors_of_lazy_accessors_come_through(impl: Any) -> None:
    data = SAMPLE_REQUEST.replace(b"\nTo: ", b"\nTo: <sip:bob@biloxi.com> junk, ", 1)
    with pytest.raises(ParseError) as caught:
        impl.parse(data)
    partial = caught.value.message
    assert partial is not None
    with pytest.raises(ParseError):
        partial.to  # noqa: B018
    assert partial.call_id == impl.parse(SAMPLE_REQUEST).call_id
