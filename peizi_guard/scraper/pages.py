"""Fetch one web page safely and extract what a visitor sees.

`fetch_page` never raises for network or content problems: they end up as a one-line
`Page.error`. Choices (see also the function's docstring):

- Address rule, deadline, body cap and User-Agent: `http.py`'s, as for `refresh`. With the
  default session every connection vets and pins its address; a caller-supplied session is
  only pre-checked.
- Redirects are followed by hand, one hop at a time (at most `max_redirects`); coming back
  to a URL already visited (fragment ignored) is "redirect loop". A page that sends the
  visitor on by itself (`<meta http-equiv=refresh>`, a plain `location = "…"` in a script)
  is followed the same way, within the same budget; what each such page showed is kept.
  What its frames (`<iframe>`, `<frame>`) show, and their frames', is read as part of the page
  (see `_read_frames`).
- Non-2xx responses get error "HTTP <code>", but an HTML body is still read and judged.
- Charset: see `charset.decode` (BOM, then valid UTF-8, then HTTP header, then <meta>; the
  first declared one that decodes cleanly wins, else UTF-8, else GB18030). A body that still
  does not read as text (over `GARBLED_SHARE` of its characters U+FFFD or control characters:
  random bytes, an undeclared compression) gets error "undecodable …" and is not judged.
- A body over `max_bytes` is not an error: the first `max_bytes` are judged and
  `truncated=True`. A body cut short by the server is an error ("body truncated"); what
  arrived is still decoded, with `truncated=True`.
- `timeout` is a total deadline for the whole fetch (all hops and the body), DNS excepted.
- Thread-safety: each call makes, uses and closes its own `requests.Session`; nothing is
  shared between calls. A caller-supplied session must not be shared between threads.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable
from urllib.parse import urldefrag, urljoin, urlsplit

import requests

from . import charset
from .http import CAUGHT, GUARDED, Fail, deadline, deadline_left, describe_error, guarded_session, read_body
from .http import user_agent as _user_agent
from .netguard import check_address
from .visible import collapse, content

HTML_TYPES = ("text/html", "application/xhtml+xml", "")  # "": no Content-Type, sniffed as HTML
TEXT_TYPES = ("text/plain",)
GARBLED_SHARE = 0.10  # of a decoded body's characters, beyond which it is not text
_GARBLED = re.compile(r"[\ufffd\x00-\x08\x0e-\x1f\x7f-\x9f]")  # replacement and control characters, not spaces


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
    refreshes: list[str] = field(default_factory=list)  # … the meta refresh ones (a script's may never run)
    truncated: bool = False  # text comes from part of the body only
    error: str | None = None  # one line; None when the page was fetched and judged
    fetched_at: str = ""  # ISO 8601 UTC

    @property
    def ok(self) -> bool:
        return self.error is None


# --- URLs and hops ---------------------------------------------------------------------


def _checked(url: str) -> tuple[str, int]:
    """(host, port) of a fetchable URL, else Fail("malformed URL" / "unsupported scheme x")."""
    try:
        parts = urlsplit(url.strip())
        scheme, host, port = parts.scheme.lower(), parts.hostname, parts.port
    except ValueError:
        raise Fail("malformed URL") from None
    if scheme and scheme not in ("http", "https") and "." not in scheme:
        raise Fail(f"unsupported scheme {scheme}")  # "example.com:80" is no scheme
    if scheme not in ("http", "https") or not host or any(c.isspace() for c in parts.netloc):
        raise Fail("malformed URL")
    try:
        requests.PreparedRequest().prepare_url(url, None)
    except (requests.RequestException, ValueError):
        raise Fail("malformed URL") from None
    return host, port or (443 if scheme == "https" else 80)


@dataclass
class _Options:
    max_bytes: int
    max_redirects: int
    allow_private: bool
    hop_check: Callable[[str], None] | None
    headers: dict[str, str]
    preflight: bool  # caller's session that does not vet addresses: check before each request
    deadline: float = 0.0
    cookies: requests.cookies.RequestsCookieJar = field(default_factory=requests.cookies.RequestsCookieJar)


def _request(session: requests.Session, url: str, opts: _Options) -> requests.Response:
    host, port = _checked(url)
    if opts.preflight:
        check_address(host, port, opts.allow_private)
    left = deadline_left(opts.deadline)
    resp = session.get(
        url, headers=opts.headers, cookies=opts.cookies, timeout=(left, left), allow_redirects=False, stream=True
    )
    opts.cookies.update(resp.cookies)  # this fetch's own: a shared session keeps none
    return resp


def _follow(page: Page, session: requests.Session, opts: _Options, url: str, seen: set[str]) -> requests.Response:
    """Request hop after hop from `url` until a non-redirect response, which is returned open."""
    while True:
        page.final_url = url
        key = urldefrag(url)[0]
        if key in seen:
            raise Fail("redirect loop")
        seen.add(key)
        if opts.hop_check is not None:
            opts.hop_check(url)
        if len(page.redirects) > opts.max_redirects:
            raise Fail("too many redirects")
        resp = _request(session, url, opts)
        page.status = resp.status_code
        target = session.get_redirect_target(resp)
        if not target:
            return resp
        resp.close()
        page.redirects.append(url)
        url = urljoin(url, target)


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
    body, page.truncated, body_error = read_body(resp, opts.max_bytes, opts.deadline)
    text, page.encoding = charset.decode(body, content_type, complete=not page.truncated)
    page.error = page.error or body_error
    if (share := garbled(text)) > GARBLED_SHARE:
        page.error = page.error or f"undecodable body ({share:.0%} of its characters are not text)"
        return
    if mime in TEXT_TYPES:
        page.text = collapse(text)
        return
    try:
        c = content(text, page.final_url)
    except RecursionError:
        page.error = page.error or "unparsable HTML"
        return
    page.title, page.description, page.text = c.title, c.description, c.text
    page.goes_to, page.refreshes, page.frames, page.links = c.goes_to, c.refreshes, c.frames, c.links


def garbled(text: str) -> float:
    """The share of `text` that is replacement or control characters (0 for most pages, at once)."""
    if not text or _GARBLED.search(text) is None:
        return 0.0
    return len(_GARBLED.findall(text)) / len(text)


def _next_hop(page: Page, seen: set[str]) -> str | None:
    """Where the page sends a visitor by itself (meta refresh, script location), if not yet seen."""
    for url in page.goes_to:
        if urldefrag(url)[0] not in seen:
            return url
    return None


def fetch_page(
    url: str,
    *,
    timeout: float = 10.0,
    max_bytes: int = 2_000_000,
    max_redirects: int = 5,
    allow_private: bool = False,
    hop_check: Callable[[str], None] | None = None,
    session: requests.Session | None = None,
    user_agent: str = "",
) -> Page:
    """Fetch `url` and return its Page; network and content problems go to Page.error.

    `hop_check(u)` is called once for every URL the redirect chain reaches, the first one
    included, before it is validated or requested (so refused targets are seen too); its
    exceptions propagate. A missing Content-Type is read as HTML; text/plain is kept as text.
    `timeout` bounds the whole fetch. Thread-safe with the default session (one per call).
    """
    page = Page(url=url, final_url=url, fetched_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    opts = _Options(
        max_bytes,
        max_redirects,
        allow_private,
        hop_check,
        {
            "User-Agent": user_agent or _user_agent(),
            "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
            "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8",
        },
        preflight=session is not None and getattr(session, GUARDED, True) and not allow_private,
        deadline=time.monotonic() + timeout,
    )
    own = session is None
    session = session or guarded_session(allow_private)
    try:
        _visit(page, session, opts, url)
    finally:
        if own:
            session.close()
    return page


def _visit(page: Page, session: requests.Session, opts: _Options, url: str) -> None:
    """Fill `page` from `url`: redirects and the page's own refresh or script hops followed (what
    each such page showed is kept), then its frames read."""
    seen: set[str] = set()
    earlier: list[Page] = []  # pages that sent the visitor on by themselves
    _read(page, session, opts, url, seen)
    while (nxt := _next_hop(page, seen)) is not None and page.ok:
        if len(page.redirects) >= opts.max_redirects:
            if nxt in page.refreshes:  # a refresh always sends the visitor on: what it leads to is unseen
                page.error = "too many redirects (the page sends the visitor on again)"
            break  # (a script's target may be a menu's or a condition's: the page is judged as read)
        earlier.append(
            Page(
                page.url,
                page.final_url,
                title=page.title,
                description=page.description,
                text=page.text,
                frames=page.frames,
                links=page.links,
                truncated=page.truncated,
            )
        )
        page.redirects.append(page.final_url)
        page.title = page.description = page.text = ""
        page.goes_to, page.refreshes, page.frames, page.links = [], [], [], []
        _read(page, session, opts, nxt, seen)
    for e in reversed(earlier):
        page.truncated = page.truncated or e.truncated  # a page read in part on the way: its tail unseen
        page.title = page.title or e.title
        page.description = " ".join(x for x in (e.description, page.description) if x)
        page.text = " ".join(x for x in (e.text, page.text) if x)
        page.frames = list(dict.fromkeys(e.frames + page.frames))
        page.links = list(dict.fromkeys(e.links + page.links))
    if page.frames and not page.error:
        _read_frames(page, session, opts, seen)


MAX_FRAMES = 3  # frames of a page read as part of it (a shell page showing another site) …
MAX_FRAMES_IN_ALL = 6  # … and of its frames (framesets inside framesets), in all


def _read_frames(page: Page, session: requests.Session, opts: _Options, seen: set[str]) -> None:
    """What the page's frames show is part of what the visitor sees: their text is added to the
    page's, their links and targets to its addresses; a frame's own frames are read in turn (up
    to MAX_FRAMES a page, MAX_FRAMES_IN_ALL in all), within the page's deadline. A frame that
    fails (404 included: its error page is not the site) is not read. A page that shows nothing,
    itself or through its frames, is not judged (error): never clear unseen."""
    failed: list[str] = []
    todo = list(page.frames[:MAX_FRAMES])
    shown = bool(page.text.strip())
    budget = MAX_FRAMES_IN_ALL
    while todo and budget > 0:
        src = todo.pop(0)
        if urldefrag(src)[0] in seen:
            continue
        budget -= 1
        frame = Page(url=src, final_url=src, fetched_at=page.fetched_at)  # read like a page, no hops of its own
        _read(frame, session, opts, src, seen)
        if frame.error:
            failed.append(f"{src}: {frame.error}")
            continue
        page.truncated = page.truncated or frame.truncated  # what the frame shows past --max-bytes is unseen
        page.text = " ".join(x for x in (page.text, frame.title, frame.description, frame.text) if x)
        shown = shown or bool(frame.text.strip())  # (a frame's title is not on the screen)
        page.links = list(dict.fromkeys(page.links + frame.links))
        hops = [*frame.redirects, frame.final_url, *frame.frames, *frame.goes_to]
        page.frames = list(dict.fromkeys(page.frames + hops))
        todo += frame.frames[:MAX_FRAMES]
    if not shown:
        why = "; ".join(failed)[:300] if failed else "no text in the page or its frames"
        page.error = f"framed page not read ({why})"


def _read(page: Page, session: requests.Session, opts: _Options, url: str, seen: set[str]) -> None:
    """Fetch `url` into `page`, redirects followed, within the deadline (connections opened here
    are shut when it passes); a failure is the page's error."""
    resp = None
    try:
        with deadline(opts.deadline):
            resp = _follow(page, session, opts, url, seen)
            _judge(page, resp, opts)
    except CAUGHT as exc:
        page.error = "timed out" if time.monotonic() >= opts.deadline else describe_error(exc)
    finally:
        if resp is not None:
            resp.close()
