# cython: language_level=3
"""TCP/TLS framing: the Cython twin of _stream_py.py.

The framing logic is shared (one class, so the twins cannot drift); only the parser
it calls is the Cython one.
"""

from ._message_c import _parse_stream
from ._stream_py import StreamParser as _StreamParserPy

__all__ = ["StreamParser"]


class StreamParser(_StreamParserPy):
    __slots__ = ()
    __doc__ = _StreamParserPy.__doc__
    _parse_stream = staticmethod(_parse_stream)
