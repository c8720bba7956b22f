"""Fetch one web page safely and extract what a visitor sees.

`fetch_page` never raises for network or content problems: they end up as a one-line
`Page.error`. Choices (see also the function's docstring):

- Address rule: with the default session every connection resolves its host, vets all the
  addresses (netguard) and connects to a vetted address itself, so DNS rebinding cannot
  slip in between check and connect. A caller-supplied session is only pre-checked.
- Redirects are followed by hand, one hop at a time (at most `max_redirects`); coming back
  to a URL already visited (fragment ignored) is "redirect loop". A page that sends the
  visitor on by itself (`<meta http-equiv=refresh>`, a plain `location = "…"` in a script)
  is followed the same way, within the same budget; what each such page showed is kept.
- Non-2xx responses get error "HTTP <code>", but an HTML body is still read and judged.
- Charset: see `charset.decode` (BOM, then valid UTF-8, then HTTP header, then <meta>; the
  first declared one that decodes cleanly wins, else UTF-8, else GB18030).
- The default session ignores proxy and netrc settings from the environment.
- A body over `max_bytes` is not an error: the first `max_bytes` are judged and
  `truncated=True`. A body cut short by the server is an error ("body truncated"); what
  arrived is still decoded, with `truncated=True`.
- `timeout` is a total deadline for the whole fetch (all hops and the body), DNS excepted.
- Thread-safety: each call makes, uses and closes its own `requests.Session`; nothing is
  shared between calls. A caller-supplied session must not be shared between threads.
"""
from __future__ import annotations

import heapq
import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable
from urllib.parse import urldefrag, urljoin, urlsplit

import requests
import urllib3
from bs4.exceptions import ParserRejectedMarkup
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util.connection import create_connection

from . import charset
from .netguard import BlockedAddress, DnsError, check_address
from .visible import collapse, content

DEFAULT_USER_AGENT = ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
                      "Chrome/124.0 Mobile Safari/537.36 peizi-guard/0.1")
HTML_TYPES = ("text/html", "application/xhtml+xml", "")  # "": no Content-Type, sniffed as HTML
TEXT_TYPES = ("text/plain",)
_CHUNK = 64 * 1024


@dataclass
class Page:
    url: str  # as asked
    final_url: str  # where the chain ended: the URL answered, refused or failed
    redirects: list[str] = field(default_factory=list)  # URLs that answered with a redirect
    status: int | None = None  # of the last HTTP response received
    content_type: str | None = None  # media type only, lower case ("text/html")
    encoding: str | None = None  # codec the body was decoded with
    title: str = ""
    description: str = ""  # meta description, then meta keywords
    text: str = ""  # visible body text, whitespace collapsed
    frames: list[str] = field(default_factory=list)  # iframe sources (absolute)
    links: list[str] = field(default_factory=list)  # links to other hosts (absolute)
    goes_to: list[str] = field(default_factory=list)  # meta refresh / script location targets
    truncated: bool = False  # text comes from part of the body only
    error: str | None = None  # one line; None when the page was fetched and judged
    fetched_at: str = ""  # ISO 8601 UTC

    @property
    def ok(self) -> bool:
        return self.error is None


class _Fail(Exception):
    """Ends a fetch; the message becomes Page.error."""


# --- a total deadline, whatever the server does -----------------------------------------

class _Watchdog:
    """Shuts down sockets whose fetch has run out of time. A socket timeout bounds each read,
    not the whole: a server that drips one header byte a second would hold a fetch forever."""

    def __init__(self):
        self.cond = threading.Condition()
        self.heap: list[tuple[float, int, socket.socket]] = []
        self.thread: threading.Thread | None = None
        self.n = 0

    def watch(self, sock: socket.socket, deadline: float) -> None:
        with self.cond:
            self.n += 1
            heapq.heappush(self.heap, (deadline, self.n, sock))
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="fetch-deadlines", daemon=True)
                self.thread.start()
            self.cond.notify()

    def _run(self) -> None:
        while True:
            with self.cond:
                while not self.heap:
                    self.cond.wait()
                deadline, _, sock = self.heap[0]
                left = deadline - time.monotonic()
                if left > 0:
                    self.cond.wait(min(left, 1.0))
                    continue
                heapq.heappop(self.heap)
            try:
                if sock.fileno() >= 0:
                    sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # closed already: the fetch finished in time


