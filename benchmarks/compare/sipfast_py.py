"""sipfast, pure-Python twin."""

from sipfast.message import parse_py as parse

from ._sipfast import parse_and_read_with

parse_and_read = parse_and_read_with(parse)
