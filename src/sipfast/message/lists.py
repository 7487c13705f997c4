"""The grammar of the comma-separated list headers, checked when they are read.

Require, Proxy-Require, Supported and Unsupported hold option-tags, Allow holds
Methods (tokens both); Accept holds media-ranges, ``type/subtype``, ``type/*`` or
``*/*``, each with its parameters (RFC 3261 §20, §25.1).  Both twins read these headers
through `elements`, so they accept and refuse the same values with the same errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ..errors import ParseError

__all__ = ["ACCEPT", "METHODS", "OPTION_TAGS", "elements"]

_TOKEN = r"[A-Za-z0-9\-.!%*_+`'~]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"'
_LWS = r"[ \t]*"
_PARAM = rf";{_LWS}{_TOKEN}(?:{_LWS}={_LWS}(?:{_TOKEN}|{_QUOTED}))?{_LWS}"

OPTION_TAGS = ("option-tag", re.compile(_TOKEN))
METHODS = ("Method", re.compile(_TOKEN))
ACCEPT = (
    "media-range",
    re.compile(rf"(?:\*/\*|{_TOKEN}/\*|{_TOKEN}/{_TOKEN}){_LWS}(?:{_PARAM})*"),
)

# one element: what runs to the next comma outside a quoted string
_ELEMENT = re.compile(rf'(?:{_QUOTED}|[^,"])*')


def elements(
    data: bytes, fields: Iterable[tuple[int, str]], kind: tuple[str, re.Pattern[str]],
    message: Any,
) -> list[str]:
    """The elements of the header `fields` ((offset of the value in `data`, value)), in
    order, empty ones skipped; ParseError (400) at the first element that is not a `kind`.

    The offset of an element is exact unless its field was folded over several lines
    or holds non-ASCII text before it (an offset in the value's text, not its octets).
    """
    what, pattern = kind
    out: list[str] = []
    for offset, value in fields:
        pos = 0
        while pos <= len(value):
            match = _ELEMENT.match(value, pos)
            assert match is not None  # it matches the empty string at least
            end = match.end()
            item = value[pos:end]
            stripped = item.strip(" \t")
            if stripped:
                if pattern.fullmatch(stripped) is None:
                    at = offset + pos + (len(item) - len(item.lstrip(" \t")))
                    raise ParseError.at(data, at, f"invalid {what}", 400, message)
                out.append(stripped)
            if end < len(value) and value[end] != ",":  # an unterminated quoted string
                raise ParseError.at(data, offset + end, f"invalid {what}", 400, message)
            pos = end + 1
    return out
