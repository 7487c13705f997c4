"""sipfast, pure-Python twin."""

from sipfast.message import RequestPy, make_responsePy
from sipfast.message import parse_py as parse

from ._sipfast import build_with, parse_and_read_with

parse_and_read = parse_and_read_with(parse)

_build = build_with(make_responsePy, RequestPy)
forward = _build.forward
respond = _build.respond
build_invite = _build.build_invite
serialize = _build.serialize