_WATCHDOG = _Watchdog()
FETCH_DEADLINE = threading.local()  # the running fetch's deadline, per thread (scan and refresh)


# --- connections that vet and pin the address they connect to --------------------------

class _GuardedConnectionMixin:
    allow_private = False

    def _new_conn(self) -> socket.socket:
        ips = check_address(self.host, self.port, self.allow_private)  # raises through urllib3
        last: OSError | None = None
        for ip in ips:
            try:
                sock = create_connection((ip, self.port), self.timeout,
                                         source_address=self.source_address,
                                         socket_options=self.socket_options)
                deadline = getattr(FETCH_DEADLINE, "deadline", None)
                if deadline is not None:
                    _WATCHDOG.watch(sock, deadline)
                return sock
            except socket.timeout as exc:
                raise ConnectTimeoutError(self, f"connect to {self.host} timed out") from exc
            except OSError as exc:
                last = exc
        raise NewConnectionError(self, f"Failed to establish a new connection: {last}") from last


def _pool_classes(allow_private: bool) -> dict[str, type]:
    attrs = {"allow_private": allow_private}
    conns = {"http": type("GuardedHTTPConnection", (_GuardedConnectionMixin, HTTPConnection), attrs),
             "https": type("GuardedHTTPSConnection", (_GuardedConnectionMixin, HTTPSConnection), attrs)}
    bases = {"http": HTTPConnectionPool, "https": HTTPSConnectionPool}
    return {s: type(f"Guarded{b.__name__}", (b,), {"ConnectionCls": conns[s]}) for s, b in bases.items()}


_POOLS = {flag: _pool_classes(flag) for flag in (False, True)}


class GuardedAdapter(HTTPAdapter):
    """HTTPAdapter whose connections go only to addresses netguard allows."""

    def __init__(self, allow_private: bool = False, **kwargs):
        self.allow_private = allow_private
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS[self.allow_private]


def guarded_session(allow_private: bool = False) -> requests.Session:
    """A session that ignores proxy/netrc environment and vets every connection."""
    session = requests.Session()
    session.trust_env = False
    adapter = GuardedAdapter(allow_private)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


# --- errors ----------------------------------------------------------------------------

def exception_chain(exc: BaseException) -> list[BaseException]:
    """`exc` and what it wraps (causes, contexts, urllib3 reasons, requests args)."""
    out: list[BaseException] = []
    todo: list[object] = [exc]
    while todo and len(out) < 20:
        cur = todo.pop(0)
        if not isinstance(cur, BaseException) or any(cur is seen for seen in out):
            continue
        out.append(cur)
        todo += [cur.__cause__, cur.__context__, getattr(cur, "reason", None), *cur.args]
    return out


_TIMEOUTS = (requests.Timeout, urllib3.exceptions.ReadTimeoutError, TimeoutError)
_TLS = (ssl.SSLError, ssl.CertificateError, requests.exceptions.SSLError,
        urllib3.exceptions.SSLError)
_BAD_URL = (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
            requests.exceptions.InvalidSchema, urllib3.exceptions.LocationParseError, UnicodeError)
_RULES: list[tuple[tuple[type, ...], str]] = [
    ((DnsError, urllib3.exceptions.NameResolutionError, socket.gaierror), "DNS lookup failed"),
    ((ConnectionRefusedError,), "connection refused"),
    ((ConnectionResetError,), "connection reset"),
    (_TLS, "TLS error"),
    (_BAD_URL, "malformed URL"),
    ((urllib3.exceptions.DecodeError, requests.exceptions.ContentDecodingError),
     "bad content encoding"),
    ((http.client.IncompleteRead, requests.exceptions.ChunkedEncodingError), "body truncated"),
    ((http.client.RemoteDisconnected,), "connection closed without response"),
    ((http.client.HTTPException,), "bad HTTP response"),
]


