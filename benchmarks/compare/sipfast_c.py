"""sipfast, Cython twin."""

from sipfast.message import parse_c as parse

from ._sipfast import parse_and_read_with

if parse is None:
    raise ImportError("the sipfast Cython twin is not built (`pip install -e .` without "
                      "SIPFAST_NO_EXTENSIONS, and check that Cython compiled it)")

parse_and_read = parse_and_read_with(parse)
