"""The one HTTP layer under `refresh` (fetch.py) and `scan` (pages.py).

- Every connection resolves its host, vets all the addresses (netguard: no loopback, private
  or link-local addresses unless allow_private, and never a cloud metadata address) and connects to a vetted address
  itself, so DNS rebinding cannot slip in between check and connect. Proxy and netrc settings
  from the environment are ignored.
- A total deadline per request covers connect, headers and body: a watchdog shuts the socket
  when it passes, so a server dripping one byte a second cannot stretch it.
- Bodies are read in chunks up to a cap; one honest User-Agent names the tool.
- Errors become one line: `describe_error` (short, stable: scan's reasons) and `describe`
  (with the host and the timeout: refresh's messages).
"""

from __future__ import annotations

import heapq
import http.client
import http.cookiejar
import os
import re
import socket
import ssl
import threading
import time
from contextlib import contextmanager
from typing import Any, Iterator
from urllib.parse import urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError, ReadTimeoutError
from urllib3.util.connection import create_connection
from urllib3.util.retry import Retry

from ..errors import exception_chain
from .netguard import BlockedAddress, DnsError, check_address

PROJECT_URL = "https://github.com/peizi-guard/peizi-guard"
MAX_REDIRECTS = 10
_CHUNK = 64 * 1024


def user_agent() -> str:
    # header values must be latin-1, so 配资 is spelt in pinyin
    from .. import version

    return f"peizi-guard/{version()} (+{PROJECT_URL}; checks official peizi blacklists)"


def human_size(n: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:g} {unit}"
    return f"{n} bytes"


class Fail(Exception):
    """Ends a fetch; the message is the one-line error."""


# --- a total deadline, whatever the server does -----------------------------------------


class _Watchdog:
    """Shuts down sockets whose fetch has run out of time. A socket timeout bounds each read,
    not the whole: a server that drips one header byte a second would hold a fetch forever.
    A kept-alive socket is watched again for each fetch that uses it (its latest deadline
    counts) and not at all while it waits idle in the pool."""

    def __init__(self):
        self.cond = threading.Condition()
        self.heap: list[tuple[float, int, socket.socket]] = []
        self.armed: dict[int, int] = {}  # id(socket) -> its entry that counts (the heap holds the socket)
        self.thread: threading.Thread | None = None
        self.n = 0

    def watch(self, sock: socket.socket, deadline: float) -> None:
        with self.cond:
            self.n += 1
            self.armed[id(sock)] = self.n
            heapq.heappush(self.heap, (deadline, self.n, sock))
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="fetch-deadlines", daemon=True)
                self.thread.start()
            if self.heap[0][1] == self.n:  # the earliest deadline now: else its wait ends in time anyway
                self.cond.notify()

    def reset(self) -> None:
        """After fork: the child has no watchdog thread, and the lock may be held by a thread it lacks."""
        self.__init__()  # type: ignore[misc]

    def forget(self, sock: socket.socket) -> None:
        with self.cond:
            self.armed.pop(id(sock), None)

    def _run(self) -> None:
        while True:
            with self.cond:
                while not self.heap:
                    self.cond.wait()
                deadline, n, sock = self.heap[0]
                left = deadline - time.monotonic()
                if left > 0:
                    self.cond.wait(min(left, 1.0))
                    continue
                heapq.heappop(self.heap)
                if self.armed.get(id(sock)) != n:
                    continue  # watched again since, or back in the pool
                del self.armed[id(sock)]
                try:  # under the lock: a fetch cannot take the socket up in between
                    if sock.fileno() >= 0:
                        sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # closed already: the fetch finished in time


_WATCHDOG = _Watchdog()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_WATCHDOG.reset)
FETCH_DEADLINE = threading.local()  # the running fetch's deadline, per thread (scan and refresh)


# --- connections that vet and pin the address they connect to --------------------------