def describe_error(exc: BaseException, default: str = "connection failed") -> str:
    """A one-line, stable description of a network exception."""
    chain = exception_chain(exc)
    for e in chain:
        if isinstance(e, (BlockedAddress, _Fail)):
            return str(e)
    # NewConnectionError subclasses ConnectTimeoutError, so timeouts are judged apart.
    if any(isinstance(e, _TIMEOUTS) or (isinstance(e, ConnectTimeoutError)
                                        and not isinstance(e, NewConnectionError))
           for e in chain):
        return "timed out"
    for types, message in _RULES:
        if any(isinstance(e, types) for e in chain):
            return message
    return default


_CAUGHT = (requests.RequestException, urllib3.exceptions.HTTPError, OSError, ValueError,
           http.client.HTTPException, BlockedAddress, DnsError, _Fail)


# --- URLs and hops ---------------------------------------------------------------------

def _checked(url: str) -> tuple[str, int]:
    """(host, port) of a fetchable URL, else _Fail("malformed URL" / "unsupported scheme x")."""
    try:
        parts = urlsplit(url.strip())
        scheme, host, port = parts.scheme.lower(), parts.hostname, parts.port
    except ValueError:
        raise _Fail("malformed URL") from None
    if scheme and scheme not in ("http", "https") and "." not in scheme:
        raise _Fail(f"unsupported scheme {scheme}")  # "example.com:80" is no scheme
    if scheme not in ("http", "https") or not host or any(c.isspace() for c in parts.netloc):
        raise _Fail("malformed URL")
    try:
        requests.PreparedRequest().prepare_url(url, None)
    except (requests.RequestException, ValueError):
        raise _Fail("malformed URL") from None
    return host, port or (443 if scheme == "https" else 80)


def _deadline_left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise _Fail("timed out")
    return left


@dataclass
class _Options:
    max_bytes: int
    max_redirects: int
    allow_private: bool
    hop_check: Callable[[str], None] | None
    headers: dict[str, str]
    preflight: bool  # caller's session: check addresses before each request
    deadline: float = 0.0


def _request(session: requests.Session, url: str, opts: _Options) -> requests.Response:
    host, port = _checked(url)
    if opts.preflight:
        check_address(host, port, opts.allow_private)
    left = _deadline_left(opts.deadline)
    return session.get(url, headers=opts.headers, timeout=(left, left),
                       allow_redirects=False, stream=True)


def _follow(page: Page, session: requests.Session, opts: _Options, url: str, seen: set[str]) -> requests.Response:
    """Request hop after hop from `url` until a non-redirect response, which is returned open."""
    while True:
        page.final_url = url
        key = urldefrag(url)[0]
        if key in seen:
            raise _Fail("redirect loop")
        seen.add(key)
        if opts.hop_check is not None:
            opts.hop_check(url)
        if len(page.redirects) > opts.max_redirects:
            raise _Fail("too many redirects")
        resp = _request(session, url, opts)
        page.status = resp.status_code
        target = session.get_redirect_target(resp)
        if not target:
            return resp
        resp.close()
        page.redirects.append(url)
        url = urljoin(url, target)


# --- body ------------------------------------------------------------------------------

def _arm(resp: requests.Response, deadline: float) -> None:
    """Let the next socket read wait no longer than the deadline."""
    left = _deadline_left(deadline)
    sock = getattr(getattr(resp.raw, "connection", None), "sock", None)
    if sock is not None:
        sock.settimeout(left)


def _read_chunk(raw, size: int) -> bytes:
    if isinstance(raw, urllib3.HTTPResponse):
        return raw.read1(size, decode_content=True)
    return raw.read(size)


def _read_body(resp: requests.Response, opts: _Options) -> tuple[bytes, bool, str | None]:
    """(body, truncated, error): at most max_bytes, read within the deadline."""
    body = bytearray()
    try:
        while len(body) <= opts.max_bytes:
            _arm(resp, opts.deadline)
            chunk = _read_chunk(resp.raw, min(_CHUNK, opts.max_bytes + 1 - len(body)))
            if not chunk:
                if time.monotonic() >= opts.deadline:  # the watchdog shut the socket: not the real end
                    return bytes(body), True, "timed out"
                return bytes(body), False, None
            body += chunk
    except _CAUGHT as exc:
        late = time.monotonic() >= opts.deadline
        return bytes(body), True, "timed out" if late else describe_error(exc, "body truncated")
    return bytes(body[:opts.max_bytes]), True, None


