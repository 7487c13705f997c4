"""sipfast, Cython twin."""

from sipfast.message import RequestC, make_responseC
from sipfast.message import parse_c as parse

from ._sipfast import build_with, parse_and_read_with

if parse is None:
    raise ImportError("the sipfast Cython twin is not built (`pip install -e .` without "
                      "SIPFAST_NO_EXTENSIONS, and check that Cython compiled it)")

parse_and_read = parse_and_read_with(parse)

_build = build_with(make_responseC, RequestC)
forward = _build.forward
respond = _build.respond
build_invite = _build.build_invite
serialize = _build.serialize