class _GuardedConnectionMixin:
    allow_private = False
    # provided by urllib3's HTTPConnection, which this is mixed into
    host: str
    port: int
    timeout: Any
    source_address: Any
    socket_options: Any

    def _new_conn(self) -> socket.socket:
        ips = check_address(self.host, self.port, self.allow_private)  # raises through urllib3
        last: OSError | None = None
        for ip in ips:
            try:
                sock = create_connection(
                    (ip, self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
                _watch(sock)
                return sock
            except socket.timeout as exc:
                raise ConnectTimeoutError(self, f"connect to {self.host} timed out") from exc
            except OSError as exc:
                last = exc
        raise NewConnectionError(self, f"Failed to establish a new connection: {last}") from last  # type: ignore[arg-type]

    def request(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        sock = getattr(self, "sock", None)
        if sock is not None:  # kept alive from an earlier fetch: this fetch's deadline counts now
            _watch(sock)
        super().request(*args, **kwargs)  # type: ignore[misc]


def _watch(sock: socket.socket) -> None:
    deadline = getattr(FETCH_DEADLINE, "deadline", None)
    if deadline is None:
        _WATCHDOG.forget(sock)
    else:
        _WATCHDOG.watch(sock, deadline)


class _GuardedPoolMixin:
    def _put_conn(self, conn) -> None:  # noqa: ANN001
        sock = getattr(conn, "sock", None)
        if sock is not None:  # idle in the pool: no fetch's deadline applies
            _WATCHDOG.forget(sock)
        super()._put_conn(conn)  # type: ignore[misc]


def _pool_classes(allow_private: bool) -> dict[str, type]:
    attrs = {"allow_private": allow_private}
    conns = {
        "http": type("GuardedHTTPConnection", (_GuardedConnectionMixin, HTTPConnection), attrs),
        "https": type("GuardedHTTPSConnection", (_GuardedConnectionMixin, HTTPSConnection), attrs),
    }
    bases = {"http": HTTPConnectionPool, "https": HTTPSConnectionPool}
    return {
        s: type(f"Guarded{b.__name__}", (_GuardedPoolMixin, b), {"ConnectionCls": conns[s]}) for s, b in bases.items()
    }


_POOLS = {flag: _pool_classes(flag) for flag in (False, True)}


class GuardedAdapter(HTTPAdapter):
    """HTTPAdapter whose connections go only to addresses netguard allows."""

    def __init__(self, allow_private: bool = False, **kwargs):
        self.allow_private = allow_private
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS[self.allow_private]


class _OnceIfClosed(Retry):
    """A request tried once more when its connection broke before any answer (a kept-alive
    connection the server closed just as it was reused); never after a timeout: a slow server
    is not asked twice, and the fetch's deadline stays its own."""

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):  # noqa: ANN001, ANN206
        ends = getattr(FETCH_DEADLINE, "deadline", None)
        late = ends is not None and time.monotonic() >= ends  # the watchdog shut it: a timeout too
        if error is not None and (isinstance(error, ReadTimeoutError) or late):  # as with no retries
            raise error
        return super().increment(method, url, response, error, _pool, _stacktrace)


def guarded_session(allow_private: bool = False, pool_size: int = 10, shared: bool = False) -> requests.Session:
    """A session that ignores proxy/netrc environment and vets every connection. `shared`:
    one for many fetch_page calls on many threads, keeping up to `pool_size` connections alive
    per host (and as many hosts) and no cookies (fetch_page keeps each fetch's own)."""
    session = requests.Session()
    session.trust_env = False
    if shared:
        session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    retries = _OnceIfClosed(total=1, connect=0, read=1, redirect=0, status=0, other=0) if shared else 0
    adapter = GuardedAdapter(allow_private, pool_connections=pool_size, pool_maxsize=pool_size, max_retries=retries)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    setattr(session, GUARDED, allow_private)
    return session


GUARDED = "peizi_guard_allow_private"  # set on guarded sessions: its allow_private


# --- errors ----------------------------------------------------------------------------


_TIMEOUTS = (requests.Timeout, urllib3.exceptions.ReadTimeoutError, TimeoutError)
_TLS = (ssl.SSLError, ssl.CertificateError, requests.exceptions.SSLError, urllib3.exceptions.SSLError)
_BAD_URL = (
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
    urllib3.exceptions.LocationParseError,
    UnicodeError,
)
_RULES: list[tuple[tuple[type, ...], str]] = [
    ((DnsError, urllib3.exceptions.NameResolutionError, socket.gaierror), "DNS lookup failed"),
    ((ConnectionRefusedError,), "connection refused"),
    ((ConnectionResetError,), "connection reset"),
    (_TLS, "TLS error"),
    (_BAD_URL, "malformed URL"),
    ((urllib3.exceptions.DecodeError, requests.exceptions.ContentDecodingError), "bad content encoding"),
    ((http.client.IncompleteRead, requests.exceptions.ChunkedEncodingError), "body truncated"),
    ((http.client.RemoteDisconnected,), "connection closed without response"),
    ((http.client.HTTPException,), "bad HTTP response"),
]


def describe_error(exc: BaseException, default: str = "connection failed") -> str:
    """A one-line, stable description of a network exception."""
    chain = exception_chain(exc)
    for e in chain:
        if isinstance(e, (BlockedAddress, Fail)):
            return str(e)
    # NewConnectionError subclasses ConnectTimeoutError, so timeouts are judged apart.
    if any(
        isinstance(e, _TIMEOUTS) or (isinstance(e, ConnectTimeoutError) and not isinstance(e, NewConnectionError))
        for e in chain
    ):
        return "timed out"
    for types, message in _RULES:
        if any(isinstance(e, types) for e in chain):
            return message
    return default


CAUGHT = (
    requests.RequestException,
    urllib3.exceptions.HTTPError,
    OSError,
    ValueError,
    http.client.HTTPException,
    BlockedAddress,
    DnsError,
    Fail,
)


@contextmanager
def deadline(ends: float) -> Iterator[None]:
    """Connections opened in this block (this thread) are shut at `ends` (time.monotonic)."""
    FETCH_DEADLINE.deadline = ends
    try:
        yield
    finally:
        FETCH_DEADLINE.deadline = None


def deadline_left(ends: float) -> float:
    left = ends - time.monotonic()
    if left <= 0:
        raise Fail("timed out")
    return left


# --- messages --------------------------------------------------------------------------


def host_of(url: str) -> str:
    return urlsplit(url).hostname or url


def _root_cause(exc: BaseException) -> BaseException:
    """The urllib3 error inside requests' wrappers (MaxRetryError.reason etc.)."""
    seen = exc
    for _ in range(5):
        inner = getattr(seen, "reason", None) or (seen.args[0] if seen.args else None)
        if not isinstance(inner, BaseException):
            break
        seen = inner
    return seen


def _short(exc: BaseException) -> str:
    text = str(exc)
    m = re.search(r"\[Errno -?\d+\] ([^)\"']+)", text)
    if m:
        text = m.group(1)
    text = re.sub(r"^\[SSL: [A-Z_]+\] |\s*\(_ssl\.c:\d+\)", "", text).strip() or type(exc).__name__
    return text[:1].lower() + text[1:]


def describe(exc: requests.RequestException, url: str, timeout: tuple[float, float]) -> str:
    """One line saying what went wrong with a request."""
    host, cause = host_of(url), _root_cause(exc)
    if isinstance(exc, requests.ConnectTimeout):
        return f"timed out after {timeout[0]:g} s connecting to {host}"
    if isinstance(exc, requests.ReadTimeout) or isinstance(cause, ReadTimeoutError):
        return f"timed out after {timeout[1]:g} s waiting for {host}"
    if isinstance(exc, requests.exceptions.SSLError):
        return f"TLS error with {host}: {_short(cause)}"
    if isinstance(exc, requests.TooManyRedirects):
        return f"more than {MAX_REDIRECTS} redirects from {url}"
    if isinstance(
        exc, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema)
    ):
        return f"invalid URL: {url}"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return f"connection to {host} broke off mid-download"
    if isinstance(cause, NameResolutionError):
        return f"cannot resolve host name {host}"
    if isinstance(exc, requests.ConnectionError) or isinstance(cause, NewConnectionError):
        return f"cannot connect to {host}: {_short(cause)}"
    return f"request to {host} failed: {_short(cause)}"


def blocked(exc: BaseException) -> str:
    """The address guard's one-line refusal inside a requests error, or ""."""
    return next((str(e) for e in exception_chain(exc) if isinstance(e, BlockedAddress)), "")


# --- bodies ----------------------------------------------------------------------------


def _arm(resp: requests.Response, ends: float) -> None:
    """Let the next socket read wait no longer than the deadline."""
    left = deadline_left(ends)
    sock = getattr(getattr(resp.raw, "connection", None), "sock", None)
    if sock is not None:
        sock.settimeout(left)


def _read_chunk(raw, size: int) -> bytes:
    if isinstance(raw, urllib3.HTTPResponse):
        return raw.read1(size, decode_content=True)
    return raw.read(size)


def read_body(resp: requests.Response, max_bytes: int, ends: float) -> tuple[bytes, bool, str | None]:
    """(body, truncated, error): at most max_bytes, read before `ends`. truncated without an
    error: the body is longer than max_bytes."""
    body = bytearray()
    try:
        while len(body) <= max_bytes:
            _arm(resp, ends)
            chunk = _read_chunk(resp.raw, min(_CHUNK, max_bytes + 1 - len(body)))
            if not chunk:
                if time.monotonic() >= ends:  # the watchdog shut the socket: not the real end
                    return bytes(body), True, "timed out"
                return bytes(body), False, None
            body += chunk
    except CAUGHT as exc:
        late = time.monotonic() >= ends
        return bytes(body), True, "timed out" if late else describe_error(exc, "body truncated")
    return bytes(body[:max_bytes]), True, None