# --- the fetch -------------------------------------------------------------------------

def _judge(page: Page, resp: requests.Response, opts: _Options) -> None:
    """Fill the page from the final response (status, type, body, text)."""
    content_type = resp.headers.get("Content-Type", "")
    mime = content_type.split(";", 1)[0].strip().lower()
    page.content_type = mime or None
    ok_status = 200 <= resp.status_code < 300
    if not ok_status:
        page.error = f"HTTP {resp.status_code}"
    if mime not in HTML_TYPES + TEXT_TYPES:
        page.error = page.error or f"not HTML ({mime})"
        return
    body, page.truncated, body_error = _read_body(resp, opts)
    text, page.encoding = charset.decode(body, content_type, complete=not page.truncated)
    page.error = page.error or body_error
    if mime in TEXT_TYPES:
        page.text = collapse(text)
        return
    try:
        c = content(text, page.final_url)
    except (RecursionError, ParserRejectedMarkup):
        page.error = page.error or "unparsable HTML"
        return
    page.title, page.description, page.text = c.title, c.description, c.text
    page.goes_to, page.frames, page.links = c.goes_to, c.frames, c.links


def _next_hop(page: Page, seen: set[str]) -> str | None:
    """Where the page sends a visitor by itself (meta refresh, script location), if not yet seen."""
    for url in page.goes_to:
        if urldefrag(url)[0] not in seen:
            return url
    return None


def fetch_page(url: str, *, timeout: float = 10.0, max_bytes: int = 2_000_000,
               max_redirects: int = 5, allow_private: bool = False,
               hop_check: Callable[[str], None] | None = None,
               session: requests.Session | None = None,
               user_agent: str = DEFAULT_USER_AGENT) -> Page:
    """Fetch `url` and return its Page; network and content problems go to Page.error.

    `hop_check(u)` is called once for every URL the redirect chain reaches, the first one
    included, before it is validated or requested (so refused targets are seen too); its
    exceptions propagate. A missing Content-Type is read as HTML; text/plain is kept as text.
    `timeout` bounds the whole fetch. Thread-safe with the default session (one per call).
    """
    page = Page(url=url, final_url=url,
                fetched_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    opts = _Options(max_bytes, max_redirects, allow_private, hop_check,
                    {"User-Agent": user_agent, "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
                     "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"},
                    preflight=session is not None,
                    deadline=time.monotonic() + timeout)
    own = session is None
    session = session or guarded_session(allow_private)
    FETCH_DEADLINE.deadline = opts.deadline
    resp = None
    seen: set[str] = set()
    earlier: list[Page] = []  # pages that sent the visitor on by themselves
    try:
        resp = _follow(page, session, opts, url, seen)
        _judge(page, resp, opts)
        while (nxt := _next_hop(page, seen)) is not None and page.ok:
            if len(page.redirects) >= max_redirects:
                break
            resp.close()
            earlier.append(Page(page.url, page.final_url, title=page.title, description=page.description,
                                text=page.text, frames=page.frames, links=page.links))
            page.redirects.append(page.final_url)
            page.title = page.description = page.text = ""
            page.goes_to, page.frames, page.links = [], [], []
            resp = _follow(page, session, opts, nxt, seen)
            _judge(page, resp, opts)
    except _CAUGHT as exc:
        page.error = "timed out" if time.monotonic() >= opts.deadline else describe_error(exc)
    finally:
        FETCH_DEADLINE.deadline = None
        if resp is not None:
            resp.close()
        if own:
            session.close()
    for e in reversed(earlier):
        page.title = page.title or e.title
        page.description = " ".join(x for x in (e.description, page.description) if x)
        page.text = " ".join(x for x in (e.text, page.text) if x)
        page.frames = list(dict.fromkeys(e.frames + page.frames))
        page.links = list(dict.fromkeys(e.links + page.links))
    return page
