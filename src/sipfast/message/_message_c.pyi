"""Typing for the compiled module _message_c (parse, build and edit messages; headers).

Both twins have this API (``_message_py`` is the pure-Python one): these stubs are what
type checkers see for ``sipfast.parse``, ``sipfast.Request``, ... whichever twin runs.

The accessors of the headers that ``parse()`` requires (``call_id``, ``cseq``, ``via``,
``top_via``, ``from_``, ``to``) are typed as present: on every message ``parse()`` or a
``StreamParser`` returns, they are.  Only the partial message a ``ParseError`` carries
(``err.message``) can lack them (then they give None, ``[]`` for ``via``).
"""

from collections.abc import Iterable, Iterator, Mapping
from typing import ClassVar, Literal, TypeAlias, TypeVar, overload

from typing_extensions import disjoint_base

from ._values_c import URI, Auth, CSeq, NameAddr, Via
from .keepalive import Keepalive
from .limits import Limits

_T = TypeVar("_T")
_Data: TypeAlias = bytes | bytearray | memoryview
# Header fields to write, in order: a mapping, or (name, value) pairs.
_Fields: TypeAlias = Mapping[str, str] | Iterable[tuple[str, str]]

def parse(data: _Data, limits: Limits | None = None) -> Request | Response | Keepalive:
    """Parse one datagram (or one framed stream message)."""

def is_keepalive(data: _Data) -> bool:
    """True for an RFC 5626 CRLF keepalive: CRLF (pong) or CRLF CRLF (ping)."""

def make_response(
    request: Request,
    status: int,
    reason: str | None = None,
    *,
    to_tag: str | None = None,
    headers: _Fields = (),
    body: _Data = b"",
) -> Response:
    """The response to ``request`` (RFC 3261 §8.2.6), its header lines copied verbatim."""

@disjoint_base
class Headers:
    """A case-insensitive, order-preserving multi-map view of a message's header fields."""

    def __init__(self, msg: Message) -> None: ...
    @overload
    def get(self, name: str, default: None = None) -> str | None: ...
    @overload
    def get(self, name: str, default: _T) -> str | _T: ...
    def getall(self, name: str) -> list[str]: ...
    def getlist(self, name: str) -> list[str]: ...
    def __getitem__(self, name: str, /) -> str: ...
    def __contains__(self, name: object, /) -> bool: ...
    def keys(self) -> list[str]: ...
    def values(self) -> list[str]: ...
    def items(self) -> list[tuple[str, str]]: ...
    def __iter__(self) -> Iterator[str]: ...
    def __len__(self) -> int: ...
    def add(self, name: str, value: str) -> None:
        """A new field after the last field of that name, else at the end."""

    def insert(self, name: str, value: str) -> None:
        """A new field before the first field of that name, else first."""

    def set(self, name: str, value: str) -> None:
        """One field of that name with this value, in place of the first one (else last)."""

    def remove(self, name: str) -> int:
        """Remove every field of that name; how many there were."""

@disjoint_base
class Message:
    """What requests and responses share: the header index, the body, typed accessors."""

    is_request: ClassVar[bool]
    @property
    def version(self) -> str: ...
    @property
    def headers(self) -> Headers: ...
    @property
    def body(self) -> bytes: ...
    @body.setter
    def body(self, body: _Data) -> None: ...
    def to_bytes(self) -> bytes: ...
    def __bytes__(self) -> bytes: ...
    @property
    def call_id(self) -> str: ...
    @property
    def cseq(self) -> CSeq: ...
    @property
    def via(self) -> list[Via]: ...
    @property
    def top_via(self) -> Via: ...
    @property
    def from_(self) -> NameAddr: ...
    @property
    def to(self) -> NameAddr: ...
    @property
    def max_forwards(self) -> int | None: ...
    @property
    def content_length(self) -> int | None: ...
    @property
    def contact(self) -> list[NameAddr]: ...
    @property
    def contact_star(self) -> bool: ...
    @property
    def route(self) -> list[NameAddr]: ...
    @property
    def record_route(self) -> list[NameAddr]: ...
    @property
    def content_type(self) -> str | None: ...
    @property
    def content_type_params(self) -> dict[str, str | None]: ...
    @property
    def expires(self) -> int | None: ...
    @property
    def authorization(self) -> list[Auth]: ...
    @property
    def proxy_authorization(self) -> list[Auth]: ...
    @property
    def www_authenticate(self) -> list[Auth]: ...
    @property
    def proxy_authenticate(self) -> list[Auth]: ...
    @property
    def require(self) -> list[str]: ...
    @property
    def proxy_require(self) -> list[str]: ...
    @property
    def supported(self) -> list[str]: ...
    @property
    def unsupported(self) -> list[str]: ...
    @property
    def allow(self) -> list[str]: ...
    @property
    def accept(self) -> list[str]: ...
    def push_via(self, via: Via | str) -> None:
        """A new topmost Via field."""

    def pop_via(self) -> Via:
        """Remove the topmost Via value (the first of a comma list) and return it."""

    def decrement_max_forwards(self) -> int:
        """Max-Forwards minus one; 70 added when absent (RFC 3261 §16.6 step 3)."""

    def push_record_route(self, value: NameAddr | URI | str) -> None:
        """A new topmost Record-Route field; a URI is written as ``<uri>``."""

    def pop_route(self) -> NameAddr | None:
        """Remove the first Route value (the first of a comma list) and return it."""

@disjoint_base
class Request(Message):
    is_request: ClassVar[Literal[True]]
    def __init__(
        self, method: str, uri: URI | str, headers: _Fields = (), body: _Data = b""
    ) -> None:
        """A new request: the start line, ``headers`` in order, Content-Length, ``body``."""

    @property
    def method(self) -> str: ...
    @property
    def uri(self) -> URI:
        """The Request-URI; setting it rewrites the start line."""

    @uri.setter
    def uri(self, uri: URI | str) -> None: ...

@disjoint_base
class Response(Message):
    is_request: ClassVar[Literal[False]]
    def __init__(
        self, status: int, reason: str | None = None, headers: _Fields = (), body: _Data = b""
    ) -> None:
        """A new response: the status line, ``headers`` in order, Content-Length, ``body``."""
    @property
    def status(self) -> int: ...
    @property
    def reason(self) -> str: ...
