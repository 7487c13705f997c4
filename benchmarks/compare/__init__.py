"""One adapter module per SIP parser, all with the same two functions.

``parse(data: bytes)`` parses one datagram the way the library's own receive path does
and returns its message object.

``parse_and_read(data: bytes) -> tuple`` parses, then reads what every SIP stack reads
from every message (to match it to a transaction and a dialog), through that library's
idiomatic accessors::

    (method or status code, Request-URI (None for responses), top Via branch,
     From tag, To tag, Call-ID, CSeq number, CSeq method)

Values are the library's own types (its URI object, or str where it keeps a string);
test_adapters.py normalises them before comparing.

Importing an adapter raises ImportError, with the reason, when its library is missing.
"""

from __future__ import annotations

import importlib
from importlib import metadata
from types import ModuleType

#: benchmark id -> (adapter module, distribution whose version is reported)
ADAPTERS: dict[str, tuple[str, str]] = {
    "sipfast-cython": ("sipfast_c", "sipfast"),
    "sipfast-python": ("sipfast_py", "sipfast"),
    "sippy": ("sippy", "sippy"),
    "sipmessage": ("sipmessage", "sipmessage"),
    "opensip": ("opensip", "opensip"),
    "aiosipua": ("aiosipua", "aiosipua"),
}
NAMES = tuple(ADAPTERS)


def load(name: str) -> ModuleType:
    """The adapter module for `name`; ImportError (with the reason) if unavailable."""
    return importlib.import_module(f"{__name__}.{ADAPTERS[name][0]}")


def version(name: str) -> str:
    try:
        return metadata.version(ADAPTERS[name][1])
    except metadata.PackageNotFoundError:
        return "not installed"
